/**
 * No split brain (issue: fence a primary that is hung or cut off, keep it fenced when it returns,
 * never leave a half-promoted replica writable). Baton's services run as processes against a fresh
 * 1+3 topology under an application write load (test/support/chaos-scenario.ts); every scenario is
 * checked against all of the suite's invariants — no two instances writable in one sample (25 ms),
 * every acked write on the final primary, one promotion per failure — and its own:
 *
 *   - the primary frozen (SIGSTOP) under semi-sync, failed over, then SIGCONTed: a write queued on
 *     a connection opened before the freeze, one on a connection attempted during the freeze and one
 *     on a connection opened after it are all refused or killed, never acknowledged; the keeper's
 *     `demoted-primary-returned` event says when its fence landed. The same with asynchronous
 *     replication, where the write queued before the freeze races the fence: the outcome and the
 *     window are reported (diagnostics), not asserted;
 *   - the primary cut off by iptables in both directions, then healed (semi-sync): no SQL reaches it
 *     while it is cut off, so it answers writable after the heal until the keeper's next attempt
 *     lands; that window, for it alone, is allowed up to cutOffReturnWithinMs and asserted;
 *   - requireFenceBeforePromotion with the fence hook failing (no promotion) and succeeding;
 *   - a candidate whose promotion verification fails for real: read-only, the next one promoted;
 *   - a root client and an application client writing during a force-master-failover;
 *   - two writable roots made by hand, with different promotion epochs: the older one is fenced.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { RecoveryEvent } from '@baton/contracts';
import { createPromotionEpochSchemaSql, createPromotionEpochTableSql, promotionEpochTable, upsertPromotionEpochSql } from '@baton/mysql';
import { startTopology, testDatabase, waitFor, type MariaDbInstance } from '@baton/testing';
import { startChaosEnv } from '../support/chaos-env.ts';
import { chaosServiceEnv, expectOneSuccessful, killPrimary, recoveries, runScenario, stepsOf, type ScenarioContext } from '../support/chaos-scenario.ts';

type Outcome = 'acked' | `error ${string}`;

const outcome = (work: Promise<unknown>): Promise<Outcome> =>
  work.then(
    () => 'acked' as const,
    (e: { code?: string; message?: string }) => `error ${e.code ?? e.message ?? 'unknown'}` as const,
  );

const insertSql = 'INSERT INTO writes (writer, seq) VALUES (?, ?)';

/** An application connection pinned to `instance` (it does not follow the primary). */
async function appConnection(instance: MariaDbInstance, connectTimeoutMs = 2000): Promise<Connection> {
  const conn = await instance.connection({ account: 'app', database: testDatabase, connectTimeoutMs });
  conn.on('error', () => undefined);
  return conn;
}

/** One INSERT on a fresh application connection: its outcome (connect errors count as refused). */
async function freshInsert(instance: MariaDbInstance, writer: string, connectTimeoutMs = 2000): Promise<Outcome> {
  let conn: Connection;
  try {
    conn = await appConnection(instance, connectTimeoutMs);
  } catch (error) {
    return `error connect ${(error as { code?: string }).code ?? ''}`;
  }
  try {
    return await outcome(conn.query({ sql: insertSql, values: [writer, 1], timeout: 30_000 }));
  } finally {
    conn.destroy();
  }
}

const isStep = (c: ScenarioContext, step: string, afterMs: number) => ({
  predicate: (e: RecoveryEvent) => e.clusterId === c.clusterId && e.step === step,
  options: { afterMs, description: `${step} on ${c.clusterId}`, timeoutMs: 60_000 },
});

async function waitStep(c: ScenarioContext, step: string, afterMs: number): Promise<RecoveryEvent> {
  const { predicate, options } = isStep(c, step, afterMs);
  return c.env.waitForEvent(predicate, options);
}

async function readOnlyOf(instance: MariaDbInstance): Promise<number> {
  const [row] = await instance.query<{ ro: number } & RowDataPacket>('SELECT @@GLOBAL.read_only AS ro');
  return Number(row?.ro);
}

