/**
 * Two writable roots in one cluster (Baton's rows 30–31): what the entries carry, that neither a
 * downtime nor ReduceReplicationAnalysisCount hides them, that they outrank a root's other codes,
 * and the standing of each root as a table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSchema, AnalysisEntry, unknownInstance } from '@baton/contracts';
import { analyze, writableRootStanding, writableRootsOf, type WritableRootStanding } from '../src/index.ts';
import { NOW, binlogServer, dead, downtimed, epochOf, ioConnecting, primary, replica, semiSync, snapshot } from './builders.ts';

const rowOf = (entries: AnalysisEntry[], host: string) => entries.find((e) => e.instance.host === host);

test('the stale root: actionable, its own epoch and the newest in writableRoots, valid against the contract', () => {
  const old = primary('old', epochOf(3));
  const entries = analyze(snapshot([old, replica('r1', old), primary('new', epochOf(5))]), NOW);
  const stale = rowOf(entries, 'old');
  assert.ok(stale);
  assertSchema(AnalysisEntry, stale, 'analysis entry');
  assert.equal(stale.code, 'MultipleWritableMasters');
  assert.equal(stale.isActionable, true);
  assert.equal(stale.isMaster, true);
  assert.deepEqual(stale.writableRoots, [
    { instance: { host: 'new', port: 3306 }, promotionEpoch: 5 },
    { instance: { host: 'old', port: 3306 }, promotionEpoch: 3 },
  ]);
  assert.match(stale.description, /newer promotion epoch/);
  // the newest root is the primary: no row of its own here (a healthy leaf), and never this code
  assert.equal(rowOf(entries, 'new'), undefined);
  const all = analyze(snapshot([old, replica('r1', old), primary('new', epochOf(5))]), NOW, { includeNoProblem: true });
  assert.equal(rowOf(all, 'new')?.code, 'NoProblem');
  assert.equal(rowOf(all, 'new')?.writableRoots, undefined);
});

test('tied roots: both undecided, not actionable, both epochs shown', () => {
  const entries = analyze(snapshot([primary('a'), primary('b')]), NOW);
  assert.deepEqual(entries.map((e) => [e.instance.host, e.code, e.isActionable]), [
    ['a', 'MultipleWritableMastersUndecided', false],
    ['b', 'MultipleWritableMastersUndecided', false],
  ]);
  assert.deepEqual(rowOf(entries, 'a')?.writableRoots?.map((r) => r.promotionEpoch), [null, null]);
});

test('a downtime hides neither code: isDowntimed is said, skippableDueToDowntime is false', () => {
  const entries = analyze(snapshot([primary('old', downtimed()), primary('new', epochOf(2))]), NOW, { includeDowntimed: false });
  const stale = rowOf(entries, 'old');
  assert.equal(stale?.code, 'MultipleWritableMasters');
  assert.equal(stale?.isDowntimed, true);
  assert.equal(stale?.skippableDueToDowntime, false);
  const tied = analyze(snapshot([primary('a', downtimed()), primary('b', downtimed())]), NOW);
  assert.deepEqual(tied.map((e) => [e.code, e.skippableDueToDowntime]), [
    ['MultipleWritableMastersUndecided', false],
    ['MultipleWritableMastersUndecided', false],
  ]);
  // near miss: the same downtimed primary alone is skippable as before
  const alone = analyze(snapshot([primary('old', dead, downtimed()), replica('r1', primary('old'), ioConnecting())]), NOW, { includeDowntimed: true });
  assert.equal(rowOf(alone, 'old')?.skippableDueToDowntime, true);
});

test('the split brain outranks what else a root has (a locked semi-sync primary is still the stale one)', () => {
  const old = primary('old', semiSync({ clients: 0, wait: 1 }));
  const entries = analyze(snapshot([old, replica('r1', old), primary('new', epochOf(1))]), NOW, {}, {
    staleCoordinates: { 'old:3306': { coordinates: { file: 'mysql-bin.000001', pos: 1680 }, firstSeenAt: new Date(NOW - 60_000).toISOString() } },
  });
  assert.equal(rowOf(entries, 'old')?.code, 'MultipleWritableMasters');
  // near miss: alone it is the locked primary
  const alone = analyze(snapshot([old, replica('r1', old)]), NOW, {}, {
    staleCoordinates: { 'old:3306': { coordinates: { file: 'mysql-bin.000001', pos: 1680 }, firstSeenAt: new Date(NOW - 60_000).toISOString() } },
  });
  assert.equal(rowOf(alone, 'old')?.code, 'LockedSemiSyncMaster');
});

test('writableRootsOf: answers, read_only=0, no source, no binlog server; newest epoch first, null last', () => {
  const p = primary('p1', epochOf(2));
  const instances = [
    p,
    primary('p2', epochOf(7)),
    primary('p0'),
    primary('ro', epochOf(9), (i) => ({ ...i, readOnly: true })),
    primary('bls', binlogServer),
    replica('rw', p, (i) => ({ ...i, readOnly: false })),
    primary('gone', epochOf(8)),
    unknownInstance('never', 3306),
  ];
  const valid = instances.map((i) => i.host !== 'gone' && i.lastSeenAt !== null);
  assert.deepEqual(writableRootsOf(instances, valid).map((r) => [r.key.host, r.promotionEpoch]), [
    ['p2', 7],
    ['p1', 2],
    ['p0', null],
  ]);
});

const standings: Array<[string, number | null, Array<number | null>, WritableRootStanding]> = [
  ['alone', 5, [5], 'none'],
  ['newest of two', 5, [5, 3], 'newest'],
  ['older of two', 3, [5, 3], 'stale'],
  ['no epoch beside an epoch', null, [0, null], 'stale'],
  ['epoch 0 beside no epoch is the newest', 0, [0, null], 'newest'],
  ['tied at 4', 4, [4, 4], 'tied'],
  ['tied without epochs', null, [null, null], 'tied'],
  ['at 5 of 5, 5, 3', 5, [5, 5, 3], 'tied'],
];
for (const [name, own, epochs, expected] of standings) {
  test(`writableRootStanding: ${name} → ${expected}`, () => {
    const writableRoots = epochs.map((e, n) => ({ key: { host: `h${n}`, port: 3306 }, promotionEpoch: e }));
    assert.equal(writableRootStanding({ isWritableRoot: true, promotionEpoch: own, writableRoots }), expected);
  });
}

test('writableRootStanding: not a writable root → none whatever the others', () => {
  const writableRoots = [5, 3].map((e, n) => ({ key: { host: `h${n}`, port: 3306 }, promotionEpoch: e }));
  assert.equal(writableRootStanding({ isWritableRoot: false, promotionEpoch: 1, writableRoots }), 'none');
});
