/**
 * The api built on fakes for one test: `const h = await harness(t)` gives the fastify instance
 * (closed on teardown), its fakes and `h.get/h.post` that send the token. The fakes hold cluster
 * `orders` (alias `orders`, db1 primary with db2 and db3 replicas, observed at NOW) and cluster
 * `10.0.0.5:3306`, registered without a snapshot (its analyzer cache expired).
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '@baton/config';
import { replicationState, unknownInstance, type ClusterRegistration, type ClusterSnapshot, type InstanceObservation } from '@baton/contracts';
import { build, type BuildOptions } from '../src/app.ts';
import { NotAttemptedBook, RegistryTable } from '../src/adapters/kafka-adapters.ts';
import { apiSettings, type ApiSettings } from '../src/settings.ts';
import { FakeAudit, FakeCommands, FakeState } from './fakes.ts';

export const NOW = Date.parse('2026-11-26T19:30:00.000Z');
export const TOKEN = 'test-token-0123456789';
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

export function healthy(host: string, over: Partial<InstanceObservation> = {}): InstanceObservation {
  return unknownInstance(host, 3306, {
    lastSeenAt: at(-200),
    lastCheckedAt: at(-200),
    lastAttemptedAt: at(-200),
    lastCheckPartialSuccess: true,
    serverId: [...host].reduce((h, c) => h * 31 + c.charCodeAt(0), 7) % 100_000,
    version: '10.11.6-MariaDB-log',
    flavour: 'mariadb',
    readOnly: false,
    logBin: true,
    logSlaveUpdates: true,
    binlogFormat: 'ROW',
    binlogCoordinates: { file: 'mysql-bin.000001', pos: 1680 },
    mariadbGtid: { currentPos: '0-1-100', slavePos: '', binlogPos: '0-1-100', strictMode: true, domainId: 0 },
    ...over,
  });
}

export function replicaOf(host: string, source: InstanceObservation, over: Partial<InstanceObservation> = {}, replication: Parameters<typeof replicationState>[1] = {}): InstanceObservation {
  const pos = source.mariadbGtid?.currentPos ?? '';
  return healthy(host, {
    readOnly: true,
    replication: replicationState(source, { usingGtid: 'Slave_Pos', secondsBehindSource: 0, gtidIoPos: pos, ...replication }),
    mariadbGtid: { currentPos: pos, slavePos: pos, binlogPos: pos, strictMode: true, domainId: 0 },
    ...over,
  });
}

export function snapshotOf(clusterId: string, instances: InstanceObservation[], alias = clusterId): ClusterSnapshot {
  return { clusterId, clusterAlias: alias, observedAt: at(0), detectorId: 'd1', sequence: 7, reason: 'tick', pollIntervalMs: 1000, instances };
}

/** db1 primary, db2 and db3 replicas of it. */
export function ordersSnapshot(mod: (i: InstanceObservation) => InstanceObservation = (i) => i): ClusterSnapshot {
  const db1 = healthy('db1');
  return snapshotOf('orders', [db1, replicaOf('db2', db1), replicaOf('db3', db1)].map(mod));
}

/** db1 dead (unreachable for 10 s, replicas failing to connect to it): DeadMaster. */
export function deadPrimarySnapshot(): ClusterSnapshot {
  const db1 = healthy('db1', { lastSeenAt: at(-10_000), lastCheckedAt: at(-10_000), lastAttemptedAt: at(-100), lastError: 'connect ECONNREFUSED' });
  const failing = { ioThread: 'Connecting' as const, lastIoErrno: 2003, lastIoError: "error reconnecting to master 'repl@db1:3306' - retry-time: 60", secondsBehindSource: null };
  return snapshotOf('orders', [db1, replicaOf('db2', db1, {}, failing), replicaOf('db3', db1, {}, failing)]);
}

export function registration(clusterId: string, alias: string, seeds: Array<{ host: string; port: number }>): ClusterRegistration {
  return { clusterId, alias, seeds, status: 'active', registeredAt: at(-60_000), registeredBy: 'test' };
}

export interface Harness {
  app: FastifyInstance;
  state: FakeState;
  audit: FakeAudit;
  commands: FakeCommands;
  registry: RegistryTable;
  book: NotAttemptedBook;
  settings: ApiSettings;
  /** GET with the token; `token: null` sends none. */
  get(url: string, options?: { token?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: Record<string, unknown> & { Code?: string; Message?: string; Details?: unknown }; json: unknown; text: string }>;
  post(url: string, options?: { token?: string | null; headers?: Record<string, string> }): ReturnType<Harness['get']>;
}

/** GET a topology route and check its envelope: OK, `Topology for cluster <clusterId>`, Details the lines one a line. */
export async function expectTopology(h: Harness, url: string, clusterId: string, lines: readonly string[]): ReturnType<Harness['get']> {
  const r = await h.get(url);
  assert.equal(r.body.Code, 'OK');
  assert.equal(r.body.Message, `Topology for cluster ${clusterId}`);
  assert.equal(r.body.Details, lines.join('\n'));
  return r;
}

export async function harness(t: TestContext, over: Partial<ApiSettings> = {}, snapshot: ClusterSnapshot = ordersSnapshot(), options: BuildOptions = {}): Promise<Harness> {
  const base = apiSettings(loadConfig({ env: { BATON__API__TOKEN: TOKEN } }));
  // Generous waits: the fake executor applies within ~20 ms, but a loaded machine can stall a timer; tests of the 504 path set their own short waits.
  const settings: ApiSettings = { ...base, commandWaitMs: 10_000, recoverWaitMs: 10_000, ...over };
  const state = new FakeState().add(snapshot);
  const audit = new FakeAudit();
  const book = new NotAttemptedBook();
  const registry = new RegistryTable();
  registry.apply('orders', registration('orders', 'orders', [{ host: 'db1', port: 3306 }]));
  registry.apply('10.0.0.5:3306', registration('10.0.0.5:3306', '', [{ host: '10.0.0.5', port: 3306 }, { host: '10.0.0.6', port: 3306 }]));
  const commands = new FakeCommands(state, audit, book, registry);
  const app = await build(settings, { state, registry, audit, commands, events: book, deadLetters: commands.deadLetters, now: () => new Date(NOW + 500), pollIntervalMs: 10, hostname: 'api-test', newRequestId: (() => { let n = 0; return () => `req-${++n}`; })() }, options);
  t.after(() => app.close());
  const send = async (method: 'GET' | 'POST', url: string, o: { token?: string | null; headers?: Record<string, string> } = {}) => {
    const token = o.token === undefined ? TOKEN : o.token;
    const res = await app.inject({ method, url, headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...o.headers } });
    let json: unknown = null;
    try {
      json = res.json();
    } catch {
      json = null;
    }
    return { status: res.statusCode, body: (json ?? {}) as Record<string, unknown>, json, text: res.body };
  };
  return { app, state, audit, commands, registry, book, settings, get: (u, o) => send('GET', u, o), post: (u, o) => send('POST', u, o) };
}