interface ReturnReport {
  staleWrite: Outcome;
  newDuringFault: Outcome;
  afterReturn: Outcome;
  /** From the return (SIGCONT, rules removed) to the keeper's fence landing on the server. */
  windowMs: number;
  returned: RecoveryEvent;
}

/**
 * The fault shared by the hung and the cut-off primary: an application connection opened before
 * the fault, a write queued on it during the fault, a connection attempted during the fault, the
 * failover, then the primary's return; reports what each write came to and when the fence landed.
 */
/**
 * How long a primary cut off by iptables may answer writable after the heal: no SQL fence reaches
 * it while it is cut off, and the fence keeper's next attempt (every 50 ms) lands within this
 * (measured 38–81 ms, once 234 ms). A frozen primary gets no such window (the fence line).
 */
const cutOffReturnWithinMs = 500;

async function failOverAndReturn(c: ScenarioContext, fault: { cut(): Promise<void>; heal(): Promise<void>; cutOff?: boolean }): Promise<ReturnReport> {
  const old = c.topology.primary;
  const stale = await appConnection(old);
  const at = Date.now();
  await fault.cut();
  const staleWrite = outcome(stale.query({ sql: insertSql, values: ['stale-before-fault', 1], timeout: 60_000 }));
  const newDuringFault = freshInsert(old, 'new-during-fault', 60_000);
  const resolved = await waitStep(c, 'resolved', at);
  assert.equal(resolved.details['outcome'], 'successful', `the failover succeeded: ${resolved.message}`);
  const returnedAt = Date.now();
  if (fault.cutOff) c.returning = { id: `${old.host}:${old.port}`, fromMs: returnedAt, withinMs: cutOffReturnWithinMs };
  await fault.heal();
  // the event is published when it answers writable; a fence that failed half-way (its connection
  // killed by another fencer) is retried by the keeper until the instance reads read-only
  const returned = await c.env.waitForEvent((e) => e.clusterId === c.clusterId && e.step === 'demoted-primary-returned', {
    afterMs: returnedAt - 1,
    description: 'the returning primary reported',
    timeoutMs: 30_000,
  });
  await waitFor(async () => (await readOnlyOf(old)) === 1, { description: 'the returning primary read-only', timeoutMs: 10_000 });
  const afterReturn = await freshInsert(old, 'new-after-return');
  const report = { staleWrite: await staleWrite, newDuringFault: await newDuringFault, afterReturn, windowMs: Number(returned.details['fencedAtMs']) - returnedAt, returned };
  stale.destroy();
  assert.match(report.newDuringFault, /^error/, 'a connection attempted during the fault could not write');
  assert.match(report.afterReturn, /^error/, 'a connection opened after the return could not write');
  if (fault.cutOff) assert.ok(report.windowMs <= cutOffReturnWithinMs, `the keeper fenced the cut-off primary within ${cutOffReturnWithinMs} ms of the heal: ${report.windowMs} ms`);
  return report;
}

const diagnostics = (t: { diagnostic(m: string): void }, name: string, r: ReturnReport): void => {
  t.diagnostic(
    `${name}: fence landed ${r.windowMs} ms after the return; write queued before the fault: ${r.staleWrite}; connection attempted during it: ${r.newDuringFault}; after: ${r.afterReturn}; killed ${String(r.returned.details['killedConnections'])} connection(s)`,
  );
};

const freeze = (c: ScenarioContext) => ({ cut: () => c.topology.primary.freeze(), heal: async () => c.topology.primary.thaw() });
const isolate = (c: ScenarioContext) => ({ cut: () => c.topology.primary.isolate(), heal: () => c.topology.primary.restore(), cutOff: true });

/**
 * A primary hung or cut off under write load, failed over, then back: the shared fault and its
 * report; `queuedMustFail` when the write queued during the fault may not be acknowledged.
 */
