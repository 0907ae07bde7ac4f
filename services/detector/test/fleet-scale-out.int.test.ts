/**
 * Issue 17's scale-out check on a small fleet: 50 simulated 1+3 clusters (200 instances, the fleet
 * simulator of @baton/testing/simulator, one 127.0.0.1 port each) watched by two detectors in one
 * consumer group. The clusters split between them by partition assignment; every instance is
 * probed once per poll interval — counted by the simulated servers themselves, so a cluster
 * probed by both detectors (twice per tick) or by neither shows — and when one detector stops,
 * the other takes its clusters over and probes every instance again at the same rate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@baton/testing';
import { SimFleet } from '@baton/testing/simulator';
import { detectorFixture } from './support.ts';

const clusters = 50;
const windowMs = 5000;

/** Probes each instance got during `ms` (the simulator's own counts). */
async function probesDuring(fleet: SimFleet, ms: number): Promise<number[]> {
  const before = fleet.instances.map((i) => i.probes);
  await new Promise((r) => setTimeout(r, ms));
  return fleet.instances.map((i, n) => i.probes - (before[n] as number));
}

test('two detectors over 200 simulated instances: every instance probed once per tick, and all of them again after one detector stops', async (t) => {
  const fleet = await SimFleet.start({ clusters });
  t.after(() => fleet.stop());
  const fx = await detectorFixture('fleet-scale-out');
  t.after(() => fx.teardown());
  const config = fx.config({
    credentials: { user: 'baton', password: 'any' },
    seeds: fleet.clusters.map((c) => ({ host: c.primary.key.host, port: c.primary.key.port, alias: c.alias })),
  });
  const a = fx.detector(config, { detectorId: 'detector-a' });
  const b = fx.detector(config, { detectorId: 'detector-b', registerSeeds: false });
  await Promise.all([a.ready, b.ready]);
  await waitFor(() => a.ownedClusters().length + b.ownedClusters().length === clusters && a.ownedClusters().length > 0 && b.ownedClusters().length > 0, {
    description: 'every cluster owned, by both detectors between them',
    timeoutMs: 60_000,
  });
  assert.deepEqual(a.ownedClusters().filter((c) => b.ownedClusters().includes(c)), [], 'no cluster owned twice');
  await waitFor(() => [...a.ownedClusters(), ...b.ownedClusters()].every((c) => (a.clusterInstances(c) ?? b.clusterInstances(c) ?? []).filter((i) => i.lastError === null).length === 4), {
    description: 'every member of every cluster probed',
    timeoutMs: 60_000,
  });

  const ticks = windowMs / config.detector.pollIntervalMs;
  const counts = await probesDuring(fleet, windowMs);
  const low = Math.min(...counts);
  const high = Math.max(...counts);
  t.diagnostic(`two detectors (${a.ownedClusters().length} + ${b.ownedClusters().length} clusters): probes per instance in ${windowMs} ms: ${low}–${high} (${ticks} ticks)`);
  assert.ok(low >= ticks - 1, `an instance was probed only ${low} times in ${ticks} ticks (dropped)`);
  assert.ok(high <= ticks + 1, `an instance was probed ${high} times in ${ticks} ticks (probed twice per tick)`);

  const [gone, survivor] = a.ownedClusters().length >= b.ownedClusters().length ? [a, b] : [b, a];
  const moved = gone.ownedClusters();
  const stoppedAt = Date.now();
  await gone.stop();
  await waitFor(() => survivor.ownedClusters().length === clusters, { description: 'the survivor owns every cluster', timeoutMs: 60_000 });
  const tookOverMs = Date.now() - stoppedAt;
  await waitFor(() => moved.every((c) => (survivor.clusterInstances(c) ?? []).filter((i) => i.lastError === null).length === 4), { description: 'the moved clusters probed by the survivor', timeoutMs: 30_000 });
  const after = await probesDuring(fleet, windowMs);
  t.diagnostic(`after the stop: ${moved.length} clusters moved in ${tookOverMs} ms; probes per instance in ${windowMs} ms: ${Math.min(...after)}–${Math.max(...after)}`);
  assert.ok(Math.min(...after) >= ticks - 1, 'every instance probed again at the poll rate');
  assert.ok(Math.max(...after) <= ticks + 1);
});
