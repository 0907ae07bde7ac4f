/**
 * The recovery block changes only by compare-and-swap on its owner's uid (issue: a forced recover
 * or an ack must not take a running recovery's block). Baton's services run as processes against
 * a fresh semi-sync 1+3 topology under an application write load (test/support/chaos-scenario.ts),
 * with the api in this process in front of them, and the scenario passes only with every invariant
 * of the chaos suite.
 *
 *   1. kill -9 of the primary, the recovery held in PreFailoverProcesses (a slow hook) so it surely
 *      runs while the operator acts: a forced `recover` through the api is refused (409, naming the
 *      running recovery), a cluster ack through the api leaves the block (it says so), both sent
 *      the moment the recovery registered and both applied by the executor before it resolved; the
 *      block read from Redis is the running recovery's, byte for byte, before and after; the
 *      recovery completes, once. (The executor's drain counts as reachable only the replicas its
 *      refresh saw within poll interval + analyzer.reasonableInstanceCheckMs, and that refresh runs
 *      before PreFailoverProcesses: with the default 2 s a hook this slow would leave it none to
 *      promote, so this scenario widens the window to 9 s.)
 *   2. kill -9 of the just-promoted primary right after: the analysis of its death is blocked as
 *      `recently-promoted` by that recovery's block, and nothing else is promoted. It is then
 *      restarted writable (no recovery is coming), so the cluster ends with one primary and every
 *      replica under it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApi, type RunningApi } from '@baton/api';
import type { RecoveryEvent } from '@baton/contracts';
import type { MariaDbInstance } from '@baton/testing';
import { waitFor } from '@baton/testing';
import { testLogger } from '@baton/testing/baton-env';
import { expectOneSuccessful, killPrimary, recoveries, runScenario, type ScenarioContext } from '../support/chaos-scenario.ts';

const token = 'chaos-blocks-token-0123456789';

/** PreFailoverProcesses that take `seconds`: the recovery is surely running while the test acts. */
const slowPreFailover = (seconds: number): string => JSON.stringify([{ name: 'slow', argv: ['sleep', String(seconds)], timeoutMs: 10_000 }]);

interface Answer {
  status: number;
  body: { Code?: string; Message?: string; Details?: unknown };
}

/** The api, in this process, on the scenario's topics, Redis keys and backend. */
async function startScenarioApi(c: ScenarioContext): Promise<{ api: RunningApi; call(path: string, post?: boolean): Promise<Answer> }> {
  const config = c.env.infra.config({ BATON__API__TOKEN: token, BATON__API__RECOVER_WAIT_MS: '20000', BATON__API__COMMAND_WAIT_MS: '10000' });
  const api = await startApi(config, testLogger('blocks-api'), { port: 0 });
  const call = async (path: string, post = false): Promise<Answer> => {
    const res = await fetch(`${api.url}/api/${path}`, { method: post ? 'POST' : 'GET', headers: post ? { authorization: `Bearer ${token}`, 'x-baton-user': 'chaos' } : {} });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  };
  await waitFor(async () => ((await call('clusters')).body as unknown as string[]).includes?.(c.clusterId) ?? false, { description: `the api lists ${c.clusterId}`, timeoutMs: 30_000 });
  return { api, call };
}

const rawBlock = (c: ScenarioContext): Promise<string | null> => c.env.infra.redis.get(c.env.infra.keys.recoveryBlock(c.clusterId));

/** `after` is the block `before` (a running recovery's) as that recovery resolved it: nothing else wrote it between. */
function isResolutionOf(after: string | null, before: string): boolean {
  if (after === null) return false;
  const { state: _s, successor: _p, resolvedAtMs: _r, ...running } = JSON.parse(before) as Record<string, unknown>;
  const { state, successor: _q, resolvedAtMs, ...resolved } = JSON.parse(after) as Record<string, unknown>;
  return state === 'resolved' && typeof resolvedAtMs === 'number' && JSON.stringify(resolved) === JSON.stringify(running);
}
const idOf = (i: { host: string; port: number }): string => `${i.host}:${i.port}`;

