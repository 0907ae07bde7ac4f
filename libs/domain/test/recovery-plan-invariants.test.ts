/**
 * planPromotion invariants over many generated topologies (seeded, reproducible):
 *   - the plan is the same for every order of the input (total order, W10);
 *   - every input replica is exactly one of candidate / moved / lost;
 *   - the candidate is eligible, never must_not, never unreachable;
 *   - without allowLossOfTransactions no transaction is lost: nothing is lost as ahead/diverged;
 *   - a failed plan carries no topology change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instanceId, type InstanceObservation, type PromotionRule } from '@baton/contracts';
import type { PromotionPolicyInput } from '../src/index.ts';
import { binlogFormat, delayed, errantMariadb, notLogging, replica, set, version, type Mod } from './builders.ts';
import { P, assertPartition, dc, plan, received, rule, seq } from './recovery-builders.ts';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rules: PromotionRule[] = ['must', 'prefer', 'neutral', 'neutral', 'neutral', 'prefer_not', 'must_not'];

function scenario(seed: number): { replicas: InstanceObservation[]; policy: PromotionPolicyInput } {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const n = 1 + Math.floor(r() * 6);
  const replicas: InstanceObservation[] = [];
  for (let i = 0; i < n; i++) {
    const s = 98 + Math.floor(r() * 8);
    const mods: Mod[] = [seq(s, r() < 0.05 ? 77 : undefined), rule(pick(rules)), dc(pick(['dc1', 'dc1', 'dc2']))];
    if (r() < 0.1) mods.push(received(s + 1 + Math.floor(r() * 3)));
    if (r() < 0.1) mods.push(version('10.6.20-MariaDB'));
    if (r() < 0.1) mods.push(binlogFormat('MIXED'));
    if (r() < 0.1) mods.push(delayed(3600));
    if (r() < 0.1) mods.push(notLogging);
    if (r() < 0.1) mods.push(errantMariadb);
    if (r() < 0.08) mods.push(set({ lastSeenAt: null }));
    replicas.push(replica(`r${i}`, P, ...mods));
  }
  const policy: PromotionPolicyInput = {
    allowLossOfTransactions: r() < 0.3,
    preventCrossDataCenter: r() < 0.2,
    delayIfSqlThreadNotUpToDate: r() < 0.3,
    failIfSqlThreadNotUpToDate: r() < 0.1,
  };
  return { replicas, policy };
}

function shuffled<T>(xs: readonly T[], r: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

test('invariants hold on 500 generated topologies', () => {
  const failed = { ...P, dataCenter: 'dc1' };
  let ok = 0;
  for (let seed = 1; seed <= 500; seed++) {
    const { replicas, policy } = scenario(seed);
    const base = plan(replicas, { failed, policy });
    const r = rng(seed * 7919);
    for (let k = 0; k < 4; k++) assert.deepEqual(plan(shuffled(replicas, r), { failed, policy }), base, `seed ${seed}: input order changed the plan`);
    if (!base.ok) {
      assert.equal('moves' in base, false, `seed ${seed}`);
      continue;
    }
    ok++;
    assertPartition(base, replicas);
    const chosen = replicas.find((x) => instanceId(x) === instanceId(base.candidate));
    assert.ok(chosen, `seed ${seed}`);
    assert.notEqual(chosen.promotionRule, 'must_not', `seed ${seed}: must_not promoted`);
    assert.notEqual(chosen.lastSeenAt, null, `seed ${seed}: unreachable promoted`);
    assert.equal(base.ranking.find((x) => instanceId(x.replica) === instanceId(base.candidate))?.eligible, true, `seed ${seed}`);
    if (!policy.allowLossOfTransactions) {
      assert.deepEqual(base.lostTransactions, [], `seed ${seed}`);
      assert.ok(base.lost.every((l) => l.kind !== 'ahead' && l.kind !== 'diverged'), `seed ${seed}: transactions lost without allowLoss`);
    }
  }
  assert.ok(ok > 150, `only ${ok} of 500 scenarios produced a plan: the generator is too harsh to test much`);
});
