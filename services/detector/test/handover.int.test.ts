// Two detectors in one group, two real clusters: each cluster is probed by exactly one detector;
// stopping a detector hands its clusters to the other, whose snapshots keep arriving for both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, withTopology } from '@baton/testing';
import { detectorFixture } from './support.ts';

test('two detectors share the clusters and one takes over when the other stops', async (t) => {
  const [east, west] = await Promise.all([withTopology(t, { replicas: 1 }), withTopology(t, { replicas: 1 })]);
  const fx = await detectorFixture('handover');
  t.after(() => fx.teardown());
  const config = fx.config({
    credentials: east.credentials.admin, // every topology has the same admin account
    // with 4 partitions and the default partitioner 'east' lands on partition 2 and 'west' on 1;
    // the round-robin assignor gives 0,2 to one member and 1,3 to the other: one cluster each
    seeds: [
      { host: east.primary.host, port: east.primary.port, alias: 'east' },
      { host: west.replicas[0]!.host, port: west.replicas[0]!.port, alias: 'west' },
    ],
  });
  const clusters = ['east', 'west'];
  const a = fx.detector(config, { detectorId: 'detector-a' });
  const b = fx.detector(config, { detectorId: 'detector-b', registerSeeds: false });
  await Promise.all([a.ready, b.ready]);

  // settled: every cluster owned by exactly one of them
  await waitFor(
    () => {
      // settled once the rebalance after b joined is through: one cluster each (see the seeds)
      const owned = [...a.ownedClusters(), ...b.ownedClusters()].sort();
      return JSON.stringify(owned) === JSON.stringify(clusters) && a.ownedClusters().length === 1;
    },
    { description: 'both clusters owned, one by each detector', timeoutMs: 30_000 },
  );
  const fresh = (clusterId: string, detectorId: string, after: number) =>
    fx.snapshots.some((s) => s.value.clusterId === clusterId && s.value.detectorId === detectorId && s.receivedAtMs > after && s.value.instances.length === 2);
  const owner = (clusterId: string) => (a.ownedClusters().includes(clusterId) ? a : b);
  const start = Date.now();
  for (const c of clusters) {
    await waitFor(() => fresh(c, owner(c).detectorId, start), { description: `snapshots of ${c} from its owner`, timeoutMs: 30_000 });
  }
  t.diagnostic(`ownership: a=${a.ownedClusters().join(',') || '-'} b=${b.ownedClusters().join(',') || '-'}`);

  // stop the detector that owns 'east': the other takes everything over
  const [gone, survivor] = owner('east') === a ? [a, b] : [b, a];
  const stoppedAt = Date.now();
  await gone.stop();
  await waitFor(() => JSON.stringify(survivor.ownedClusters()) === JSON.stringify(clusters), {
    description: 'the surviving detector owns both clusters',
    timeoutMs: 30_000,
  });
  for (const c of clusters) {
    await waitFor(() => fresh(c, survivor.detectorId, stoppedAt), { description: `snapshots of ${c} from the survivor`, timeoutMs: 30_000 });
  }
  const firstTakeover = fx.snapshots.find((s) => s.value.clusterId === 'east' && s.value.detectorId === survivor.detectorId && s.receivedAtMs > stoppedAt);
  t.diagnostic(`stop → first snapshot of east from the survivor: ${(firstTakeover?.receivedAtMs ?? Number.NaN) - stoppedAt} ms`);
  const before = fx.snapshots.length;
  await waitFor(() => clusters.every((c) => fx.snapshots.slice(before).filter((s) => s.value.clusterId === c).length >= 2), {
    description: 'snapshots keep arriving for both clusters',
    timeoutMs: 30_000,
  });
  assert.ok(fx.snapshots.slice(before).every((s) => s.value.detectorId === survivor.detectorId), 'only the survivor publishes');
  assert.equal(fx.deadLetters, 0);
});
