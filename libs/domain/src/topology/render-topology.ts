/**
 * The ASCII tree of one cluster, as orchestrator's `topology` prints it (inst.ASCIITopology): the
 * primary first, each replica below its source indented by two spaces and marked `+ `, siblings in
 * host:port order, and orchestrator's description of each instance in brackets. Baton adds two
 * columns: the instance's role and, when the analysis has one, its problem code and structure
 * warnings. Columns are aligned; no line ends with a space.
 *
 *   127.0.0.1:33061     [0s,ok,10.11.6-MariaDB-log,rw,ROW,>>,GTID]     primary
 *   + 127.0.0.1:33062   [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]     replica
 *   + 127.0.0.1:33063   [null,nonreplicating,10.11.6-MariaDB-log,…]    replica  ReplicationStopped
 *
 * Instances outside any tree (a detached server, a replication ring) follow as trees of their own.
 * Pure: the snapshot, the analysis and the time come in as arguments; the api and the CLI share it.
 */
import type { AnalysisEntry, ClusterSnapshot, InstanceObservation } from '@baton/contracts';
import { isObservationValid } from '../analysis/instance-health.ts';
import { buildTopologyIndex, keyOf, NO_SOURCE, type TopologyIndex } from '../analysis/topology-index.ts';
import { toMillis } from '../time.ts';
import { describeInstance, descriptionTokens, type DescribeInstanceOptions } from './describe-instance.ts';

export type InstanceRole = 'primary' | 'co-primary' | 'intermediate' | 'replica' | 'standalone' | 'unknown';

export interface RenderTopologyOptions {
  /** Time for downtime expiry (default: the snapshot's observedAt). */
  nowMs?: number;
  /** Added to the snapshot's poll interval for the validity window (orchestrator: ReasonableInstanceCheckSeconds; default 1000). */
  reasonableInstanceCheckMs?: number;
  /** The cluster's analysis (analyze() of the same snapshot); problems are printed after the role. */
  analysis?: readonly AnalysisEntry[];
}

export interface TopologyRow {
  instance: InstanceObservation;
  depth: number;
  role: InstanceRole;
  lastCheckValid: boolean;
  /** The analysis code (omitted when NoProblem) and structure warnings, comma-joined; '' when none. */
  problems: string;
}

function roleOf(index: TopologyIndex, i: number, anyRootWithReplicas: boolean): InstanceRole {
  const replicas = (index.replicasOf[i] as readonly number[]).length;
  const instance = index.instances[i] as InstanceObservation;
  if (index.ownCoMaster[i]) return 'co-primary';
  if ((index.sourceIndex[i] as number) === NO_SOURCE) {
    if (replicas > 0) return 'primary';
    if (instance.lastSeenAt === null) return 'unknown';
    return anyRootWithReplicas ? 'standalone' : 'primary';
  }
  return replicas > 0 ? 'intermediate' : 'replica';
}

function problemsOf(entry: AnalysisEntry | undefined): string {
  if (!entry) return '';
  const items = entry.code === 'NoProblem' ? entry.structureWarnings : [entry.code, ...entry.structureWarnings];
  return items.join(',');
}

