/**
 * The baseline and the infrastructure under a recovery (issue: crash-safe recovery). Baton's
 * services run as processes against a fresh semi-sync 1+3 topology under an application write
 * load (test/support/chaos-scenario.ts), every scenario checked against all of its invariants.
 *
 *   - kill -9 of the primary (the baseline);
 *   - Redis restarted, data gone, in the middle of a recovery;
 *   - the Kafka broker restarted in the middle of a recovery, a hook request in flight;
 *   - two executors (separate processes, separate consumer groups) given the same analysis.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectOneSuccessful, killPrimary, recoveries, runScenario, type ScenarioContext } from '../support/chaos-scenario.ts';

test('kill -9 of the primary under write load: one promotion, nothing acked lost', async (t) => {
  const ctx = await runScenario(t, { name: 'baseline', fault: killPrimary });
  await expectOneSuccessful(ctx);
});

/** A PreFailover hook that takes `seconds`, so the recovery is surely in flight when the fault lands. */
const slowPreFailover = (seconds: number): string => JSON.stringify([{ name: 'slow', argv: ['sleep', String(seconds)], timeoutMs: 10_000 }]);

/** The fault: kill -9 of the primary, then `restart` once the recovery has claimed its epoch. */
const restartOnceClaimed =
  (restart: (c: ScenarioContext) => Promise<void>) =>
  async (c: ScenarioContext): Promise<void> => {
    const at = Date.now();
    await killPrimary(c);
    await c.env.waitForEvent((e) => e.clusterId === c.clusterId && e.step === 'claimed', { afterMs: at, description: 'the recovery claimed', timeoutMs: 30_000 });
    await restart(c);
  };

test('Redis restarted (data gone) in the middle of a recovery: no second promotion, the epoch keeps increasing', async (t) => {
  const ctx = await runScenario(t, {
    name: 'redis-restart',
    env: { redis: 'private', env: { BATON__RECOVERY__PRE_FAILOVER_PROCESSES: slowPreFailover(1.5) } },
    fault: restartOnceClaimed((c) => (c.env.redis as NonNullable<typeof c.env.redis>).restart()),
  });
  const row = await expectOneSuccessful(ctx);
  const [epochs] = await ctx.env.backend.query('SELECT epoch FROM recovery_journal ORDER BY id');
  const seq = (epochs as Array<{ epoch: number }>).map((e) => Number(e.epoch));
  assert.deepEqual(seq, [...seq].sort((a, b) => a - b), `the epoch only grows: ${seq.join(',')}`);
  assert.equal(row.epoch, Math.max(...seq), 'the successful recovery holds the newest epoch');
});

test('Kafka broker restarted in the middle of a recovery, a hook request in flight: completed or failed with a reason and retried, one promotion', async (t) => {
  const ctx = await runScenario(t, {
    name: 'kafka-restart',
    steadyWithinMs: 150_000,
    env: {
      kafka: 'private',
      env: {
        BATON__RECOVERY__PRE_FAILOVER_PROCESSES: slowPreFailover(1),
        // a recovery that fails blocks the cluster for this long only: then the next analysis retries
        BATON__RECOVERY__RECOVERY_PERIOD_BLOCK_SECONDS: '5',
      },
    },
    fault: restartOnceClaimed((c) => (c.env.kafka as NonNullable<typeof c.env.kafka>).restart()),
  });
  const all = await recoveries(ctx);
  const failed = all.filter((r) => r.outcome === 'failed');
  for (const f of failed) assert.equal(f.successor, null, `a failed recovery promoted nobody: ${JSON.stringify(f)}`);
  await expectOneSuccessful(ctx);
  t.diagnostic(`recoveries: ${JSON.stringify(all)}`);
});

test('two executors (separate processes and consumer groups) get the same analysis: one promotion', async (t) => {
  const ctx = await runScenario(t, {
    name: 'twins',
    env: { executors: 1 },
    fault: async (c) => {
      await c.env.startExecutor({ label: 'twin', env: { BATON__RECOVERY__EXECUTOR_GROUP_ID: `${c.env.infra.namespace}-twin` }, waitWarm: true });
      await killPrimary(c);
    },
  });
  await expectOneSuccessful(ctx);
});