function returnScenario(name: string, label: string, fault: (c: ScenarioContext) => { cut(): Promise<void>; heal(): Promise<void>; cutOff?: boolean }, options: { semiSync?: boolean; queuedMustFail?: string; lossReported?: boolean } = {}) {
  return async (t: TestContext): Promise<void> => {
    let report: ReturnReport | undefined;
    await runScenario(t, {
      name,
      oldPrimaryDemoted: true,
      ...(options.semiSync === false ? { semiSync: false } : {}),
      ...(options.lossReported ? { lossReported: true } : {}),
      fault: async (c) => {
        report = await failOverAndReturn(c, fault(c));
        if (options.queuedMustFail) assert.match(report.staleWrite, /^error/, options.queuedMustFail);
      },
    });
    if (report) diagnostics(t, label, report);
  };
}

test(
  'primary frozen under semi-sync, failed over, then resumed: fenced the moment it runs, no write acknowledged by it',
  returnScenario('frozen-semisync', 'frozen, semi-sync', freeze, { queuedMustFail: 'the commit queued before the freeze waited for an ack and died with its killed connection' }),
);

test(
  'primary frozen under asynchronous replication, failed over, then resumed: fenced at once; an acked write no replica received is in the loss report',
  returnScenario('frozen-async', 'frozen, async (a commit queued on a client connection races the fence)', freeze, { semiSync: false, lossReported: true }),
);

test(
  'primary cut off by iptables in both directions, failed over, then healed: fenced within one keeper interval, no write acknowledged by it',
  returnScenario('isolated', 'cut off (iptables, both directions)', isolate, { queuedMustFail: 'the write sent during the cut was refused or killed' }),
);

const fenceHook = (command: 'true' | 'false'): string => JSON.stringify([{ name: `stonith-${command}`, argv: [command], timeoutMs: 5000 }]);
const requireFence = (hook: 'true' | 'false') => ({ BATON__RECOVERY__REQUIRE_FENCE_BEFORE_PROMOTION: 'true', BATON__RECOVERY__FENCE_PROCESSES: fenceHook(hook) });

test('requireFenceBeforePromotion, primary frozen, fence hook failing: no promotion, the recovery fails with the reason', async (t) => {
  const ctx = await runScenario(t, {
    name: 'requirefence-fail',
    env: { env: requireFence('false') },
    fault: async (c) => {
      const at = Date.now();
      await c.topology.primary.freeze();
      const required = await waitStep(c, 'fence-required', at);
      assert.match(required.message, /not provably dead .*not fenced/);
      const resolved = await waitStep(c, 'resolved', at);
      assert.equal(resolved.details['outcome'], 'failed');
      c.topology.primary.thaw(); // still the primary: its replicas were restarted under it
    },
  });
  assert.ok(!stepsOf(ctx.env, ctx.clusterId).includes('promoted'), 'nothing was promoted');
  const [row] = (await recoveries(ctx)).filter((r) => r.outcome === 'failed');
  assert.ok(row, 'the failed recovery is on record');
  assert.equal(row.successor, null);
});

test('requireFenceBeforePromotion, primary frozen, fence hook succeeding: promoted; the old primary fenced when it resumes', async (t) => {
  const ctx = await runScenario(t, {
    name: 'requirefence-ok',
    env: { env: requireFence('true') },
    oldPrimaryDemoted: true,
    fault: async (c) => {
      const at = Date.now();
      await c.topology.primary.freeze();
      const resolved = await waitStep(c, 'resolved', at);
      assert.equal(resolved.details['outcome'], 'successful', resolved.message);
      const thawAt = Date.now();
      c.topology.primary.thaw();
      await c.env.waitForEvent((e) => e.clusterId === c.clusterId && e.step === 'demoted-primary-returned' && e.status === 'succeeded', { afterMs: thawAt - 1, timeoutMs: 30_000 });
    },
  });
  await expectOneSuccessful(ctx);
});

