/** The lost-transaction report (loss-report.ts): what members had beyond the successor's position at its promotion. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { describeLossReport, gtidsBeyond, initialLossReport, lossReportComplete, lostTransactionCount, withMember, type LossReport } from '../src/index.ts';

test('GTIDs beyond the base, MariaDB: a range per domain, the count, diverged histories uncounted', () => {
  const table: Array<[string, string, string, number | null]> = [
    ['0-1-100', '0-1-100', '', 0],
    ['0-1-100', '0-1-90', '', 0],
    ['0-1-100', '0-1-101', '0-1-101', 1],
    ['0-1-100', '0-1-130', '0-1-101..0-1-130', 30],
    ['0-1-100', '0-1-130,1-5-7', '0-1-101..0-1-130,1-5-1..1-5-7', 37],
    ['0-1-100,1-5-7', '0-1-100,1-5-7', '', 0],
    ['0-2-100', '0-1-100', '0-1-100 (diverged from 0-2-100)', null],
    ['', '0-1-3', '0-1-1..0-1-3', 3],
  ];
  for (const [base, holder, missing, count] of table) assert.deepEqual(gtidsBeyond('mariadb', base, holder), { missing, count }, `${holder} beyond ${base}`);
});

test('GTIDs beyond the base, MySQL: the set difference, counted; one GTID in front of a gap', () => {
  const u = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
  assert.deepEqual(gtidsBeyond('mysql', `${u}:1-100`, `${u}:1-105`), { missing: `${u}:101-105`, count: 5 });
  assert.deepEqual(gtidsBeyond('mysql', `${u}:1-4:6-10`, `${u}:1-10`), { missing: `${u}:5`, count: 1 });
  assert.deepEqual(gtidsBeyond('mysql', `${u}:1-10`, `${u}:1-10`), { missing: '', count: 0 });
});

test('the report: examined members exact, unexamined ones pending with their last-seen lower bound, completed as they answer', () => {
  let r = initialLossReport({
    flavour: 'mariadb',
    base: '0-1-100',
    oldPrimary: 'p1:3306',
    examined: [
      { member: 'r2:3306', role: 'replica', position: '0-1-100' },
      { member: 'r3:3306', role: 'replica', position: '0-1-98' },
    ],
    unexamined: [
      { member: 'p1:3306', role: 'old-primary', position: '0-1-104' },
      { member: 'r4:3306', role: 'replica', position: null },
    ],
  });
  assert.deepEqual(r.pending, ['p1:3306', 'r4:3306']);
  assert.deepEqual(r.clean, ['r2:3306', 'r3:3306']);
  assert.deepEqual(r.entries, [{ member: 'p1:3306', role: 'old-primary', source: 'last-seen', position: '0-1-104', missing: '0-1-101..0-1-104', count: 4 }]);
  assert.equal(lossReportComplete(r), false);
  assert.match(describeLossReport(r), /^lost beyond 0-1-100: p1:3306 \(old-primary, last-seen\) had 0-1-101\.\.0-1-104 \(4 transactions\); not examined yet: p1:3306, r4:3306$/);

  r = withMember(r, { member: 'p1:3306', role: 'old-primary', position: '0-1-131' });
  assert.deepEqual(r.entries, [{ member: 'p1:3306', role: 'old-primary', source: 'returned', position: '0-1-131', missing: '0-1-101..0-1-131', count: 31 }]);
  r = withMember(r, { member: 'r4:3306', role: 'replica', position: '0-1-100' });
  assert.equal(lossReportComplete(r), true);
  assert.deepEqual(r.clean, ['r2:3306', 'r3:3306', 'r4:3306']);
  assert.equal(describeLossReport(r), 'lost beyond 0-1-100: p1:3306 (old-primary, returned) had 0-1-101..0-1-131 (31 transactions)');
});

test('an empty report says so', () => {
  const r = initialLossReport({ flavour: 'mariadb', base: '0-1-100', oldPrimary: 'p1:3306', examined: [{ member: 'r2:3306', role: 'replica', position: '0-1-100' }], unexamined: [] });
  assert.deepEqual(r.entries, []);
  assert.equal(describeLossReport(r), "no transaction lost: every member's position is within 0-1-100");
  const waiting = initialLossReport({ flavour: 'mariadb', base: '0-1-100', oldPrimary: 'p1:3306', examined: [], unexamined: [{ member: 'p1:3306', role: 'old-primary', position: '0-1-100' }] });
  assert.equal(describeLossReport(waiting), 'no transaction known to be lost; not examined yet: p1:3306');
});

test('the lost total counts each transaction once: an old primary and a replica holding the same ones, or more', () => {
  const entry = (member: string, position: string, count: number | null) => ({ member, role: 'replica' as const, source: 'examined' as const, position, missing: '', count });
  const report = (entries: ReturnType<typeof entry>[], flavour: 'mariadb' | 'mysql' = 'mariadb', base = '0-1-100') => ({ flavour, base, oldPrimary: 'p:1', entries, pending: [], clean: [] });
  const table: Array<[string, ReturnType<typeof report>, number | null]> = [
    ['no entry', report([]), 0],
    ['one member', report([entry('a:1', '0-1-130', 30)]), 30],
    ['two members holding the same 30', report([entry('p:1', '0-1-130', 30), entry('a:1', '0-1-130', 30)]), 30],
    ['one holds 10 of the other one\'s 30', report([entry('p:1', '0-1-130', 30), entry('a:1', '0-1-110', 10)]), 30],
    ['other domains add up', report([entry('p:1', '0-1-130', 30), entry('a:1', '0-1-110,1-5-7', 17)]), 37],
    ['an uncountable member', report([entry('p:1', '0-1-130', 30), entry('a:1', '0-2-100', null)]), null],
  ];
  for (const [name, r, count] of table) assert.equal(lostTransactionCount(r as LossReport), count, name);
  const u = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
  assert.equal(lostTransactionCount(report([entry('p:1', `${u}:1-105`, 5), entry('a:1', `${u}:1-103:107`, 4)], 'mysql', `${u}:1-100`) as LossReport), 6, 'MySQL: 101-105 and 107');
});
