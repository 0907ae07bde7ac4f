/**
 * Output filtering (reference §1.4), row order, downtime, maintenance (W17) and purity.
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, formatAnalysisLine } from '../src/index.ts';
import { NOW, at, dead, downtimed, ioConnecting, ioStopped, primary, replica, snapshot } from './builders.ts';

const deadPrimaryCluster = () => {
  const p = primary('p1', dead);
  return snapshot([p, replica('r1', p, ioConnecting()), replica('r2', p, ioConnecting())]);
};

test('ReduceReplicationAnalysisCount: valid leaves are not analysed, even with includeNoProblem', () => {
  const p = primary('p1');
  const s = snapshot([p, replica('r1', p), replica('r2', p)]);
  assert.deepEqual(analyze(s, NOW, { includeNoProblem: true }).map((e) => e.instance.host), ['p1']);
  assert.deepEqual(
    analyze(s, NOW, { includeNoProblem: true, reduceReplicationAnalysisCount: false }).map((e) => e.instance.host),
    ['p1', 'r1', 'r2'],
  );
});

test('ReduceReplicationAnalysisCount keeps a leaf that fails to connect', () => {
  const p = primary('p1');
  const entries = analyze(snapshot([p, replica('r1', p, ioConnecting()), replica('r2', p)]), NOW);
  assert.deepEqual(entries.map((e) => [e.instance.host, e.code]), [['r1', 'FirstTierReplicaFailingToConnectToMaster']]);
});

test('RecoveryIgnoreHostnameFilters drop matching rows (strings are regexps, searched anywhere)', () => {
  const hosts = (filters: (string | RegExp)[]) => analyze(deadPrimaryCluster(), NOW, { recoveryIgnoreHostnameFilters: filters }).map((e) => e.instance.host);
  // the replicas get their own rows: FirstTierReplicaFailingToConnectToMaster
  assert.deepEqual(hosts([]), ['p1', 'r1', 'r2']);
  assert.deepEqual(hosts(['^p1$']), ['r1', 'r2']);
  assert.deepEqual(hosts([/1/]), ['r2']);
  assert.deepEqual(hosts(['^p1\\.example$', 'r']), ['p1']);
});

test('a downtimed primary is skippable: dropped unless includeDowntimed', () => {
  const p = primary('p1', dead, downtimed());
  const s = snapshot([p, replica('r1', p, ioConnecting()), replica('r2', p, ioConnecting())]);
  assert.deepEqual(analyze(s, NOW).map((e) => e.instance.host), ['r1', 'r2']);
  const [row] = analyze(s, NOW, { includeDowntimed: true });
  assert.equal(row?.code, 'DeadMaster');
  assert.equal(row?.isDowntimed, true);
  assert.equal(row?.skippableDueToDowntime, true);
  assert.equal(row?.isReplicasDowntimed, false);
});

test('an expired downtime does not count', () => {
  const p = primary('p1', dead, downtimed(at(-1)));
  const [row] = analyze(snapshot([p, replica('r1', p, ioConnecting()), replica('r2', p, ioConnecting())]), NOW);
  assert.equal(row?.code, 'DeadMaster');
  assert.equal(row?.isDowntimed, false);
});

test('IsReplicasDowntimed: every replica downtimed for a listed code makes the row skippable', () => {
  const p = primary('p1');
  const s = snapshot([p, replica('r1', p, ioStopped, downtimed()), replica('r2', p, ioStopped, downtimed(at(60_000)))]);
  assert.equal(analyze(s, NOW).length, 0);
  const [row] = analyze(s, NOW, { includeDowntimed: true });
  assert.equal(row?.code, 'AllMasterReplicasNotReplicating');
  assert.equal(row?.isReplicasDowntimed, true);
  assert.equal(row?.skippableDueToDowntime, true);
  assert.equal(row?.counts.CountDowntimedReplicas, 2);
});

test('near miss: one replica not downtimed → reported, not skippable', () => {
  const p = primary('p1');
  const [row] = analyze(snapshot([p, replica('r1', p, ioStopped, downtimed()), replica('r2', p, ioStopped)]), NOW);
  assert.equal(row?.code, 'AllMasterReplicasNotReplicating');
  assert.equal(row?.isReplicasDowntimed, false);
  assert.equal(row?.skippableDueToDowntime, false);
});

test('near miss: DeadMaster is not in the replicas-downtimed list (every replica downtimed still reports it)', () => {
  const p = primary('p1', dead);
  const [row] = analyze(snapshot([p, replica('r1', p, ioConnecting(), downtimed()), replica('r2', p, ioConnecting(), downtimed())]), NOW);
  assert.equal(row?.code, 'DeadMaster');
  assert.equal(row?.skippableDueToDowntime, false);
});

test('row order: masters first, cluster master first, more replicas first, then host and port', () => {
  const p = primary('p1', dead);
  const im = replica('im', p, dead);
  const other = primary('a0', dead); // a detached old primary in the same snapshot
  const s = snapshot([replica('x1', im, ioConnecting()), im, other, replica('r9', p, ioConnecting()), p], { clusterId: 'c1' });
  const hosts = analyze(s, NOW).map((e) => e.instance.host);
  assert.deepEqual(hosts, ['p1', 'a0', 'im', 'r9']);
  const byId = analyze({ ...s, clusterId: 'a0:3306' }, NOW).map((e) => e.instance.host);
  assert.deepEqual(byId, ['a0', 'p1', 'im', 'r9']);
});

test('same inputs → same output; analyze never reads the clock', () => {
  mock.timers.enable({ apis: ['Date'], now: 0 });
  try {
    // eslint-disable-next-line no-restricted-properties -- the test checks that the clock is mocked
    assert.equal(Date.now(), 0, 'the clock is mocked');
    const first = analyze(deadPrimaryCluster(), NOW);
    mock.timers.tick(10 * 365 * 24 * 3600 * 1000);
    const second = analyze(deadPrimaryCluster(), NOW);
    assert.deepEqual(second, first);
    assert.deepEqual(analyze(deadPrimaryCluster(), new Date(NOW)), first);
  } finally {
    mock.timers.reset();
  }
});

test('a detached instance that was never seen and has no replicas is of unknown role: no DeadMasterWithoutReplicas', () => {
  const p = primary('p1');
  const unknown = primary('n1', (i) => ({ ...i, lastSeenAt: null, lastCheckedAt: at(-100), lastAttemptedAt: at(-100) }));
  const entries = analyze(snapshot([p, replica('r1', p), unknown]), NOW);
  assert.deepEqual(entries.map((e) => e.instance.host), []);
});

test('formatAnalysisLine: orchestrator\'s textual form, code omitted when NoProblem', () => {
  const [row] = analyze(deadPrimaryCluster(), NOW);
  assert.ok(row);
  assert.equal(formatAnalysisLine(row, 'p1:3306'), 'p1:3306 (cluster p1:3306): DeadMaster');
  const warned = { ...row, code: 'NoProblem', structureWarnings: ['NoLoggingReplicasStructureWarning', 'NoWriteableMasterStructureWarning'] };
  assert.equal(formatAnalysisLine(warned, 'main'), 'p1:3306 (cluster main): NoLoggingReplicasStructureWarning, NoWriteableMasterStructureWarning');
  assert.equal(formatAnalysisLine({ ...row, structureWarnings: ['ErrantGTIDStructureWarning'] }, 'main'), 'p1:3306 (cluster main): DeadMaster, ErrantGTIDStructureWarning');
});

test('hostnames match case-insensitively between a replica\'s source and the instance', () => {
  const p = primary('DB-1', dead);
  const r = replica('r1', p, ioConnecting(), (i) => ({ ...i, replication: { ...i.replication!, sourceHost: 'db-1' } }));
  const r2 = replica('r2', p, ioConnecting());
  const [row] = analyze(snapshot([p, r, r2]), NOW);
  assert.equal(row?.code, 'DeadMaster');
  assert.equal(row?.counts.CountReplicas, 2);
});
