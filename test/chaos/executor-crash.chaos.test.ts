/**
 * An executor dies in the middle of a recovery (issue: a recovery that survives its own
 * executor's death). Baton's services run as processes against a fresh semi-sync 1+3 topology
 * under an application write load (test/support/chaos-scenario.ts), and every scenario passes only
 * with all of its invariants: no split brain in any 25 ms sample, no acknowledged write lost, no
 * recovery left running, one writable primary with every replica under it, one promotion per
 * failure (a takeover may complete the same one).
 *
 *   - the executor SIGKILLs itself at each step boundary in turn (BATON_FAULT_EXIT_AT), the next
 *     executor either already running or started afterwards: the SAME recovery is finished, by a
 *     takeover (attempt 2) that rolls it forward;
 *   - the executor SIGKILLed at a random moment.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { faultPoints, type FaultPoint } from '@baton/recovery-executor';
import { sleep } from '@baton/testing';
import { expectOneSuccessful, journalSteps, killPrimary, runScenario } from '../support/chaos-scenario.ts';

/**
 * The executor that takes the recovery exits at `point`. `successor`: 'running' starts the next
 * executor before the fault, with a warm-up long enough that the analysis goes to the first one
 * (a warming executor acts on nothing, sweeps included); 'after' starts it once the first died.
 */
async function executorDiesAt(t: TestContext, point: FaultPoint, successor: 'running' | 'after'): Promise<void> {
  const ctx = await runScenario(t, {
    name: `executor-${point}`,
    env: { executors: 0 },
    fault: async (c) => {
      const doomed = await c.env.startExecutor({ label: `doomed-${point}`, env: { BATON_FAULT_EXIT_AT: point }, waitWarm: true });
      const next = successor === 'running' ? await c.env.startExecutor({ label: 'successor', env: { BATON__RECOVERY__EXECUTOR_WARMUP_POLLS: '10', BATON__RECOVERY__EXECUTOR_GROUP_ID: `${c.env.infra.namespace}-successor` } }) : null;
      await killPrimary(c);
      const exit = await Promise.race([doomed.exited, sleep(30_000).then(() => null)]);
      assert.ok(exit && exit.signal === 'SIGKILL', `the executor reached fault point ${point} and died (${JSON.stringify(exit)})`);
      if (!next) await c.env.startExecutor({ label: 'successor' });
    },
  });
  const row = await expectOneSuccessful(ctx, { takenOver: true });
  const journal = await journalSteps(ctx, row.uid);
  assert.ok(journal.some((s) => s.startsWith('takeover/')), journal.join(' '));
}

for (const [i, point] of faultPoints.entries()) {
  const successor = i % 2 === 0 ? 'after' : 'running';
  test(`executor SIGKILLed ${point} (next executor ${successor === 'after' ? 'started afterwards' : 'already running'}): the same recovery is finished`, (t) => executorDiesAt(t, point, successor));
}

test('executor SIGKILLed at a random moment of the recovery: finished or recovered once, never twice', async (t) => {
  const delayMs = randomInt(0, 400);
  const ctx = await runScenario(t, {
    name: 'executor-random',
    env: { executors: 0 },
    fault: async (c) => {
      const doomed = await c.env.startExecutor({ label: 'doomed-random', waitWarm: true });
      await killPrimary(c);
      await sleep(delayMs);
      doomed.kill('SIGKILL');
      await doomed.exited;
      await c.env.startExecutor({ label: 'successor' });
    },
  });
  const row = await expectOneSuccessful(ctx);
  t.diagnostic(`killed ${delayMs} ms after the primary; journal of the recovery: ${(await journalSteps(ctx, row.uid)).join(' ')}`);
});

