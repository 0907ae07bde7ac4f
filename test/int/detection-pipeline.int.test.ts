/**
 * Issue 3's end-to-end cases: real MariaDB topologies, probed by the detector, analysed by the
 * analyzer, seen on baton.analyses — through the real broker. One pipeline serves every case;
 * each case registers its own topology as its own cluster.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { topics } from '@baton/contracts';
import { withTopology, waitFor } from '@baton/testing';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

const admin = { user: 'baton', password: 'baton-pass' };
let pipeline: Pipeline;

before(async () => {
  pipeline = await startPipeline({ admin, label: 'detect' });
});
after(() => pipeline?.stop());

const key = (i: { host: string; port: number }) => ({ host: i.host, port: i.port });

/** The newest snapshot of the cluster the analyzer cached: it caches one once it has analysed it and published what it had to. */
async function analysed(clusterId: string): Promise<{ sequence: number } | null> {
  const raw = await pipeline.redis.get(pipeline.keys.snapshot(clusterId));
  return raw === null ? null : { sequence: (JSON.parse(raw) as { sequence: number }).sequence };
}

/**
 * Waits until `more` snapshots of the cluster past those analysed now have been analysed, and the
 * watcher has read baton.analyses as far as it went then: whatever they led to is in
 * pipeline.analyses, so "nothing published" means something (a NoProblem analysis is not published).
 */
async function analysedMore(clusterId: string, more: number): Promise<void> {
  const from = (await waitFor(() => analysed(clusterId), { description: `a snapshot of ${clusterId} analysed`, timeoutMs: 20_000 })).sequence;
  await waitFor(async () => ((await analysed(clusterId))?.sequence ?? -1) >= from + more, { description: `${more} more snapshots of ${clusterId} analysed`, timeoutMs: 30_000 });
  const topic = pipeline.infra.names[topics.analyses];
  const end = (await pipeline.infra.admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  await waitFor(() => pipeline.analyses.length >= end, { description: `the ${end} analyses on ${topic} read`, timeoutMs: 20_000 });
}

test('healthy 1+3: snapshots flow, are analysed, and no problem is published', async (t) => {
  const topo = await withTopology(t, { replicas: 3 });
  await pipeline.register(topo, 'healthy');
  await analysedMore('healthy', 3);
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

// A replica's heartbeat evidence (issue 14): heartbeats every 0.5 s, and the replicas would wait 30 s
// before their IO threads gave up on a silent source.
const fastHeartbeats = { periodSeconds: 0.5, netTimeoutSeconds: 30 };
const ioThreads = async (topo: { replicas: readonly { slaveStatus(): Promise<{ Slave_IO_Running: string } | null> }[] }) =>
  Promise.all(topo.replicas.map(async (r) => (await r.slaveStatus())?.Slave_IO_Running ?? null));

test('primary frozen (SIGSTOP) with heartbeats every 0.5 s → DeadMaster from the replicas\' heartbeat silence, while their IO threads still say Yes', async (t) => {
  const topo = await withTopology(t, { replicas: 3, heartbeat: fastHeartbeats });
  await pipeline.register(topo, 'hung');
  await analysedMore('hung', 2); // the probers have readings of every replica's heartbeat count
  const frozenAt = Date.now();
  await topo.primary.freeze();
  t.after(() => topo.primary.thaw());
  await pipeline.waitForCode('hung', key(topo.primary), 'DeadMaster', { afterMs: frozenAt, timeoutMs: 20_000 });
  const analysedAt = Date.now();
  assert.deepEqual(await ioThreads(topo), ['Yes', 'Yes', 'Yes'], 'decided on the heartbeat evidence, not on slave_net_timeout (30 s)');
  t.diagnostic(`SIGSTOP → DeadMaster seen ${analysedAt - frozenAt} ms (heartbeat 0.5 s, silentSourceHeartbeats 2)`);
});

test('a slow primary (its probe stuck on a locked table) that still feeds its replicas is never DeadMaster', async (t) => {
  const topo = await withTopology(t, { replicas: 3, heartbeat: fastHeartbeats });
  // the probe's last statement reads baton_meta.promotion_epoch: a held write lock makes it time out
  await topo.primary.query('CREATE DATABASE IF NOT EXISTS baton_meta');
  await topo.primary.query('CREATE TABLE IF NOT EXISTS baton_meta.promotion_epoch (id INT PRIMARY KEY, epoch BIGINT NOT NULL)');
  await topo.primary.query('INSERT IGNORE INTO baton_meta.promotion_epoch VALUES (1, 0)');
  await topo.sync({ gtid: await topo.primary.gtidBinlogPos() });
  await pipeline.register(topo, 'slow');
  await analysedMore('slow', 2);
  const locker = await topo.primary.connection();
  t.after(() => locker.destroy());
  await locker.query('LOCK TABLES baton_meta.promotion_epoch WRITE');
  const writer = await topo.startWriter();
  t.after(() => writer.stop());
  const since = Date.now();
  await waitFor(() => pipeline.detectors[0]?.clusterInstances('slow')?.find((i) => i.port === topo.primary.port)?.lastError?.includes('TIMEOUT'), {
    description: "the primary's probe times out",
    timeoutMs: 20_000,
  });
  await analysedMore('slow', 6);
  assert.ok(writer.ackedCount > 0, 'writes went on meanwhile');
  const seen = pipeline.analyses.filter((a) => a.payload.clusterId === 'slow' && Date.parse(a.payload.analyzedAt) >= since);
  assert.deepEqual(seen.filter((a) => a.payload.entries.some((e) => e.code.startsWith('DeadMaster'))), [], 'its replicas still hear from it');
});

test('replicas without fast heartbeats → SlowHeartbeatReplicasStructureWarning', async (t) => {
  const topo = await withTopology(t, { replicas: 2, heartbeat: { periodSeconds: 2, netTimeoutSeconds: 4 } });
  await pipeline.register(topo, 'slowbeat');
  await waitFor(
    () => pipeline.analyses.some((a) => a.payload.clusterId === 'slowbeat' && a.payload.entries.some((e) => e.instance.port === topo.primary.port && e.structureWarnings.includes('SlowHeartbeatReplicasStructureWarning'))),
    { description: 'the structure warning', timeoutMs: 20_000 },
  );
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
  await analysedMore('cutoff', 5);
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
