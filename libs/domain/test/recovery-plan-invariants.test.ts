/**
 * planPromotion against the ground truth, over many generated topologies (seeded, reproducible).
 * The generator decides which of the failed primary's transactions each replica holds (applied,
 * or received and not applied yet) as plain sets, and builds the observations from them: MariaDB
 * positions, and MySQL GTID sets with gaps (a transaction missing in the middle, as a
 * multi-threaded replica leaves it) and Retrieved_Gtid_Set. The plan is then judged by those sets,
 * never by the planner's own arithmetic or output:
 *   - the plan is the same for every order of the input (total order, W10);
 *   - every input replica is exactly one of candidate / moved / lost;
 *   - the candidate may be promoted by the generated facts: reachable, not must_not, logs its
 *     updates, not above the majority binlog format or version, in the failed primary's data
 *     center when PreventCrossDataCenter is on (an unknown data center, either side, matches nothing);
 *   - what the candidate ends with (its own transactions, plus the catch-up source's applied
 *     ones) contains every moved replica's; a replica lost as ahead/diverged really holds
 *     something it will not have;
 *   - without allowLossOfTransactions it ends with every transaction any reachable replica holds;
 *   - completeness first: when some promotable replica holds every transaction, the plan loses
 *     none, even with allowLossOfTransactions (a rule or a tie-breaker never costs transactions);
 *   - a plan fails only when no promotable replica holds everything (or a configured check
 *     refuses the one chosen), and a failed plan carries no topology change.
 */
import { test } from 'node:test';
import { seededRandom as rng } from '@baton/testing/seeded-random';
import assert from 'node:assert/strict';
import { instanceId, type InstanceObservation, type PromotionRule } from '@baton/contracts';
import type { PromotionPlan, PromotionPolicyInput } from '../src/index.ts';
import { binlogFormat, delayed, errantMariadb, notLogging, replica, set, version, type Mod } from './builders.ts';
import { MP, P, UUID_P, assertPartition, dc, mysqlReplica, mysqlSets, plan, received, rule, seq, uuidOf } from './recovery-builders.ts';


const rules: PromotionRule[] = ['must', 'prefer', 'neutral', 'neutral', 'neutral', 'prefer_not', 'must_not'];

/** The generated facts of one replica: the failed primary's transactions it holds, as ids. */
interface Truth {
  readonly obs: InstanceObservation;
  readonly held: ReadonlySet<string>;
  readonly applied: ReadonlySet<string>;
}

interface Scenario {
  readonly flavour: 'mariadb' | 'mysql';
  readonly failed: InstanceObservation;
  readonly truths: Truth[];
  readonly policy: PromotionPolicyInput;
}

const range = (from: number, to: number, skip: number | null = null): number[] => {
  const out: number[] = [];
  for (let k = from; k <= to; k++) if (k !== skip) out.push(k);
  return out;
};

/** A MySQL GTID set text of the primary's uuid from sorted transaction numbers: `uuid:1-4:6-10`. */
function mysqlSetOf(numbers: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < numbers.length) {
    let j = i;
    while (j + 1 < numbers.length && (numbers[j + 1] as number) === (numbers[j] as number) + 1) j++;
    parts.push(i === j ? `${numbers[i]}` : `${numbers[i]}-${numbers[j]}`);
    i = j + 1;
  }
  return parts.length === 0 ? '' : `${UUID_P}:${parts.join(':')}`;
}

function common(r: () => number, pick: <T>(xs: readonly T[]) => T, flavour: 'mariadb' | 'mysql'): Mod[] {
  const mods: Mod[] = [rule(pick(rules)), dc(pick(['dc1', 'dc1', 'dc2', '']))]; // '': not known
  if (flavour === 'mariadb' && r() < 0.1) mods.push(version('10.6.20-MariaDB'));
  if (r() < 0.1) mods.push(binlogFormat('MIXED'));
  if (r() < 0.1) mods.push(delayed(3600));
  if (r() < 0.1) mods.push(notLogging);
  if (r() < 0.08) mods.push(set({ lastSeenAt: null }));
  return mods;
}

