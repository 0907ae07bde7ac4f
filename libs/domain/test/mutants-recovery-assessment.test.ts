/**
 * Per-replica assessment (replica-assessment.ts): which most advanced replica a candidate catches
 * up from, independent of the input order, and the catch-up blockers it reports.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { instanceId, type InstanceObservation } from '@baton/contracts';
import { compileBanFilters, defaultPromotionPolicy, majoritiesOf, readReplicaPositions } from '../src/index.ts';
import { assessReplicas, knownReplica, type Assessment } from '../src/recovery/replica-assessment.ts';
import { replica, set, type Mod } from './builders.ts';
import { P, key, okPlan, permutations, rule, seq } from './recovery-builders.ts';

const port = (p: number): Mod => set({ port: p });

function assess(replicas: readonly InstanceObservation[]): Assessment[] {
  const known = replicas.map((r) => {
    const reading = readReplicaPositions(r, P, []);
    if (!reading.ok) assert.fail(reading.reason);
    return knownReplica(r, reading.positions);
  });
  return assessReplicas(known, {
    reasonableMaintenanceReplicationLagSeconds: 20,
    eligibility: { failed: P, policy: defaultPromotionPolicy, bans: compileBanFilters([]), majorities: majoritiesOf(replicas) },
  });
}
const of = (as: Assessment[], id: string): Assessment => as.find((a) => a.replica.id === id) ?? assert.fail(`${id} not assessed`);

test('a replica behind catches up from the first most advanced replica by host, then port, whatever the input order', () => {
  const replicas = [replica('r1', P, seq(105), port(3307)), replica('r3', P, seq(105), port(3300)), replica('r1', P, seq(105)), replica('r5', P, seq(100), rule('prefer'))];
  for (const order of permutations(replicas)) {
    const r5 = of(assess(order), 'r5:3306');
    assert.equal(r5.catchUp?.id, 'r1:3306', order.map(instanceId).join(' '));
    assert.deepEqual(r5.catchUpBlockers, [], 'a replica that can catch up has no blockers');
  }
});

test('a most advanced replica that does not replicate any more can serve a catch-up', () => {
  const detached = (i: InstanceObservation) => ({ ...i, replication: null });
  const as = assess([replica('r1', P, seq(105), detached), replica('r3', P, seq(105)), replica('r5', P, seq(100), rule('prefer'))]);
  assert.equal(of(as, 'r5:3306').catchUp?.id, 'r1:3306');
});

test('a replica holding everything needs no catch-up and has no blockers', () => {
  const as = assess([replica('r1', P, seq(105)), replica('r2', P, seq(100))]);
  assert.deepEqual([of(as, 'r1:3306').holdsAll, of(as, 'r1:3306').catchUp, of(as, 'r1:3306').catchUpBlockers], [true, null, []]);
});

test('the ranking names the replica a candidate would catch up from', () => {
  const p = okPlan([replica('r1', P, seq(105)), replica('r2', P, seq(100), rule('prefer'))]);
  assert.deepEqual(
    p.ranking.map((r) => [r.replica.host, r.catchUpFrom]),
    [
      ['r2', key('r1')],
      ['r1', null],
    ],
  );
});
