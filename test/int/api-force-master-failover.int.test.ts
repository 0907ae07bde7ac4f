/**
 * force-master-failover through the api (startApi in-process, on 127.0.0.1) in front of the whole
 * pipeline — detector → analyzer → recovery executor — on a real, healthy MariaDB 1+3 topology
 * under a steady write load, through the real broker, Redis and backend.
 *
 * The primary is alive: the executor fences it first (read_only=1, the writer's connection killed),
 * lets every replica apply its final position, then promotes one of them. Afterwards there is
 * exactly one writable primary, the old one is read_only and replicates from nobody, every other
 * replica is under the new primary, and every acknowledged write is on the new primary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocatePorts, waitFor, withTopology, type MariaDbInstance, type Topology } from '@baton/testing';
import { useApiPipeline } from '../support/api.ts';
import { ackedWritesMissing, idOf, recoveries, stepNames, waitReplicating, writableInstances } from '../support/failover.ts';

const cluster = 'apiforce';
const env = useApiPipeline({ label: cluster, token: 'api-force-failover-test-token' });
const { call } = env;

const instanceById = (topology: Topology, id: string): MariaDbInstance => {
  const found = topology.instances.find((i) => idOf(i) === id);
  if (!found) throw new Error(`${id} is not an instance of the topology`);
  return found;
};

type RecoveryJson = {
  UID: string;
  IsSuccessful: boolean;
  IsActive: boolean;
  Forced: boolean;
  SuccessorKey: { Hostname: string; Port: number } | null;
  AnalysisEntry: { AnalyzedInstanceKey: { Hostname: string; Port: number }; Analysis: string; CommandHint: string };
  AllErrors: unknown;
};

test('force-master-failover of a live primary under write load: one writable primary, the old one read_only, every replica moved, no acked write lost', async (t) => {
  const topology = await withTopology(t, { replicas: 3 });
  const { pipeline } = env;
  await pipeline.register(topology, cluster);
  await env.waitForInstances(cluster, 4);
  const old = topology.primary;
  const master = (await call(`master/${cluster}`)).body as { Key?: { Hostname: string; Port: number } };
  assert.deepEqual(master.Key, { Hostname: old.host, Port: old.port }, 'the api knows the primary');

  const writer = await topology.startWriter();
  await waitFor(() => writer.ackedCount >= 200, { description: '200 acked writes', timeoutMs: 20_000 });

  const calledAt = Date.now();
  const answer = await call(`force-master-failover/${cluster}`, { post: true });
  const answeredInMs = Date.now() - calledAt;
  const written = await writer.stop();
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.Code, 'OK');
  assert.equal(answer.body.Message, 'Master failed over');
  const details = answer.body.Details as RecoveryJson;
  assert.ok(details.SuccessorKey, JSON.stringify(details));
  const successor = instanceById(topology, `${details.SuccessorKey.Hostname}:${details.SuccessorKey.Port}`);
  assert.ok(topology.replicas.includes(successor), 'a replica was promoted');
  assert.equal(details.IsSuccessful, true);
  assert.equal(details.Forced, true);
  assert.deepEqual(details.AnalysisEntry.AnalyzedInstanceKey, { Hostname: old.host, Port: old.port });
  assert.equal(details.AnalysisEntry.Analysis, 'DeadMaster', 'the forged analysis');
  assert.equal(details.AnalysisEntry.CommandHint, 'force-master-failover');

  // never two writable primaries: the old one is fenced, the new one is the only writable server
  assert.deepEqual((await writableInstances(topology)).map((i) => i.name), [successor.name], 'exactly one writable primary');
  assert.ok(old.running, 'the old primary was not killed');
  assert.deepEqual((await old.query<{ ro: number }>('SELECT @@GLOBAL.read_only AS ro'))[0], { ro: 1 }, 'the old primary is read_only');
  assert.equal(await old.slaveStatus(), null, 'the old primary replicates from nobody (left alone)');
  for (const r of topology.replicas.filter((x) => x !== successor)) await waitReplicating(r, successor);

  // no acknowledged write lost; the writer saw the fence as read-only errors / a killed connection
  assert.ok(written.acked.length >= 200);
  assert.deepEqual(await ackedWritesMissing(successor, written.writer, written.acked), [], `acked writes missing on the new primary (of ${written.acked.length})`);
  t.diagnostic(`force-master-failover answered in ${answeredInMs} ms; writer: ${written.acked.length} acked, ${written.failed.length} failed (${written.errors.join(', ')})`);

  // the recovery row, resolved successful, and its steps
  const [row, ...more] = await recoveries(pipeline.backend, cluster);
  assert.equal(more.length, 0);
  assert.equal(row?.outcome, 'successful');
  assert.equal(row?.is_successful, 1);
  assert.equal(row?.forced, 1);
  assert.equal(row?.failed_port, old.port);
  assert.equal(row?.successor_port, successor.port);
  assert.equal(row?.fencing_result, 'fenced');
  assert.equal(row?.uid, details.UID);
  let steps: string[] = [];
  await waitFor(async () => (steps = await stepNames(pipeline.backend, details.UID)).includes('released'), { description: 'the step rows written', timeoutMs: 15_000 });
  const order = ['re-checked', 'fenced', 'replicas-synced', 'replicas-stopped', 'candidate-chosen', 'promoted', 'replicas-moved', 'old-primary-not-moved', 'resolved'];
  const at = order.map((s) => steps.indexOf(s));
  assert.ok(at.every((i, k) => i >= 0 && (k === 0 || i > (at[k - 1] as number))), `steps in order ${order.join(', ')}: ${steps.join(', ')}`);
  assert.ok(!steps.includes('problem-gone'), 'the live primary did not stop the run');
  const audited = (await call(`audit-recovery/uid/${details.UID}`)).body as unknown as RecoveryJson[];
  assert.deepEqual(audited.map((r) => [r.IsSuccessful, r.IsActive, r.SuccessorKey]), [[true, false, details.SuccessorKey]]);

  // as the detectors see it next: the new primary is the cluster's master; the old one, downtimed, sets off no other recovery
  await waitFor(
    async () => {
      const m = (await call(`master/${cluster}`)).body as { Key?: { Port: number } };
      return m.Key?.Port === successor.port;
    },
    { description: 'the api shows the new primary', timeoutMs: 20_000 },
  );
  const downtimed = (await call(`downtimed/${cluster}`)).body as unknown as Array<{ Key: { Port: number } }>;
  assert.ok(downtimed.some((i) => i.Key.Port === old.port), 'the old primary is downtimed');
  assert.equal((await recoveries(pipeline.backend, cluster)).length, 1, 'no other recovery followed');
  t.diagnostic(`topology after force-master-failover:\n${(await call(`topology/${cluster}`)).body.Details as string}`);
});

test('discover of an address nothing listens on answers 502 with the reason the detector dead-lettered the command with', async () => {
  const ports = await allocatePorts(1);
  try {
    const answer = await call(`discover/127.0.0.1/${ports.first}`, { post: true });
    assert.equal(answer.status, 502, JSON.stringify(answer.body));
    assert.equal(answer.body.Code, 'ERROR');
    assert.match(answer.body.Message ?? '', new RegExp(`^discovery of 127\\.0\\.0\\.1:${ports.first} failed: .*ECONNREFUSED`));
  } finally {
    ports.release();
  }
});