test('a candidate whose promotion verification fails (a replication connection left): it ends read-only and the next candidate is promoted', async (t) => {
  const ctx = await runScenario(t, {
    name: 'refused-candidate',
    env: { env: { BATON_FAULT_ACTION: 'promote-extra-connection' } },
    fault: async (c) => {
      const at = Date.now();
      await killPrimary(c);
      const resolved = await waitStep(c, 'resolved', at);
      assert.equal(resolved.details['outcome'], 'successful', resolved.message);
      const promoted = c.env.events.map((e) => e.payload).filter((e) => e.clusterId === c.clusterId && e.step === 'promoted');
      assert.equal(promoted.length, 2, `two promotion attempts: ${promoted.map((p) => `${p.status} ${p.message}`).join(' | ')}`);
      const [refused, ok] = promoted as [RecoveryEvent, RecoveryEvent];
      assert.equal(refused.status, 'failed');
      assert.match(refused.message, /not verified .*read-only/);
      assert.equal(ok.status, 'succeeded');
      const refusedId = String(refused.details['candidate']);
      assert.notEqual(String(ok.details['successor']), refusedId);
      const instance = c.topology.instances.find((i) => `${i.host}:${i.port}` === refusedId) as MariaDbInstance;
      assert.equal(await readOnlyOf(instance), 1, 'the refused candidate is read-only');
      assert.deepEqual(resolved.details['lostReplicas'], [refusedId], 'the refused candidate is named lost');
      c.setAside.push(refusedId);
    },
  });
  await expectOneSuccessful(ctx);
});

test('force-master-failover while a root client and an application client write to the primary: after the fence neither can write to it', async (t) => {
  const rootAcked: number[] = [];
  const appAcked: number[] = [];
  await runScenario(t, {
    name: 'force-root',
    oldPrimaryDemoted: true,
    fault: async (c) => {
      const old = c.topology.primary;
      await old.query(`CREATE TABLE IF NOT EXISTS ${testDatabase}.root_writes (id INT PRIMARY KEY) ENGINE=InnoDB`);
      let running = true;
      const loop = async (connect: () => Promise<Connection>, sql: string, acked: number[]): Promise<void> => {
        let conn: Connection | null = null;
        for (let i = 1; running; i++) {
          try {
            conn ??= await connect();
            await conn.query({ sql, values: sql.includes('writes (writer') ? ['pinned-app', i] : [i], timeout: 3000 });
            acked.push(i);
          } catch {
            conn?.destroy();
            conn = null;
          }
          await new Promise((r) => setTimeout(r, 5));
        }
        conn?.destroy();
      };
      const rootLoop = loop(
        async () => {
          const conn = await old.connection({ via: 'socket' });
          conn.on('error', () => undefined);
          return conn;
        },
        `SET STATEMENT max_statement_time = 1 FOR INSERT INTO ${testDatabase}.root_writes VALUES (?)`,
        rootAcked,
      );
      const appLoop = loop(() => appConnection(old), insertSql, appAcked);
      const at = Date.now();
      await c.env.command({ kind: 'recover', requestedBy: 'chaos-test', clusterId: c.clusterId, instance: { host: old.host, port: old.port }, skipProcesses: false, commandHint: 'force-master-failover', requestId: `force-${at}` });
      const resolved = await waitStep(c, 'resolved', at);
      running = false;
      await Promise.all([rootLoop, appLoop]);
      assert.equal(resolved.details['outcome'], 'successful', resolved.message);
      const successor = c.topology.instances.find((i) => `${i.host}:${i.port}` === resolved.details['successor']) as MariaDbInstance;
      // after the fence: a new root session and a new application session cannot write to the old primary
      await assert.rejects(old.query(`SET STATEMENT max_statement_time = 1 FOR INSERT INTO ${testDatabase}.root_writes VALUES (0)`), 'root cannot write');
      assert.match(await freshInsert(old, 'app-after-fence'), /^error/, 'the application cannot write');
      // and whatever either acknowledged before the fence is on the new primary
      await successor.waitForGtid(await old.gtidBinlogPos()).catch(() => undefined);
      const rootRows = new Set((await successor.query<{ id: number } & RowDataPacket>(`SELECT id FROM ${testDatabase}.root_writes`)).map((r) => Number(r.id)));
      const missingRoot = rootAcked.filter((id) => !rootRows.has(id));
      assert.deepEqual(missingRoot, [], `root writes acknowledged by the old primary are on the new one (${rootAcked.length} acked)`);
      const appRows = new Set((await successor.query<{ seq: number } & RowDataPacket>(`SELECT seq FROM ${testDatabase}.writes WHERE writer = 'pinned-app'`)).map((r) => Number(r.seq)));
      assert.deepEqual(appAcked.filter((id) => !appRows.has(id)), [], `pinned application writes acknowledged by the old primary are on the new one (${appAcked.length} acked)`);
      assert.equal((await old.query(`SELECT id FROM ${testDatabase}.root_writes WHERE id = 0`)).length, 0, 'the refused root write never landed');
    },
  });
  t.diagnostic(`acknowledged before the fence: root ${rootAcked.length}, pinned app ${appAcked.length}`);
});

