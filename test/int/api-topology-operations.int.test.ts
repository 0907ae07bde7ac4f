/**
 * orchestrator's topology operations through the api (startApi in-process, on 127.0.0.1) in front
 * of the whole pipeline — detector → analyzer → recovery executor — on a real MariaDB 1+3 GTID
 * topology, through the real broker, Redis and backend: relocate a replica below another, move it
 * up, relocate-replicas there and back, set-read-only refused on the primary and done with force
 * (then set-writeable with force), maintenance shown in the Instance JSON and blocking relocate.
 * Each answer is checked against the servers themselves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, withTopology, type MariaDbInstance } from '@baton/testing';
import { useApiPipeline } from '../support/api.ts';
import { rowsOf, waitReplicating } from '../support/failover.ts';

const cluster = 'apiops';
const env = useApiPipeline({ label: cluster, token: 'api-topology-operations-test-token' });
const { call } = env;

type Key = { Hostname: string; Port: number };
type InstanceJson = { Key: Key; MasterKey: Key; ReadOnly: boolean; IsMaintenance: boolean; MaintenanceOwner: string; MaintenanceReason: string };
const path = (i: MariaDbInstance): string => `${i.host}/${i.port}`;
const keyOf = (i: MariaDbInstance): Key => ({ Hostname: i.host, Port: i.port });
const readOnly = async (i: MariaDbInstance): Promise<number> => Number((await i.query<{ ro: number }>('SELECT @@GLOBAL.read_only AS ro'))[0]?.ro);

test('relocate, move-up, relocate-replicas, set-read-only and maintenance on a real topology', async (t) => {
  const topology = await withTopology(t, { replicas: 3 });
  const { pipeline } = env;
  await pipeline.register(topology, cluster);
  await env.waitForInstances(cluster, 4);
  const primary = topology.primary;
  const [r1, r2, r3] = topology.replicas as [MariaDbInstance, MariaDbInstance, MariaDbInstance];

  // relocate r2 below its sibling r1: the answer is r2 as the executor probed it after the move
  const relocated = await call(`relocate/${path(r2)}/${path(r1)}`, { post: true });
  assert.equal(relocated.status, 200, JSON.stringify(relocated.body));
  assert.equal(relocated.body.Message, `Instance ${r2.host}:${r2.port} relocated below ${r1.host}:${r1.port}`);
  const moved = relocated.body.Details as InstanceJson;
  assert.deepEqual([moved.Key, moved.MasterKey], [keyOf(r2), keyOf(r1)]);
  await waitReplicating(r2, r1);

  // below its own replica: a cycle, refused before anything moves
  const cycle = await call(`relocate/${path(r1)}/${path(r2)}`, { post: true });
  assert.equal(cycle.status, 409, JSON.stringify(cycle.body));
  assert.match(cycle.body.Message ?? '', /replication cycle/);
  await waitReplicating(r1, primary);

  // move-up: r2 back below its source's source, the primary
  const up = await call(`move-up/${path(r2)}`, { post: true });
  assert.equal(up.status, 200, JSON.stringify(up.body));
  assert.deepEqual((up.body.Details as InstanceJson).MasterKey, keyOf(primary));
  await waitReplicating(r2, primary);
  // the primary's replica cannot move up
  const noUp = await call(`move-up/${path(r1)}`, { post: true });
  assert.equal(noUp.status, 409, JSON.stringify(noUp.body));
  assert.match(noUp.body.Message ?? '', /is not a replica itself/);

  // relocate-replicas: the primary's replicas below r1 (r1 itself stays), then r1's back below the primary
  const under = await call(`relocate-replicas/${path(primary)}/${path(r1)}`, { post: true });
  assert.equal(under.status, 200, JSON.stringify(under.body));
  const list = (under.body.Details as InstanceJson[]).map((i) => [i.Key.Port, i.MasterKey.Port]).sort();
  assert.deepEqual(list, [[r2.port, r1.port], [r3.port, r1.port]].sort());
  await waitReplicating(r2, r1);
  await waitReplicating(r3, r1);
  const back = await call(`relocate-replicas/${path(r1)}/${path(primary)}`, { post: true });
  assert.equal(back.status, 200, JSON.stringify(back.body));
  assert.deepEqual((back.body.Details as InstanceJson[]).map((i) => i.Key.Port).sort(), [r2.port, r3.port].sort());
  for (const r of [r2, r3]) await waitReplicating(r, primary);

  // set-read-only: refused on the primary without force (still writable), a fence with it; set-writeable needs force too
  const refused = await call(`set-read-only/${path(primary)}`, { post: true });
  assert.equal(refused.status, 409, JSON.stringify(refused.body));
  assert.match(refused.body.Message ?? '', /primary: read_only=1 stops the cluster's writes/);
  assert.equal(await readOnly(primary), 0, 'nothing changed');
  const fenced = await call(`set-read-only/${path(primary)}?force=true`, { post: true });
  assert.equal(fenced.status, 200, JSON.stringify(fenced.body));
  assert.equal((fenced.body.Details as InstanceJson).ReadOnly, true);
  assert.equal(await readOnly(primary), 1);
  const unforced = await call(`set-writeable/${path(primary)}`, { post: true });
  assert.equal(unforced.status, 409, JSON.stringify(unforced.body));
  assert.equal(await readOnly(primary), 1);
  const writeable = await call(`set-writeable/${path(primary)}?force=true`, { post: true });
  assert.equal(writeable.status, 200, JSON.stringify(writeable.body));
  assert.equal((writeable.body.Details as InstanceJson).ReadOnly, false);
  assert.equal(await readOnly(primary), 0);
  // a replica may be made read-only without force
  assert.equal((await call(`set-read-only/${path(r3)}`, { post: true })).status, 200);

  // maintenance: in the Instance JSON, relocate refused while it lasts, allowed once it ended
  const begun = await call(`begin-maintenance/${path(r3)}/ops/rebuild`, { post: true });
  assert.equal(begun.status, 200, JSON.stringify(begun.body));
  assert.deepEqual(begun.body.Details, keyOf(r3));
  const shown = (await call(`instance/${path(r3)}`)).body as unknown as InstanceJson;
  assert.deepEqual([shown.IsMaintenance, shown.MaintenanceOwner, shown.MaintenanceReason], [true, 'ops', 'rebuild']);
  const again = await call(`begin-maintenance/${path(r3)}/ops/again`, { post: true });
  assert.equal(again.status, 409, JSON.stringify(again.body));
  const blocked = await call(`relocate/${path(r3)}/${path(r1)}`, { post: true });
  assert.equal(blocked.status, 409, JSON.stringify(blocked.body));
  assert.match(blocked.body.Message ?? '', /under maintenance/);
  await waitReplicating(r3, primary);
  assert.equal((await call(`end-maintenance/${path(r3)}`, { post: true })).status, 200);
  assert.equal(((await call(`instance/${path(r3)}`)).body as unknown as InstanceJson).IsMaintenance, false);
  const allowed = await call(`relocate/${path(r3)}/${path(r1)}`, { post: true });
  assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
  await waitReplicating(r3, r1);

  // every operation audited in the backend: one operation-result step per request, requested by the api user
  await waitFor(async () => (await rowsOf(pipeline.backend, "SELECT ok FROM recovery_steps WHERE step = 'operation-result'")).length === 16, {
    description: 'one operation-result row per operation request (16)',
    timeoutMs: 15_000,
  });
  const started = await rowsOf(pipeline.backend, "SELECT details FROM recovery_steps WHERE step = 'operation-started'");
  for (const row of started) {
    const details = (typeof row['details'] === 'string' ? JSON.parse(row['details']) : row['details']) as { requestedBy: string };
    assert.equal(details.requestedBy, 'api:int-test');
  }
  // no recovery ran meanwhile
  assert.deepEqual(await rowsOf(pipeline.backend, 'SELECT uid FROM recoveries'), []);
  t.diagnostic(`topology after the operations:\n${(await call(`topology/${cluster}`)).body.Details as string}`);
});
