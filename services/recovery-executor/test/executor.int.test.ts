/**
 * The executor alone, in-process (startRecoveryExecutor, as main.ts starts it), against the real
 * broker, Redis, backend and a real MariaDB 1+3 semi-sync topology: the test plays the analyzer
 * (it publishes the DeadMaster analysis itself), the executor does the rest — its own refresh and
 * re-check, drain, choice, promotion, moves — and writes its trail to the topic and the backend.
 * Isolated by a unique topic namespace, Redis prefix and backend database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvelope, decodeMessage, topics, type AnalysisEntry, type ClusterAnalysis, type Envelope, type RecoveryEvent } from '@baton/contracts';
import { testDatabase, waitFor, withTopology, type MariaDbInstance } from '@baton/testing';
import { quickGroupTimeouts, startBatonTestEnv, testLogger } from '@baton/testing/baton-env';
import { startRecoveryExecutor } from '../src/index.ts';

const logger = testLogger('executor-test');
const key = (i: { host: string; port: number }) => ({ host: i.host, port: i.port });

function deadMasterEntry(primary: MariaDbInstance, replicas: readonly MariaDbInstance[]): AnalysisEntry {
  const n = replicas.length;
  return {
    instance: key(primary),
    code: 'DeadMaster',
    description: 'Master cannot be reached by orchestrator and none of its replicas is replicating',
    structureWarnings: [],
    isMaster: true,
    isCoMaster: false,
    isActionable: true,
    isDowntimed: false,
    isReplicasDowntimed: false,
    skippableDueToDowntime: false,
    lastCheckValid: false,
    lastCheckPartialSuccess: false,
    sourceKey: null,
    replicationDepth: 0,
    counts: { CountReplicas: n, CountValidReplicas: n, CountValidReplicatingReplicas: 0 },
    replicas: replicas.map(key),
  };
}

test('DeadMaster analysis in: the executor re-checks, promotes a replica, moves the others, loses no acked write (which replica the rules pick among unequal ones: test/int/recovery-pipeline)', async (t) => {
  const env = await startBatonTestEnv({ label: 'executor', partitions: 2, groupTimeouts: quickGroupTimeouts, logger });
  t.after(() => env.teardown());
  const { kafka, names, namespace, publisher } = env;

  const topology = await withTopology(t, { replicas: 3, semiSync: true });
  const config = env.config({
    BATON__MYSQL__USER: topology.credentials.admin.user,
    BATON__MYSQL__PASSWORD: topology.credentials.admin.password,
    BATON__MYSQL__REPLICATION_USER: topology.credentials.replication.user,
    BATON__MYSQL__REPLICATION_PASSWORD: topology.credentials.replication.password,
    BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '["*"]',
    BATON__RECOVERY__EXECUTOR_WARMUP_POLLS: '0',
  });
  const executor = await startRecoveryExecutor({ config, logger, fromBeginning: true, groupId: `${namespace}-executor`, commandsGroupId: `${namespace}-commands` });
  env.defer(() => executor.stop());

  const events: RecoveryEvent[] = [];
  const reader = kafka.consumer({ groupId: `${namespace}-reader`, maxWaitTimeInMs: 100 });
  env.defer(() => reader.disconnect());
  await reader.connect();
  await reader.subscribe({ topic: names[topics.recoveryEvents], fromBeginning: true });
  await reader.run({ eachMessage: async ({ message }) => void events.push((decodeMessage(topics.recoveryEvents, message.value) as Envelope<'recovery-event'>).payload) });

  const writer = await topology.startWriter({ semisync: true });
  await waitFor(() => writer.ackedCount >= 100, { description: '100 acked semi-sync writes', timeoutMs: 20_000 });
  await topology.primary.kill();
  const written = await writer.stop();
  // the replicas notice at once (TCP reset); give the IO threads a moment to leave "Yes"
  await waitFor(async () => (await Promise.all(topology.replicas.map((r) => r.slaveStatus()))).every((s) => s?.Slave_IO_Running !== 'Yes'), {
    description: 'replicas lost their source',
    timeoutMs: 10_000,
  });

  const analysis: ClusterAnalysis = {
    clusterId: 'orders',
    clusterAlias: 'orders',
    snapshotObservedAt: new Date().toISOString(),
    analyzedAt: new Date().toISOString(),
    entries: [deadMasterEntry(topology.primary, topology.replicas)],
    hasProblem: true,
  };
  await publisher.publish(topics.analyses, 'orders', createEnvelope('analysis', analysis, { producer: 'test', correlationId: 'detection-1' }));

  const resolved = await waitFor(() => events.find((e) => e.step === 'resolved'), { description: 'the recovery resolved', timeoutMs: 30_000 });
  assert.equal(resolved.status, 'succeeded', JSON.stringify(resolved.details));
  const successorId = String(resolved.details['successor']);
  const successor = topology.replicas.find((r) => `${r.host}:${r.port}` === successorId) as MariaDbInstance;
  assert.ok(successor, `successor ${successorId} is one of the replicas`);

  // exactly one writable primary, every other replica replicating from it
  assert.equal(Number((await successor.query<{ ro: number }>('SELECT @@read_only AS ro'))[0]?.ro), 0);
  assert.equal(await successor.slaveStatus(), null);
  for (const r of topology.replicas.filter((x) => x !== successor)) {
    const s = await waitFor(async () => {
      const st = await r.slaveStatus();
      return st?.Slave_IO_Running === 'Yes' && st.Slave_SQL_Running === 'Yes' ? st : undefined;
    }, { description: `${r.name} replicating`, timeoutMs: 10_000 });
    assert.equal(Number(s.Master_Port), successor.port);
    assert.equal(Number((await r.query<{ ro: number }>('SELECT @@read_only AS ro'))[0]?.ro), 1);
  }
  // semi-sync: every write acked before the kill is on the new primary
  const rows = await successor.query<{ seq: number }>(`SELECT seq FROM ${testDatabase}.writes WHERE writer = ?`, [written.writer]);
  const present = new Set(rows.map((r) => Number(r.seq)));
  assert.deepEqual(written.acked.filter((s) => !present.has(s)), [], 'no acked write lost');

  // the trail: events in order, one row per step, the recovery resolved
  const uid = resolved.recoveryUid;
  await waitFor(() => events.some((e) => e.recoveryUid === uid && e.step === 'released'), { description: 'the lock released', timeoutMs: 10_000 });
  const mine = events.filter((e) => e.recoveryUid === uid).sort((a, b) => a.sequence - b.sequence);
  assert.deepEqual(mine.map((e) => e.sequence), mine.map((_, i) => i + 1));
  // the claim (epoch + recoveries row, one transaction) runs beside the executor's own probes
  const order = ['registered', 'refreshed', 'claimed', 're-checked', 'replicas-stopped', 'candidate-chosen', 'fenced', 'promoted', 'replicas-moved', 'resolved'];
  const at = order.map((s) => mine.findIndex((e) => e.step === s));
  assert.ok(at.every((i, n) => i >= 0 && (n === 0 || i > (at[n - 1] as number))), `steps in order: ${mine.map((e) => e.step).join(', ')}`);
  const backend = env.backendPool(1);
  await waitFor(async () => {
    const [r] = (await backend.query('SELECT outcome FROM recoveries WHERE uid = ?', [uid])) as unknown as [Array<{ outcome: string | null }>];
    return r[0]?.outcome === 'successful';
  }, { description: 'recovery row resolved', timeoutMs: 10_000 });
  const [steps] = (await backend.query('SELECT COUNT(*) AS n FROM recovery_steps WHERE recovery_uid = ?', [uid])) as unknown as [Array<{ n: number }>];
  await waitFor(async () => {
    const [again] = (await backend.query('SELECT COUNT(*) AS n FROM recovery_steps WHERE recovery_uid = ?', [uid])) as unknown as [Array<{ n: number }>];
    return Number(again[0]?.n) === mine.length;
  }, { description: `${mine.length} step rows (had ${steps[0]?.n})`, timeoutMs: 10_000 }).catch(async (error: unknown) => {
    const [rows] = (await backend.query('SELECT seq, step FROM recovery_steps WHERE recovery_uid = ? ORDER BY seq', [uid])) as unknown as [Array<{ seq: number; step: string }>];
    throw new Error(`${(error as Error).message}: rows ${rows.map((r) => `${r.seq}:${r.step}`).join(' ')}; events ${mine.map((e) => `${e.sequence}:${e.step}`).join(' ')}`);
  });
  const promoted = mine.find((e) => e.step === 'promoted');
  t.diagnostic(`analysis published → promoted ${Date.parse(promoted?.at ?? '') - Date.parse(analysis.analyzedAt)} ms; acked ${written.acked.length}, unknown ${written.failed.length}`);
});
