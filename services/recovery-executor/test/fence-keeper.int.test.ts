/**
 * The fence keeper against real MariaDB servers: a demoted primary that is frozen (SIGSTOP) and
 * resumed, or killed and restarted writable, is fenced again the moment it answers — read_only=1,
 * its client connections killed, the global read lock held (root cannot write either) — and the
 * `demoted-primary-returned` event is recorded; once it replicates again the watch ends and the
 * lock is lifted. Times are reported, never asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import { silentLogger } from '@baton/logging';
import { testDatabase, waitFor, withTopology } from '@baton/testing';
import type { Audit } from '../src/audit.ts';
import { FenceKeeper, type DemotedPrimary, type DemotedPrimaryStore } from '../src/fence-keeper.ts';
import { FenceLines } from '../src/fence-lines.ts';

class MemoryStore implements DemotedPrimaryStore {
  readonly rows = new Map<string, DemotedPrimary & { ended?: string; fencedAgain: number }>();
  async add(d: DemotedPrimary) {
    this.rows.set(`${d.instance.host}:${d.instance.port}`, { ...d, fencedAgain: 0 });
  }
  async active() {
    return [...this.rows.values()].filter((r) => r.ended === undefined);
  }
  async fencedAgain(_c: string, i: { host: string; port: number }) {
    const row = this.rows.get(`${i.host}:${i.port}`);
    if (row) row.fencedAgain += 1;
  }
  async end(_c: string, i: { host: string; port: number }, reason: string) {
    const row = this.rows.get(`${i.host}:${i.port}`);
    if (row) row.ended = reason;
  }
}

function recorder() {
  const events: Array<{ step: string; status: string; message: string; details: Record<string, unknown> }> = [];
  const audit: Pick<Audit, 'event' | 'background'> = {
    event: (_clusterId, _correlationId, step, status, message, ...details) => void events.push({ step, status, message, details: (details[0] ?? {}) as Record<string, unknown> }),
    background: (_what, work) => void work().catch(() => undefined),
  };
  return { events, audit };
}

test('a frozen demoted primary is fenced again the moment it resumes; root cannot write; the watch ends when it replicates again', async (t) => {
  const topology = await withTopology(t, { replicas: 1 });
  const old = topology.primary;
  const replica = topology.replicas[0];
  assert.ok(replica);
  const store = new MemoryStore();
  const { events, audit } = recorder();
  const keeper = new FenceKeeper({ store, audit, logger: silentLogger(), ...topology.credentials.admin, intervalMs: 100, checkEveryMs: 200 });
  t.after(() => keeper.stop());
  const demoted: DemotedPrimary = { clusterId: 'c1', instance: { host: old.host, port: old.port }, recoveryUid: 'r1', epoch: 7 };

  await old.freeze();
  await keeper.persist(demoted); // its first attempts reach a hung server
  await new Promise((r) => setTimeout(r, 500));
  const thawAt = Date.now();
  old.thaw();
  await waitFor(() => events.some((e) => e.step === 'demoted-primary-returned'), { description: 'the returned event', timeoutMs: 10_000 });
  const returned = events.find((e) => e.step === 'demoted-primary-returned');
  assert.equal(returned?.status, 'succeeded', returned?.message);
  assert.equal(returned?.details['readLockHeld'], true);
  assert.equal(Number((await old.query<{ ro: number } & RowDataPacket>('SELECT @@GLOBAL.read_only AS ro'))[0]?.ro), 1);
  await assert.rejects(old.query(`SET STATEMENT max_statement_time = 1 FOR INSERT INTO ${testDatabase}.markers (note) VALUES ('root after the fence')`), 'root cannot write');
  assert.equal(store.rows.get(`${old.host}:${old.port}`)?.fencedAgain, 1);
  t.diagnostic(`fenced ${Number(returned?.details['fencedAtMs']) - thawAt} ms after SIGCONT`);

  // someone makes it writable again under the keeper's watch: fenced again at its next check
  await old.query('SET GLOBAL read_only = 0');
  await waitFor(() => events.filter((e) => e.step === 'demoted-primary-returned').length >= 2, { description: 'fenced a second time', timeoutMs: 10_000 });

  // the operator rejoins it under the new primary: the watch ends and the lock is lifted
  await replica.query('STOP SLAVE');
  await replica.query('RESET SLAVE ALL');
  await replica.query('SET GLOBAL read_only = 0');
  const { user, password } = topology.credentials.replication;
  await old.query(`CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos`, [replica.host, replica.port, user, password]);
  await old.query('START SLAVE');
  await waitFor(() => store.rows.get(`${old.host}:${old.port}`)?.ended !== undefined, { description: 'the watch ended', timeoutMs: 10_000 });
  assert.match(store.rows.get(`${old.host}:${old.port}`)?.ended ?? '', /replicates again/);
  assert.deepEqual(keeper.watching(), []);
  await waitFor(async () => (await old.slaveStatus())?.Slave_SQL_Running === 'Yes', { description: 'its SQL thread runs (the lock is lifted)', timeoutMs: 10_000 });
});

test('a killed demoted primary restarted writable (no read_only in its config) is fenced as soon as it accepts connections', async (t) => {
  const topology = await withTopology(t, { replicas: 1 });
  const old = topology.primary;
  const { events, audit } = recorder();
  const keeper = new FenceKeeper({ store: new MemoryStore(), audit, logger: silentLogger(), ...topology.credentials.admin, intervalMs: 50 });
  t.after(() => keeper.stop());
  // the keeper's timers are unref'd (it never holds a process open); this test's wait must hold it
  const alive = setInterval(() => undefined, 1000);
  t.after(() => clearInterval(alive));
  await old.kill();
  await keeper.persist({ clusterId: 'c1', instance: { host: old.host, port: old.port }, recoveryUid: 'r1', epoch: 3 });
  await old.restart({ readOnly: false });
  await waitFor(() => events.some((e) => e.step === 'demoted-primary-returned'), { description: 'the returned event', timeoutMs: 20_000 });
  assert.equal(Number((await old.query<{ ro: number } & RowDataPacket>('SELECT @@GLOBAL.read_only AS ro'))[0]?.ro), 1);
});

test('a fence line opened while the primary was healthy: read_only=1 is the first thing the frozen primary executes when it resumes', async (t) => {
  const topology = await withTopology(t, { replicas: 1 });
  const old = topology.primary;
  const lines = new FenceLines({ ...topology.credentials.admin, logger: silentLogger(), refreshEveryMs: 0 });
  t.after(() => lines.stop());
  assert.ok(lines.due('c1'));
  lines.track('c1', { host: old.host, port: old.port });
  await waitFor(() => lines.open().length === 1, { description: 'the line is open', timeoutMs: 5000 });

  await old.freeze();
  const fired = lines.fire('c1', { host: old.host, port: old.port });
  assert.ok(fired, 'the line fired');
  // an application connection attempted during the freeze: its handshake completes after the resume
  const late = old.connection({ account: 'app', database: testDatabase, connectTimeoutMs: 30_000 });
  await new Promise((r) => setTimeout(r, 300));
  const thawAt = Date.now();
  old.thaw();
  await fired.sent;
  t.diagnostic(`read_only=1 executed ${Date.now() - thawAt} ms after SIGCONT (as seen by the client)`);
  const conn = await late;
  conn.on('error', () => undefined);
  t.after(() => conn.destroy());
  await assert.rejects(conn.query("INSERT INTO writes (writer, seq) VALUES ('late', 1)"), (e: { code?: string }) => e.code === 'ER_OPTION_PREVENTS_STATEMENT');
  fired.conn.destroy();
  assert.equal(lines.fire('c1', { host: old.host, port: old.port }), null, 'a line fires once');
});

test('semi-sync: a frozen demoted primary with a commit queued before the freeze: fenced on resume through the fence line, the commit never acknowledged', async (t) => {
  const topology = await withTopology(t, { replicas: 1, semiSync: { timeoutMs: 10_000 } });
  const old = topology.primary;
  const { events, audit } = recorder();
  const keeper = new FenceKeeper({ store: new MemoryStore(), audit, logger: silentLogger(), ...topology.credentials.admin, intervalMs: 200 });
  const lines = new FenceLines({ ...topology.credentials.admin, logger: silentLogger(), refreshEveryMs: 0 });
  t.after(() => lines.stop());
  t.after(() => keeper.stop());
  const alive = setInterval(() => undefined, 1000);
  t.after(() => clearInterval(alive));
  lines.track('c1', { host: old.host, port: old.port });
  await waitFor(() => lines.open().length === 1, { description: 'the line is open', timeoutMs: 5000 });
  const app = await old.connection({ account: 'app', database: testDatabase });
  app.on('error', () => undefined);
  t.after(() => app.destroy());

  await old.freeze();
  const queued = app.query("INSERT INTO writes (writer, seq) VALUES ('queued', 1)").then(() => 'acked', (e: { code?: string }) => `error ${e.code ?? ''}`);
  const instance = { host: old.host, port: old.port };
  const fired = lines.fire('c1', instance);
  assert.ok(fired);
  keeper.adoptLine('c1', instance, fired);
  keeper.watch({ clusterId: 'c1', instance, recoveryUid: 'r1', epoch: 2 });
  await topology.replicas[0]?.query('STOP SLAVE'); // the failover moved it away: no ack will come
  await new Promise((r) => setTimeout(r, 700));
  const thawAt = Date.now();
  old.thaw();
  await waitFor(() => events.some((e) => e.step === 'demoted-primary-returned' && e.status === 'succeeded'), { description: 'fenced', timeoutMs: 15_000 });
  const first = events.find((e) => e.step === 'demoted-primary-returned');
  t.diagnostic(`first fence event ${first?.status} via ${String(first?.details['via'])}: read_only=1 ${Number(first?.details['fencedAtMs']) - thawAt} ms after SIGCONT; ${events.length} event(s)`);
  const outcome = await Promise.race([queued, new Promise<string>((r) => setTimeout(() => r('no answer in 12 s'), 12_000))]);
  t.diagnostic(`the commit queued before the freeze: ${outcome}`);
  assert.match(outcome, /^error/, 'the queued commit died with its connection');
});

test('a demoted primary whose row was ended elsewhere stops being probed here at the next sync; a watch kept before its row exists is left alone', async () => {
  const store = new MemoryStore();
  const { audit } = recorder();
  const keeper = new FenceKeeper({ store, audit, logger: silentLogger(), user: 'nobody', password: 'x', intervalMs: 1000 });
  const gone: DemotedPrimary = { clusterId: 'c', instance: { host: '127.0.0.1', port: 1 }, recoveryUid: 'r1', epoch: 1 };
  const running: DemotedPrimary = { clusterId: 'c', instance: { host: '127.0.0.1', port: 2 }, recoveryUid: 'r2', epoch: 2 };
  const alive = setInterval(() => undefined, 1000); // the keeper's own timers are unref'd
  try {
    await keeper.persist(gone);
    keeper.watch(running); // a recovery's watch, not durable yet
    assert.deepEqual(keeper.watching().sort(), ['c|127.0.0.1:1', 'c|127.0.0.1:2']);
    await store.end('c', gone.instance, 'decommissioned by the operator');
    await keeper.sync();
    assert.deepEqual(keeper.watching(), ['c|127.0.0.1:2']);
  } finally {
    await keeper.stop();
    clearInterval(alive);
  }
});