/** Until the analyzer's cached snapshot has `successor` writable with a replica replicating from it (the detectors see it as the primary). */
async function waitSeenAsPrimary(c: ScenarioContext, successor: MariaDbInstance): Promise<void> {
  await waitFor(
    async () => {
      const snapshot = await c.env.snapshot(c.clusterId);
      const primary = snapshot?.instances.find((i) => i.port === successor.port);
      const under = snapshot?.instances.filter((i) => i.replication?.sourcePort === successor.port && i.replication.ioThread === 'Yes') ?? [];
      return primary?.lastError === null && primary.readOnly === false && under.length > 0;
    },
    { description: `the detectors see ${successor.name} as the primary`, timeoutMs: 30_000, intervalMs: 100 },
  );
}

test('a forced recover and an ack during a recovery change nothing; the successor killed right after is recently-promoted, nothing else promoted', async (t) => {
  let api: RunningApi | undefined;
  t.after(() => api?.stop());
  const seen: { recoveryUid?: string; block?: string; successor?: string; refused?: Answer; acked?: Answer; blocked?: RecoveryEvent; killedAtMs?: number } = {};

  await runScenario(t, {
    name: 'blocks',
    steadyWithinMs: 150_000,
    env: { env: { BATON__RECOVERY__PRE_FAILOVER_PROCESSES: slowPreFailover(5), BATON__ANALYZER__REASONABLE_INSTANCE_CHECK_MS: '8000' } },
    fault: async (c) => {
      const http = await startScenarioApi(c);
      api = http.api;
      const failed = c.topology.primary;
      const at = Date.now();
      await killPrimary(c);

      // 1. the recovery registered: it holds the block and runs (its PreFailover hook holds it 5 s)
      const registered = await c.env.waitForEvent((e) => e.clusterId === c.clusterId && e.step === 'registered', { afterMs: at, description: 'the recovery registered', timeoutMs: 60_000 });
      const uid = registered.recoveryUid;
      seen.recoveryUid = uid;
      const before = await rawBlock(c);
      assert.ok(before, 'the running recovery holds the block');
      assert.deepEqual([JSON.parse(before).uid, JSON.parse(before).state], [uid, 'running']);
      seen.block = before;

      // both at once, while it runs
      [seen.refused, seen.acked] = await Promise.all([
        http.call(`recover/${failed.host}/${failed.port}`, true),
        http.call(`ack-recovery/cluster/${c.clusterId}?comment=${encodeURIComponent('during the recovery')}`, true),
      ]);
      // the executor applied the ack (the api does not wait for a running block): it left the block
      const ackEvent = await c.env.waitForEvent((e) => e.clusterId === c.clusterId && e.step === 'acknowledged', { afterMs: at, description: 'the executor applied the ack', timeoutMs: 20_000 });
      assert.equal(ackEvent.details['blockLeftRunning'], uid, JSON.stringify(ackEvent));
      const afterCommands = await rawBlock(c);
      assert.ok(afterCommands === before || isResolutionOf(afterCommands, before), `the block intact after the forced recover and the ack: ${before} → ${afterCommands}`);

      const resolved = await c.env.waitForEvent((e) => e.recoveryUid === uid && e.step === 'resolved', { afterMs: at, description: 'the recovery resolved', timeoutMs: 60_000 });
      const trail = c.env.events.filter((e) => e.payload.recoveryUid === uid).map((e) => `${e.payload.step}:${e.payload.status} ${e.payload.message}`);
      assert.equal(resolved.status, 'succeeded', `${JSON.stringify(resolved.details)}\n${trail.join('\n')}`);
      const successorId = String(resolved.details['successor']);
      seen.successor = successorId;
      const after = await rawBlock(c);
      assert.ok(isResolutionOf(after, before), `the running recovery's own block, resolved: ${before} → ${after}`);
      assert.equal(JSON.parse(after ?? 'null')?.successor, successorId, 'with its successor');

      // 2. the successor dies right after, within the block period
      const successor = c.topology.instances.find((i) => idOf(i) === successorId) as MariaDbInstance;
      assert.ok(successor, `successor ${successorId} is an instance of the topology`);
      await waitSeenAsPrimary(c, successor);
      seen.killedAtMs = Date.now();
      await successor.kill();
      seen.blocked = await c.env.waitForEvent((e) => e.clusterId === c.clusterId && e.step === 'blocked' && e.details['failed'] === successorId && e.details['reason'] === 'recently-promoted', {
        afterMs: seen.killedAtMs,
        description: `the death of ${successorId} blocked as recently-promoted`,
        timeoutMs: 60_000,
      });
      // nothing registered since (the block's holder is still the first recovery)
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const since = c.env.events.filter((e) => e.receivedAtMs >= (seen.killedAtMs as number) && e.payload.clusterId === c.clusterId).map((e) => e.payload.step);
      assert.ok(!since.includes('registered') && !since.includes('promoted'), `nothing registered or promoted after the successor died: ${since.join(' ')}`);
      assert.equal(JSON.parse((await rawBlock(c)) ?? 'null')?.uid, uid, 'the block still the first recovery\'s');
      // no recovery is coming: bring the successor back as the primary it was
      await successor.restart({ readOnly: false });
    },
    verify: async (ctx) => {
      const { refused, acked, blocked } = seen;
      const uid = seen.recoveryUid as string;
      assert.equal(refused?.status, 409, JSON.stringify(refused));
      assert.equal(refused?.body.Message, 'Recovery not attempted');
      assert.deepEqual([(refused?.body.Details as { Reason?: string }).Reason, (refused?.body.Details as { RunningRecoveryUID?: string }).RunningRecoveryUID], ['recovery-running', uid]);
      assert.equal(acked?.status, 200, JSON.stringify(acked));
      assert.match(acked?.body.Message ?? '', new RegExp(`recovery block of ${ctx.clusterId} kept: recovery ${uid} is still running`));
      const notAttempted = ctx.env.events.find((e) => e.payload.step === 'recover-not-attempted')?.payload;
      assert.deepEqual([notAttempted?.details['reason'], notAttempted?.details['runningRecoveryUid']], ['recovery-running', uid]);
      // applied by the executor while the recovery ran: before it resolved (the block was intact until then)
      const receivedAt = (step: string, uidOf = ''): number => ctx.env.events.find((e) => e.payload.step === step && e.payload.recoveryUid === uidOf && e.payload.clusterId === ctx.clusterId)?.receivedAtMs ?? Number.POSITIVE_INFINITY;
      const resolvedAt = receivedAt('resolved', uid);
      assert.ok(receivedAt('recover-not-attempted') < resolvedAt && receivedAt('acknowledged') < resolvedAt, 'the forced recover and the ack were applied while the recovery ran');

      const row = await expectOneSuccessful(ctx);
      assert.equal(row.uid, uid);
      assert.equal(row.successor, seen.successor);
      assert.equal((await recoveries(ctx)).length, 1, 'no other recovery: neither the forced one nor one of the successor');
      assert.equal(blocked?.details['blockingUid'], uid);
      const [rows] = await ctx.env.backend.query('SELECT CONCAT(host, \':\', port) AS instance, reason, blocking_recovery_uid AS uid FROM blocked_recoveries WHERE reason = ?', ['recently-promoted']);
      assert.deepEqual((rows as Array<{ instance: string; uid: string }>).map((r) => [r.instance, r.uid]), [[seen.successor, uid]]);
      t.diagnostic(`recovery ${uid}: ${seen.successor} promoted; forced recover refused, ack kept the block; the successor's death blocked (${String(blocked?.message)})`);
    },
  });
});