function mariadbReplica(name: string, r: () => number, pick: <T>(xs: readonly T[]) => T, top: number): Truth {
  // nobody holds past `top`, where a replica may have diverged: MariaDB positions tell a
  // divergence only at the same seq_no (a higher one reads as ahead, whatever its history)
  const s = 98 + Math.floor(r() * (top - 97));
  const mods: Mod[] = [];
  let applied = range(1, s).map((k) => `P:${k}`);
  let held = applied;
  if (s === top && r() < 0.15) {
    // its last transaction came from another server at the scenario's highest seq_no: diverged
    // from whoever has the primary's transaction of that number (MariaDB sees it only there)
    applied = [...range(1, s - 1).map((k) => `P:${k}`), `X77:${s}`];
    held = applied;
    mods.push(seq(s, 77));
  } else {
    mods.push(seq(s));
    if (s < top && r() < 0.15) {
      const until = Math.min(top, s + 1 + Math.floor(r() * 3));
      mods.push(received(until));
      held = range(1, until).map((k) => `P:${k}`);
    }
  }
  if (r() < 0.1) mods.push(errantMariadb); // its own write: not the primary's, needed by nobody
  mods.push(...common(r, pick, 'mariadb'));
  return { obs: replica(name, P, ...mods), held: new Set(held), applied: new Set(applied) };
}

function mysqlTruthReplica(name: string, r: () => number, pick: <T>(xs: readonly T[]) => T): Truth {
  const a = 98 + Math.floor(r() * 8);
  // a hole: one transaction in the middle not applied (multi-threaded replica), or just behind the start
  const gap = r() < 0.3 ? 2 + Math.floor(r() * (a - 2)) : null;
  const appliedNumbers = range(1, a, gap);
  let heldNumbers = appliedNumbers;
  let executed = mysqlSetOf(appliedNumbers);
  const mods: Mod[] = [];
  if (r() < 0.15) {
    const until = a + 1 + Math.floor(r() * 3);
    mods.push(mysqlSets({ retrieved: `${UUID_P}:${a + 1}-${until}` }));
    heldNumbers = [...appliedNumbers, ...range(a + 1, until)];
  }
  if (r() < 0.1) executed = `${executed},${uuidOf(name)}:1-2`; // errant: its own uuid
  mods.push(...common(r, pick, 'mysql'));
  return {
    obs: mysqlReplica(name, executed, ...mods),
    held: new Set(heldNumbers.map((k) => `P:${k}`)),
    applied: new Set(appliedNumbers.map((k) => `P:${k}`)),
  };
}

function scenario(seed: number): Scenario {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const flavour = r() < 0.4 ? 'mysql' : 'mariadb';
  const n = 1 + Math.floor(r() * 6);
  const top = 100 + Math.floor(r() * 6);
  const truths: Truth[] = [];
  for (let i = 0; i < n; i++) truths.push(flavour === 'mysql' ? mysqlTruthReplica(`r${i}`, r, pick) : mariadbReplica(`r${i}`, r, pick, top));
  const policy: PromotionPolicyInput = {
    allowLossOfTransactions: r() < 0.3,
    preventCrossDataCenter: r() < 0.2,
    delayIfSqlThreadNotUpToDate: r() < 0.3,
    failIfSqlThreadNotUpToDate: r() < 0.1,
  };
  return { flavour, failed: { ...(flavour === 'mysql' ? MP : P), dataCenter: r() < 0.15 ? '' : 'dc1' }, truths, policy };
}

function shuffled<T>(xs: readonly T[], r: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const contains = (a: ReadonlySet<string>, b: ReadonlySet<string>) => [...b].every((x) => a.has(x));

// ---- the facts a promotion may rest on, from the generated observations ----------------------------

const reachable = (t: Truth) => t.obs.lastSeenAt !== null;
const formatRank = { STATEMENT: 0, MIXED: 1, ROW: 2 } as const;
const majorOf = (v: string | null) => (v ? (v.match(/^(\d+)\.(\d+)/) ?? []).slice(1).map(Number) : null);
const versionCmp = (a: number[], b: number[]) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number);

/** The most frequent value, a tie going to the smaller (orchestrator's majority). */
function majority<T>(values: readonly T[], cmp: (a: T, b: T) => number, key: (v: T) => string): T | null {
  const counts = new Map<string, { v: T; n: number }>();
  for (const v of values) counts.set(key(v), { v, n: (counts.get(key(v))?.n ?? 0) + 1 });
  let best: { v: T; n: number } | null = null;
  for (const c of counts.values()) if (!best || c.n > best.n || (c.n === best.n && cmp(c.v, best.v) < 0)) best = c;
  return best?.v ?? null;
}

