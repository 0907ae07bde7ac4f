/**
 * The fleet simulator cannot drift from what Baton reads in production: against a real semi-sync
 * 1+1 mariadbd topology,
 *   - the committed template (mariadb-template.json) has the server's column definitions for every
 *     probe statement (a MariaDB upgrade that changes them fails here: re-capture);
 *   - a simulated instance modelled on each real instance's probe gives the same parsed facts
 *     through Baton's own probe (readInstance), over the real wire protocol;
 *   - a fleet's state moves (positions advance, replicas follow) and its faults read as they
 *     would on a real server: a killed primary refuses connections and its replicas retry with
 *     2003, a hung one accepts and answers nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connectInstance, readInstance, type InstanceConnection } from '@baton/mysql';
import { allocatePorts, withTopology, type MariaDbInstance } from '../src/index.ts';
import { captureTemplate, modelFromFacts, SimFleet, SimInstance, type ProbedFacts } from '../src/simulator/index.ts';

const account = { user: 'baton', password: 'baton-pass' };
const open = (port: number, queryTimeoutMs = 2000): Promise<InstanceConnection> => connectInstance({ host: '127.0.0.1', port, ...account, connectTimeoutMs: 1000, queryTimeoutMs });

async function probe(port: number): Promise<Awaited<ReturnType<typeof readInstance>>> {
  const c = await open(port);
  try {
    return await readInstance(c, port);
  } finally {
    c.destroy();
  }
}

test('the committed template has the real server\'s columns, and a simulated instance reads like the real one through Baton\'s probe', async (t) => {
  const topology = await withTopology(t, { replicas: 1, semiSync: true });
  const replica = topology.replicas[0] as MariaDbInstance;
  const committed = JSON.parse(readFileSync(new URL('../src/simulator/mariadb-template.json', import.meta.url), 'utf8')) as { fields: unknown };
  const live = await captureTemplate(topology.primary, replica);
  assert.deepEqual(committed.fields, live.fields, 'mariadb-template.json is stale: npx tsx libs/testing/scripts/capture-mariadb-template.ts');

  const ports = await allocatePorts(2);
  t.after(() => ports.release());
  for (const [n, real] of [topology.primary, replica].entries()) {
    const facts = await probe(real.port);
    const sim = new SimInstance(ports.ports[n] as number, modelFromFacts(facts as unknown as ProbedFacts, facts.replication ? 1 : 0));
    await sim.start();
    t.after(() => sim.stop());
    const simulated = await probe(sim.port);
    // what only the host says about itself differs: its hostname, and the simulator's own comment
    const strip = (f: typeof facts) => ({ ...f, hostname: '', connectedReplicas: f.connectedReplicas.map((k) => k.host) });
    assert.deepEqual(strip(simulated), strip(facts), `${real.name}: the simulated probe differs from the real one`);
    assert.equal(sim.probes, 1);
  }
});

test('a fleet moves like clusters do, and its faults read as they would on a real server', async (t) => {
  const fleet = await SimFleet.start({ clusters: 2, tickMs: 50, semiSync: true });
  t.after(() => fleet.stop());
  const [c1] = fleet.clusters;
  assert.ok(c1);
  const before = await probe(c1.primary.port);
  await new Promise((r) => setTimeout(r, 300));
  const after = await probe(c1.primary.port);
  assert.ok((after.binlogCoordinates?.pos ?? 0) > (before.binlogCoordinates?.pos ?? 0), 'the primary commits');
  const r1 = await probe((c1.replicas[0] as SimInstance).port);
  assert.equal(r1.replication?.sourcePort, c1.primary.port);
  assert.equal(r1.replication?.ioThread, 'Yes');
  assert.equal(r1.readOnly, true);
  assert.ok((r1.replication?.receivedHeartbeats ?? 0) > 0);
  assert.equal(after.semiSync?.masterClients, 3);

  await fleet.killPrimary(c1);
  await assert.rejects(open(c1.primary.port), /ECONNREFUSED|connect/i, 'a killed primary refuses connections');
  const orphan = await probe((c1.replicas[1] as SimInstance).port);
  assert.equal(orphan.replication?.ioThread, 'Connecting');
  assert.equal(orphan.replication?.lastIoErrno, 2003);

  const c2 = fleet.clusters[1] as (typeof fleet.clusters)[number];
  fleet.hangPrimary(c2);
  const held = await open(c2.primary.port, 300).then(
    async (c) => {
      const r = await c.query('SELECT 1').then(() => 'answered', (e: Error) => e.message);
      c.destroy();
      return r;
    },
    (e: Error) => `connect: ${e.message}`,
  );
  assert.doesNotMatch(held, /^answered$/, 'a hung primary answers nothing');
  const heard = (await probe((c2.replicas[0] as SimInstance).port)).replication?.receivedHeartbeats ?? 0;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await probe((c2.replicas[0] as SimInstance).port)).replication?.receivedHeartbeats, heard, 'its replicas hear nothing more');
});
