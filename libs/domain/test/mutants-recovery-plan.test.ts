/**
 * planPromotion (plan-promotion.ts): canonical order of moves and losses, exact failure reasons and
 * details, lag and SQL-thread checks, relay logs the plan would discard, and the warnings it gives.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { instanceId, type InstanceObservation } from '@baton/contracts';
import { at, binlogServer, dead, notLogging, replica, set, version, type Mod } from './builders.ts';
import { MP, P, P_ID, UUID_P, failedPlan, key, mysqlReplica, okPlan, permutations, plan, received, rule, seq, uuidOf } from './recovery-builders.ts';

const pos = (n: number) => `0-${P_ID}-${n}`;
const ids = (ks: readonly { host: string; port: number }[]) => ks.map(instanceId);
const port = (p: number): Mod => set({ port: p });

/** File/position replication, applied up to `exec`, received up to `read`. */
const filePos =
  (exec: number, read: number): Mod =>
  (i) => ({
    ...i,
    replication: i.replication && {
      ...i.replication,
      usingGtid: 'No',
      gtidIoPos: '0-1-3',
      execCoordinates: { file: 'mysql-bin.000001', pos: exec },
      readCoordinates: { file: 'mysql-bin.000001', pos: read },
    },
  });

test('moves are listed by host, then port, whatever the input order (several replicas on one host)', () => {
  const replicas = [replica('r1', P, seq(105)), replica('r2', P, seq(100), port(3307)), replica('r2', P, seq(100)), replica('r3', P, seq(100)), replica('r0', P, seq(100), port(3310))];
  for (const order of permutations(replicas)) {
    const p = okPlan(order);
    assert.equal(instanceId(p.candidate), 'r1:3306');
    assert.deepEqual(ids(p.moves), ['r0:3310', 'r2:3306', 'r2:3307', 'r3:3306'], order.map(instanceId).join(' '));
  }
});

test('lost replicas are listed by host whatever why they are lost (unreachable before cannot-replicate)', () => {
  const replicas = [replica('r1', P, seq(105)), replica('r5', P, seq(100)), replica('r9', P, seq(100), version('10.6.21-MariaDB'), rule('must_not')), replica('r0', P, seq(100), dead)];
  for (const order of permutations(replicas)) {
    const p = okPlan(order);
    assert.equal(instanceId(p.candidate), 'r1:3306');
    assert.deepEqual(
      p.lost.map((l) => [instanceId(l.replica), l.kind]),
      [
        ['r0:3306', 'unreachable'],
        ['r9:3306', 'cannot-replicate'],
      ],
      order.map(instanceId).join(' '),
    );
  }
});

test('a replica on the failed primary\'s host but another port is a replica like any other', () => {
  const p = okPlan([replica('p1', P, seq(100), port(3307))]);
  assert.equal(instanceId(p.candidate), 'p1:3307');
});

test('input errors fail the plan with empty details', () => {
  const r1 = replica('r1', P, seq(100));
  const table: Array<[string, InstanceObservation[], string]> = [
    ['duplicate', [r1, r1], 'replica r1:3306 appears twice in the input'],
    ['the failed primary itself', [replica('p1', P, seq(100))], 'the failed primary p1:3306 is listed among its own replicas'],
    ['no replicas', [], 'the failed primary p1:3306 has no replica to promote'],
  ];
  for (const [name, replicas, reason] of table) {
    const f = failedPlan(replicas);
    assert.deepEqual(f, { ok: false, reason, details: { ranking: [], unranked: [], lacking: [], warnings: [] } }, name);
  }
});

