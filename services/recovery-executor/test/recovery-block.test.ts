/**
 * The recovery block's owner rules: the pure decisions (why a registration is refused, which block
 * is a running recovery's), and the executor's answer to a forced recover while another recovery
 * of the cluster runs — refused with that recovery's uid, never registered beside it — on the
 * in-memory ports (fakes.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecoveryEvent } from '@baton/contracts';
import type { BlockValue, RefusalReason } from '../src/ports.ts';
import { refusalReason, runningRecoveryOf } from '../src/registration.ts';
import { deadPrimaryCluster, harness, primary, T0, type Harness } from './fakes.ts';

const resolved: BlockValue = { uid: 'done-1', failed: 'db0:3306', successor: 'db1:3306', state: 'resolved', owner: 'x', startedAtMs: T0 - 60_000, resolvedAtMs: T0 - 50_000 };
const running: BlockValue = { uid: 'running-1', failed: 'db0:3306', successor: null, state: 'running', owner: 'x', startedAtMs: T0 - 1000 };

test('refusal reasons: a forced registration is refused only by a running recovery; an automatic one by any block', () => {
  const cases: Array<[string, Parameters<typeof refusalReason>, RefusalReason]> = [
    ['forced, a recovery running', [running, 'db1:3306', true], 'recovery-running'],
    ['forced, the running recovery is of another instance', [running, 'db9:3306', true], 'recovery-running'],
    ['forced, no readable block (a value that is not one)', [null, 'db1:3306', true], 'recovery-block'],
    ['forced, a resolved block (only after a race: the swap replaces those)', [resolved, 'db1:3306', true], 'recovery-block'],
    ['automatic, the successor of the blocking recovery died', [resolved, 'db1:3306', false], 'recently-promoted'],
    ['automatic, another instance', [resolved, 'db2:3306', false], 'recovery-block'],
    ['automatic, a recovery running', [running, 'db1:3306', false], 'recovery-block'],
    ['automatic, no readable block', [null, 'db1:3306', false], 'recovery-block'],
  ];
  for (const [name, args, expected] of cases) assert.equal(refusalReason(...args), expected, name);
});

test('a running recovery: running and not crashed (its lock held, or too young to tell)', () => {
  const ttl = 40_000;
  const cases: Array<[string, Parameters<typeof runningRecoveryOf>, BlockValue | null]> = [
    ['running, lock held', [running, true, T0, ttl], running],
    ['running, lock not taken yet (just registered)', [running, false, T0, ttl], running],
    ['running, lock held long after the TTL (renewed)', [running, true, T0 + 10 * ttl, ttl], running],
    ['running, lock gone past its TTL: crashed, taken over instead', [running, false, running.startedAtMs + ttl + 1, ttl], null],
    ['resolved', [resolved, true, T0, ttl], null],
    ['no block', [null, true, T0, ttl], null],
  ];
  for (const [name, args, expected] of cases) assert.deepEqual(runningRecoveryOf(...args), expected, name);
});

const recoverCommand = { kind: 'recover' as const, requestedBy: 'ops', clusterId: 'c1', instance: primary, skipProcesses: false, commandHint: '' as const, requestId: 'r-1' };
const notAttempted = (h: Harness): RecoveryEvent | undefined => h.events.find((e) => e.step === 'recover-not-attempted');

test('a forced recover while a recovery of the cluster runs: refused at once with its uid, nothing registered, the block untouched', async () => {
  const h = harness();
  h.state.block = { ...running };
  h.state.cached = deadPrimaryCluster();
  assert.equal(await h.executor.recover(recoverCommand, 'corr-1'), true);
  await h.settle();
  const answer = notAttempted(h);
  assert.ok(answer, h.events.map((e) => e.step).join(' '));
  assert.equal(answer.details['reason'], 'recovery-running');
  assert.equal(answer.details['runningRecoveryUid'], 'running-1');
  assert.equal(answer.details['requestId'], 'r-1');
  assert.match(answer.message, /recovery running-1 of c1 .* is still running/);
  assert.deepEqual(h.log, [], 'no detection, no hook, no registration');
  assert.deepEqual(h.state.block, running);
});

test('the registration refuses a forced recover a running recovery beat to the block: answered, not recorded as blocked', async () => {
  const h = harness();
  h.state.cached = deadPrimaryCluster();
  // the recovery registers between the early check and the registration (or on another executor)
  h.state.runningRecovery = async () => null;
  h.state.block = { ...running };
  await h.executor.recover(recoverCommand, undefined);
  await h.settle();
  assert.deepEqual(h.log, ['detection:db1:3306', 'hook:OnFailureDetectionProcesses', 'register:blocked']);
  const answer = notAttempted(h);
  assert.equal(answer?.details['reason'], 'recovery-running');
  assert.equal(answer?.details['runningRecoveryUid'], 'running-1');
  assert.equal(h.store.of('blocked_recoveries').length, 0, 'an operator request, not a blocked automatic recovery');
  assert.ok(!h.events.some((e) => e.step === 'blocked'));
  assert.deepEqual(h.state.block, running);
});

test('a forced recover over a resolved recovery\'s block replaces it (the implicit acknowledgement) and runs', async () => {
  const h = harness();
  h.state.cached = deadPrimaryCluster();
  h.state.block = { ...resolved };
  await h.executor.recover(recoverCommand, undefined);
  await h.settle();
  assert.ok(h.log.includes('register:forced'), h.log.join(' '));
  assert.equal(notAttempted(h), undefined);
  assert.equal(h.events.find((e) => e.step === 'registered')?.details['replacedBlock'], 'done-1');
  assert.ok(h.log.some((c) => c.startsWith('promote:')), 'the forced recovery ran');
});
