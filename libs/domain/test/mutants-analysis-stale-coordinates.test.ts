/**
 * Stale binlog coordinates (the evidence that turns LockedSemiSyncMasterHypothesis into
 * LockedSemiSyncMaster): how the history map follows the snapshots, and the threshold edge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStaleBinlogCoordinates, updateStaleCoordinates, type StaleCoordinates } from '../src/index.ts';
import { NOW, at, primary, set, snapshot } from './builders.ts';

const FILE = 'mysql-bin.000001';
const coords = (file: string, pos: number) => set({ binlogCoordinates: { file, pos } });
const entry = (file: string, pos: number, firstSeenAt: string) => ({ coordinates: { file, pos }, firstSeenAt });

test('an instance without binlog coordinates is skipped, the others are recorded', () => {
  const next = updateStaleCoordinates({}, snapshot([primary('p1', set({ binlogCoordinates: null })), primary('p2')]), NOW);
  assert.deepEqual(Object.keys(next), ['p2:3306']);
});

test('a key listed twice is recorded from its first occurrence', () => {
  const next = updateStaleCoordinates({}, snapshot([primary('p1', coords(FILE, 100)), primary('p1', coords(FILE, 200))]), NOW);
  assert.deepEqual(next['p1:3306']?.coordinates, { file: FILE, pos: 100 });
});

const updates: Array<[string, StaleCoordinates, Array<ReturnType<typeof primary>>, Record<string, [string, number, string]>]> = [
  [
    'coordinates that stand still keep their first sighting',
    { 'p1:3306': entry(FILE, 100, at(-60_000)) },
    [primary('p1', coords(FILE, 100))],
    { 'p1:3306': [FILE, 100, at(-60_000)] },
  ],
  [
    'a rotation to the next binlog at the same offset is movement',
    { 'p1:3306': entry(FILE, 100, at(-60_000)) },
    [primary('p1', coords('mysql-bin.000002', 100))],
    { 'p1:3306': ['mysql-bin.000002', 100, at(0)] },
  ],
  [
    'moved coordinates start over at now',
    { 'p1:3306': entry(FILE, 100, at(-60_000)) },
    [primary('p1', coords(FILE, 200))],
    { 'p1:3306': [FILE, 200, at(0)] },
  ],
  [
    'an instance gone from the snapshot is dropped',
    { 'p1:3306': entry(FILE, 100, at(-60_000)), 'p2:3306': entry(FILE, 7, at(-60_000)) },
    [primary('p1', coords(FILE, 100))],
    { 'p1:3306': [FILE, 100, at(-60_000)] },
  ],
];
for (const [name, prev, instances, expected] of updates) {
  test(`update: ${name}`, () => {
    const next = updateStaleCoordinates(prev, snapshot(instances), NOW);
    const want = Object.fromEntries(Object.entries(expected).map(([k, [file, pos, seen]]) => [k, entry(file, pos, seen)]));
    assert.deepEqual(next, want);
  });
}

test('nothing changed: the very same map comes back', () => {
  const prev = { 'p1:3306': entry(FILE, 100, at(-60_000)) };
  assert.equal(updateStaleCoordinates(prev, snapshot([primary('p1', coords(FILE, 100))]), NOW), prev);
});

const THRESHOLD = 10_000;
const staleCases: Array<[string, StaleCoordinates, { file: string; pos: number } | null, boolean]> = [
  ['unchanged for longer than the threshold', { 'p1:3306': entry(FILE, 100, at(-10_001)) }, { file: FILE, pos: 100 }, true],
  ['unchanged for exactly the threshold: not yet', { 'p1:3306': entry(FILE, 100, at(-10_000)) }, { file: FILE, pos: 100 }, false],
  ['recorded in another binlog file', { 'p1:3306': entry(FILE, 100, at(-60_000)) }, { file: 'mysql-bin.000002', pos: 100 }, false],
  ['recorded at another position', { 'p1:3306': entry(FILE, 100, at(-60_000)) }, { file: FILE, pos: 101 }, false],
  ['no record for the instance', { 'p2:3306': entry(FILE, 100, at(-60_000)) }, { file: FILE, pos: 100 }, false],
  ['the instance reports no coordinates now', { 'p1:3306': entry(FILE, 100, at(-60_000)) }, null, false],
];
for (const [name, stale, current, expected] of staleCases) {
  test(`stale coordinates: ${name} → ${expected}`, () => assert.equal(isStaleBinlogCoordinates(stale, 'p1:3306', current, NOW, THRESHOLD), expected));
}