test('no promotable replica: every replica\'s reasons, the unreachable ones too, under a geography headline', () => {
  const failed = { ...P, dataCenter: 'dc1', region: 'eu' };
  const elsewhere = set({ dataCenter: 'dc2', region: 'us' });
  const f = failedPlan([replica('r1', P, seq(100), elsewhere), replica('r2', P, seq(100), notLogging, binlogServer), replica('r3', P, seq(100), dead)], {
    failed,
    policy: { preventCrossDataCenter: true, preventCrossRegion: true },
  });
  assert.equal(
    f.reason,
    "no replica qualifies in the failed primary's data center \"dc1\" and region \"eu\" — " +
      'r1:3306: in data center "dc2", not the failed primary\'s "dc1" (PreventCrossDataCenterMasterFailover); in region "us", not the failed primary\'s "eu" (PreventCrossRegionMasterFailover)' +
      ' | r2:3306: log_slave_updates off; binlog server; in data center "", not the failed primary\'s "dc1" (PreventCrossDataCenterMasterFailover); in region "", not the failed primary\'s "eu" (PreventCrossRegionMasterFailover)' +
      ` | r3:3306: not reachable (last seen ${at(-10_000)})`,
  );
  assert.deepEqual(f.details.lacking, []);
});

test('the best candidate lacking transactions: every holder and every reason it cannot catch up are named', () => {
  const f = failedPlan([replica('r1', P, seq(105), notLogging), replica('r2', P, seq(100)), replica('r3', P, seq(105), notLogging)]);
  assert.equal(
    f.reason,
    `r2:3306 (the best eligible candidate) lacks transactions other surviving replicas hold: r1:3306 holds ${pos(105)}; r3:3306 holds ${pos(105)}; ` +
      'cannot catch up from r1:3306: r1:3306 does not log what it replicates (log_slave_updates off); cannot catch up from r3:3306: r3:3306 does not log what it replicates (log_slave_updates off); ' +
      'allowLossOfTransactions is off',
  );
});

test('a requested candidate that may not be promoted: all its reasons', () => {
  const f = failedPlan([replica('r1', P, seq(100)), replica('r2', P, seq(100), notLogging, rule('must_not'))], { requestedCandidate: key('r2') });
  assert.equal(f.reason, 'requested candidate r2:3306 cannot be promoted: log_slave_updates off; banned: promotion rule must_not');
});

test('MySQL: a replica whose gtid_executed does not parse is lost, the others are still checked for errant GTIDs', () => {
  const p = okPlan([mysqlReplica('r1', `${UUID_P}:1-100,${uuidOf('r1')}:1-2`), mysqlReplica('r2', 'garbage')], { failed: MP });
  assert.equal(instanceId(p.candidate), 'r1:3306');
  assert.equal(p.ranking[0]?.errantGtids, `${uuidOf('r1')}:1-2`);
  assert.deepEqual(
    p.lost.map((l) => [instanceId(l.replica), l.kind, l.reason]),
    [['r2:3306', 'position-unknown', 'gtid_executed "garbage" does not parse']],
  );
});

test('lag check: the measured lag by instance id overrides the observation; a candidate with no lag known passes with a warning', () => {
  const f = failedPlan([replica('r1', P, seq(100))], { policy: { failOnLagSeconds: 60 }, lagSeconds: { 'r1:3306': 120 } });
  assert.equal(f.reason, 'r1:3306 lags 120 s, at least the 60 s of FailMasterPromotionOnLagMinutes');

  const atThreshold = failedPlan([replica('r1', P, seq(100))], { policy: { failOnLagSeconds: 60 }, lagSeconds: { 'r1:3306': 60 } });
  assert.equal(atThreshold.reason, 'r1:3306 lags 60 s, at least the 60 s of FailMasterPromotionOnLagMinutes');

  const p = okPlan([replica('r1', P, set({ replication: null }))], { policy: { failOnLagSeconds: 60 } });
  assert.ok(p.warnings.includes('lag of r1:3306 unknown: FailMasterPromotionOnLagMinutes not applied'), p.warnings.join(' / '));
});

