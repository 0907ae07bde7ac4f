import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffOwnership, RegistryTable } from '../src/registry-table.ts';
import { key, registration } from './fakes.ts';

const a1 = registration('a', [key('h1', 3306)]);
const b1 = registration('b', [key('h2', 3306)]);

test('clusters of a partition count only once it is loaded', () => {
  const t = new RegistryTable();
  t.assign([0, 1]);
  assert.equal(t.apply({ partition: 0, offset: 0, key: 'a', registration: a1 }), true);
  assert.deepEqual([...t.owned().keys()], []);
  assert.equal(t.markLoaded(0), true);
  assert.equal(t.markLoaded(0), false, 'marking twice is no change');
  assert.deepEqual([...t.owned().keys()], ['a']);
});

test('the latest record per cluster wins: forgotten and tombstones retire it', () => {
  const t = new RegistryTable();
  t.assign([0]);
  t.apply({ partition: 0, offset: 0, key: 'a', registration: a1 });
  t.apply({ partition: 0, offset: 1, key: 'b', registration: b1 });
  t.apply({ partition: 0, offset: 2, key: 'a', registration: { ...a1, status: 'forgotten' } });
  t.apply({ partition: 0, offset: 3, key: 'b', registration: null });
  t.markLoaded(0);
  assert.deepEqual([...t.owned().keys()], []);
  t.apply({ partition: 0, offset: 4, key: 'a', registration: { ...a1, seeds: [key('h9', 3306)] } });
  assert.deepEqual(t.owned().get('a')?.seeds, [key('h9', 3306)]);
});

test('a replay after a rebalance skips what was applied; unassigned partitions are dropped', () => {
  const t = new RegistryTable();
  t.assign([0, 1]);
  t.apply({ partition: 0, offset: 0, key: 'a', registration: a1 });
  t.apply({ partition: 0, offset: 1, key: 'a', registration: { ...a1, status: 'forgotten' } });
  t.apply({ partition: 1, offset: 0, key: 'b', registration: b1 });
  t.markLoaded(0);
  t.markLoaded(1);
  assert.deepEqual([...t.owned().keys()], ['b']);

  assert.deepEqual(t.assign([0, 2]), { added: [2], dropped: [1] });
  // the new generation re-reads partition 0 from the start: old records change nothing
  assert.equal(t.apply({ partition: 0, offset: 0, key: 'a', registration: a1 }), false);
  assert.deepEqual([...t.owned().keys()], []);
  assert.equal(t.apply({ partition: 1, offset: 5, key: 'b', registration: b1 }), false, 'not assigned');
  assert.deepEqual(t.assigned(), [0, 2]);
});

test('a record keyed differently from its cluster id counts for its cluster id', () => {
  const t = new RegistryTable();
  t.assign([0]);
  t.apply({ partition: 0, offset: 0, key: 'wrong', registration: a1 });
  t.markLoaded(0);
  assert.deepEqual([...t.owned().keys()], ['a']);
});

test('diffOwnership: started, stopped and changed registrations', () => {
  const current = new Map([
    ['a', a1],
    ['b', b1],
  ]);
  const next = new Map([
    ['a', { ...a1, registeredAt: '2026-02-01T00:00:00.000Z' }], // same content: no update
    ['b', { ...b1, seeds: [key('h2', 3306), key('h3', 3306)] }],
    ['c', registration('c', [key('h4', 3306)])],
  ]);
  const change = diffOwnership(current, next);
  assert.deepEqual(change.started.map((r) => r.clusterId), ['c']);
  assert.deepEqual(change.updated.map((r) => r.clusterId), ['b']);
  assert.deepEqual(change.stopped, []);
  assert.deepEqual(diffOwnership(next, new Map()).stopped, ['a', 'b', 'c']);
});