/** The rows of the tree in print order (depth-first, roots with replicas first). */
export function topologyRows(snapshot: ClusterSnapshot, options: RenderTopologyOptions = {}): TopologyRow[] {
  const index = buildTopologyIndex(snapshot.instances);
  const n = index.instances.length;
  const window = { windowMs: snapshot.pollIntervalMs + (options.reasonableInstanceCheckMs ?? 1000), observedAtMs: toMillis(snapshot.observedAt) };
  const entries = new Map((options.analysis ?? []).map((e) => [keyOf(e.instance.host, e.instance.port), e]));
  const roots = [...Array(n).keys()].filter((i) => (index.sourceIndex[i] as number) < 0);
  const subtree = (i: number) => (index.replicasOf[i] as readonly number[]).length;
  roots.sort((a, b) => Number(subtree(b) > 0) - Number(subtree(a) > 0) || (index.ids[a] as string).localeCompare(index.ids[b] as string));
  const anyRootWithReplicas = roots.some((r) => subtree(r) > 0 && (index.sourceIndex[r] as number) === NO_SOURCE);

  const rows: TopologyRow[] = [];
  const visited = new Set<number>();
  const visit = (start: number): void => {
    const stack: Array<[number, number]> = [[start, 0]];
    while (stack.length > 0) {
      const [i, depth] = stack.pop() as [number, number];
      if (visited.has(i)) continue;
      visited.add(i);
      const instance = index.instances[i] as InstanceObservation;
      rows.push({
        instance,
        depth,
        role: roleOf(index, i, anyRootWithReplicas),
        lastCheckValid: isObservationValid(instance, window),
        problems: problemsOf(entries.get(keyOf(instance.host, instance.port))),
      });
      const children = index.replicasOf[i] as readonly number[];
      for (let c = children.length - 1; c >= 0; c--) stack.push([children[c] as number, depth + 1]);
    }
  };
  for (const root of roots) visit(root);
  // a replication ring has no root: start from its first member in snapshot order
  for (let i = 0; i < n; i++) if (!visited.has(i)) visit(i);
  return rows;
}

/**
 * The cells of each row in print order: the tree (`+ ` under the source, two spaces a level), the
 * description (`describe` of the instance: one bracketed cell, or its tokens), the role, the problems.
 */
function topologyCells(snapshot: ClusterSnapshot, options: RenderTopologyOptions, describe: (i: InstanceObservation, o: DescribeInstanceOptions) => string[]): string[][] {
  const nowMs = options.nowMs ?? toMillis(snapshot.observedAt);
  const errant = new Map((options.analysis ?? []).map((e) => [keyOf(e.instance.host, e.instance.port), e.errantGtid]));
  return topologyRows(snapshot, options).map((row) => {
    const key = `${row.instance.host}:${row.instance.port}`;
    const tree = row.depth === 0 ? key : `${'  '.repeat(row.depth - 1)}+ ${key}`;
    const description = describe(row.instance, {
      lastCheckValid: row.lastCheckValid,
      errantGtid: errant.get(keyOf(row.instance.host, row.instance.port)),
      nowMs,
    });
    return [tree, ...description, row.role, row.problems];
  });
}

/** One line per row, the cells joined by `separator`, every cell but a row's last padded to its column's width. */
function alignedLines(cells: readonly string[][], separator: string): string[] {
  const columns = Math.max(0, ...cells.map((c) => c.length));
  const widths = [...Array(columns).keys()].map((k) => Math.max(0, ...cells.map((c) => (c[k] ?? '').length)));
  return cells.map((c) => c.map((text, k) => (k < c.length - 1 ? text.padEnd(widths[k] as number) : text)).join(separator));
}

/** The tree as text, one line per instance, columns aligned, no trailing newline. */
export function renderTopology(snapshot: ClusterSnapshot, options: RenderTopologyOptions = {}): string {
  const cells = topologyCells(snapshot, options, (i, o) => [describeInstance(i, o)]);
  return alignedLines(cells, '  ')
    .map((line) => line.trimEnd())
    .join('\n');
}

/**
 * orchestrator's tabulated topology (ASCIITopology with tabulated): one line per instance in the
 * tree's order, `<indent><host:port>|lag|status|version|ro/rw|binlog format|extras`, plus Baton's
 * role and problems as two more fields; the indent is the tree's. Every field but the last is
 * padded to its column's width, so the `|` line up.
 */
export function renderTopologyTabulated(snapshot: ClusterSnapshot, options: RenderTopologyOptions = {}): string {
  return alignedLines(topologyCells(snapshot, options, descriptionTokens), '|').join('\n');
}
