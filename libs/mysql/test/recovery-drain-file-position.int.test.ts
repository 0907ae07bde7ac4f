/**
 * File/position replication (MASTER_USE_GTID = no): the drain waits by coordinates, since MariaDB
 * does not keep Gtid_IO_Pos in that mode; promote() refuses to reset a relay log it has not applied.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, withTopology, type MariaDbInstance } from '@baton/testing';
import { promote, stopReplicaAndDrain } from '../src/index.ts';
import { adminConnection, appInsert, seqOf } from './recovery-helpers.ts';

test('a file/position replica with a relay-log backlog: drained by coordinates to the last received transaction, compared by gtid_slave_pos', async (t) => {
  const topology = await withTopology(t, { replicas: 1, replicationMode: 'file-position' });
  const replica = topology.replicas[0] as MariaDbInstance;
  assert.equal((await replica.slaveStatus())?.['Using_Gtid'], 'No');
  await replica.query('STOP SLAVE SQL_THREAD');
  for (let i = 0; i < 200; i++) await appInsert(topology.primary, `backlog ${i}`);
  const primaryPos = await topology.primary.gtidBinlogPos();
  await waitFor(async () => {
    const s = await replica.slaveStatus();
    return s?.['Read_Master_Log_Pos'] !== undefined && Number(s['Read_Master_Log_Pos']) > 0 && s['Master_Log_File'] !== '' && Number(s['Read_Master_Log_Pos']) === Number((await topology.primary.query<{ Position: number }>('SHOW MASTER STATUS'))[0]?.Position);
  }, { description: 'the backlog received', timeoutMs: 10_000 });
  const before = await replica.slaveStatus();
  assert.notEqual(before?.['Gtid_IO_Pos'], primaryPos, 'Gtid_IO_Pos is stale in file/position mode');
  await topology.primary.kill();

  const conn = await adminConnection(t, topology, replica);
  const drained = await stopReplicaAndDrain(conn, { timeoutMs: 10_000 });
  assert.equal(drained.mode, 'coordinates');
  assert.equal(drained.drained, true);
  assert.equal(drained.gtidIoPos, '', 'the stale Gtid_IO_Pos is not reported as received');
  assert.deepEqual(drained.execCoords, drained.readCoords);
  assert.equal(seqOf(drained.position), seqOf(primaryPos), `gtid_slave_pos ${drained.position} reached the primary's ${primaryPos}`);
  const promoted = await promote(conn, { useSuperReadOnly: false, expectedPosition: drained.position });
  assert.equal(promoted.verified, true, promoted.problems.join('; '));
  assert.equal(promoted.positionBeforeWritable, primaryPos);
});

test('promote() of a file/position replica whose relay log is not applied: refused, nothing reset, the relay log kept', async (t) => {
  const topology = await withTopology(t, { replicas: 1, replicationMode: 'file-position' });
  const replica = topology.replicas[0] as MariaDbInstance;
  await replica.query('STOP SLAVE SQL_THREAD');
  for (let i = 0; i < 20; i++) await appInsert(topology.primary, `backlog ${i}`);
  const end = Number((await topology.primary.query<{ Position: number }>('SHOW MASTER STATUS'))[0]?.Position);
  await waitFor(async () => Number((await replica.slaveStatus())?.['Read_Master_Log_Pos']) === end, { description: 'the backlog received', timeoutMs: 10_000 });
  const conn = await adminConnection(t, topology, replica);
  const promoted = await promote(conn, { useSuperReadOnly: false });
  assert.equal(promoted.verified, false);
  assert.equal(promoted.unappliedRelayLog, true);
  assert.match(promoted.problems.join('; '), /relay log is not applied .*not reset/);
  const status = await replica.slaveStatus();
  assert.ok(status, 'replication still configured');
  assert.equal(Number(status['Read_Master_Log_Pos']), end, 'the relay log is kept');
  assert.equal(Number((await replica.query<{ ro: number }>('SELECT @@read_only AS ro'))[0]?.ro), 1, 'still read-only');
  await replica.query('START SLAVE');
  await waitFor(async () => Number((await replica.slaveStatus())?.['Exec_Master_Log_Pos']) === end, { description: 'the kept relay log applied', timeoutMs: 10_000 });
});

test('a GTID replica whose SQL thread was stopped with a backlog, primary killed: the drain applies the backlog (the SQL thread starts before the IO thread stops, so MariaDB keeps the relay log)', async (t) => {
  const topology = await withTopology(t, { replicas: 1 });
  const replica = topology.replicas[0] as MariaDbInstance;
  await replica.query('STOP SLAVE SQL_THREAD');
  for (let i = 0; i < 100; i++) await appInsert(topology.primary, `backlog ${i}`);
  const primaryPos = await topology.primary.gtidBinlogPos();
  await waitFor(async () => (await replica.slaveStatus())?.['Gtid_IO_Pos'] === primaryPos, { description: 'the backlog received', timeoutMs: 10_000 });
  await topology.primary.kill();
  const conn = await adminConnection(t, topology, replica);
  const drained = await stopReplicaAndDrain(conn, { timeoutMs: 10_000 });
  assert.equal(drained.mode, 'gtid');
  assert.equal(drained.drained, true, `drained (${drained.waitOutcome})`);
  assert.equal(drained.position, primaryPos, 'every received transaction applied');
});
