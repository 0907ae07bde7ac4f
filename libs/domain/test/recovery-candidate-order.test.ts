/**
 * planPromotion: which replica is chosen (reference §3.1, with Baton's total order) — MariaDB positions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binlogFormat, binlogServer, delayed, errantMariadb, neverSeen, notLogging, replica, set, version } from './builders.ts';
import { P, P_ID, dc, failedPlan, hostOf, hostsOf, key, keys, okPlan, permutations, rule, seq } from './recovery-builders.ts';

test('the most advanced replica is chosen and every other one moves under it', () => {
  const p = okPlan([replica('r1', P, seq(100)), replica('r2', P, seq(105)), replica('r3', P, seq(103))]);
  assert.equal(hostOf(p.candidate), 'r2');
  assert.deepEqual(p.moves, keys('r1', 'r3'));
  assert.deepEqual(p.lost, []);
  assert.equal(p.catchUpFrom, undefined);
  assert.equal(p.waitForSqlThread, false);
  assert.equal(p.expectedPosition, `0-${P_ID}-105`);
  assert.deepEqual(hostsOf(p.ranking.map((r) => r.replica)), ['r2', 'r3', 'r1']);
});

test('a single replica is promoted as it is', () => {
  const p = okPlan([replica('r1', P)]);
  assert.equal(hostOf(p.candidate), 'r1');
  assert.deepEqual([p.moves, p.lost], [[], []]);
});

test('ties are broken deterministically whatever the input order (every permutation)', () => {
  const failed = { ...P, dataCenter: 'dc1' };
  const replicas = [
    replica('r6', P, seq(105), dc('dc1')),
    replica('r4', P, seq(105), dc('dc1')),
    replica('r2', P, seq(105), dc('dc2')),
    replica('r1', P, seq(105), dc('dc1'), errantMariadb),
    replica('r3', P, seq(104), dc('dc1')),
    replica('r5', P, seq(105), dc('dc1'), rule('prefer_not')),
  ];
  const first = okPlan(replicas, { failed });
  assert.deepEqual(
    hostsOf(first.ranking.map((r) => r.replica)),
    ['r4', 'r6', 'r1', 'r2', 'r3', 'r5'],
    'same DC before no-errant (r1 before r2), host last (r4 before r6); the rule comes before position among loss-free replicas: r3 (behind, can catch up) before r5 (prefer_not)',
  );
  for (const order of permutations(replicas)) {
    const p = okPlan(order, { failed });
    assert.deepEqual([p.candidate, p.moves, p.lost, p.ranking], [first.candidate, first.moves, first.lost, first.ranking], order.map((r) => r.host).join(','));
  }
});

test('equal replicas: the final tie-break is host then port', () => {
  const a = replica('r1', P, set({ port: 3307 }));
  const b = replica('r1', P);
  const c = replica('r0', P);
  assert.equal(hostOf(okPlan([a, b, c]).candidate), 'r0');
  assert.deepEqual(okPlan([a, b]).candidate, key('r1'));
});

test('must_not is never chosen, even when it is the only replica', () => {
  const p = okPlan([replica('r1', P, rule('must_not')), replica('r2', P)]);
  assert.equal(hostOf(p.candidate), 'r2');
  assert.deepEqual(p.moves, keys('r1'));
  const f = failedPlan([replica('r1', P, rule('must_not'))]);
  assert.match(f.reason, /no replica can be promoted.*r1:3306: banned: promotion rule must_not/);
});

test('PromotionIgnoreHostnameFilters: regexps searched in the host, IP literals exactly', () => {
  const replicas = [replica('db-backup-1', P), replica('db-2', P, seq(99))];
  const p = okPlan(replicas, { policy: { promotionIgnoreHostnameFilters: ['backup'] }, requestedCandidate: undefined });
  assert.equal(hostOf(p.candidate), 'db-2');
  assert.equal(p.catchUpFrom?.source.host, 'db-backup-1', 'a banned replica still serves the catch-up');

  const ips = [replica('10.0.0.1', P), replica('10.0.0.11', P)];
  assert.equal(hostOf(okPlan(ips, { policy: { promotionIgnoreHostnameFilters: ['10.0.0.1'] } }).candidate), '10.0.0.11');

  const invalid = okPlan(ips, { policy: { promotionIgnoreHostnameFilters: ['('] } });
  assert.equal(hostOf(invalid.candidate), '10.0.0.1');
  assert.match(invalid.warnings.join('\n'), /"\(" is not a valid regexp/);
});

test('a prefer replica as advanced as the others is chosen though every later tie-breaker is against it', () => {
  const failed = { ...P, dataCenter: 'dc1' };
  const replicas = [
    replica('a1', P, dc('dc1')),
    replica('z9', P, dc('dc2'), rule('prefer'), errantMariadb),
    replica('b1', P, dc('dc1')),
  ];
  const p = okPlan(replicas, { failed });
  assert.equal(hostOf(p.candidate), 'z9');
  assert.equal(p.catchUpFrom, undefined);
  assert.deepEqual(p.moves, keys('a1', 'b1'));
  assert.match(p.warnings.join('\n'), /z9:3306 has errant GTIDs/);
});

test('must beats prefer, prefer beats neutral, neutral beats prefer_not', () => {
  const all = [replica('r1', P, rule('prefer_not')), replica('r2', P), replica('r3', P, rule('prefer')), replica('r4', P, rule('must'))];
  assert.deepEqual(hostsOf(okPlan(all).ranking.map((r) => r.replica)), ['r4', 'r3', 'r2', 'r1']);
  const p = okPlan([replica('r1', P, rule('prefer_not'))]);
  assert.match(p.warnings.join('\n'), /prefer_not: no better replica qualifies/);
});

test('a prefer replica the others could not replicate from does not win (orchestrator swaps only when CanReplicateFrom holds)', () => {
  const replicas = [replica('n1', P, binlogFormat('MIXED')), replica('p2', P, rule('prefer')), replica('r3', P, binlogFormat('MIXED'))];
  const p = okPlan(replicas);
  assert.equal(hostOf(p.candidate), 'n1', 'n1 (MIXED) cannot replicate from a ROW source: promoting p2 would lose a replica');
  assert.deepEqual(p.moves, keys('p2', 'r3'));
});

test('major version: the lower one first, never above the majority', () => {
  const lower = okPlan([replica('r1', P, version('10.11.9-MariaDB')), replica('r2', P, version('10.6.20-MariaDB')), replica('r3', P, version('10.11.9-MariaDB'))]);
  assert.equal(hostOf(lower.candidate), 'r2', '10.6 < 10.11 numerically');
  assert.deepEqual(lower.moves, keys('r1', 'r3'));

  const above = [replica('r1', P, version('11.4.5-MariaDB')), replica('r2', P, version('10.11.9-MariaDB')), replica('r3', P, version('10.11.9-MariaDB'))];
  const p = okPlan(above);
  assert.equal(hostOf(p.candidate), 'r2');
  assert.deepEqual(p.moves, keys('r1', 'r3'), 'the newer r1 can replicate from r2');
  const r1 = p.ranking.find((r) => r.replica.host === 'r1');
  assert.deepEqual(r1?.ineligibleReasons, ['major version 11.4 is above the majority 10.11']);
});

test('binlog format: never above the majority; a tie goes to the smaller format', () => {
  const p = okPlan([replica('r1', P, binlogFormat('ROW')), replica('r2', P, binlogFormat('MIXED')), replica('r3', P, binlogFormat('MIXED'))]);
  assert.equal(hostOf(p.candidate), 'r2');
  assert.deepEqual(p.moves, keys('r1', 'r3'));
  const tie = okPlan([replica('r1', P, binlogFormat('ROW')), replica('r2', P, binlogFormat('STATEMENT'))]);
  assert.equal(hostOf(tie.candidate), 'r2');
  assert.deepEqual(tie.ranking.find((r) => r.replica.host === 'r1')?.ineligibleReasons, ['binlog format ROW is above the majority STATEMENT']);
});

test('a delayed replica is not chosen over a non-delayed one with the same position, even as prefer', () => {
  const p = okPlan([replica('r1', P, delayed(3600)), replica('r2', P)]);
  assert.equal(hostOf(p.candidate), 'r2');
  assert.deepEqual(p.moves, keys('r1'));
  const pref = okPlan([replica('r1', P, delayed(3600), rule('prefer')), replica('r2', P)]);
  assert.equal(hostOf(pref.candidate), 'r2', 'r2 cannot replicate from a source delayed beyond 20 s');
  const small = okPlan([replica('r1', P, delayed(10), rule('prefer')), replica('r2', P)]);
  assert.equal(hostOf(small.candidate), 'r1', 'a delay within ReasonableMaintenanceReplicationLagSeconds does not block');
});

test('the SQL-delay key alone: a small delay (each can replicate from the other) loses to none, whatever the host order', () => {
  // every earlier key is equal; host order would pick r1
  const p = okPlan([replica('r1', P, delayed(10)), replica('r2', P)]);
  assert.equal(hostOf(p.candidate), 'r2');
  assert.deepEqual(p.moves, keys('r1'));
  assert.equal(hostOf(okPlan([replica('r1', P, delayed(5)), replica('r2', P, delayed(15))]).candidate), 'r1', 'less delay first');
  assert.equal(hostOf(okPlan([replica('r1', P, delayed(15)), replica('r2', P, delayed(5))]).candidate), 'r2', 'less delay first, either way round');
});

test('an errant-GTID replica loses ties, and its errant GTIDs are named', () => {
  const p = okPlan([replica('r1', P, errantMariadb), replica('r2', P)]);
  assert.equal(hostOf(p.candidate), 'r2');
  const r1 = p.ranking.find((r) => r.replica.host === 'r1');
  assert.match(r1?.errantGtids ?? '', /^0-\d+-101$/);
  assert.equal(r1?.position, `0-${P_ID}-100`, 'the position is gtid_slave_pos, not the inflated gtid_current_pos');
  assert.match(p.warnings.join('\n'), /r1:3306 has errant GTIDs/);
});

test('ineligible: log_slave_updates off, binlog server — they still move when they can', () => {
  const p = okPlan([replica('r1', P, notLogging), replica('r2', P, binlogServer), replica('r3', P, seq(99))]);
  assert.equal(hostOf(p.candidate), 'r3');
  assert.equal(p.catchUpFrom?.source.host, 'r2', 'r1 does not log its updates: only r2 can serve');
  assert.deepEqual(p.moves, keys('r1', 'r2'));
});

test('unreachable replicas are lost, named, and never chosen', () => {
  const stale = replica('r1', P, seq(110), set({ lastSeenAt: new Date(Date.parse(P.lastSeenAt ?? '') - 60_000).toISOString() }));
  const p = okPlan([stale, replica('r2', P), replica('r3', P, neverSeen)]);
  assert.equal(hostOf(p.candidate), 'r2');
  assert.deepEqual(
    p.lost.map((l) => [l.replica.host, l.kind]),
    [
      ['r1', 'unreachable'],
      ['r3', 'unreachable'],
    ],
  );
  assert.match(p.lost[1]?.reason ?? '', /last seen never/);
});

test('a replica without GTID state is lost as position-unknown; none at all fails', () => {
  const p = okPlan([replica('r1', P, set({ mariadbGtid: null })), replica('r2', P)]);
  assert.deepEqual(p.lost, [{ replica: key('r1'), kind: 'position-unknown', reason: 'no GTID state observed' }]);
  const f = failedPlan([replica('r1', P, set({ mariadbGtid: null }))]);
  assert.match(f.reason, /no reachable replica with a usable GTID position/);
  assert.equal(f.details.unranked.length, 1);
});

test('bad input fails without a plan: no replicas, a duplicate, the primary among its replicas', () => {
  assert.match(failedPlan([]).reason, /no replica to promote/);
  assert.match(failedPlan([replica('r1', P), replica('r1', P)]).reason, /r1:3306 appears twice/);
  assert.match(failedPlan([{ ...P }]).reason, /the failed primary p1:3306 is listed among its own replicas/);
});
