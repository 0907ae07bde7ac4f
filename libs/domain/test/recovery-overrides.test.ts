/**
 * planPromotion: the override checks run before any topology change (fix W4) — geography as a filter,
 * lag and SQL thread on the chosen candidate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPromotionPolicy, promotionPolicyFromConfig, resolvePromotionPolicy } from '../src/index.ts';
import { lagging, replica } from './builders.ts';
import { P, dc, failedPlan, hostOf, keys, okPlan, rule, seq } from './recovery-builders.ts';

const inDc1 = { ...P, dataCenter: 'dc1', region: 'eu' };

test('PreventCrossDataCenter: the best replica in the failed DC is chosen; an out-of-DC source still serves its catch-up', () => {
  const replicas = [replica('r1', P, seq(105), dc('dc2', 'eu')), replica('r2', P, seq(100), dc('dc1', 'eu')), replica('r3', P, dc('dc2', 'eu'))];
  const p = okPlan(replicas, { failed: inDc1, policy: { preventCrossDataCenter: true } });
  assert.equal(hostOf(p.candidate), 'r2');
  assert.equal(p.catchUpFrom?.source.host, 'r1');
  assert.deepEqual(p.moves, keys('r1', 'r3'));
  assert.equal(hostOf(okPlan(replicas, { failed: inDc1 }).candidate), 'r1', 'without the setting the most advanced wins');
});

test('PreventCrossDataCenter with no candidate in the failed DC: the plan fails, naming why, and nothing moves', () => {
  const replicas = [replica('r1', P, dc('dc2')), replica('r2', P, dc('dc1'), rule('must_not')), replica('r3', P, dc('dc3'))];
  const f = failedPlan(replicas, { failed: inDc1, policy: { preventCrossDataCenter: true } });
  assert.match(f.reason, /^no replica qualifies in the failed primary's data center "dc1"/);
  assert.match(f.reason, /r1:3306: in data center "dc2", not the failed primary's "dc1" \(PreventCrossDataCenterMasterFailover\)/);
  assert.match(f.reason, /r2:3306: banned: promotion rule must_not/);
  assert.equal('moves' in f, false);
});

test('PreventCrossRegion: region must match', () => {
  const replicas = [replica('r1', P, dc('dc2', 'us')), replica('r2', P, seq(99), dc('dc3', 'eu'))];
  const p = okPlan(replicas, { failed: inDc1, policy: { preventCrossRegion: true } });
  assert.equal(hostOf(p.candidate), 'r2');
  const f = failedPlan([replica('r1', P, dc('dc2', 'us'))], { failed: inDc1, policy: { preventCrossRegion: true } });
  assert.match(f.reason, /no replica qualifies in the failed primary's region "eu"/);
});

test('the failed primary\'s data center is unknown (never seen): prevention fails the plan rather than guess', () => {
  const f = failedPlan([replica('r1', P, dc('dc1'))], { policy: { preventCrossDataCenter: true } });
  assert.match(f.reason, /the failed primary's data center is unknown/);
  // a replica whose data center is unknown too: two unknowns are not the same data center
  const unknown = failedPlan([replica('r1', P, dc(''))], { policy: { preventCrossDataCenter: true } });
  assert.match(unknown.reason, /r1:3306: the failed primary's data center is unknown \(PreventCrossDataCenterMasterFailover\)/);
  const noRegion = failedPlan([replica('r1', P, dc('dc1', ''))], { failed: { ...P, dataCenter: 'dc1', region: '' }, policy: { preventCrossRegion: true } });
  assert.match(noRegion.reason, /r1:3306: the failed primary's region is unknown \(PreventCrossRegionMasterFailover\)/);
});

test('an unknown data center is never "the failed primary\'s data center" in the candidate order either', () => {
  // equal in every other key: host order picks a1; were '' to match '', b1 (also unknown) would win
  const replicas = [replica('a1', P, dc('dc2')), replica('b1', P, dc(''))];
  assert.equal(hostOf(okPlan(replicas).candidate), 'a1');
  assert.equal(hostOf(okPlan(replicas, { failed: { ...P, dataCenter: 'dc2' } }).candidate), 'a1', 'a known match still counts');
  assert.equal(hostOf(okPlan(replicas.map((r) => ({ ...r, dataCenter: r.dataCenter === '' ? 'dc9' : 'dc2' })), { failed: { ...P, dataCenter: 'dc9' } }).candidate), 'b1');
});

test('FailMasterPromotionOnLagMinutes: the candidate\'s lag at or above the limit fails the plan', () => {
  const replicas = [replica('r1', P, lagging(700)), replica('r2', P, seq(99))];
  const f = failedPlan(replicas, { policy: { failOnLagSeconds: 600 } });
  assert.match(f.reason, /r1:3306 lags 700 s, at least the 600 s of FailMasterPromotionOnLagMinutes/);
  assert.equal(failedPlan([replica('r1', P, lagging(600))], { policy: { failOnLagSeconds: 600 } }).ok, false, 'at the limit fails');
  assert.equal(okPlan(replicas, { policy: { failOnLagSeconds: 0 } }).candidate.host, 'r1', '0 = off');
});

test('lag: the executor\'s pre-stop reading wins over the observation; unknown lag passes with a warning', () => {
  const replicas = [replica('r1', P, lagging(700))];
  assert.equal(okPlan(replicas, { policy: { failOnLagSeconds: 600 }, lagSeconds: { 'r1:3306': 5 } }).candidate.host, 'r1');
  const noLag = replica('r1', P, (i) => ({ ...i, replication: i.replication && { ...i.replication, secondsBehindSource: null } }));
  const unknown = okPlan([noLag], { policy: { failOnLagSeconds: 600 } });
  assert.match(unknown.warnings.join('\n'), /lag of r1:3306 unknown: FailMasterPromotionOnLagMinutes not applied/);
});

test('lag with a catch-up: the source\'s lag is what gets promoted', () => {
  const replicas = [replica('r1', P, seq(105), rule('must_not'), lagging(900)), replica('r2', P, seq(100))];
  assert.match(failedPlan(replicas, { policy: { failOnLagSeconds: 600 } }).reason, /r1:3306 lags 900 s/);
});

test('SQL thread by coordinates when no received GTIDs are known', () => {
  const behind = replica('r1', P, (i) => ({
    ...i,
    replication: i.replication && { ...i.replication, gtidIoPos: '', readCoordinates: { file: 'mysql-bin.000002', pos: 400 } },
  }));
  assert.equal(okPlan([behind]).waitForSqlThread, true);
  assert.match(failedPlan([behind], { policy: { failIfSqlThreadNotUpToDate: true } }).reason, /has not applied all it received/);
  const unknown = replica('r1', P, (i) => ({ ...i, replication: i.replication && { ...i.replication, gtidIoPos: '', readCoordinates: null } }));
  assert.match(failedPlan([unknown], { policy: { failIfSqlThreadNotUpToDate: true } }).reason, /cannot tell whether r1:3306 applied its relay log/);
  assert.equal(okPlan([replica('r1', P)], { policy: { failIfSqlThreadNotUpToDate: true } }).waitForSqlThread, false);
});

test('both SQL-thread options set: failing wins', () => {
  const replicas = [replica('r1', P, (i) => ({ ...i, replication: i.replication && { ...i.replication, gtidIoPos: `${i.replication.gtidIoPos.replace(/-100$/, '-101')}` } }))];
  const f = failedPlan(replicas, { policy: { failIfSqlThreadNotUpToDate: true, delayIfSqlThreadNotUpToDate: true } });
  assert.match(f.reason, /FailMasterPromotionIfSQLThreadNotUpToDate/);
});

test('policy: orchestrator config keys map onto the promotion policy (minutes → seconds), defaults fill the rest', () => {
  const p = promotionPolicyFromConfig({
    PromotionIgnoreHostnameFilters: ['backup'],
    PreventCrossDataCenterMasterFailover: true,
    PreventCrossRegionMasterFailover: false,
    FailMasterPromotionOnLagMinutes: 2,
    FailMasterPromotionIfSQLThreadNotUpToDate: false,
    DelayMasterPromotionIfSQLThreadNotUpToDate: true,
    ReasonableMaintenanceReplicationLagSeconds: 30,
  });
  assert.deepEqual(p, {
    promotionIgnoreHostnameFilters: ['backup'],
    preventCrossDataCenter: true,
    preventCrossRegion: false,
    failOnLagSeconds: 120,
    failIfSqlThreadNotUpToDate: false,
    delayIfSqlThreadNotUpToDate: true,
    allowLossOfTransactions: false,
    reasonableMaintenanceReplicationLagSeconds: 30,
  });
  assert.deepEqual(resolvePromotionPolicy({ allowLossOfTransactions: undefined }), defaultPromotionPolicy);
});
