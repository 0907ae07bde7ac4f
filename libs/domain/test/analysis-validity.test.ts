/**
 * LastCheckValid (reference §1.1) and Baton's fixes (W12): a failed probe is invalid at once, a hung
 * replica is not valid, an observation older than one window at the snapshot is not valid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, isObservationValid, resolveAnalysisPolicy } from '../src/index.ts';
import { NOW, at, dead, hung, ioConnecting, neverSeen, primary, replica, set, snapshot } from './builders.ts';

const window = { windowMs: 2000, observedAtMs: NOW };

test('a healthy observation is valid', () => {
  assert.equal(isObservationValid(primary('p1'), window), true);
});

test('a failed probe (lastChecked after lastSeen) is invalid at once, even 1 ms after a success', () => {
  const i = primary('p1', set({ lastSeenAt: at(-100), lastCheckedAt: at(-99), lastAttemptedAt: at(-99) }));
  assert.equal(isObservationValid(i, window), false);
});

test('a never-seen instance is invalid (unknown is never healthy)', () => {
  assert.equal(isObservationValid(primary('p1', neverSeen), window), false);
});

test("orchestrator's attempted clause: an attempt more than a window after the last success invalidates", () => {
  const i = primary('p1', set({ lastSeenAt: at(-3000), lastCheckedAt: at(-3000), lastAttemptedAt: at(-900) }));
  assert.equal(isObservationValid(i, { windowMs: 2000, observedAtMs: Number.NaN }), false);
  const j = primary('p1', set({ lastSeenAt: at(-3000), lastCheckedAt: at(-3000), lastAttemptedAt: at(-1100) }));
  assert.equal(isObservationValid(j, { windowMs: 2000, observedAtMs: Number.NaN }), true);
});

test("Baton's freshness clause: last success older than a window at observedAt invalidates, whatever the attempt time", () => {
  const i = primary('p1', set({ lastSeenAt: at(-2500), lastCheckedAt: at(-2500), lastAttemptedAt: at(-2500) }));
  assert.equal(isObservationValid(i, window), false);
  assert.equal(isObservationValid(i, { windowMs: 3000, observedAtMs: NOW }), true);
});

test('null lastChecked/lastAttempted with a known lastSeen count as the success itself', () => {
  const i = primary('p1', set({ lastSeenAt: at(-100), lastCheckedAt: null, lastAttemptedAt: null }));
  assert.equal(isObservationValid(i, window), true);
});

test('a hung replica (attempted long after seen, checked ≤ seen) is not counted valid (W12)', () => {
  const p = primary('p1', dead);
  const s = snapshot([p, replica('r1', p, ioConnecting()), replica('r2', p, ioConnecting(), hung)]);
  const [row] = analyze(s, NOW);
  assert.equal(row?.counts.CountValidReplicas, 1);
  assert.equal(row?.code, 'DeadMasterAndSomeReplicas');
  // orchestrator's replica rule (checked ≤ seen only) would have counted it: DeadMaster
  const [orchestratorLike] = analyze(s, NOW, { invalidateStaleObservations: false, reasonableInstanceCheckMs: 60_000 });
  assert.equal(orchestratorLike?.counts.CountValidReplicas, 2);
  assert.equal(orchestratorLike?.code, 'DeadMaster');
});

test('the hung replica is invalid through the attempted clause alone too', () => {
  const p = primary('p1', dead);
  const [row] = analyze(snapshot([p, replica('r1', p, ioConnecting(), hung)]), NOW, { invalidateStaleObservations: false });
  assert.equal(row?.counts.CountValidReplicas, 0);
  assert.equal(row?.code, 'DeadMasterAndReplicas');
});

test('a hung primary is invalid after one window (not 6-11 s)', () => {
  const p = primary('p1', set({ lastSeenAt: at(-2100), lastCheckedAt: at(-2100), lastAttemptedAt: at(-1050) }));
  const [row] = analyze(snapshot([p, replica('r1', p, ioConnecting()), replica('r2', p, ioConnecting())]), NOW);
  assert.equal(row?.code, 'DeadMaster');
});

test('the window follows the snapshot poll interval, or the policy override', () => {
  const p = primary('p1', set({ lastSeenAt: at(-4000), lastCheckedAt: at(-4000), lastAttemptedAt: at(-4000) }));
  const s = (pollIntervalMs: number) => snapshot([p, replica('r1', p), replica('r2', p)], { pollIntervalMs });
  const all = { includeNoProblem: true };
  assert.equal(analyze(s(1000), NOW, all)[0]?.lastCheckValid, false);
  assert.equal(analyze(s(5000), NOW, all)[0]?.lastCheckValid, true);
  assert.equal(analyze(s(5000), NOW, { ...all, pollIntervalMs: 1000 })[0]?.lastCheckValid, false);
  assert.equal(analyze(s(1000), NOW, { ...all, reasonableInstanceCheckMs: 3500 })[0]?.lastCheckValid, true);
});

test('a spread copy of a resolved policy is resolved again (derived thresholds follow the overrides)', () => {
  const base = resolveAnalysisPolicy({});
  assert.equal(resolveAnalysisPolicy(base), base);
  assert.equal(base.lockedSemiSyncMasterMs, 10_000);
  const changed = resolveAnalysisPolicy({ ...base, reasonableReplicationLagSeconds: 20, recoveryIgnoreHostnameFilters: ['^x'] });
  assert.equal(changed.lockedSemiSyncMasterMs, 20_000);
  assert.deepEqual(changed.hostnameFilters.map(String), ['/^x/']);
  assert.throws(() => resolveAnalysisPolicy({ recoveryIgnoreHostnameFilters: ['('] }), SyntaxError);
});
