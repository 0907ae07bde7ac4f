/**
 * Emergency operations (reference §1.5) as data, and the stale-coordinates history helper.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisEntry } from '@baton/contracts';
import { analyze, emergencyOperationsFor, updateStaleCoordinates, type StaleCoordinates } from '../src/index.ts';
import { NOW, binlogServer, dead, ioConnecting, ioStopped, lagging, noGtid, primary, replica, semiSync, set, snapshot, sqlStopped } from './builders.ts';

const k = (host: string) => ({ host, port: 3306 });
const rowOf = (entries: AnalysisEntry[], host: string) => {
  const e = entries.find((x) => x.instance.host === host);
  assert.ok(e, `no row for ${host}`);
  return e;
};

test('UnreachableMaster: probe the primary and every replica, binlog-server sub-replicas included', () => {
  const p = primary('p1', dead);
  const b = replica('b1', p, binlogServer);
  const s = snapshot([p, replica('r1', p), b, replica('x1', b)]);
  const row = rowOf(analyze(s, NOW), 'p1');
  assert.equal(row.code, 'UnreachableMaster');
  const ops = emergencyOperationsFor(row, s);
  assert.deepEqual(ops.map((o) => [o.kind, o.instance.host]), [
    ['probe-instance', 'p1'],
    ['probe-instance', 'b1'],
    ['probe-instance', 'x1'],
    ['probe-instance', 'r1'],
  ]);
  assert.deepEqual(emergencyOperationsFor(row).map((o) => o.instance.host), ['p1', 'b1', 'r1']);
  assert.ok(ops.every((o) => o.reason === 'UnreachableMaster'));
});

test('DeadMasterAndReplicas: re-probe the primary and its replicas (orchestrator probed an empty key, W12)', () => {
  const p = primary('p1', dead);
  const row = rowOf(analyze(snapshot([p, replica('r1', p, dead)]), NOW), 'p1');
  assert.equal(row.code, 'DeadMasterAndReplicas');
  assert.deepEqual(emergencyOperationsFor(row), [
    { kind: 'probe-instance', instance: k('p1'), reason: 'DeadMasterAndReplicas' },
    { kind: 'probe-instance', instance: k('r1'), reason: 'DeadMasterAndReplicas' },
  ]);
});

test('...WithLaggingReplicas: open the grace period, restart IO threads, skip MariaDB-GTID replicas when the snapshot says so', () => {
  const p = primary('p1', dead);
  const s = snapshot([p, replica('r1', p, lagging(60)), replica('r2', p, lagging(60), noGtid)]);
  const row = rowOf(analyze(s, NOW), 'p1');
  assert.equal(row.code, 'UnreachableMasterWithLaggingReplicas');
  assert.deepEqual(emergencyOperationsFor(row, s), [
    { kind: 'begin-grace-period', instance: k('p1'), reason: row.code },
    { kind: 'restart-io-thread', instance: k('r2'), reason: row.code },
  ]);
  assert.deepEqual(emergencyOperationsFor(row, s, { skipMariadbGtidReplicas: false }).map((o) => [o.kind, o.instance.host]), [
    ['begin-grace-period', 'p1'],
    ['restart-io-thread', 'r1'],
    ['restart-io-thread', 'r2'],
  ]);
});

test('LockedSemiSyncMasterHypothesis: probe and record the coordinates', () => {
  const p = primary('p1', semiSync({ wait: 1, clients: 0 }));
  const row = rowOf(analyze(snapshot([p, replica('r1', p)]), NOW), 'p1');
  assert.deepEqual(emergencyOperationsFor(row).map((o) => o.kind), ['probe-instance', 'record-stale-coordinates']);
});

test('AllMasterReplicasNotReplicating(OrDead): probe the primary', () => {
  const p = primary('p1');
  const a = rowOf(analyze(snapshot([p, replica('r1', p, ioStopped), replica('r2', p, sqlStopped)]), NOW), 'p1');
  const b = rowOf(analyze(snapshot([p, replica('r1', p, ioStopped), replica('r2', p, dead)]), NOW), 'p1');
  assert.deepEqual([a.code, b.code], ['AllMasterReplicasNotReplicating', 'AllMasterReplicasNotReplicatingOrDead']);
  for (const row of [a, b]) assert.deepEqual(emergencyOperationsFor(row), [{ kind: 'probe-instance', instance: k('p1'), reason: row.code }]);
});

test("FirstTierReplicaFailingToConnectToMaster: probe the replica's source", () => {
  const p = primary('p1');
  const row = rowOf(analyze(snapshot([p, replica('r1', p, ioConnecting()), replica('r2', p)]), NOW), 'r1');
  assert.deepEqual(emergencyOperationsFor(row), [{ kind: 'probe-instance', instance: k('p1'), reason: 'FirstTierReplicaFailingToConnectToMaster' }]);
});

test('codes without an emergency operation return none (DeadMaster)', () => {
  const p = primary('p1', dead);
  const row = rowOf(analyze(snapshot([p, replica('r1', p, ioConnecting())]), NOW), 'p1');
  assert.equal(row.code, 'DeadMaster');
  assert.deepEqual(emergencyOperationsFor(row), []);
});

test('updateStaleCoordinates keeps firstSeenAt while coordinates stand still, resets on movement, drops absent instances', () => {
  const p = primary('p1');
  const r = replica('r1', p);
  const s1 = snapshot([p, r]);
  const m1 = updateStaleCoordinates({}, s1, NOW);
  assert.deepEqual(Object.keys(m1).sort(), ['p1:3306', 'r1:3306']);
  assert.equal(m1['p1:3306']?.firstSeenAt, new Date(NOW).toISOString());

  const m2 = updateStaleCoordinates(m1, s1, NOW + 5000);
  assert.equal(m2, m1, 'unchanged map is returned as is');

  const moved = set({ binlogCoordinates: { file: 'mysql-bin.000001', pos: 9999 } })(p);
  const m3 = updateStaleCoordinates(m2, snapshot([moved]), NOW + 6000);
  assert.deepEqual(Object.keys(m3), ['p1:3306']);
  assert.equal(m3['p1:3306']?.firstSeenAt, new Date(NOW + 6000).toISOString());
  assert.equal(m3['p1:3306']?.coordinates.pos, 9999);
});

test('stale coordinates turn the hypothesis into LockedSemiSyncMaster once older than the threshold', () => {
  const p = primary('p1', semiSync({ wait: 1, clients: 0 }));
  const s = snapshot([p, replica('r1', p)]);
  let history: StaleCoordinates = {};
  history = updateStaleCoordinates(history, s, NOW - 11_000);
  assert.equal(rowOf(analyze(s, NOW - 11_000, {}, { staleCoordinates: history }), 'p1').code, 'LockedSemiSyncMasterHypothesis');
  history = updateStaleCoordinates(history, s, NOW);
  assert.equal(rowOf(analyze(s, NOW, {}, { staleCoordinates: history }), 'p1').code, 'LockedSemiSyncMaster');
  assert.equal(rowOf(analyze(s, NOW, { reasonableLockedSemiSyncMasterSeconds: 30 }, { staleCoordinates: history }), 'p1').code, 'LockedSemiSyncMasterHypothesis');
});

test('a semi-sync primary with too few clients whose position creeps on (clients retrying writes nobody acknowledges): still LockedSemiSyncMaster; a slow one with its acknowledger is not', () => {
  const at = (pos: number, clients: number) => primary('p1', semiSync({ wait: 1, clients }), set({ binlogCoordinates: { file: 'mysql-bin.000001', pos } }));
  let history: StaleCoordinates = {};
  for (const [i, offset] of [-11_000, -8_000, -5_000, -2_000, 0].entries()) {
    const p = at(1000 + i * 300, 0);
    history = updateStaleCoordinates(history, snapshot([p, replica('r1', p)]), NOW + offset);
  }
  const locked = at(1000 + 4 * 300, 0);
  assert.equal(rowOf(analyze(snapshot([locked, replica('r1', locked)]), NOW, {}, { staleCoordinates: history }), 'p1').code, 'LockedSemiSyncMaster');

  // merely slow: its acknowledger connected, the position moving: the clock restarts on every move
  let slow: StaleCoordinates = {};
  for (const [i, offset] of [-11_000, -8_000, -5_000, -2_000, 0].entries()) {
    const p = at(1000 + i * 300, 1);
    slow = updateStaleCoordinates(slow, snapshot([p, replica('r1', p)]), NOW + offset);
  }
  assert.equal(slow['p1:3306']?.firstSeenAt, new Date(NOW).toISOString());
});
