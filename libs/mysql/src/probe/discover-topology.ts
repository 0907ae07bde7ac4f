/**
 * discoverTopology: from one seed instance, the whole replication tree it belongs to.
 *   1. Up: follow the replication source (SHOW SLAVE STATUS Master_Host/Port) to the top — the
 *      instance without a source. A loop (A → B → A) is a co-master pair (or ring): its writable
 *      member is the top (else the first reached), and the pair is reported in `coPrimaries`.
 *      An unreachable source ends the walk there: it is the top as far as anyone can tell.
 *   2. Down, level by level from the top: the children of an instance are its connected replicas
 *      (SHOW SLAVE HOSTS / processlist) plus every instance already read that names it as its
 *      source (a replica whose IO thread is down is not connected, but says where it points).
 *      A source named by an instance but not read yet is read too.
 * Every instance is read once, on a short-lived connection with the connect/query timeouts.
 * Edges come from the replica's own SHOW SLAVE STATUS when it answered, else from the source's
 * replica list. The same server reached under two names (same server_id, and server_uuid where the
 * flavour has one) is one instance: the name the topology uses for it wins over the seed's.
 * Bounded by `maxDepth` (hops up, levels down) and `maxInstances`; `truncated` says a bound hit.
 */
import type { InstanceKey } from '@baton/contracts';
import type { Logger } from '@baton/logging';
import { connectInstance, type InstanceConnection, type InstanceConnectOptions } from '../instance-connection.ts';
import { describeProbeError, type ProbeCredentials } from './instance-prober.ts';
import type { InstanceFacts } from './map-probe-rows.ts';
import { readInstance } from './read-instance.ts';

export interface DiscoveryOptions {
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  /** Default 10. */
  maxDepth?: number;
  /** Default 500. */
  maxInstances?: number;
  /** Instances read at once. Default 16. */
  concurrency?: number;
  logger?: Logger;
  connect?: (options: InstanceConnectOptions) => Promise<InstanceConnection>;
}

export interface TopologyEdge {
  source: InstanceKey;
  replica: InstanceKey;
}

export interface DiscoveredTopology {
  /** Every instance found, reachable or only referenced: the top first, then by host and port. */
  instances: InstanceKey[];
  /** The top of the tree (absent only when the seed itself could not be read). */
  primary?: InstanceKey;
  /** When the top is part of a replication loop: every member of the loop. */
  coPrimaries?: InstanceKey[];
  edges: TopologyEdge[];
  /** Referenced (or the seed) but could not be read. */
  unreachable: { key: InstanceKey; error: string }[];
  /** A second name under which an instance answered, and the name kept for it. */
  aliases: { alias: InstanceKey; key: InstanceKey }[];
  truncated: boolean;
}

interface Node {
  key: InstanceKey;
  facts?: InstanceFacts;
  error?: string;
}

const idOf = (k: InstanceKey): string => `${k.host.toLowerCase()}:${k.port}`;
const byHostPort = (a: InstanceKey, b: InstanceKey): number => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.port - b.port);