test('a candidate that catches up does not wait for its own SQL thread: it ends at the source\'s applied position', () => {
  for (const policy of [{}, { failIfSqlThreadNotUpToDate: true }, { delayIfSqlThreadNotUpToDate: true }]) {
    const p = okPlan([replica('r1', P, seq(105)), replica('r2', P, seq(100), received(102), rule('prefer'))], { policy });
    assert.equal(instanceId(p.candidate), 'r2:3306');
    assert.equal(p.catchUpFrom?.source.host, 'r1', JSON.stringify(policy));
    assert.equal(p.waitForSqlThread, false, JSON.stringify(policy));
    assert.deepEqual(p.warnings, [], JSON.stringify(policy));
  }
});

test('a clean plan, or one that waits for the SQL thread, has no warnings', () => {
  const clean = okPlan([replica('r1', P, seq(100)), replica('r2', P, seq(100)), replica('r3', P, seq(100))]);
  assert.deepEqual([ids(clean.moves), clean.warnings], [['r2:3306', 'r3:3306'], []]);
  const waiting = okPlan([replica('r1', P, seq(100), received(103)), replica('r2', P, seq(100))]);
  assert.deepEqual([waiting.waitForSqlThread, waiting.warnings], [true, []]);
});

test('allowLossOfTransactions without a SQL-thread option: the candidate\'s own unapplied relay log is discarded and reported', () => {
  const p = okPlan([replica('r1', P, seq(100), filePos(500, 900))], { policy: { allowLossOfTransactions: true } });
  assert.equal(p.waitForSqlThread, false);
  assert.deepEqual(p.lostTransactions, [{ holder: key('r1'), missing: 'relay log mysql-bin.000001:500..mysql-bin.000001:900 (no GTIDs)' }]);
  assert.deepEqual(p.warnings, [
    `r1:3306 has not applied all it received (executed ${pos(100)}, holds ${pos(100)}); promoting without waiting (allowLossOfTransactions, no SQL-thread option)`,
    'transactions lost (allowLossOfTransactions): unapplied relay logs no other replica holds: r1:3306 received up to mysql-bin.000001:900 and applied only up to mysql-bin.000001:500 (file/position replication: no GTID names those transactions)',
  ]);
});

test('several relay logs nobody else holds are all named when the plan fails', () => {
  const f = failedPlan([replica('r1', P, seq(100), filePos(500, 600)), replica('r2', P, seq(100), filePos(500, 900)), replica('r3', P, seq(100), filePos(500, 950))]);
  assert.equal(
    f.reason,
    'unapplied relay logs no other replica holds: ' +
      'r2:3306 received up to mysql-bin.000001:900 and applied only up to mysql-bin.000001:500 (file/position replication: no GTID names those transactions); ' +
      'r3:3306 received up to mysql-bin.000001:950 and applied only up to mysql-bin.000001:500 (file/position replication: no GTID names those transactions); ' +
      'promoting r1:3306 would discard them (allowLossOfTransactions is off)',
  );
});

test('the failed primary\'s last-known position: a warning when the plan ends short of it, with when it was last seen', () => {
  const table: Array<[string, InstanceObservation, InstanceObservation[], string[]]> = [
    ['behind the last reading', P, [replica('r1', P, seq(98))], [`the failed primary was last seen (${at(-10_000)}) with ${pos(100)}, which r1:3306 will not have`]],
    ['never seen', { ...P, lastSeenAt: null }, [replica('r1', P, seq(98))], [`the failed primary was last seen (never) with ${pos(100)}, which r1:3306 will not have`]],
    ['no binlog position read', { ...P, mariadbGtid: P.mariadbGtid && { ...P.mariadbGtid, binlogPos: '' } }, [replica('r1', P, seq(98))], []],
    ['a reading of the other flavour', P, [mysqlReplica('r1', `${UUID_P}:1-100`)], []],
  ];
  for (const [name, failed, replicas, warnings] of table) {
    const p = plan(replicas, { failed });
    if (!p.ok) assert.fail(`${name}: ${p.reason}`);
    assert.deepEqual(p.warnings, warnings, name);
  }
});
