/**
 * Issue 6's end-to-end case: the api (startApi, in-process, on 127.0.0.1) in front of the whole
 * pipeline — detector → analyzer → recovery executor — on a real MariaDB 1+3 topology, through
 * the real broker, Redis and backend.
 *
 *  1. automated recoveries are switched off through the api, so only the forced one acts;
 *  2. the primary is killed; `recover` through the api drives the failover and answers the
 *     promoted key, which is then the one writable primary with every replica under it;
 *  3. audit-recovery and audit-recovery-steps show that recovery and its steps;
 *  4. recoveries back on; the new primary is killed: the anti-flapping block the forced recovery
 *     left stops the automated recovery (blocked-recoveries shows it);
 *  5. ack-recovery through the api lifts the block, and the second, automated recovery runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, withTopology, type MariaDbInstance, type Topology } from '@baton/testing';
import { useApiPipeline } from '../support/api.ts';
import { idOf, key, waitReplicating, writableInstances } from '../support/failover.ts';

const env = useApiPipeline({ label: 'apirec', token: 'api-recover-test-token' });
const { call, ok } = env;

const instanceById = (topology: Topology, id: string): MariaDbInstance => {
  const found = topology.instances.find((i) => idOf(i) === id);
  if (!found) throw new Error(`${id} is not an instance of the topology`);
  return found;
};

type RecoveryJson = { UID: string; IsSuccessful: boolean; IsActive: boolean; SuccessorKey: { Hostname: string; Port: number } | null; Forced: boolean; Acknowledged: boolean; AnalysisEntry: { AnalyzedInstanceKey: { Hostname: string; Port: number }; Analysis: string } };

test('recover through the api drives a real failover; audit shows it; ack lets the next automated recovery run', async (t) => {
  const topology = await withTopology(t, { replicas: 3 });
  const { pipeline } = env;
  await pipeline.register(topology, 'apirec');
  await env.waitForInstances('apirec', 4);

  // 1. only the forced recovery may act
  assert.deepEqual(await ok('disable-global-recoveries', { post: true }), { Code: 'OK', Message: 'Globally disabled recoveries', Details: 'disabled' });
  assert.equal((await ok('check-global-recoveries')).Details, 'disabled');

  // 2. kill the primary; once the api's analysis says DeadMaster, recover through the api
  const failed = topology.primary;
  await failed.kill();
  await pipeline.waitForCode('apirec', key(failed), 'DeadMaster', { timeoutMs: 30_000 });
  await waitFor(
    async () => ((await ok(`replication-analysis/instance/${failed.host}/${failed.port}`)).Details as Array<{ Analysis: string }>).some((e) => e.Analysis === 'DeadMaster'),
    { description: 'DeadMaster in the api analysis', timeoutMs: 20_000 },
  );
  const recovered = await ok(`recover/${failed.host}/${failed.port}`, { post: true });
  assert.equal(recovered.Code, 'OK');
  assert.equal(recovered.Message, `Recovery executed on ${idOf(failed)}`);
  const promotedKey = recovered.Details as { Hostname: string; Port: number };
  const successor = instanceById(topology, `${promotedKey.Hostname}:${promotedKey.Port}`);
  assert.ok(topology.replicas.includes(successor), 'a replica was promoted');
  assert.deepEqual((await writableInstances(topology)).map((i) => i.name), [successor.name], 'exactly one writable primary');
  const others = topology.replicas.filter((r) => r !== successor);
  for (const r of others) await waitReplicating(r, successor);

  // 3. the audit shows it
  const audit = (await call('audit-recovery/cluster/apirec')).body as unknown as RecoveryJson[];
  assert.equal(audit.length, 1);
  const first = audit[0] as RecoveryJson;
  assert.deepEqual([first.IsSuccessful, first.IsActive, first.Forced, first.Acknowledged], [true, false, true, false]);
  assert.deepEqual(first.SuccessorKey, promotedKey);
  assert.deepEqual(first.AnalysisEntry.AnalyzedInstanceKey, { Hostname: failed.host, Port: failed.port });
  await waitFor(async () => ((await call(`audit-recovery-steps/${first.UID}`)).body as unknown as Array<{ Step: string }>).some((s) => s.Step === 'released'), {
    description: 'the step rows written',
    timeoutMs: 15_000,
  });
  const steps = ((await call(`audit-recovery-steps/${first.UID}`)).body as unknown as Array<{ Step: string; RecoveryUID: string }>).map((s) => s.Step);
  for (const s of ['registered', 'claimed', 'refreshed', 'promoted', 'resolved']) assert.ok(steps.includes(s), `step ${s} in ${steps.join(', ')}`);
  assert.deepEqual(((await ok(`audit-recovery/uid/${first.UID}`)) as unknown as RecoveryJson[]).map((r) => r.UID), [first.UID]);

  // 4. recoveries back on; once the detectors see the new primary as the primary, it dies within the block period: blocked
  assert.equal((await ok('enable-global-recoveries', { post: true })).Details, 'enabled');
  await waitFor(
    async () => {
      const master = (await call('master/apirec')).body as { Key?: { Port: number }; MasterKey?: { Hostname: string } };
      return master.Key?.Port === successor.port && master.MasterKey?.Hostname === '';
    },
    { description: 'the api shows the new primary', timeoutMs: 20_000 },
  );
  const secondAt = Date.now();
  await successor.kill();
  await pipeline.waitForCode('apirec', key(successor), 'DeadMaster', { timeoutMs: 30_000, afterMs: secondAt });
  await waitFor(
    async () => ((await call('blocked-recoveries/cluster/apirec')).body as unknown as Array<{ FailedInstanceKey: { Port: number } }>).some((b) => b.FailedInstanceKey.Port === successor.port),
    { description: 'the automated recovery of the new primary blocked', timeoutMs: 30_000 },
  );
  assert.equal(((await call('audit-recovery/cluster/apirec')).body as unknown as unknown[]).length, 1, 'no second recovery while blocked');

  // 5. ack lifts the block: the automated recovery runs
  const acked = await ok('ack-recovery/cluster/apirec?comment=first%20failover%20reviewed', { post: true });
  assert.deepEqual(acked, { Code: 'OK', Message: 'Acknowledged 1 recoveries on apirec', Details: 1 });
  let second: RecoveryJson | undefined;
  await waitFor(
    async () => {
      const rows = (await call('audit-recovery/cluster/apirec')).body as unknown as RecoveryJson[];
      second = rows.find((r) => r.UID !== first.UID && !r.IsActive);
      return second !== undefined;
    },
    { description: 'a second, automated recovery resolved', timeoutMs: 60_000 },
  );
  const done = second as RecoveryJson;
  assert.equal(done.Forced, false, 'automated');
  assert.equal(done.IsSuccessful, true, JSON.stringify(done));
  assert.deepEqual(done.AnalysisEntry.AnalyzedInstanceKey, { Hostname: successor.host, Port: successor.port });
  const third = instanceById(topology, `${done.SuccessorKey?.Hostname}:${done.SuccessorKey?.Port}`);
  assert.ok(others.includes(third));
  assert.deepEqual((await writableInstances(topology)).map((i) => i.name), [third.name]);
  for (const r of others.filter((o) => o !== third)) await waitReplicating(r, third);
  const firstAfter = ((await ok(`audit-recovery/uid/${first.UID}`)) as unknown as RecoveryJson[])[0];
  assert.equal(firstAfter?.Acknowledged, true);
  // the topology as the detectors see it next: the third primary on top, the last replica under it
  const primaryLine = new RegExp(`^${third.host.replace(/\./g, '\\.')}:${third.port} +\\[0s,ok,[^\\]]*,rw,[^\\]]*\\] +primary$`, 'm');
  let tree = '';
  await waitFor(async () => primaryLine.test((tree = (await ok('topology/apirec')).Details as string)), { description: 'the topology shows the third primary', timeoutMs: 20_000 }).catch(
    (error: unknown) => {
      throw new Error(`${(error as Error).message}:\n${tree}`);
    },
  );
  t.diagnostic(`topology after two failovers:\n${tree}`);
});
