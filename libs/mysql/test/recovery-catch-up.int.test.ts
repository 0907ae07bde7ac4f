/**
 * catchUpFrom against a real topology: replica A is made to lag (replication stopped while the
 * primary writes on), the primary dies, A is caught up from the more advanced replica B and ends
 * at B's position; then A can be promoted and B moved under it. Also the bounded give-up when
 * the target position is never reached.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTopology, type MariaDbInstance } from '@baton/testing';
import { catchUpFrom, promote, readGtidPosition, repoint, stopReplicaAndDrain } from '../src/index.ts';
import { adminConnection, ms, replicationCredentials, seqOf } from './recovery-helpers.ts';

test('a lagging replica catches up from the most advanced one, then is promoted with it as replica', async (t) => {
  const topology = await withTopology(t, { replicas: 2 });
  const [a, b] = topology.replicas as [MariaDbInstance, MariaDbInstance];
  await topology.sync({ gtid: await topology.writeRows(3) });
  await a.query('STOP SLAVE');
  const bAhead = await topology.writeRows(7, { note: 'A misses these' });
  await topology.sync({ gtid: bAhead, instances: [b] });
  await topology.primary.kill();

  const [connA, connB] = [await adminConnection(t, topology, a), await adminConnection(t, topology, b)];
  const [drainA, drainB] = await Promise.all([stopReplicaAndDrain(connA, { timeoutMs: 5000 }), stopReplicaAndDrain(connB, { timeoutMs: 5000 })]);
  assert.equal(drainA.drained, true);
  assert.equal(drainB.drained, true);
  assert.equal(drainB.position, bAhead);
  assert.equal(seqOf(drainA.position), seqOf(bAhead) - 7, 'A is 7 transactions behind');

  const caught = await catchUpFrom(connA, { host: b.host, port: b.port }, {
    ...replicationCredentials(topology),
    targetPosition: drainB.position,
    timeoutMs: 5000,
  });
  assert.equal(caught.caughtUp, true);
  assert.equal(caught.waitOutcome, 'reached');
  assert.equal(caught.position, drainB.position);
  assert.equal((await readGtidPosition(connA)).position, (await readGtidPosition(connB)).position);
  assert.deepEqual(caught.previousSource, { host: topology.primary.host, port: topology.primary.port });
  const afterCatchUp = await a.slaveStatus();
  assert.equal(afterCatchUp?.Slave_IO_Running, 'No', 'replication stopped again after catching up');
  assert.equal(afterCatchUp?.Master_Port, b.port);

  const promoted = await promote(connA, { useSuperReadOnly: true });
  assert.equal(promoted.verified, true, promoted.problems.join('; '));
  const moved = await repoint(connB, { host: a.host, port: a.port }, replicationCredentials(topology));
  assert.equal(moved.running, true, moved.outcome);
  const gtid = await topology.writeRows(2, { target: a, note: 'on the new primary' });
  await topology.sync({ gtid, instances: [b] });
  assert.equal((await readGtidPosition(connB)).position, gtid);
  t.diagnostic(`timings: catch-up of 7 transactions ${ms(caught.elapsedMs)}, promote ${ms(promoted.elapsedMs)}, repoint ${ms(moved.elapsedMs)}`);
});

test('catch-up to a position the source never reaches gives up after its bound and leaves replication stopped', async (t) => {
  const topology = await withTopology(t, { replicas: 2 });
  const [a, b] = topology.replicas as [MariaDbInstance, MariaDbInstance];
  const connA = await adminConnection(t, topology, a);
  const connB = await adminConnection(t, topology, b);
  await stopReplicaAndDrain(connB, { timeoutMs: 2000 });
  const target = `0-${topology.primary.serverId}-${seqOf(await b.gtidBinlogPos()) + 100}`;

  const caught = await catchUpFrom(connA, { host: b.host, port: b.port }, { ...replicationCredentials(topology), targetPosition: target, timeoutMs: 300 });
  assert.equal(caught.caughtUp, false);
  assert.equal(caught.waitOutcome, 'timeout');
  assert.equal(caught.stateAtEnd?.ioThread, 'Yes', 'it was connected to B, B just had nothing more');
  assert.equal((await a.slaveStatus())?.Slave_SQL_Running, 'No');
  t.diagnostic(`gave up after ${ms(caught.elapsedMs)} (bound 300 ms)`);
});
