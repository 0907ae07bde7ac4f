/**
 * The fleet simulator (@baton/testing/simulator) in front of Baton's real detector and analyzer
 * (in-process, real broker and Redis): simulated 1+3 clusters are discovered from their primary
 * like real ones, every member probed, and a simulated kill -9 or freeze of a primary is analysed
 * as it is on mariadbd — DeadMaster from the replicas' refused reconnects, or from their silence.
 * The base of the scale benchmark (issue 17); no recovery is configured.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, type Topology } from '@baton/testing';
import { SimFleet } from '@baton/testing/simulator';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

const admin = { user: 'baton', password: 'baton-pass' };
let pipeline: Pipeline;
let fleet: SimFleet;

before(async () => {
  fleet = await SimFleet.start({ clusters: 2, semiSync: true });
  pipeline = await startPipeline({ admin, label: 'simfleet', executors: 1 });
});
after(async () => {
  await pipeline?.stop();
  await fleet?.stop();
});

test('simulated clusters are discovered and watched like real ones; a killed and a frozen simulated primary are DeadMaster', async () => {
  const [killed, frozen] = fleet.clusters as [(typeof fleet.clusters)[number], (typeof fleet.clusters)[number]];
  // pipeline.register retires the cluster registered before: one at a time
  const watch = async (c: typeof killed) => {
    await pipeline.register({ primary: c.primary.key } as unknown as Topology, c.alias);
    await waitFor(() => (pipeline.detectors[0]?.clusterInstances(c.alias) ?? []).filter((i) => i.lastError === null).length === 4, { description: `${c.alias}: the four members probed`, timeoutMs: 20_000 });
    const seen = pipeline.detectors[0]?.clusterInstances(c.alias) ?? [];
    assert.deepEqual(seen.map((i) => i.port).sort(), [c.primary.port, ...c.replicas.map((r) => r.port)].sort());
    assert.ok(seen.every((i) => i.flavour === 'mariadb'));
  };

  await watch(killed);
  const at = Date.now();
  await fleet.killPrimary(killed);
  await pipeline.waitForCode(killed.alias, killed.primary.key, 'DeadMaster', { afterMs: at, timeoutMs: 15_000 });

  await watch(frozen);
  const frozenAt = Date.now();
  fleet.hangPrimary(frozen);
  await pipeline.waitForCode(frozen.alias, frozen.primary.key, 'DeadMaster', { afterMs: frozenAt, timeoutMs: 20_000 });
});
