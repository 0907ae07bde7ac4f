/**
 * fence() against a live, a killed and a frozen primary, with the admin account; and its
 * reasons when the account is refused or lacks the privilege. Elapsed times are reported,
 * never asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import { waitFor, withTopology } from '@baton/testing';
import { fence, type FenceTarget } from '../src/index.ts';
import { appInsert, ms } from './recovery-helpers.ts';

const readOnlyErrno = 1290; // ER_OPTION_PREVENTS_STATEMENT: "running with the --read-only option"

test('a live primary is fenced: read_only=1, application connections killed, the writer gets read-only errors', async (t) => {
  const topology = await withTopology(t, { replicas: 1 });
  const primary = topology.primary;
  const target: FenceTarget = { host: primary.host, port: primary.port, ...topology.credentials.admin };
  const writer = await topology.startWriter();
  await waitFor(() => writer.ackedCount >= 20, { description: '20 acked writes', timeoutMs: 10_000 });
  // An idle application connection: the writer's own may already be gone (it drops it on the first read-only error).
  const idle = await primary.connection({ account: 'app' });
  t.after(() => idle.destroy());
  idle.on('error', () => undefined); // the kill arrives as an error event on the idle connection

  // A generous budget: what is tested here is the effect, not the speed (that is bench/).
  const result = await fence(target, { timeoutMs: 5000 });
  assert.equal(result.fenced, true, result.error);
  assert.equal(result.reason, 'fenced');
  assert.equal(result.readOnly, true);
  assert.equal(result.killError, undefined);
  assert.ok(result.killedConnections >= 1, `the idle application connection was killed: ${JSON.stringify(result)}`);
  await assert.rejects(idle.query({ sql: 'SELECT 1', timeout: 2000 }));
  assert.deepEqual((await primary.query<{ ro: number }>('SELECT @@GLOBAL.read_only AS ro'))[0], { ro: 1 });

  // The writer reconnects after each error and tries again. Two reconnects since the fence mean
  // an INSERT on the first new connection was refused. (Counted over one held connection, so the
  // polling itself adds none.)
  const socket = await primary.connection({ via: 'socket' });
  t.after(() => socket.destroy());
  const connections = async (): Promise<number> => {
    const [rows] = await socket.query<RowDataPacket[]>({ sql: "SHOW GLOBAL STATUS LIKE 'Connections'", timeout: 2000 });
    return Number(rows[0]?.['Value']);
  };
  const connectionsAtFence = await connections();
  await waitFor(async () => (await connections()) >= connectionsAtFence + 2, { description: 'the writer reconnected twice', timeoutMs: 5000 });
  const written = await writer.stop();
  assert.ok(written.errors.includes('ER_OPTION_PREVENTS_STATEMENT'), `writer errors: ${written.errors.join(', ')}`);
  await assert.rejects(appInsert(primary, 'after fence'), (e: unknown) => (e as { errno?: number }).errno === readOnlyErrno);
  // Replication is untouched: the replica still streams from the fenced primary.
  assert.equal((await topology.replicas[0]?.slaveStatus())?.Slave_IO_Running, 'Yes');
  t.diagnostic(`live fence: ${ms(result.elapsedMs)}, killed ${result.killedConnections} connection(s)`);
});

test('a killed primary: fenced false, unreachable, within the short budget', async (t) => {
  const topology = await withTopology(t, { replicas: 1 });
  const primary = topology.primary;
  await primary.kill();
  const result = await fence({ host: primary.host, port: primary.port, ...topology.credentials.admin }, { timeoutMs: 500 });
  assert.equal(result.fenced, false);
  assert.equal(result.reason, 'unreachable');
  assert.equal(result.readOnly, null);
  assert.match(result.error ?? '', /ECONNREFUSED/);
  assert.equal(result.liveness, 'dead', 'connection refused on a host that answers: provably dead');
  t.diagnostic(`dead primary: ${ms(result.elapsedMs)} (budget 500 ms)`);
});

test('a frozen primary (SIGSTOP): fenced false, unreachable after the connect budget', async (t) => {
  const topology = await withTopology(t, { replicas: 1 });
  const primary = topology.primary;
  await primary.freeze();
  t.after(() => primary.thaw());
  const result = await fence({ host: primary.host, port: primary.port, ...topology.credentials.admin }, { timeoutMs: 300 });
  assert.equal(result.fenced, false);
  assert.equal(result.reason, 'unreachable');
  assert.match(result.error ?? '', /TIMEOUT|timed out/i);
  assert.equal(result.liveness, 'not-answering', 'a connect timeout is not proof of death: the server may be hung and still writable');
  t.diagnostic(`frozen primary: ${ms(result.elapsedMs)} (budget 300 ms)`);
});

test('fence reasons: wrong password → access-denied; an account without READ_ONLY ADMIN → failed', async (t) => {
  const topology = await withTopology(t, { replicas: 1 });
  const primary = topology.primary;
  const where = { host: primary.host, port: primary.port };
  const denied = await fence({ ...where, user: topology.credentials.admin.user, password: 'wrong-password' }, { timeoutMs: 5000 });
  assert.equal(denied.fenced, false);
  assert.equal(denied.reason, 'access-denied');
  assert.equal(denied.liveness, 'alive');
  assert.doesNotMatch(JSON.stringify(denied), /wrong-password/);

  const weak = await fence({ ...where, ...topology.credentials.app }, { timeoutMs: 5000 });
  assert.equal(weak.fenced, false);
  assert.equal(weak.reason, 'failed');
  assert.match(weak.error ?? '', /1227|privilege/i);
  assert.deepEqual((await primary.query<{ ro: number }>('SELECT @@GLOBAL.read_only AS ro'))[0], { ro: 0 });
});

test('MariaDB: read_only alone lets root write; the held global read lock stops root and the app, and Baton\'s own account\'s other sessions are killed', async (t) => {
  const topology = await withTopology(t, { replicas: 1 });
  const primary = topology.primary;
  const admin = topology.credentials.admin;
  const target: FenceTarget = { host: primary.host, port: primary.port, ...admin };
  await primary.query('CREATE TABLE IF NOT EXISTS baton_test.root_writes (id INT PRIMARY KEY) ENGINE=InnoDB');
  const adminSession = await primary.connection({ account: 'admin' });
  adminSession.on('error', () => undefined);
  t.after(() => adminSession.destroy());

  // Without the hold: read_only=1, yet root (READ_ONLY ADMIN) still writes.
  const plain = await fence(target, { timeoutMs: 5000 });
  assert.equal(plain.fenced, true, plain.error);
  assert.equal(plain.readLockHeld, null);
  await assert.rejects(adminSession.query({ sql: 'SELECT 1', timeout: 2000 }), 'the fencing account\'s other session was killed too');
  await primary.query('INSERT INTO baton_test.root_writes VALUES (1)');
  await primary.query('SET GLOBAL read_only = 0');

  let held: { conn: { close(): Promise<void> } } | undefined;
  const result = await fence(target, { timeoutMs: 5000, hold: (h) => (held = h) });
  assert.equal(result.fenced, true, result.error);
  assert.equal(result.readLockHeld, true, result.holdError);
  assert.ok(held, 'the fencing connection was handed over');
  const rootWrite = primary.query('SET STATEMENT max_statement_time = 1 FOR INSERT INTO baton_test.root_writes VALUES (2)');
  await assert.rejects(rootWrite, 'root cannot write while the read lock is held');
  await assert.rejects(appInsert(primary, 'after held fence'), (e: unknown) => (e as { errno?: number }).errno === readOnlyErrno);
  await held.conn.close();
  const rows = await primary.query<{ id: number }>('SELECT id FROM baton_test.root_writes ORDER BY id');
  assert.deepEqual(rows.map((r) => Number(r.id)), [1], 'the refused root write never landed');
});

test('semi-sync: a commit waiting for an ack is killed before read_only (which would wait for it) and its client never gets an OK', async (t) => {
  const topology = await withTopology(t, { replicas: 1, semiSync: { timeoutMs: 8000 } });
  const primary = topology.primary;
  await topology.replicas[0]?.query('STOP SLAVE'); // no ack will come
  const app = await primary.connection({ account: 'app', database: 'baton_test' });
  app.on('error', () => undefined);
  t.after(() => app.destroy());
  const insert = app.query("INSERT INTO writes (writer, seq) VALUES ('ack-waiter', 1)").then(
    () => 'acked',
    (e: { code?: string }) => `error ${e.code ?? ''}`,
  );
  await waitFor(async () => (await primary.query("SELECT ID FROM information_schema.PROCESSLIST WHERE STATE LIKE 'Waiting for semi-sync ACK%'")).length === 1, {
    description: 'the commit waits for its ack',
    timeoutMs: 5000,
  });
  const result = await fence({ host: primary.host, port: primary.port, ...topology.credentials.admin }, { timeoutMs: 2000 });
  assert.equal(result.fenced, true, result.error);
  assert.ok((result.killedBeforeReadOnly ?? 0) >= 1, 'the ack waiter was killed before read_only');
  assert.match(await insert, /^error/, 'the waiting commit was not acknowledged');
  t.diagnostic(`fence with an ack waiter: ${ms(result.elapsedMs)} (ack timeout 8000 ms)`);
});
