// The sandbox's control port: what `npm run drill -- --rejoin` asks of the process that owns the
// sandbox's mariadbd servers (they die with it, so only it can start one again).
//
//   POST /instances/<name>/rejoin   start the instance again (read-only); Baton's fence keeper
//                                   rejoins it under the writable primary (recovery.rejoinOldPrimary);
//                                   when that has not happened within 10 s the sandbox does it by
//                                   GTID itself; answers { name, pid, source, by } once both
//                                   replication threads run, 409 with the reason when it cannot
//                                   rejoin safely (it holds transactions the primary lacks).
//
// Listens on 127.0.0.1 only, on a free port written to .sandbox/state.json; every change of a
// server's pid is written there too, so the drill never signals a pid that is no longer the
// sandbox's mariadbd.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { compareMariadbPositions } from '@baton/domain';
import type { MariaDbInstance, Topology } from '@baton/testing';

export interface RejoinResult {
  name: string;
  pid: number | undefined;
  source: string;
  /** Who pointed it at the primary: Baton (recovery.rejoinOldPrimary) or the sandbox after waiting for it. */
  by: 'baton' | 'sandbox';
}

export class RejoinRefused extends Error {}

const one = async (instance: MariaDbInstance, sql: string): Promise<Record<string, unknown>> => (await instance.query<Record<string, unknown>>(sql))[0] ?? {};

/** The instance that answers read_only = 0, other than `except`. */
async function writablePrimary(topology: Topology, except: MariaDbInstance): Promise<MariaDbInstance> {
  for (const candidate of topology.instances) {
    if (candidate === except) continue;
    const row = await one(candidate, 'SELECT @@read_only AS ro').catch(() => null);
    if (row && Number(row['ro']) === 0) return candidate;
  }
  throw new RejoinRefused('no writable primary in the topology to rejoin under (has the failover finished?)');
}

/**
 * Starts `instance` again read-only and points it at the current primary. Refused when its own
 * binlog holds a transaction the primary lacks (a write acknowledged only by the crashed primary):
 * replicating on top of it would keep a divergent copy, so it has to be rebuilt from a replica.
 */
export async function rejoinAsReplica(topology: Topology, instance: MariaDbInstance, timeoutMs = 30_000): Promise<RejoinResult> {
  await instance.restart({ readOnly: true });
  const primary = await writablePrimary(topology, instance);
  const replicating = async (): Promise<boolean> => {
    const status = await instance.slaveStatus().catch(() => null);
    return status?.['Slave_IO_Running'] === 'Yes' && status['Slave_SQL_Running'] === 'Yes' && Number(status['Master_Port']) === primary.port;
  };
  // Baton's own rejoin (recovery.rejoinOldPrimary, on by default) does it once its fence keeper
  // sees the server answer; the sandbox only steps in when it has not after a while
  const batonDeadline = Date.now() + Math.min(10_000, timeoutMs / 2);
  while (Date.now() < batonDeadline) {
    if (await replicating()) return { name: instance.name, pid: instance.pid, source: `${primary.host}:${primary.port}`, by: 'baton' };
    await sleep(100);
  }
  const own = String((await one(instance, 'SELECT @@GLOBAL.gtid_binlog_pos AS pos'))['pos'] ?? '');
  const theirs = String((await one(primary, 'SELECT @@GLOBAL.gtid_binlog_pos AS pos'))['pos'] ?? '');
  const relation = compareMariadbPositions(own, theirs).relation;
  if (relation === 'ahead' || relation === 'diverged') {
    throw new RejoinRefused(`${instance.name} has transactions ${primary.name} lacks (its binlog ${own || '(empty)'}, the primary's ${theirs || '(empty)'}): rebuild it from a replica instead of rejoining`);
  }
  const repl = topology.credentials.replication;
  await instance.query('STOP SLAVE');
  // current_pos, not slave_pos: a former primary's gtid_slave_pos is empty or stale, and what it
  // holds is in its binlog (current_pos covers both). Setting gtid_slave_pos instead would wait on
  // the global read lock Baton's fence keeper holds on a demoted primary until it replicates.
  await instance.query('CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_CONNECT_RETRY = 1, MASTER_USE_GTID = current_pos', [primary.host, primary.port, repl.user, repl.password]);
  await instance.query('START SLAVE');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await replicating()) break;
    const status = await instance.slaveStatus();
    if (status && (status['Last_IO_Error'] || status['Last_SQL_Error'])) throw new Error(`${instance.name} does not replicate: ${String(status['Last_IO_Error'] || status['Last_SQL_Error'])}`);
    if (Date.now() > deadline) throw new Error(`${instance.name}: replication threads not running after ${timeoutMs} ms`);
    await sleep(100);
  }
  return { name: instance.name, pid: instance.pid, source: `${primary.host}:${primary.port}`, by: 'sandbox' };
}

/** The control server; `changed` runs after any pid changed (the caller rewrites state.json). */
export async function startControlServer(topology: Topology, changed: () => void): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const answer = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    const match = /^\/instances\/([A-Za-z0-9_-]+)\/rejoin$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) return answer(404, { error: 'POST /instances/<name>/rejoin is the only route' });
    const instance = topology.instances.find((i) => i.name === match[1]);
    if (!instance) return answer(404, { error: `no instance ${match[1]} in the sandbox (${topology.instances.map((i) => i.name).join(', ')})` });
    rejoinAsReplica(topology, instance)
      .then((result) => answer(200, result))
      .catch((error: unknown) => answer(error instanceof RejoinRefused ? 409 : 500, { error: (error as Error).message }))
      .finally(changed);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
