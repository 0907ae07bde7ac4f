/**
 * Issue 16's Done-when for a dead co-primary, through the whole pipeline in-process (detector →
 * analyzer → recovery executor) against the real broker, Redis, backend and MariaDB: a co-primary
 * pair — the writable co-primary A with a replica, and B, read-only, replicating from A with a
 * replica of its own, while A replicates from B (the circle) — under a steady writer on A.
 *
 * kill -9 of A: DeadCoMaster; with CoMasterRecoveryMustPromoteOtherCoMaster (the default) B is
 * promoted — writable, its replication from A cleared — A's replica moves under B, B's replica
 * stays, and every acknowledged write is on B.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, withTopology } from '@baton/testing';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { ackedWritesMissing, idOf, recoveries, stepNames, waitReplicating, writableInstances } from '../support/failover.ts';

const admin = { user: 'baton', password: 'baton-pass' };
let pipeline: Pipeline;

before(async () => {
  pipeline = await startPipeline({ admin, label: 'comaster', executors: 1, env: { BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '["*"]' } });
});
after(async () => {
  await pipeline?.stop();
});

test('kill -9 of the writable co-primary: the other co-primary is promoted, every replica under it, no acked write lost', async (t) => {
  const topology = await withTopology(t, { replicas: [{ name: 'b', replicas: 1 }, { name: 'a-replica' }] });
  const a = topology.primary;
  const b = topology.instance('b');
  const aReplica = topology.instance('a-replica');
  const [bReplica] = topology.childrenOf(b);
  assert.ok(bReplica);
  // close the circle: A replicates from B (its own transactions come back with its server id and are skipped)
  const repl = topology.credentials.replication;
  await a.query(`CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = current_pos, MASTER_CONNECT_RETRY = 1`, [b.host, b.port, repl.user, repl.password]);
  await a.query('START SLAVE');
  await waitReplicating(a, b);

  await pipeline.register(topology, 'copair');
  await waitFor(() => (pipeline.detectors[0]?.clusterInstances('copair') ?? []).filter((i) => i.lastError === null).length === 4, { description: 'the four instances seen', timeoutMs: 30_000 });
  const writer = await topology.startWriter();
  await waitFor(() => writer.ackedCount >= 100, { description: '100 acked writes', timeoutMs: 30_000 });

  const killedAt = Date.now();
  await a.kill();
  const written = await writer.stop();
  const resolved = await pipeline.waitForEvent((e) => e.clusterId === 'copair' && e.step === 'resolved', { afterMs: killedAt, timeoutMs: 60_000, description: 'the co-primary recovery resolved' });
  assert.equal(resolved.status, 'succeeded', JSON.stringify(resolved.details));
  assert.equal(resolved.details['successor'], idOf(b), 'the other co-primary is promoted');

  const [row] = await recoveries(pipeline.backend, 'copair');
  assert.match(String(row?.analysis), /^DeadCoMaster/);
  assert.deepEqual((await writableInstances(topology)).map((i) => i.name), ['b'], 'exactly one writable primary: B');
  assert.equal(await b.slaveStatus(), null, 'its replication from the dead co-primary is cleared');
  await waitReplicating(aReplica, b);
  await waitReplicating(bReplica, b);
  assert.deepEqual(await ackedWritesMissing(b, written.writer, written.acked), [], `acked writes missing on B (of ${written.acked.length})`);
  const steps = await stepNames(pipeline.backend, String(row?.uid));
  assert.ok(steps.includes('promoted') && steps.includes('replicas-moved'), steps.join(' '));
});
