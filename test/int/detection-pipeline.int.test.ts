/**
 * Issue 3's end-to-end cases: real MariaDB topologies, probed by the detector, analysed by the
 * analyzer, seen on baton.analyses — through the real broker. One pipeline serves every case;
 * each case registers its own topology as its own cluster.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withTopology, waitFor } from '@baton/testing';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

const admin = { user: 'baton', password: 'baton-pass' };
let pipeline: Pipeline;

before(async () => {
  pipeline = await startPipeline({ admin, label: 'detect' });
});
after(() => pipeline?.stop());

const key = (i: { host: string; port: number }) => ({ host: i.host, port: i.port });

test('healthy 1+3: snapshots flow and no problem is published', async (t) => {
  const topo = await withTopology(t, { replicas: 3 });
  await pipeline.register(topo, 'healthy');
  const seen = pipeline.snapshotsSeen.get('healthy') ?? 0;
  await waitFor(() => (pipeline.snapshotsSeen.get('healthy') ?? 0) >= seen + 3, { description: 'three more snapshots', timeoutMs: 20_000 });
  assert.deepEqual(pipeline.analyses.filter((a) => a.payload.clusterId === 'healthy' && a.payload.hasProblem), []);
});

test('kill -9 of the primary → DeadMaster', async (t) => {
  const topo = await withTopology(t, { replicas: 3 });
  await pipeline.register(topo, 'crash');
  await topo.primary.kill();
  const seen = await pipeline.waitForCode('crash', key(topo.primary), 'DeadMaster');
  assert.ok(seen.correlationId, 'a detection id ties the analysis to what follows');
});

test('kill -9 of the primary and one replica → DeadMasterAndSomeReplicas', async (t) => {
  const topo = await withTopology(t, { replicas: 3 });
  await pipeline.register(topo, 'crash2');
  await Promise.all([topo.primary.kill(), topo.replicas[0]!.kill()]);
  await pipeline.waitForCode('crash2', key(topo.primary), 'DeadMasterAndSomeReplicas');
});

test('primary frozen (SIGSTOP) → DeadMaster once the replicas give up on it', async (t) => {
  const topo = await withTopology(t, { replicas: 3 });
  await pipeline.register(topo, 'frozen');
  await topo.primary.freeze();
  t.after(() => topo.primary.thaw());
  await pipeline.waitForCode('frozen', key(topo.primary), 'DeadMaster', { timeoutMs: 40_000 });
});

test('primary cut off from the detector only → UnreachableMaster with a probe request, never DeadMaster', async (t) => {
  const topo = await withTopology(t, { replicas: 3 });
  await pipeline.register(topo, 'cutoff');
  const since = Date.now();
  await topo.primary.cutOffFromMonitor();
  t.after(() => topo.primary.restore());
  await pipeline.waitForCode('cutoff', key(topo.primary), 'UnreachableMaster', { afterMs: since, timeoutMs: 30_000 });
  await waitFor(() => pipeline.probeRequests.some((p) => p.payload.clusterId === 'cutoff' && p.receivedAtMs >= since), { description: 'an emergent re-read requested', timeoutMs: 10_000 });
  // keep watching for a while: the replicas still replicate, so it must never turn into DeadMaster
  const seen = pipeline.snapshotsSeen.get('cutoff') ?? 0;
  await waitFor(() => (pipeline.snapshotsSeen.get('cutoff') ?? 0) >= seen + 5, { description: 'five more snapshots', timeoutMs: 30_000 });
  const dead = pipeline.analyses.filter((a) => a.payload.clusterId === 'cutoff' && a.payload.entries.some((e) => e.code.startsWith('DeadMaster')));
  assert.deepEqual(dead, []);
});

test('replication stopped on every replica → AllMasterReplicasNotReplicating', async (t) => {
  const topo = await withTopology(t, { replicas: 3 });
  await pipeline.register(topo, 'stopped');
  await Promise.all(topo.replicas.map((r) => r.query('STOP SLAVE')));
  await pipeline.waitForCode('stopped', key(topo.primary), 'AllMasterReplicasNotReplicating');
});

test('intermediate primary killed in a chained topology → DeadIntermediateMaster', async (t) => {
  const topo = await withTopology(t, { replicas: [{ name: 'intermediate', replicas: 2 }, {}] });
  await pipeline.register(topo, 'chain');
  const intermediate = topo.instance('intermediate');
  await waitFor(() => pipeline.detectors[0]!.clusterInstances('chain')?.length === 5, { description: 'all five instances known', timeoutMs: 20_000 });
  await intermediate.kill();
  await pipeline.waitForCode('chain', key(intermediate), 'DeadIntermediateMaster');
});

test('a replica with an errant transaction → ErrantGTIDStructureWarning', async (t) => {
  const topo = await withTopology(t, { replicas: 3 });
  await pipeline.register(topo, 'errant');
  // root may write on a read_only replica (READ_ONLY ADMIN); with the binlog on, that is an errant GTID
  await topo.replicas[1]!.query('CREATE DATABASE errant_write');
  await pipeline.waitForCode('errant', key(topo.primary), 'ErrantGTIDStructureWarning');
});
