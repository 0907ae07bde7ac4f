/**
 * promote() against real MariaDB 10.11, as the topology's admin account (Baton's grants): a
 * multi-source candidate loses every connection, the epoch lands in baton_meta while it is
 * read-only and replicates, the probe reads it (and reads "none" where Baton never promoted), and
 * every failure — before read_only=0 or after it — ends with the candidate read-only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTopology, type MariaDbInstance } from '@baton/testing';
import { promote, readInstance, repoint, type PromoteOptions } from '../src/index.ts';
import { adminConnection, ms, replicationCredentials } from './recovery-helpers.ts';

/** A named connection to a port nothing listens on (1): configured, started, never connected. */
async function addNamedConnection(instance: MariaDbInstance, name: string): Promise<void> {
  await instance.query(`CHANGE MASTER '${name}' TO MASTER_HOST = '127.0.0.1', MASTER_PORT = 1, MASTER_USER = 'x', MASTER_PASSWORD = 'x', MASTER_CONNECT_RETRY = 60`);
  await instance.query(`START SLAVE '${name}'`);
}

async function connectionNames(instance: MariaDbInstance): Promise<string[]> {
  const rows = await instance.query<{ Connection_name: string }>('SHOW ALL SLAVES STATUS');
  return rows.map((r) => r.Connection_name).sort();
}

async function readOnlyOf(instance: MariaDbInstance): Promise<number> {
  const [row] = await instance.query<{ ro: number }>('SELECT @@GLOBAL.read_only AS ro');
  return Number(row?.ro);
}

async function epochRow(instance: MariaDbInstance): Promise<Record<string, unknown> | undefined> {
  const rows = await instance.query<Record<string, unknown>>('SELECT id, cluster_id, epoch, primary_host, primary_port, recovery_uid FROM baton_meta.promotion_epoch');
  assert.ok(rows.length <= 1, 'one row at most');
  return rows[0];
}

const epoch = { clusterId: 'c-int', epoch: 5, recoveryUid: 'rec-int-1' };

test('a multi-source candidate is promoted: every connection gone, epoch written and replicated, the probe reads it', async (t) => {
  const topology = await withTopology(t, { replicas: 2 });
  const [candidate, other] = topology.replicas as [MariaDbInstance, MariaDbInstance];
  await addNamedConnection(candidate, 'extra');
  assert.deepEqual(await connectionNames(candidate), ['', 'extra']);
  const conn = await adminConnection(t, topology, candidate);
  const [ownBefore] = await candidate.query<{ pos: string }>('SELECT @@GLOBAL.gtid_slave_pos AS pos');

  // nothing of Baton's on a server it never promoted: no epoch, and the probe does not fail for it
  assert.equal((await readInstance(conn, candidate.port)).promotionEpoch, null);

  const promoted = await promote(conn, { useSuperReadOnly: true, epoch, expectedPosition: ownBefore?.pos ?? '' });
  assert.equal(promoted.verified, true, promoted.problems.join('; '));
  assert.deepEqual(promoted.clearedConnections?.sort(), ['', 'extra']);
  assert.equal(promoted.replicationCleared, true);
  assert.equal(promoted.restoredReadOnly, null);
  assert.equal(promoted.promotionEpoch, 5);
  assert.deepEqual(await connectionNames(candidate), [], 'the named connection is gone too');
  assert.equal(await readOnlyOf(candidate), 0);
  assert.deepEqual(await epochRow(candidate), { id: 1, cluster_id: 'c-int', epoch: 5, primary_host: candidate.host, primary_port: candidate.port, recovery_uid: 'rec-int-1' });
  assert.equal((await readInstance(conn, candidate.port)).promotionEpoch, 5);

  // the row replicates: a replica moved under the new primary carries the same epoch
  const otherConn = await adminConnection(t, topology, other);
  const moved = await repoint(otherConn, { host: candidate.host, port: candidate.port }, replicationCredentials(topology));
  assert.equal(moved.running, true);
  await other.waitForGtid(promoted.position);
  assert.equal((await readInstance(otherConn, other.port)).promotionEpoch, 5);

  // a roll-forward on the already writable primary with an older epoch: verified, the epoch stays 5
  const again = await promote(conn, { useSuperReadOnly: true, epoch: { ...epoch, epoch: 3, recoveryUid: 'older' } });
  assert.equal(again.verified, true, again.problems.join('; '));
  assert.deepEqual(again.clearedConnections, []);
  assert.equal(again.promotionEpoch, 5);
  assert.equal((await epochRow(candidate))?.['recovery_uid'], 'rec-int-1');
  // a newer one moves it up
  const newer = await promote(conn, { useSuperReadOnly: true, epoch: { ...epoch, epoch: 6, recoveryUid: 'newer' } });
  assert.equal(newer.promotionEpoch, 6);
  assert.equal((await epochRow(candidate))?.['recovery_uid'], 'newer');
});

