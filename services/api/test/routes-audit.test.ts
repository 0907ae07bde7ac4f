/**
 * Audit reads (raw JSON arrays like orchestrator's), automated-recovery-filters, health and
 * leader-check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from './harness.ts';
import { recoveryRecord } from './fakes.ts';
import type { BlockedRecord, DetectionRecord } from '../src/ports.ts';

const detection = (id: number, over: Partial<DetectionRecord> = {}): DetectionRecord => ({
  id,
  uid: `det-${id}`,
  clusterId: 'orders',
  clusterAlias: 'orders',
  instance: { host: 'db1', port: 3306 },
  analysis: 'DeadMaster',
  isActionable: true,
  countReplicas: 2,
  replicaHosts: ['db2:3306', 'db3:3306'],
  processingNode: 'executor-1',
  inActivePeriod: false,
  startedAt: new Date('2026-11-26T19:30:00.500Z'),
  endedAt: new Date('2026-11-26T19:30:02.000Z'),
  relatedRecoveryUid: 'rec-1',
  acknowledged: false,
  acknowledgedBy: null,
  acknowledgedAt: null,
  acknowledgedComment: null,
  ...over,
});

test('audit-recovery pages newest first (20 a page) with orchestrator\'s TopologyRecovery fields', async (t) => {
  const h = await harness(t);
  for (let id = 1; id <= 23; id += 1) h.audit.rows.push(recoveryRecord({ id, uid: `rec-${id}`, acknowledged: id <= 2 }));
  const first = (await h.get('/api/audit-recovery')).json as Array<Record<string, unknown>>;
  assert.equal(first.length, 20);
  assert.equal(first[0]?.['Id'], 23);
  const second = (await h.get('/api/audit-recovery/1')).json as Array<Record<string, unknown>>;
  assert.deepEqual(second.map((r) => r['Id']), [3, 2, 1]);
  const unacked = (await h.get('/api/audit-recovery/1?unacknowledged=true')).json as unknown[];
  assert.equal(unacked.length, 1);
  const one = ((await h.get('/api/audit-recovery/uid/rec-5')).json as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
  for (const field of ['Id', 'UID', 'AnalysisEntry', 'SuccessorKey', 'SuccessorAlias', 'IsActive', 'IsSuccessful', 'LostReplicas', 'AllErrors', 'RecoveryStartTimestamp', 'RecoveryEndTimestamp', 'Acknowledged', 'AcknowledgedAt', 'AcknowledgedBy', 'AcknowledgedComment']) {
    assert.ok(field in one, field);
  }
  assert.deepEqual((one['AnalysisEntry'] as Record<string, unknown>)['AnalyzedInstanceKey'], { Hostname: 'db1', Port: 3306 });
  assert.deepEqual(one['SuccessorKey'], { Hostname: 'db2', Port: 3306 });
  assert.equal(one['IsActive'], false);
  assert.equal(one['RecoveryStartTimestamp'], '2026-11-26T19:30:01.000Z');
  assert.deepEqual(((await h.get('/api/audit-recovery/id/7')).json as Array<{ UID: string }>).map((r) => r.UID), ['rec-7']);
  assert.deepEqual((await h.get('/api/audit-recovery/id/99')).json, []);
  assert.equal((await h.get('/api/audit-recovery/-1')).status, 400);
  assert.equal((await h.get('/api/audit-recovery/id/0')).status, 400);
});

test('audit-recovery by cluster hint or alias; a hint nobody knows and no rows is a 404', async (t) => {
  const h = await harness(t);
  h.audit.rows.push(recoveryRecord({ id: 1, uid: 'rec-1' }), recoveryRecord({ id: 2, uid: 'rec-2', clusterId: 'gone', clusterAlias: 'gone' }));
  assert.equal(((await h.get('/api/audit-recovery/cluster/db2:3306')).json as unknown[]).length, 1);
  assert.equal(((await h.get('/api/audit-recovery/cluster/orders/0')).json as unknown[]).length, 1);
  assert.equal(((await h.get('/api/audit-recovery/cluster/gone')).json as unknown[]).length, 1, 'a forgotten cluster keeps its history');
  assert.equal((await h.get('/api/audit-recovery/cluster/never')).status, 404);
  assert.equal(((await h.get('/api/audit-recovery/alias/orders')).json as unknown[]).length, 1);
  assert.equal(((await h.get('/api/audit-recovery/alias/orders/1')).json as unknown[]).length, 0);
});

test('audit-recovery-steps lists the steps in order; an unknown uid is a 404', async (t) => {
  const h = await harness(t);
  h.audit.rows.push(recoveryRecord({ id: 1, uid: 'rec-1' }), recoveryRecord({ id: 2, uid: 'rec-2' }));
  h.audit.stepRows.push(
    { id: 2, recoveryUid: 'rec-1', seq: 2, at: new Date('2026-11-26T19:30:01.200Z'), step: 'promoted', message: 'db2:3306 promoted', ok: true, details: { successor: 'db2:3306' } },
    { id: 1, recoveryUid: 'rec-1', seq: 1, at: new Date('2026-11-26T19:30:01.000Z'), step: 'claimed', message: 'lock taken', ok: null, details: {} },
  );
  const steps = (await h.get('/api/audit-recovery-steps/rec-1')).json as Array<Record<string, unknown>>;
  assert.deepEqual(steps.map((s) => [s['RecoveryUID'], s['Step'], s['Message'], s['AuditAt']]), [
    ['rec-1', 'claimed', 'lock taken', '2026-11-26T19:30:01.000Z'],
    ['rec-1', 'promoted', 'db2:3306 promoted', '2026-11-26T19:30:01.200Z'],
  ]);
  assert.deepEqual((await h.get('/api/audit-recovery-steps/rec-2')).json, []);
  assert.equal((await h.get('/api/audit-recovery-steps/nope')).status, 404);
  assert.equal((await h.get('/api/audit-recovery-steps/bad%20uid')).status, 400);
});

test('audit-failure-detection pages, by id and by alias', async (t) => {
  const h = await harness(t);
  h.audit.detectionRows.push(detection(1), detection(2, { clusterAlias: 'billing', clusterId: 'billing' }));
  const all = (await h.get('/api/audit-failure-detection')).json as Array<Record<string, unknown>>;
  assert.deepEqual(all.map((d) => d['Id']), [2, 1]);
  assert.equal((all[1]?.['AnalysisEntry'] as { Analysis: string }).Analysis, 'DeadMaster');
  assert.equal(all[1]?.['IsActive'], false);
  assert.deepEqual((await h.get('/api/audit-failure-detection/1')).json, []);
  assert.deepEqual(((await h.get('/api/audit-failure-detection/id/1')).json as Array<{ UID: string }>).map((d) => d.UID), ['det-1']);
  assert.deepEqual(((await h.get('/api/audit-failure-detection/alias/billing')).json as Array<{ Id: number }>).map((d) => d.Id), [2]);
  assert.deepEqual((await h.get('/api/audit-failure-detection/alias/billing/1')).json, []);
});

test('blocked-recoveries, by cluster; active-cluster-recovery lists what has not ended', async (t) => {
  const h = await harness(t);
  const blocked: BlockedRecord = {
    id: 1,
    clusterId: 'orders',
    clusterAlias: 'orders',
    instance: { host: 'db2', port: 3306 },
    analysis: 'DeadMaster',
    reason: 'recovery-block',
    blockingUid: 'rec-1',
    firstBlockedAt: new Date('2026-11-26T19:31:00.000Z'),
    lastBlockedAt: new Date('2026-11-26T19:31:05.000Z'),
    timesBlocked: 4,
  };
  h.audit.blockedRows.push(blocked);
  const rows = (await h.get('/api/blocked-recoveries')).json as Array<Record<string, unknown>>;
  assert.deepEqual(rows[0], {
    FailedInstanceKey: { Hostname: 'db2', Port: 3306 },
    ClusterName: 'orders',
    ClusterAlias: 'orders',
    Analysis: 'DeadMaster',
    LastBlockedTimestamp: '2026-11-26T19:31:05.000Z',
    FirstBlockedTimestamp: '2026-11-26T19:31:00.000Z',
    TimesBlocked: 4,
    BlockingRecoveryId: 0,
    BlockingRecoveryUID: 'rec-1',
    Reason: 'recovery-block',
  });
  assert.equal(((await h.get('/api/blocked-recoveries/cluster/db1:3306')).json as unknown[]).length, 1);
  assert.equal((await h.get('/api/blocked-recoveries/cluster/never')).status, 404);

  h.audit.rows.push(recoveryRecord({ id: 1, uid: 'rec-1' }), recoveryRecord({ id: 2, uid: 'rec-2', endedAt: null, outcome: null, isSuccessful: false, successor: null }));
  const active = (await h.get('/api/active-cluster-recovery/orders')).json as Array<Record<string, unknown>>;
  assert.deepEqual(active.map((r) => [r['UID'], r['IsActive'], r['SuccessorKey']]), [['rec-2', true, null]]);
  assert.equal((await h.get('/api/active-cluster-recovery/never')).status, 404);
});

test('automated-recovery-filters shows the three filter lists', async (t) => {
  const h = await harness(t, { filters: { RecoverMasterClusterFilters: ['*'], RecoverIntermediateMasterClusterFilters: [], RecoveryIgnoreHostnameFilters: ['^test-'] } });
  assert.deepEqual((await h.get('/api/automated-recovery-filters')).body, {
    Code: 'OK',
    Message: 'Automated recovery configuration details',
    Details: { RecoverMasterClusterFilters: ['*'], RecoverIntermediateMasterClusterFilters: [], RecoveryIgnoreHostnameFilters: ['^test-'] },
  });
  assert.equal(((await h.get('/api/clusters-info')).json as Array<{ HasAutomatedMasterRecovery: boolean }>)[1]?.HasAutomatedMasterRecovery, true);
});

test('health reports each dependency; leader-check answers "OK" on every api', async (t) => {
  const h = await harness(t);
  const healthy = await h.get('/api/health');
  assert.equal(healthy.status, 200);
  assert.equal(healthy.body.Message, 'Application node is healthy');
  assert.deepEqual((healthy.body.Details as { Checks: unknown }).Checks, { redis: 'ok', backend: 'ok', kafka: 'ok', registry: 'ok' });
  h.audit.down = true;
  h.state.down = true;
  const sick = await h.get('/api/health');
  assert.equal(sick.status, 503);
  assert.match(sick.body.Message as string, /^Application node is unhealthy: redis: redis connection refused; backend: backend unreachable$/);
  const reads = await h.get('/api/clusters');
  assert.equal(reads.status, 503, 'a read whose dependency is down is a 503 in the envelope');
  assert.equal(reads.body.Code, 'ERROR');

  const leader = await h.get('/api/leader-check');
  assert.equal(leader.status, 200);
  assert.equal(leader.text, '"OK"');
  assert.equal((await h.get('/api/leader-check/503')).text, '"OK"');
});
