/** discoverTopology against a real chained MariaDB topology, as the admin (monitoring) account. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceKey } from '@baton/contracts';
import { withTopology, type MariaDbInstance } from '@baton/testing';
import { discoverTopology } from '../src/index.ts';

const keyOf = (i: MariaDbInstance): InstanceKey => ({ host: i.host, port: i.port });
const byPort = (a: InstanceKey, b: InstanceKey): number => a.port - b.port;
const options = { connectTimeoutMs: 500, queryTimeoutMs: 500 };

test('chained topology: discovered from the primary and from a leaf, every instance and edge; dead primary kept as the top', async (t) => {
  // primary → intermediate → {intermediate-1, intermediate-2}; primary → replica2
  const topology = await withTopology(t, { replicas: [{ name: 'intermediate', replicas: 2 }, {}] });
  const credentials = topology.credentials.admin;
  const all = topology.instances.map(keyOf).sort(byPort);
  const edges = topology.instances
    .filter((i) => i.upstream !== null)
    .map((i) => ({ source: keyOf(i.upstream as MariaDbInstance), replica: keyOf(i) }))
    .sort((a, b) => byPort(a.source, b.source) || byPort(a.replica, b.replica));

  for (const seed of [topology.primary, topology.instance('intermediate-2'), topology.instance('replica2')]) {
    const found = await discoverTopology(keyOf(seed), credentials, options);
    assert.deepEqual(found.primary, keyOf(topology.primary), `primary from ${seed.name}`);
    assert.deepEqual(found.instances[0], keyOf(topology.primary));
    assert.deepEqual([...found.instances].sort(byPort), all, `instances from ${seed.name}`);
    assert.deepEqual(found.edges, edges, `edges from ${seed.name}`);
    assert.deepEqual(found.unreachable, []);
    assert.equal(found.truncated, false);
    assert.equal(found.coPrimaries, undefined);
  }

  await topology.primary.kill();
  const orphaned = await discoverTopology(keyOf(topology.instance('intermediate-1')), credentials, options);
  assert.deepEqual(orphaned.primary, keyOf(topology.primary));
  assert.deepEqual(orphaned.unreachable.map((u) => u.key), [keyOf(topology.primary)]);
  // Below the dead primary only the seed's branch can be found (nobody lists replica2 any more).
  const branch = ['primary', 'intermediate', 'intermediate-1', 'intermediate-2'].map((n) => keyOf(topology.instance(n))).sort(byPort);
  assert.deepEqual([...orphaned.instances].sort(byPort), branch);
});
