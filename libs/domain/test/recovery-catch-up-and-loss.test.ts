/**
 * planPromotion: catching up from the most advanced replica, lost transactions, requested candidates,
 * relay logs not applied yet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { delayed, notLogging, replica, set, version } from './builders.ts';
import { P, P_ID, dc, failedPlan, hostOf, key, keys, okPlan, received, rule, seq } from './recovery-builders.ts';

test('a prefer replica behind the most advanced one catches up from it, then is promoted', () => {
  const p = okPlan([replica('r1', P, seq(105)), replica('r2', P, seq(100), rule('prefer')), replica('r3', P, seq(103))]);
  assert.equal(hostOf(p.candidate), 'r2');
  assert.deepEqual(p.catchUpFrom, { source: key('r1'), untilPosition: `0-${P_ID}-105`, missing: `0-${P_ID}-105` });
  assert.deepEqual(p.moves, keys('r1', 'r3'), 'the source is moved under the candidate once it caught up');
  assert.deepEqual([p.lost, p.lostTransactions], [[], []]);
  assert.equal(p.expectedPosition, `0-${P_ID}-105`);
  assert.equal(p.waitForSqlThread, false, 'the catch-up ends at the source\'s applied position');
});

test('a neutral replica behind is not preferred over an equally ruled most advanced one', () => {
  const p = okPlan([replica('r1', P, seq(100)), replica('r2', P, seq(105))]);
  assert.equal(hostOf(p.candidate), 'r2');
  assert.equal(p.catchUpFrom, undefined);
});

test('a must_not replica holding the most transactions is never promoted: the best eligible one catches up from it', () => {
  const p = okPlan([replica('r1', P, seq(105), rule('must_not')), replica('r2', P, seq(100)), replica('r3', P, seq(102))]);
  assert.equal(hostOf(p.candidate), 'r3', 'both r2 and r3 can catch up; r3 already holds more');
  assert.equal(p.catchUpFrom?.source.host, 'r1');
  assert.deepEqual(p.moves, keys('r1', 'r2'));
});

test('the only eligible candidate lacks transactions another replica holds and cannot catch up: the plan fails naming who has what', () => {
  const replicas = [replica('r1', P, seq(105), notLogging), replica('r2', P, seq(100))];
  const f = failedPlan(replicas);
  assert.match(f.reason, /r2:3306 \(the best eligible candidate\) lacks transactions other surviving replicas hold: r1:3306 holds 0-\d+-105/);
  assert.match(f.reason, /cannot catch up from r1:3306: r1:3306 does not log what it replicates/);
  assert.match(f.reason, /allowLossOfTransactions is off/);
  assert.deepEqual(f.details.lacking, [{ holder: key('r1'), missing: `0-${P_ID}-105` }]);
  assert.deepEqual(
    f.details.ranking.map((r) => [r.replica.host, r.eligible, r.holdsAll, r.lossFree]),
    [
      ['r1', false, true, true],
      ['r2', true, false, false],
    ],
    'the ranking orders every replica; the candidate is the first eligible one',
  );
});

test('allowLossOfTransactions: the same plan goes ahead and reports the loss', () => {
  const replicas = [replica('r1', P, seq(105), notLogging), replica('r2', P, seq(100))];
  const p = okPlan(replicas, { policy: { allowLossOfTransactions: true } });
  assert.equal(hostOf(p.candidate), 'r2');
  assert.deepEqual(p.lost, [{ replica: key('r1'), kind: 'ahead', reason: `holds 0-${P_ID}-105, which r2:3306 lacks` }]);
  assert.deepEqual(p.lostTransactions, [{ holder: key('r1'), missing: `0-${P_ID}-105` }]);
  assert.match(p.warnings.join('\n'), /transactions lost \(allowLossOfTransactions\): r1:3306 holds/);
});

test('a newer-version most advanced replica cannot serve an older candidate: fail, or lose it with allowLoss', () => {
  const replicas = [replica('r1', P, seq(105), version('11.4.5-MariaDB')), replica('r2', P), replica('r3', P)];
  const f = failedPlan(replicas);
  assert.match(f.reason, /cannot catch up from r1:3306: version 10\.11 is older than r1:3306's 11\.4/);
  const p = okPlan(replicas, { policy: { allowLossOfTransactions: true } });
  assert.equal(hostOf(p.candidate), 'r2');
  assert.deepEqual(
    p.lost.map((l) => [l.replica.host, l.kind]),
    [['r1', 'ahead']],
  );
});

test('diverged positions: no replica holds everything — fail, or name the diverged replica with allowLoss', () => {
  const replicas = [replica('r1', P, seq(105)), replica('r2', P, seq(105, 77)), replica('r3', P, seq(100))];
  const f = failedPlan(replicas);
  assert.match(f.reason, /no surviving replica holds every transaction the others hold \(their positions diverge\)/);
  const p = okPlan(replicas, { policy: { allowLossOfTransactions: true } });
  assert.equal(hostOf(p.candidate), 'r1');
  assert.deepEqual(p.moves, keys('r3'));
  assert.equal(p.lost[0]?.kind, 'diverged');
  assert.match(p.lost[0]?.reason ?? '', /diverged from r1:3306: holds 0-77-105 that r1:3306 lacks, and lacks 0-\d+-105/);
});

test('requested candidate: used when eligible, even if the order prefers another', () => {
  const p = okPlan([replica('r1', P, rule('prefer')), replica('r2', P)], { requestedCandidate: key('r2') });
  assert.equal(hostOf(p.candidate), 'r2');
  assert.deepEqual(p.moves, keys('r1'));
});

test('requested candidate behind the most advanced: it catches up first', () => {
  const p = okPlan([replica('r1', P, seq(105)), replica('r2', P, seq(100))], { requestedCandidate: key('r2') });
  assert.equal(hostOf(p.candidate), 'r2');
  assert.equal(p.catchUpFrom?.source.host, 'r1');
});

const requestedFailures: Array<[string, () => ReturnType<typeof failedPlan>, RegExp]> = [
  ['banned', () => failedPlan([replica('r1', P, rule('must_not')), replica('r2', P)], { requestedCandidate: key('r1') }), /requested candidate r1:3306 cannot be promoted: banned: promotion rule must_not/],
  ['not a replica of the failed primary', () => failedPlan([replica('r1', P)], { requestedCandidate: key('x9') }), /x9:3306 is not a direct replica of the failed primary/],
  ['unreachable', () => failedPlan([replica('r1', P, set({ lastSeenAt: null })), replica('r2', P)], { requestedCandidate: key('r1') }), /requested candidate r1:3306: not reachable/],
  [
    'behind and unable to catch up',
    () => failedPlan([replica('r1', P, seq(105), notLogging), replica('r2', P)], { requestedCandidate: key('r2') }),
    /requested candidate r2:3306 lacks transactions other surviving replicas hold: r1:3306 holds/,
  ],
];
for (const [name, run, reason] of requestedFailures) {
  test(`requested candidate ${name}: the plan fails with the reason`, () => assert.match(run().reason, reason));
}

test('received but not applied: the candidate holds the most, and the plan waits for its SQL thread', () => {
  const replicas = [replica('r1', P, seq(100), received(106)), replica('r2', P, seq(105))];
  const p = okPlan(replicas);
  assert.equal(hostOf(p.candidate), 'r1', 'what sits in its relay log counts: r1 holds 106');
  assert.equal(p.waitForSqlThread, true);
  assert.equal(p.expectedPosition, `0-${P_ID}-106`);
  assert.deepEqual(p.moves, keys('r2'));

  assert.match(failedPlan(replicas, { policy: { failIfSqlThreadNotUpToDate: true } }).reason, /r1:3306 has not applied all it received \(executed 0-\d+-100, holds 0-\d+-106\) \(FailMasterPromotionIfSQLThreadNotUpToDate\)/);
  assert.equal(okPlan(replicas, { policy: { delayIfSqlThreadNotUpToDate: true } }).waitForSqlThread, true);
  const lossy = okPlan(replicas, { policy: { allowLossOfTransactions: true } });
  assert.equal(lossy.waitForSqlThread, false, 'orchestrator\'s behaviour only when losses are allowed');
  assert.match(lossy.warnings.join('\n'), /promoting without waiting/);
});

test('a most advanced replica that has not applied all it received cannot serve a catch-up', () => {
  const replicas = [replica('r1', P, seq(100), received(106), rule('must_not')), replica('r2', P, seq(100))];
  const f = failedPlan(replicas);
  assert.match(f.reason, /r1:3306 holds every transaction but has not applied all it received/);
});

test('the catch-up source: same data center as the candidate first, then the smaller delay, then host', () => {
  const failed = { ...P, dataCenter: 'dc1' };
  const replicas = [
    replica('a1', P, seq(105), dc('dc2'), rule('must_not')),
    replica('b1', P, seq(105), dc('dc1'), rule('must_not'), delayed(5)),
    replica('c1', P, seq(105), dc('dc1'), rule('must_not')),
    replica('r1', P, seq(100), dc('dc1')),
  ];
  const p = okPlan(replicas, { failed });
  assert.equal(hostOf(p.candidate), 'r1');
  assert.equal(p.catchUpFrom?.source.host, 'c1');
});

test('the failed primary\'s last-known transactions the candidate will not have are reported', () => {
  const failed = { ...P, mariadbGtid: { ...(P.mariadbGtid as NonNullable<typeof P.mariadbGtid>), binlogPos: `0-${P_ID}-110` } };
  const p = okPlan([replica('r1', P, seq(105))], { failed });
  assert.match(p.warnings.join('\n'), new RegExp(`failed primary was last seen .* with 0-${P_ID}-110, which r1:3306 will not have`));
  assert.doesNotMatch(okPlan([replica('r1', P, seq(110))], { failed }).warnings.join('\n'), /last seen/);
});
