/**
 * Replicas connected to an instance, from two sources:
 *   - SHOW SLAVE HOSTS / SHOW REPLICAS: Host = the replica's report_host, Port = its report_port.
 *     Names the replica the way it wants to be known: preferred.
 *   - replication threads in the processlist (COMMAND 'Binlog Dump' / 'Binlog Dump GTID'): HOST is
 *     the client address "ip:ephemeral-port"; the replica's own port is unknown, so orchestrator's
 *     convention applies: the primary's own port.
 * Combination: the registered replicas are taken as they are. Dump threads from a client host that
 * no registered replica uses are "unmatched". When there are more dump threads than registered
 * replicas (a replica without report_host, or a row with an empty Host/Port) and the unmatched
 * threads are exactly that many, they are the unregistered replicas and are added. When there are
 * more unmatched threads than that, registered replicas connect from addresses other than their
 * report_host (a DNS name vs an IP) and nothing tells which thread is which: nothing is added
 * rather than a replica counted twice. No registered replica at all ⇒ every dump thread counts
 * (orchestrator's processlist fallback). Sorted by host then port, deduplicated.
 */
import type { InstanceKey } from '@baton/contracts';
import { integer, pick, text, type RowLike } from './row-values.ts';

export function clientHostOf(processHost: string): string {
  const host = processHost.trim();
  const colon = host.lastIndexOf(':');
  const bare = colon > 0 && /^\d+$/.test(host.slice(colon + 1)) ? host.slice(0, colon) : host;
  return bare.replace(/^\[(.*)\]$/, '$1');
}

const keyId = (k: InstanceKey): string => `${k.host.toLowerCase()}:${k.port}`;

export function mapConnectedReplicas(slaveHosts: readonly RowLike[], dumpThreads: readonly RowLike[], ownPort: number): InstanceKey[] {
  const registered: InstanceKey[] = [];
  for (const row of slaveHosts) {
    const host = text(pick(row, 'Host')).trim();
    const port = integer(pick(row, 'Port'));
    if (host && port > 0 && port <= 65535) registered.push({ host, port });
  }
  const out = new Map<string, InstanceKey>(registered.map((k) => [keyId(k), k]));

  const registeredHosts = new Set(registered.map((k) => k.host.toLowerCase()));
  // Socket clients ('localhost', e.g. mysqlbinlog on the box) are no replicas.
  const threads = dumpThreads.map((row) => clientHostOf(text(pick(row, 'HOST', 'Host', 'host')))).filter((h) => h !== '' && h.toLowerCase() !== 'localhost');
  const unmatched = threads.filter((host) => !registeredHosts.has(host.toLowerCase()));
  const excess = threads.length - registered.length;
  if (excess > 0 && unmatched.length === excess) {
    for (const host of unmatched) out.set(keyId({ host, port: ownPort }), { host, port: ownPort });
  }
  return [...out.values()].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.port - b.port));
}