test('failures end read-only: a connection re-added after the reset (before read_only=0), a problem or a throw after read_only=0', async (t) => {
  const topology = await withTopology(t, { replicas: 2 });
  const [first, second] = topology.replicas as [MariaDbInstance, MariaDbInstance];
  const options: PromoteOptions = { useSuperReadOnly: true, epoch };

  // 1. verification before anything is writable: the candidate was never writable, nothing written
  const conn1 = await adminConnection(t, topology, first);
  const refused = await promote(conn1, { ...options, afterClear: () => addNamedConnection(first, 'late'), beforeWritable: async () => assert.fail('not reached') });
  assert.equal(refused.verified, false);
  assert.match(refused.problems.join('; '), /replication still configured after the reset: 'late' \(127\.0\.0\.1:1\)/);
  assert.equal(refused.readOnly, true);
  assert.equal(refused.restoredReadOnly, null);
  assert.equal(await readOnlyOf(first), 1);
  const [schemas] = await first.query<{ n: number }>("SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'baton_meta'");
  assert.equal(Number(schemas?.n), 0, 'no epoch written on a refused candidate');

  // 2. a verification problem after read_only=0: set back to read_only=1, read back
  const conn2 = await adminConnection(t, topology, second);
  const undone = await promote(conn2, { ...options, afterWritable: () => addNamedConnection(second, 'late') });
  assert.equal(undone.verified, false);
  assert.match(undone.problems.join('; '), /replication configured again: 'late'/);
  assert.equal(undone.restoredReadOnly, true);
  assert.equal(undone.readOnly, true);
  assert.equal(await readOnlyOf(second), 1);

  // 3. a statement failure after read_only=0 (the second candidate again): thrown, read-only again
  await assert.rejects(
    promote(conn2, { ...options, afterWritable: async () => void (await conn2.exec('SELECT * FROM no_such_schema.no_such_table')) }),
    (e: unknown) => {
      assert.equal((e as { restoredReadOnly?: boolean }).restoredReadOnly, true);
      return true;
    },
  );
  assert.equal(await readOnlyOf(second), 1);
  assert.deepEqual(await connectionNames(second), [], 'the late connection of the second attempt was cleared by the third');
});

test('semi-sync: a candidate whose master side is already ON writes its epoch without waiting for an ack nobody sends', async (t) => {
  const topology = await withTopology(t, { replicas: 1, semiSync: { timeoutMs: 10_000 } });
  const candidate = topology.replicas[0] as MariaDbInstance;
  // a server configured to be ready as a semi-sync primary, as many are; nothing replicates from it
  await candidate.query('SET GLOBAL rpl_semi_sync_master_timeout = 10000');
  await candidate.query('SET GLOBAL rpl_semi_sync_master_enabled = ON');
  const conn = await adminConnection(t, topology, candidate);
  // each statement gets 3 s: an INSERT waiting for the 10 s ack timeout would fail the promotion
  const promoted = await promote(conn, { useSuperReadOnly: true, semiSync: { timeoutMs: 10_000 }, epoch, statementTimeoutMs: 3000 });
  assert.equal(promoted.verified, true, promoted.problems.join('; '));
  assert.equal(promoted.semiSyncMasterEnabled, true);
  assert.equal(promoted.promotionEpoch, 5);
  t.diagnostic(`promoted in ${ms(promoted.elapsedMs)}`);
  const [status] = await candidate.query<{ Value: string }>("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_no_tx'");
  assert.equal(Number(status?.Value), 0, 'no commit fell back to async after an ack timeout');
});
