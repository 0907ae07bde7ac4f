/**
 * The replication tree of one snapshot, indexed once so the analysis is linear in the number of
 * instances: who replicates from whom, depth, co-masters, the chain above each instance.
 *
 * Replicas of M = instances whose (sourceHost, sourcePort) equals (M.host, M.port), hostnames
 * compared case-insensitively. The snapshot carries no name resolution (orchestrator's
 * hostname_resolve): the detector must report sources and instances under the same names.
 * A key that appears twice in the snapshot is analysed once (first occurrence).
 */
import type { InstanceObservation } from '@baton/contracts';
import { hasNoSource } from './instance-health.ts';

/** sourceIndex value: the instance has no replication source (a master, or detached). */
export const NO_SOURCE = -1;
/** sourceIndex value: the source is not part of the snapshot. */
export const SOURCE_OUTSIDE = -2;

export interface TopologyIndex {
  readonly instances: readonly InstanceObservation[];
  /** `host:port` as reported */
  readonly ids: readonly string[];
  /** normalised key (lower-case host) → index */
  readonly indexByKey: ReadonlyMap<string, number>;
  readonly sourceIndex: readonly number[];
  /** replicas of each instance, sorted by host then port */
  readonly replicasOf: readonly (readonly number[])[];
  /** orchestrator's IsMaster (no source), except a never-seen instance without replicas: its role is unknown */
  readonly isMaster: readonly boolean[];
  /** the instance's own is_co_master: observed flag, or its source replicates from it */
  readonly ownCoMaster: readonly boolean[];
  /** replication depth: 0 for a master, source's depth + 1; 1 for co-masters and for a source outside the snapshot */
  readonly depth: readonly number[];
}

export function keyOf(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`;
}

function compareKeys(a: InstanceObservation, b: InstanceObservation): number {
  return a.host < b.host ? -1 : a.host > b.host ? 1 : a.port - b.port;
}

export function buildTopologyIndex(all: readonly InstanceObservation[]): TopologyIndex {
  const indexByKey = new Map<string, number>();
  const instances: InstanceObservation[] = [];
  for (const i of all) {
    const k = keyOf(i.host, i.port);
    if (indexByKey.has(k)) continue;
    indexByKey.set(k, instances.length);
    instances.push(i);
  }
  const n = instances.length;
  const sourceIndex = new Array<number>(n);
  const replicasOf: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    const r = (instances[i] as InstanceObservation).replication;
    if (r === null || hasNoSource(r)) {
      sourceIndex[i] = NO_SOURCE;
      continue;
    }
    const s = indexByKey.get(keyOf(r.sourceHost, r.sourcePort));
    if (s === undefined || s === i) {
      sourceIndex[i] = SOURCE_OUTSIDE;
      continue;
    }
    sourceIndex[i] = s;
    (replicasOf[s] as number[]).push(i);
  }
  for (const list of replicasOf) {
    if (list.length > 1) list.sort((a, b) => compareKeys(instances[a] as InstanceObservation, instances[b] as InstanceObservation));
  }
  const isMaster = instances.map(
    (inst, i) => sourceIndex[i] === NO_SOURCE && !(inst.lastSeenAt === null && (replicasOf[i] as number[]).length === 0),
  );
  const ownCoMaster = instances.map((inst, i) => {
    if (inst.isCoMaster) return true;
    const s = sourceIndex[i] as number;
    return s >= 0 && sourceIndex[s] === i;
  });
  return { instances, ids: instances.map((i) => `${i.host}:${i.port}`), indexByKey, sourceIndex, replicasOf, isMaster, ownCoMaster, depth: computeDepths(sourceIndex, isMaster) };
}

/** Iterative, memoised, cycle-safe: each instance is visited a constant number of times. */
function computeDepths(sourceIndex: readonly number[], isMaster: readonly boolean[]): number[] {
  const n = sourceIndex.length;
  const depth = new Array<number>(n).fill(-1);
  for (let start = 0; start < n; start++) {
    if ((depth[start] as number) >= 0) continue;
    const path: number[] = [];
    const onPath = new Map<number, number>();
    let cur = start;
    let base: number;
    for (;;) {
      const known = depth[cur] as number;
      if (known >= 0) {
        base = known;
        break;
      }
      const at = onPath.get(cur);
      if (at !== undefined) {
        // a replication cycle (co-masters): every member sits at depth 1
        for (let k = at; k < path.length; k++) depth[path[k] as number] = 1;
        path.length = at;
        base = 1;
        break;
      }
      const s = sourceIndex[cur] as number;
      if (isMaster[cur] || s === NO_SOURCE) {
        depth[cur] = 0;
        base = 0;
        break;
      }
      if (s === SOURCE_OUTSIDE) {
        depth[cur] = 1;
        base = 1;
        break;
      }
      onPath.set(cur, path.length);
      path.push(cur);
      cur = s;
    }
    for (let k = path.length - 1; k >= 0; k--) depth[path[k] as number] = ++base;
  }
  return depth;
}

/**
 * The chain above instance i, nearest first (its source, the source's source, …), stopping at a
 * cycle. In a replication ring (co-masters) the chain comes back to i, so i itself ends the list:
 * each ring member is upstream of every other, itself included.
 */
export function upstreamOf(index: TopologyIndex, i: number): InstanceObservation[] {
  const out: InstanceObservation[] = [];
  const seen = new Set<number>([i]);
  let s = index.sourceIndex[i] as number;
  while (s >= 0 && !seen.has(s)) {
    seen.add(s);
    out.push(index.instances[s] as InstanceObservation);
    s = index.sourceIndex[s] as number;
  }
  if (s === i) out.push(index.instances[i] as InstanceObservation);
  return out;
}