test('two writable roots set up by hand (epochs differ): the analysis names the older one, it is fenced, nothing is promoted', async (t) => {
  const topology = await startTopology({ replicas: 3 });
  t.after(() => topology.stop());
  const env = await startChaosEnv({ label: 'tworoots', env: chaosServiceEnv });
  t.after(() => env.stop(t));
  await env.register(topology, 'tworoots');
  const primary = topology.primary;
  const rogue = topology.replicas[2] as MariaDbInstance;
  const rogueId = `${rogue.host}:${rogue.port}`;
  // the primary holds epoch 5 (replicated to every replica); the rogue is made a writable root
  // by hand and keeps an older epoch of its own (not binlogged)
  await primary.query(createPromotionEpochSchemaSql);
  await primary.query(createPromotionEpochTableSql);
  await primary.query(upsertPromotionEpochSql, ['tworoots', 5, primary.host, primary.port, 'by-hand']);
  await rogue.waitForGtid(await primary.gtidBinlogPos());
  const session = await rogue.connection({ via: 'socket' });
  try {
    await session.query('STOP SLAVE');
    await session.query('RESET SLAVE ALL');
    await session.query('SET SESSION sql_log_bin = 0');
    await session.query(`UPDATE ${promotionEpochTable} SET epoch = 3, primary_host = ?, primary_port = ?, recovery_uid = 'by-hand' WHERE id = 1`, [rogue.host, rogue.port]);
    await session.query('SET GLOBAL read_only = 0');
  } finally {
    session.destroy();
  }
  const at = Date.now();
  const fenced = await env.waitForEvent((e) => e.clusterId === 'tworoots' && e.step === 'stale-primary-fenced' && e.details['instance'] === rogueId, {
    afterMs: at - 1,
    description: 'the older writable root fenced',
    timeoutMs: 30_000,
  });
  t.diagnostic(`two writable roots → the older one fenced within ${Date.now() - at} ms: ${fenced.message}`);
  assert.equal(fenced.status, 'succeeded', fenced.message);
  assert.equal(fenced.details['code'], 'MultipleWritableMasters');
  assert.equal(await readOnlyOf(rogue), 1, 'the older root is read-only');
  assert.equal(await readOnlyOf(primary), 0, 'the newer root, the primary, is still writable');
  await new Promise((r) => setTimeout(r, 2000)); // anything else the analyses could have set off
  const [rows] = await env.backend.query('SELECT uid, successor_host FROM recoveries');
  assert.deepEqual(rows, [], 'no recovery, nothing promoted');
  assert.ok(!env.events.some((e) => e.payload.clusterId === 'tworoots' && e.payload.step === 'promoted'));
});