function sourceOf(facts: InstanceFacts | undefined): InstanceKey | null {
  const r = facts?.replication;
  if (!r) return null;
  const host = r.sourceHost;
  if (host === '' || host === '_' || host.startsWith('//') || r.sourcePort <= 0) return null;
  return { host, port: r.sourcePort };
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function discoverTopology(seed: InstanceKey, credentials: ProbeCredentials, options: DiscoveryOptions): Promise<DiscoveredTopology> {
  const maxDepth = options.maxDepth ?? 10;
  const maxInstances = options.maxInstances ?? 500;
  const connect = options.connect ?? connectInstance;
  const nodes = new Map<string, Node>();
  const reads = new Map<string, Promise<string | undefined>>();
  const aliasOf = new Map<string, string>();
  const aliasKeys = new Map<string, InstanceKey>();
  const byServer = new Map<string, string>();
  const seedId = idOf(seed);
  let truncated = false;

  const canon = (id: string): string => {
    let c = id;
    for (let guard = 0; aliasOf.has(c) && guard < 100; guard++) c = aliasOf.get(c) as string;
    return c;
  };

  async function read(key: InstanceKey): Promise<Node> {
    let conn: InstanceConnection | undefined;
    try {
      conn = await connect({ ...key, ...credentials, connectTimeoutMs: options.connectTimeoutMs, queryTimeoutMs: options.queryTimeoutMs });
      return { key, facts: await readInstance(conn, key.port) };
    } catch (error) {
      options.logger?.debug({ err: error, instance: idOf(key) }, 'discovery: instance not read');
      return { key, error: describeProbeError(error) };
    } finally {
      await conn?.close().catch(() => undefined);
    }
  }

  /** Registers a node; merges it into an existing one that is the same server. Returns its canonical id. */
  function register(node: Node): string {
    const id = idOf(node.key);
    const f = node.facts;
    const identity = f?.serverId != null ? `${f.serverId}/${f.serverUuid ?? ''}` : undefined;
    const twin = identity === undefined ? undefined : byServer.get(identity);
    if (twin !== undefined && twin !== id) {
      if (canon(twin) === seedId && id !== seedId) {
        // The topology's name for the seed replaces the name the seed was given under.
        nodes.set(id, node);
        aliasKeys.set(seedId, (nodes.get(seedId) as Node).key);
        nodes.delete(seedId);
        aliasOf.set(seedId, id);
        byServer.set(identity as string, id);
        return id;
      }
      aliasOf.set(id, canon(twin));
      aliasKeys.set(id, node.key);
      return canon(twin);
    }
    nodes.set(id, node);
    if (identity !== undefined) byServer.set(identity, id);
    return id;
  }

  /** Reads `key` once (concurrent callers share the read); undefined when over maxInstances. */
  function visit(key: InstanceKey): Promise<string | undefined> {
    const id = canon(idOf(key));
    if (nodes.has(id)) return Promise.resolve(id);
    let pending = reads.get(id);
    if (!pending) {
      if (reads.size >= maxInstances) {
        truncated = true;
        return Promise.resolve(undefined);
      }
      pending = read(key).then(register);
      reads.set(id, pending);
    }
    return pending;
  }

  // 1. Up.
  const path: string[] = [];
  let topId: string | undefined = await visit(seed);
  let coPrimaries: string[] | undefined;
  while (topId !== undefined) {
    path.push(topId);
    const source = sourceOf(nodes.get(topId)?.facts);
    if (!source) break;
    if (path.length > maxDepth) {
      truncated = true;
      break;
    }
    const sourceId = await visit(source);
    if (sourceId === undefined) break;
    const loopStart = path.map(canon).indexOf(canon(sourceId));
    if (loopStart >= 0) {
      coPrimaries = path.slice(loopStart).map(canon);
      topId = coPrimaries.find((id) => nodes.get(id)?.facts?.readOnly === false) ?? coPrimaries[0];
      break;
    }
    topId = sourceId;
  }
  if (topId !== undefined) topId = canon(topId);

  // 2. Down.
  const expanded = new Set<string>();
  const sourceEdges: TopologyEdge[] = [];
  let level = topId === undefined ? [] : [topId];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth >= maxDepth) {
      truncated ||= level.some((id) => (nodes.get(canon(id))?.facts?.connectedReplicas.length ?? 0) > 0);
      break;
    }
    const children: InstanceKey[] = [];
    for (const id of level.map(canon)) {
      if (expanded.has(id)) continue;
      expanded.add(id);
      const node = nodes.get(id);
      if (!node) continue;
      for (const child of node.facts?.connectedReplicas ?? []) {
        sourceEdges.push({ source: node.key, replica: child });
        children.push(child);
      }
      for (const other of nodes.values()) {
        const s = sourceOf(other.facts);
        if (s && canon(idOf(s)) === id) children.push(other.key);
      }
      // A source named by an instance but not read yet: part of the tree, or this tree's member under the name the replicas use.
      const source = sourceOf(node.facts);
      if (source && !nodes.has(canon(idOf(source)))) children.push(source);
    }
    const next = new Set<string>();
    await mapLimit(children, options.concurrency ?? 16, async (child) => {
      const id = await visit(child);
      if (id !== undefined && !expanded.has(canon(id))) next.add(canon(id));
    });
    level = [...next];
  }

  // Edges: the replica's own word when it answered, else its source's replica list.
  const edges = new Map<string, TopologyEdge>();
  const addEdge = (source: InstanceKey, replica: InstanceKey): void => {
    const s = nodes.get(canon(idOf(source)));
    const r = nodes.get(canon(idOf(replica)));
    if (!s || !r || s === r) return;
    edges.set(`${idOf(s.key)}>${idOf(r.key)}`, { source: s.key, replica: r.key });
  };
  for (const node of nodes.values()) {
    const s = sourceOf(node.facts);
    if (s) addEdge(s, node.key);
  }
  for (const e of sourceEdges) {
    if (!nodes.get(canon(idOf(e.replica)))?.facts) addEdge(e.source, e.replica);
  }

  const primary = topId === undefined ? undefined : nodes.get(canon(topId));
  const all = [...nodes.values()];
  const rest = all.filter((n) => n !== primary).map((n) => n.key).sort(byHostPort);
  const result: DiscoveredTopology = {
    instances: primary ? [primary.key, ...rest] : rest,
    edges: [...edges.values()].sort((a, b) => byHostPort(a.source, b.source) || byHostPort(a.replica, b.replica)),
    unreachable: all.filter((n) => !n.facts).map((n) => ({ key: n.key, error: n.error ?? 'not read' })),
    aliases: [...aliasKeys].map(([id, alias]) => ({ alias, key: (nodes.get(canon(id)) as Node).key })),
    truncated,
  };
  if (primary && (primary.facts !== undefined || all.length > 1)) result.primary = primary.key;
  if (coPrimaries) result.coPrimaries = coPrimaries.map((id) => (nodes.get(canon(id)) as Node).key);
  return result;
}
