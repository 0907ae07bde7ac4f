/**
 * The lost-transaction report (loss-report.ts): unreadable positions, uncountable losses, members
 * returning with or without a position, the one-line description, and what a member is taken to hold.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InstanceObservation } from '@baton/contracts';
import { describeLossReport, gtidsBeyond, initialLossReport, observedHolding, unionPositions, withMember, type LossReport } from '../src/index.ts';
import { replica, set, type Mod } from './builders.ts';
import { MP, P, P_ID, UUID_P, mysqlReplica, mysqlSets } from './recovery-builders.ts';

const T = 'aaaaaaaa-0000-0000-0000-000000000001';

test('GTIDs beyond the base: an unreadable base or holder is reported as the holder\'s text, uncounted', () => {
  const table: Array<['mariadb' | 'mysql', string, string]> = [
    ['mysql', 'garbage', `${UUID_P}:1-5`],
    ['mysql', `${UUID_P}:1-5`, 'garbage'],
    ['mysql', 'junk', 'garbage'],
    ['mariadb', 'garbage', '0-1-5'],
    ['mariadb', '0-1-5', 'garbage'],
    ['mariadb', 'junk', 'garbage'],
  ];
  for (const [flavour, base, holder] of table) assert.deepEqual(gtidsBeyond(flavour, base, holder), { missing: holder, count: null }, `${flavour}: ${holder} beyond ${base}`);
});

test('GTIDs beyond the base, MariaDB: one diverged domain makes the whole loss uncountable, whatever comes after it', () => {
  assert.deepEqual(gtidsBeyond('mariadb', '0-2-100,1-5-7', '0-1-100,1-5-9'), { missing: '0-1-100 (diverged from 0-2-100),1-5-8..1-5-9', count: null });
});

const base = (over: Partial<LossReport> = {}): LossReport => ({ flavour: 'mariadb', base: '0-1-100', oldPrimary: 'p1:3306', entries: [], pending: [], clean: [], ...over });

test('the report: an examined member with a loss is entered as examined', () => {
  const r = initialLossReport({ flavour: 'mariadb', base: '0-1-100', oldPrimary: 'p1:3306', examined: [{ member: 'r2:3306', role: 'replica', position: '0-1-102' }], unexamined: [] });
  assert.deepEqual(r.entries, [{ member: 'r2:3306', role: 'replica', source: 'examined', position: '0-1-102', missing: '0-1-101..0-1-102', count: 2 }]);
  assert.deepEqual(r.clean, []);
});

test('the report: an unexamined member without a position has no entry, only pending', () => {
  for (const position of [null, '']) {
    const r = initialLossReport({ flavour: 'mariadb', base: '0-1-100', oldPrimary: 'p1:3306', examined: [], unexamined: [{ member: 'p1:3306', role: 'old-primary', position }] });
    assert.deepEqual([r.entries, r.pending], [[], ['p1:3306']], JSON.stringify(position));
  }
});

test('a member answering without a position is no longer pending and counts as clean', () => {
  const r = withMember(base({ pending: ['r4:3306'], entries: [{ member: 'r4:3306', role: 'replica', source: 'last-seen', position: '0-1-104', missing: '0-1-101..0-1-104', count: 4 }] }), {
    member: 'r4:3306',
    role: 'replica',
    position: null,
  });
  assert.deepEqual({ entries: r.entries, pending: r.pending, clean: r.clean }, { entries: [], pending: [], clean: ['r4:3306'] });
});

test('a member once clean that returns holding more than the base leaves the clean list', () => {
  const r = withMember(base({ clean: ['r2:3306', 'r3:3306'] }), { member: 'r2:3306', role: 'replica', position: '0-1-101' });
  assert.deepEqual(r.clean, ['r3:3306']);
  assert.deepEqual(r.entries, [{ member: 'r2:3306', role: 'replica', source: 'returned', position: '0-1-101', missing: '0-1-101', count: 1 }]);
});

test('the one-line description: counts in singular and plural, uncountable losses without a count, every loss listed', () => {
  const entry = (member: string, missing: string, count: number | null) => ({ member, role: 'replica' as const, source: 'examined' as const, position: '', missing, count });
  const table: Array<[string, LossReport, string]> = [
    ['one transaction', base({ entries: [entry('r2:3306', '0-1-101', 1)] }), 'lost beyond 0-1-100: r2:3306 (replica, examined) had 0-1-101 (1 transaction)'],
    ['uncountable', base({ entries: [entry('r2:3306', '0-2-100 (diverged from 0-1-100)', null)] }), 'lost beyond 0-1-100: r2:3306 (replica, examined) had 0-2-100 (diverged from 0-1-100)'],
    [
      'two members',
      base({ entries: [entry('r2:3306', '0-1-101', 1), entry('r3:3306', '0-1-101..0-1-103', 3)] }),
      'lost beyond 0-1-100: r2:3306 (replica, examined) had 0-1-101 (1 transaction); r3:3306 (replica, examined) had 0-1-101..0-1-103 (3 transactions)',
    ],
    ['lost beyond an empty base', base({ base: '', entries: [entry('r2:3306', '0-1-1', 1)] }), 'lost beyond the empty position: r2:3306 (replica, examined) had 0-1-1 (1 transaction)'],
    ['nothing lost from an empty base', base({ base: '' }), "no transaction lost: every member's position is within the empty position"],
  ];
  for (const [name, r, want] of table) assert.equal(describeLossReport(r), want, name);
});

test('every transaction a member holds: per MariaDB domain the furthest, the MySQL union; unreadable texts left out', () => {
  const table: Array<[string, 'mariadb' | 'mysql', string[], string | null]> = [
    ['MariaDB: the furthest per domain', 'mariadb', ['0-1-100,1-2-5', '0-1-105', '1-2-3,2-3-1'], '0-1-105,1-2-5,2-3-1'],
    ['MariaDB: the first of two GTIDs with one seq_no', 'mariadb', ['0-1-100', '0-2-100'], '0-1-100'],
    ['MariaDB: a later lower seq_no does not win', 'mariadb', ['0-1-100', '0-2-90'], '0-1-100'],
    ['MariaDB: unreadable text left out', 'mariadb', ['garbage', '0-1-7'], '0-1-7'],
    ['MariaDB: one empty position', 'mariadb', [''], ''],
    ['MariaDB: nothing readable', 'mariadb', ['garbage'], null],
    ['MariaDB: no text', 'mariadb', [], null],
    ['MySQL: the union', 'mysql', [`${UUID_P}:1-100`, `${UUID_P}:90-106,${T}:1-2`], `${UUID_P}:1-106,${T}:1-2`],
    ['MySQL: unreadable text left out', 'mysql', [`${UUID_P}:1-100`, 'garbage'], `${UUID_P}:1-100`],
    ['MySQL: a MariaDB text is unreadable', 'mysql', ['0-1-100'], null],
    ['MySQL: no text', 'mysql', [], null],
  ];
  for (const [name, flavour, texts, want] of table) assert.equal(unionPositions(flavour, texts), want, name);
});

test('what a replica observation holds: applied, logged and (on GTID replication only) received GTIDs', () => {
  const maria =
    (slavePos: string, binlogPos: string): Mod =>
    (i) => ({ ...i, mariadbGtid: i.mariadbGtid && { ...i.mariadbGtid, slavePos, binlogPos } });
  const repl =
    (usingGtid: string, gtidIoPos: string): Mod =>
    (i) => ({ ...i, replication: i.replication && { ...i.replication, usingGtid, gtidIoPos } });
  const table: Array<[string, InstanceObservation, ReturnType<typeof observedHolding>]> = [
    ['GTID replica: received beyond applied', replica('r1', P, maria(`0-${P_ID}-100`, `0-${P_ID}-100`), repl('Slave_Pos', `0-${P_ID}-110`)), { flavour: 'mariadb', position: `0-${P_ID}-110` }],
    ['GTID replica: its own binlog beyond', replica('r1', P, maria(`0-${P_ID}-100`, '0-77-120'), repl('Current_Pos', `0-${P_ID}-100`)), { flavour: 'mariadb', position: '0-77-120' }],
    ['file/position replica: a stale Gtid_IO_Pos is ignored', replica('r1', P, maria(`0-${P_ID}-100`, `0-${P_ID}-100`), repl('No', `0-${P_ID}-110`)), { flavour: 'mariadb', position: `0-${P_ID}-100` }],
    ['file/position spelled in capitals', replica('r1', P, maria(`0-${P_ID}-100`, `0-${P_ID}-100`), repl('NO', `0-${P_ID}-110`)), { flavour: 'mariadb', position: `0-${P_ID}-100` }],
    ['not replicating', replica('r1', P, maria(`0-${P_ID}-100`, `0-${P_ID}-102`), set({ replication: null })), { flavour: 'mariadb', position: `0-${P_ID}-102` }],
    ['MySQL: executed and retrieved', mysqlReplica('r1', `${UUID_P}:1-100`, mysqlSets({ retrieved: `${UUID_P}:1-104` })), { flavour: 'mysql', position: `${UUID_P}:1-104` }],
    ['MySQL primary', MP, { flavour: 'mysql', position: `${UUID_P}:1-100` }],
    ['no GTID state', replica('r1', P, set({ mariadbGtid: null })), null],
  ];
  for (const [name, i, want] of table) assert.deepEqual(observedHolding(i), want, name);
});
