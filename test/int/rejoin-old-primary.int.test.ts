/**
 * Issue 16's rejoin of the old primary, through the whole pipeline in-process (detector → analyzer
 * → recovery executor) on real MariaDB topologies: after a kill -9 and a failover, the old primary
 * restarted read-only (as a DBA restarts a demoted primary) is re-attached by Baton as a replica of
 * the new primary when it holds nothing the new primary lacks, its downtime ended; an old primary
 * with a transaction no replica received stays fenced and detached, and both the event and the
 * loss report name that GTID. recovery.rejoinOldPrimary is left at its default (on).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, withTopology, type MariaDbInstance, type Topology } from '@baton/testing';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { idOf, waitReplicating, writableInstances } from '../support/failover.ts';

const admin = { user: 'baton', password: 'baton-pass' };
let pipeline: Pipeline;

before(async () => {
  pipeline = await startPipeline({ admin, label: 'rejoin', executors: 1, env: { BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '["*"]' } });
});
after(async () => {
  await pipeline?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const readOnlyOf = async (i: MariaDbInstance): Promise<number> => Number((await i.query<{ ro: number }>('SELECT @@GLOBAL.read_only AS ro'))[0]?.ro);

async function failOver(topology: Topology, clusterId: string, beforeKill?: () => Promise<void>, afterKill?: () => Promise<void>): Promise<{ successor: MariaDbInstance; uid: string }> {
  await beforeKill?.();
  const crashedAt = Date.now();
  await topology.primary.kill();
  await afterKill?.();
  const resolved = await pipeline.waitForEvent((e) => e.clusterId === clusterId && e.step === 'resolved', { afterMs: crashedAt, timeoutMs: 60_000, description: `the failover of ${clusterId}` });
  assert.equal(resolved.status, 'succeeded', JSON.stringify(resolved.details));
  const successor = topology.instances.find((i) => idOf(i) === String(resolved.details['successor']));
  assert.ok(successor, 'the successor is an instance of the topology');
  // the old primary is durable in the keepers' table before the restart
  await waitFor(async () => {
    const [rows] = await pipeline.backend.query('SELECT 1 FROM demoted_primaries WHERE cluster_id = ? AND port = ? AND ended_at IS NULL', [clusterId, topology.primary.port]);
    return (rows as unknown[]).length === 1;
  }, { description: 'the old primary recorded as demoted', timeoutMs: 10_000 });
  return { successor, uid: resolved.recoveryUid };
}

async function lossReportOf(uid: string): Promise<{ base: string; entries: Array<{ member: string; missing: string; count: number | null; source: string }>; pending: string[]; clean: string[] }> {
  const [rows] = await pipeline.backend.query('SELECT loss_report FROM recoveries WHERE uid = ?', [uid]);
  const text = (rows as Array<{ loss_report: string | null }>)[0]?.loss_report;
  assert.ok(text, 'the recovery has a loss report');
  return JSON.parse(text);
}

test('kill -9 of the primary, failover, restart of the old primary: it replicates from the new primary within a few poll intervals, read-only, its downtime ended', async (t) => {
  const topology = await withTopology(t, { replicas: 2 });
  await pipeline.register(topology, 'rejoin-clean');
  await topology.sync({ gtid: await topology.writeRows(10) });
  const old = topology.primary;
  const { successor, uid } = await failOver(topology, 'rejoin-clean');
  const downtimeKey = pipeline.keys.downtime('rejoin-clean', idOf(old));
  assert.equal(await pipeline.redis.exists(downtimeKey), 1, 'the recovery downtimed the failed primary');

  await old.restart({ readOnly: true });
  const restartedAt = Date.now();
  const rejoined = await pipeline.waitForEvent((e) => e.clusterId === 'rejoin-clean' && e.step === 'old-primary-rejoined', { afterMs: restartedAt - 60_000, timeoutMs: 20_000, description: 'old-primary-rejoined' });
  assert.equal(rejoined.status, 'succeeded', rejoined.message);
  assert.equal(rejoined.details['source'], idOf(successor));
  assert.equal(rejoined.details['recoveryUid'], uid);
  assert.equal(rejoined.details['downtimeEnded'], true);
  t.diagnostic(`rejoined ${Date.parse(rejoined.at) - restartedAt} ms after the restart returned: ${rejoined.message}`);
  await waitReplicating(old, successor, 10_000);
  assert.equal((await old.slaveStatus())?.['Using_Gtid'], 'Current_Pos');
  assert.equal(await readOnlyOf(old), 1, 'it stays read-only');
  assert.deepEqual((await writableInstances(topology)).map((i) => i.name), [successor.name], 'one writable primary');
  assert.equal(await pipeline.redis.exists(downtimeKey), 0, 'its downtime ended');
  // the keeper's watch ended and its read lock is gone: new writes on the primary are applied
  await waitFor(() => pipeline.events.some((e) => e.payload.clusterId === 'rejoin-clean' && e.payload.step === 'demoted-primary-rejoined'), { description: 'the watch ended', timeoutMs: 10_000 });
  const gtid = await topology.writeRows(3, { target: successor });
  await old.waitForGtid(gtid, 10_000);
  const report = await lossReportOf(uid);
  assert.deepEqual(report.entries, [], JSON.stringify(report));
  assert.ok(report.clean.includes(idOf(old)) && !report.pending.includes(idOf(old)), `the old primary examined and clean: ${JSON.stringify(report)}`);
});

test('an old primary with a transaction its replicas never received: after the restart it stays read-only and detached; the event and the loss report name the GTID', async (t) => {
  const topology = await withTopology(t, { replicas: 2 });
  await pipeline.register(topology, 'rejoin-extra');
  await topology.sync({ gtid: await topology.writeRows(10) });
  const old = topology.primary;
  let extra = '';
  const { successor, uid } = await failOver(
    topology,
    'rejoin-extra',
    async () => {
      // cut off from its replicas (their IO threads stopped), it takes one more write, then dies
      await Promise.all(topology.replicas.map((r) => r.query('STOP SLAVE IO_THREAD')));
      extra = await topology.writeRows(1, { note: 'only on the old primary' });
    },
    async () => {
      await Promise.all(topology.replicas.map((r) => r.query('START SLAVE IO_THREAD')));
    },
  );
  assert.match(extra, /^0-\d+-\d+$/);

  await old.restart({ readOnly: true });
  const restartedAt = Date.now();
  const refused = await pipeline.waitForEvent((e) => e.clusterId === 'rejoin-extra' && e.step === 'old-primary-not-rejoined', { afterMs: restartedAt - 60_000, timeoutMs: 20_000, description: 'old-primary-not-rejoined' });
  assert.equal(refused.status, 'failed');
  assert.equal(refused.details['reason'], 'extra-transactions', refused.message);
  assert.equal(refused.details['extra'], extra, 'the event names the GTID only the old primary has');
  assert.equal(refused.details['count'], 1);
  assert.match(String(refused.details['instructions']), /re-clone/);
  t.diagnostic(refused.message);
  // a few keeper checks later: still read-only and replicating from nobody
  await sleep(3000);
  assert.equal(await readOnlyOf(old), 1);
  assert.equal(await old.slaveStatus(), null, 'not re-attached');
  assert.ok(!pipeline.events.some((e) => e.payload.clusterId === 'rejoin-extra' && e.payload.step === 'old-primary-rejoined'));
  assert.deepEqual((await writableInstances(topology)).map((i) => i.name), [successor.name]);
  const report = await lossReportOf(uid);
  const entry = report.entries.find((e) => e.member === idOf(old));
  assert.equal(entry?.missing, extra, `the loss report names it: ${JSON.stringify(report)}`);
  assert.equal(entry?.source, 'returned');
});

test('the old primary restarted writable (no read_only in its config): fenced by the keeper at once (read lock held), then rejoined under the new primary', async (t) => {
  const topology = await withTopology(t, { replicas: 2 });
  await pipeline.register(topology, 'rejoin-writable');
  await topology.sync({ gtid: await topology.writeRows(10) });
  const old = topology.primary;
  const { successor } = await failOver(topology, 'rejoin-writable');
  await old.restart({ readOnly: false });
  const restartedAt = Date.now();
  const returned = await pipeline.waitForEvent((e) => e.clusterId === 'rejoin-writable' && e.step === 'demoted-primary-returned', { afterMs: restartedAt - 60_000, timeoutMs: 20_000, description: 'fenced on its return' });
  assert.equal(returned.status, 'succeeded', returned.message);
  const rejoined = await pipeline.waitForEvent((e) => e.clusterId === 'rejoin-writable' && e.step === 'old-primary-rejoined', { afterMs: restartedAt - 60_000, timeoutMs: 20_000, description: 'old-primary-rejoined' });
  assert.equal(rejoined.details['source'], idOf(successor));
  t.diagnostic(`fenced, then rejoined ${Date.parse(rejoined.at) - restartedAt} ms after the restart returned`);
  await waitReplicating(old, successor, 10_000);
  assert.equal(await readOnlyOf(old), 1);
  assert.deepEqual((await writableInstances(topology)).map((i) => i.name), [successor.name]);
  await old.waitForGtid(await topology.writeRows(3, { target: successor }), 10_000);
});
