import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, resolveAnalysisPolicy } from '@baton/domain';
import { diffChangelog } from '../src/index.ts';
import { T0, deadPrimaryCluster, healthyCluster } from './snapshots.ts';

const policy = resolveAnalysisPolicy({ includeDowntimed: true, includeNoProblem: true });
const when = new Date(T0);
const diff = (previous: ReadonlyMap<string, string>, snapshot = healthyCluster()) =>
  diffChangelog(previous, snapshot, analyze(snapshot, T0, policy), policy, when);

test('first sight: NoProblem is the baseline (no row), a problem is a row', () => {
  const healthy = diff(new Map());
  assert.deepEqual(healthy.rows, []);
  assert.deepEqual([...healthy.next], [
    ['db1:3306', 'NoProblem|'],
    ['db2:3306', 'NoProblem|'],
    ['db3:3306', 'NoProblem|'],
  ]);
  const dead = diff(new Map(), deadPrimaryCluster());
  assert.deepEqual(dead.rows[0], {
    clusterId: 'c1',
    host: 'db1',
    port: 3306,
    analysis: 'DeadMaster',
    structureWarnings: [],
    countReplicas: 2,
    analyzedAt: when,
  });
});

test('a row only when code or warnings change; a leaf dropped by the reduction filter counts as NoProblem', () => {
  const dead = diff(new Map(), deadPrimaryCluster());
  assert.deepEqual(diff(dead.next, deadPrimaryCluster()).rows, [], 'the same analysis again writes nothing');
  const back = diff(dead.next, healthyCluster());
  assert.deepEqual(back.rows.map((r) => [r.host, r.analysis]), [
    ['db1', 'NoProblem'],
    ['db2', 'NoProblem'],
    ['db3', 'NoProblem'],
  ]);
  const warned = diff(back.next, healthyCluster({}, { readOnly: true }));
  assert.deepEqual(warned.rows.map((r) => [r.host, r.analysis, r.structureWarnings]), [['db1', 'NoProblem', ['NoWriteableMasterStructureWarning']]]);
});

test('an instance that left the snapshot is forgotten without a row; duplicates count once', () => {
  const dead = diff(new Map(), deadPrimaryCluster());
  const s = healthyCluster();
  const without = { ...s, instances: [s.instances[0]!, s.instances[1]!, s.instances[1]!] };
  const next = diff(dead.next, without);
  assert.deepEqual(next.rows.map((r) => r.host), ['db1', 'db2']);
  assert.deepEqual([...next.next.keys()], ['db1:3306', 'db2:3306']);
});