function promotable(s: Scenario): (t: Truth) => boolean {
  const live = s.truths.filter(reachable);
  const formats = live.map((t) => t.obs.binlogFormat).filter((f): f is keyof typeof formatRank => f !== null);
  const versions = live.map((t) => majorOf(t.obs.version)).filter((v): v is number[] => v !== null);
  const format = majority(formats, (a, b) => formatRank[a] - formatRank[b], String);
  const major = majority(versions, versionCmp, (v) => v.join('.'));
  return (t) =>
    reachable(t) &&
    t.obs.promotionRule !== 'must_not' &&
    t.obs.logBin === true &&
    t.obs.logSlaveUpdates === true &&
    (format === null || t.obs.binlogFormat === null || formatRank[t.obs.binlogFormat] <= formatRank[format]) &&
    (major === null || versionCmp(majorOf(t.obs.version) as number[], major) <= 0) &&
    // an unknown data center (the failed primary's or the replica's) matches nothing
    (!s.policy.preventCrossDataCenter || (s.failed.dataCenter !== '' && t.obs.dataCenter === s.failed.dataCenter));
}

function judge(seed: number, s: Scenario, p: PromotionPlan): 'ok' | 'failed' {
  const byId = new Map(s.truths.map((t) => [instanceId(t.obs), t]));
  const everything = new Set(s.truths.filter(reachable).flatMap((t) => [...t.held]));
  const mayPromote = promotable(s);
  const completeCandidates = s.truths.filter((t) => mayPromote(t) && contains(t.held, everything));
  const at = `seed ${seed} (${s.flavour})`;
  if (!p.ok) {
    assert.equal('moves' in p, false, at);
    if (!s.policy.failIfSqlThreadNotUpToDate) {
      assert.deepEqual(completeCandidates.map((t) => instanceId(t.obs)), [], `${at}: failed (${p.reason}) though these hold every transaction and may be promoted`);
    }
    return 'failed';
  }
  assertPartition(p, s.truths.map((t) => t.obs));
  const c = byId.get(instanceId(p.candidate));
  assert.ok(c, at);
  assert.ok(mayPromote(c), `${at}: ${instanceId(c.obs)} may not be promoted by the generated facts`);
  const source = p.catchUpFrom ? byId.get(instanceId(p.catchUpFrom.source)) : undefined;
  if (p.catchUpFrom) {
    assert.ok(source && reachable(source), `${at}: catch-up source`);
    assert.ok(contains(source.applied, source.held), `${at}: the catch-up source has applied all it holds`);
  }
  const final = new Set([...c.held, ...(source?.applied ?? [])]);
  for (const m of p.moves) {
    const t = byId.get(instanceId(m));
    assert.ok(t && contains(final, t.held), `${at}: ${instanceId(m)} moved under a candidate that lacks some of its transactions`);
  }
  for (const l of p.lost) {
    const t = byId.get(instanceId(l.replica));
    assert.ok(t, at);
    if (l.kind === 'ahead' || l.kind === 'diverged') assert.ok(!contains(final, t.held), `${at}: ${instanceId(l.replica)} lost as ${l.kind} but the candidate has all it holds`);
    if (l.kind === 'unreachable') assert.equal(reachable(t), false, `${at}: ${instanceId(l.replica)} is reachable`);
  }
  if (!s.policy.allowLossOfTransactions) assert.ok(contains(final, everything), `${at}: transactions lost without allowLossOfTransactions`);
  if (completeCandidates.length > 0) assert.ok(contains(final, everything), `${at}: ${instanceId(c.obs)} loses transactions though ${completeCandidates.map((t) => instanceId(t.obs)).join(', ')} hold every one`);
  return 'ok';
}

test('plans judged by the generated positions on 800 topologies (MariaDB positions, MySQL GTID sets with gaps)', (t) => {
  const seen = { ok: 0, failed: 0, mysql: 0, mysqlGaps: 0, lossy: 0 };
  for (let seed = 1; seed <= 800; seed++) {
    const s = scenario(seed);
    const input = { failed: s.failed, policy: s.policy };
    const base = plan(s.truths.map((t) => t.obs), input);
    const r = rng(seed * 7919);
    for (let k = 0; k < 3; k++) assert.deepEqual(plan(shuffled(s.truths, r).map((t) => t.obs), input), base, `seed ${seed}: input order changed the plan`);
    seen[judge(seed, s, base)]++;
    if (s.flavour === 'mysql') {
      seen.mysql++;
      if (s.truths.some((t) => /:\d+(-\d+)?:\d/.test(t.obs.mysqlGtid?.executed ?? ''))) seen.mysqlGaps++;
    }
    if (base.ok && base.lostTransactions.length > 0) seen.lossy++;
  }
  t.diagnostic(JSON.stringify(seen));
  // the generator must reach every kind of case, or the properties above test little
  assert.ok(seen.ok > 250 && seen.failed > 50 && seen.mysqlGaps > 80 && seen.lossy > 10, JSON.stringify(seen));
});
