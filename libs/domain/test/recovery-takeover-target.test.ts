/**
 * chooseTakeoverTarget: the target of a planned switchover, checked before anything changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceKey, InstanceObservation } from '@baton/contracts';
import { chooseTakeoverTarget, type TakeoverMode } from '../src/index.ts';
import { delayed, ioStopped, lagging, primary, replica, set, sqlStopped } from './builders.ts';
import { key, reachability, rule } from './recovery-builders.ts';

const P = primary('p1');
const r1 = replica('r1', P);
const r2 = replica('r2', P);

function choose(replicas: InstanceObservation[], designated: InstanceKey | null, mode: TakeoverMode, policy = {}) {
  return chooseTakeoverTarget({ primary: P, replicas, designated, mode, policy, reachability });
}

const cases: Array<{ name: string; replicas: InstanceObservation[]; designated: string | null; mode: TakeoverMode; policy?: object; target?: string; how?: string; refused?: RegExp }> = [
  { name: 'designated healthy replica', replicas: [r1, r2], designated: 'r2', mode: 'graceful', target: 'r2', how: 'designated' },
  { name: 'the only direct replica, none named', replicas: [r1], designated: null, mode: 'graceful', target: 'r1', how: 'only-replica' },
  { name: 'several replicas, none named, not auto', replicas: [r1, r2], designated: null, mode: 'graceful', refused: /^target instance not indicated: p1:3306 has 2 direct replicas \(r1:3306, r2:3306\)/ },
  { name: 'several replicas, auto: the best candidate', replicas: [r1, replica('r2', P, rule('prefer'))], designated: null, mode: 'graceful-auto', target: 'r2', how: 'best-candidate' },
  { name: 'no replica', replicas: [], designated: null, mode: 'graceful-auto', refused: /has no direct replica/ },
  { name: 'designated is not a direct replica', replicas: [r1], designated: 'r9', mode: 'graceful', refused: /r9:3306 must be directly replicating from the primary p1:3306/ },
  { name: 'designated lags beyond the limit', replicas: [r1, replica('r2', P, lagging(45))], designated: 'r2', mode: 'graceful', refused: /r2:3306 lags 45 s behind p1:3306, beyond ReasonableMaintenanceReplicationLagSeconds \(20 s\)/ },
  { name: 'lag within a raised limit', replicas: [r1, replica('r2', P, lagging(45))], designated: 'r2', mode: 'graceful', policy: { reasonableMaintenanceReplicationLagSeconds: 60 }, target: 'r2' },
  { name: 'force takeover ignores lag', replicas: [r1, replica('r2', P, lagging(45))], designated: 'r2', mode: 'force', target: 'r2' },
  { name: 'designated not replicating', replicas: [replica('r1', P, ioStopped)], designated: 'r1', mode: 'graceful', refused: /r1:3306 is not replicating \(IO thread No, SQL thread Yes\)/ },
  { name: 'SQL thread stopped', replicas: [replica('r1', P, sqlStopped)], designated: 'r1', mode: 'graceful', refused: /is not replicating/ },
  { name: 'delayed replica', replicas: [replica('r1', P, delayed(3600), lagging(0))], designated: 'r1', mode: 'graceful', refused: /delayed replica \(SQL delay 3600 s/ },
  { name: 'banned by promotion rule', replicas: [r1, replica('r2', P, rule('must_not'))], designated: 'r2', mode: 'graceful', refused: /r2:3306 cannot be promoted: banned: promotion rule must_not/ },
  { name: 'banned by PromotionIgnoreHostnameFilters', replicas: [r1, r2], designated: 'r2', mode: 'force', policy: { promotionIgnoreHostnameFilters: ['^r2$'] }, refused: /banned: host matches PromotionIgnoreHostnameFilters/ },
  { name: 'no binary log', replicas: [replica('r1', P, set({ logBin: false }))], designated: 'r1', mode: 'graceful', refused: /no binary log/ },
  { name: 'auto with every replica banned', replicas: [replica('r1', P, rule('must_not'))], designated: null, mode: 'graceful-auto', refused: /cannot be promoted: banned/ },
];

for (const c of cases) {
  test(`takeover target: ${c.name}`, () => {
    const t = choose(c.replicas, c.designated ? key(c.designated) : null, c.mode, c.policy ?? {});
    if (c.refused) {
      assert.equal(t.ok, false, `expected a refusal, got ${t.ok ? t.target.host : ''}`);
      if (!t.ok) assert.match(t.reason, c.refused);
      return;
    }
    assert.equal(t.ok, true, t.ok ? '' : t.reason);
    if (!t.ok) return;
    assert.equal(t.target.host, c.target);
    if (c.how) assert.equal(t.how, c.how);
  });
}

test('takeover target: the ranking of the dry-run choice comes with the answer', () => {
  const t = choose([r1, r2], null, 'graceful-auto');
  assert.equal(t.ok, true);
  assert.deepEqual(t.ranking.map((r) => r.replica.host).sort(), ['r1', 'r2']);
});

test('takeover target: replicas a few transactions apart on a live cluster are judged as caught up (the sync provides completeness)', () => {
  const live = primary('p1', set({ mariadbGtid: { currentPos: '0-1-120', slavePos: '', binlogPos: '0-1-120', strictMode: true, domainId: 0 } }));
  const at = (name: string, seq: number) => replica(name, live, (i) => ({ ...i, mariadbGtid: { ...(i.mariadbGtid as NonNullable<InstanceObservation['mariadbGtid']>), slavePos: `0-1-${seq}`, currentPos: `0-1-${seq}`, binlogPos: `0-1-${seq}` }, replication: i.replication && { ...i.replication, gtidIoPos: `0-1-${seq + 1}` } }));
  const t = chooseTakeoverTarget({ primary: live, replicas: [at('r1', 117), at('r2', 119), at('r3', 118)], designated: key('r1'), mode: 'graceful', policy: {}, reachability });
  assert.equal(t.ok, true, t.ok ? '' : t.reason);
});

test('takeover target: the designated host is matched without case, and the replica is named as observed', () => {
  const t = choose([r1, r2], { host: 'R2', port: 3306 }, 'graceful');
  assert.equal(t.ok, true, t.ok ? '' : t.reason);
  if (t.ok) assert.deepEqual(t.target, { host: 'r2', port: 3306 });
});
