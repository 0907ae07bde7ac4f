/**
 * One chaos scenario from start to verdict: a fresh semi-sync 1+3 MariaDB topology registered
 * with Baton's services running as processes (chaos-env.ts), the invariant sampler watching every
 * instance on connections of its own from before the fault until the cluster has been steady for
 * a while, and an application writer (the plain app account) following the primary throughout.
 * The fault is the scenario's own function. The verdict is every invariant of
 * @baton/testing/chaos at once; a violation fails the test with the report (scenario, fault time,
 * the samples around it) and keeps the services' logs.
 *
 *   1. no two instances answer writable in the same sample (split brain);
 *   2. every acknowledged write is on the final primary;
 *   3. no recovery row left running; exactly one writable primary, every surviving replica
 *      replicating from it;
 *   4. one promotion per failure, unless a later one completes it onto the same successor
 *      (read from the audit steps AND from the journal's `promote done` entries, so a promotion
 *      whose audit row died with its executor still counts).
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import {
  chaosInstances,
  checkAckedWrites,
  checkFinalTopology,
  checkReportedLoss,
  checkPromotions,
  checkRecoveryRows,
  checkSplitBrain,
  formatReport,
  readFinalTopology,
  readPresentSeqs,
  startAppWriter,
  startInvariantSampler,
  type FinalTopology,
  type PromotionStep,
  type ReportedLoss,
  type Violation,
  type ReturnWindow,
} from '@baton/testing/chaos';
import { startTopology, waitFor, type Topology, type TopologySpec } from '@baton/testing';
import { startChaosEnv, type ChaosEnv, type ChaosEnvOptions } from './chaos-env.ts';

export interface ScenarioContext {
  env: ChaosEnv;
  topology: Topology;
  clusterId: string;
  /** Set by the runner just before `fault` runs. */
  faultAtMs: number;
  /**
   * Instances the fault leaves aside on purpose (a demoted old primary, a candidate left read-only
   * after a failed promotion): at the end each may be read-only in any replication state, never writable.
   */
  setAside: string[];
  /**
   * A primary cut off by the network that the fault brought back: writable until the fence keeper
   * reaches it, a window the split-brain check allows for it alone (ReturnWindow in invariants.ts).
   */
  returning?: ReturnWindow;
}

export interface ScenarioOptions {
  name: string;
  /** chaos-env options (label defaults to the name's first word). */
  env?: Partial<ChaosEnvOptions>;
  /** The fault, and whatever the scenario needs to do until the recovery can finish (start a second executor, restart Redis, …). */
  fault(ctx: ScenarioContext): Promise<void>;
  /** Extra checks once the cluster is steady (the scenario's own expectations). */
  verify?(ctx: ScenarioContext, final: FinalTopology): Promise<void>;
  /** How long the cluster may take to become steady after the fault (default 90 s). */
  steadyWithinMs?: number;
  /** The topology's replication (default semi-sync, 10 s ack timeout). */
  semiSync?: boolean | { timeoutMs: number };
  /**
   * The old primary ends as a demoted primary Baton keeps fenced (a read-only root, never writable)
   * rather than gone or rejoined: a scenario that brings a hung or cut-off primary back.
   */
  oldPrimaryDemoted?: boolean;
  /**
   * Acknowledged writes may be missing on the final primary where the failover's loss report
   * accounts for them (asynchronous replication): the report must count them exactly, from a
   * member read for real that holds them (checkReportedLoss). Otherwise any missing write fails.
   */
  lossReported?: boolean;
  /** Topology options over the default semi-sync 1+3 (e.g. file/position replication). */
  topology?: Partial<TopologySpec>;
  /** The final topology may be a tree (replicas under replicas that reach the primary): a dead intermediate's replicas relocated under a sibling. */
  chained?: boolean;
}

/** Takeovers in the chaos suite: a dead executor's recovery is continued after 2 s without renewal. */
export const chaosServiceEnv: Record<string, string> = {
  BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '["*"]',
  BATON__RECOVERY__RECOVERY_TAKEOVER_AFTER_MS: '2000',
  BATON__RECOVERY__RECOVERY_PERIOD_BLOCK_SECONDS: '600',
  BATON__RECOVERY__LOST_REPLICAS_DOWNTIME_SECONDS: '0',
};

const steadyForMs = 2000;

export async function runScenario(t: TestContext, options: ScenarioOptions): Promise<ScenarioContext> {
  const label = options.name.split(/\W+/)[0] ?? 'chaos';
  const topology = await startTopology({ replicas: 3, semiSync: options.semiSync ?? true, ...options.topology });
  t.after(() => topology.stop());
  const env = await startChaosEnv({ label, ...options.env, env: { ...chaosServiceEnv, ...options.env?.env } });
  t.after(() => env.stop(t));
  const clusterId = label;
  await env.register(topology, clusterId);

  const instances = chaosInstances(topology.instances);
  const oldPrimary = `${topology.primary.host}:${topology.primary.port}`;
  const admin = topology.credentials.admin;
  const sampler = startInvariantSampler({ instances, user: admin.user, password: admin.password, intervalMs: 25 });
  const app = topology.credentials.app;
  const writer = await startAppWriter({ instances, user: app.user, password: app.password });
  const ctx: ScenarioContext = { env, topology, clusterId, faultAtMs: 0, setAside: options.oldPrimaryDemoted ? [oldPrimary] : [] };
  const demoted = { get demoted(): string[] { return ctx.setAside; }, chained: options.chained === true };
  const violations: Violation[] = [];
  let final: FinalTopology | undefined;
  let faultError: unknown;
  try {
    await waitFor(() => writer.ackedCount >= 50, { description: 'the writer acknowledged writes before the fault', timeoutMs: 20_000 });
    ctx.faultAtMs = Date.now();
    await options.fault(ctx).catch((error: unknown) => {
      faultError = error;
      throw error;
    });
    // steady: the final topology passes and nothing is running, for steadyForMs in a row
    let steadySince = 0;
    await waitFor(
      async () => {
        const f = await readFinalTopology(instances, admin);
        const running = await runningRecoveries(env);
        const ok = checkFinalTopology(f, undefined, demoted).length === 0 && running === 0;
        if (!ok) steadySince = 0;
        else steadySince ||= Date.now();
        final = f;
        return ok && Date.now() - steadySince >= steadyForMs;
      },
      { description: `${options.name}: the cluster steady (one writable primary, every replica under it, no recovery running)`, timeoutMs: options.steadyWithinMs ?? 90_000, intervalMs: 250 },
    ).catch((error: unknown) => violations.push({ invariant: 'final-topology', message: (error as Error).message, details: final }));
  } finally {
    const written = await writer.stop();
    const samples = await sampler.stop();
    violations.push(...checkSplitBrain(samples, ctx.returning ? { returning: ctx.returning } : {}));
    final = await readFinalTopology(instances, admin);
    violations.push(...checkFinalTopology(final, undefined, demoted));
    const primary = final.instances.find((i) => i.answered && i.writable === true && i.replicatingFrom === null);
    if (primary) {
      const target = instances.find((i) => i.id === primary.id);
      const present = await readPresentSeqs(target as (typeof instances)[number], admin, written.writer);
      const lost = options.lossReported ? await reportedLoss(env, instances, admin, written, present) : checkAckedWrites(written.acked, present);
      if (lost) violations.push(lost);
    } else {
      violations.push({ invariant: 'lost-write', message: 'no final primary to check the acknowledged writes against' });
    }
    const [rows] = await env.backend.query('SELECT uid, outcome, ended_at FROM recoveries');
    violations.push(...checkRecoveryRows(rows as Array<{ uid: string; outcome: string | null; ended_at: Date | null }>));
    violations.push(...checkPromotions(await promotionSteps(env)));
    if (violations.length > 0) {
      const also = faultError === undefined ? '' : `\n  and the scenario's own steps failed: ${(faultError as Error).message ?? String(faultError)}`;
      assert.fail(formatReport({ scenario: options.name, faultAtMs: ctx.faultAtMs, violations, samples }) + also);
    }
    assert.ok(written.acked.length > 0, 'the writer acknowledged writes');
  }
  if (options.verify && final) await options.verify(ctx, final);
  return ctx;
}

/**
 * lossReported: the writes missing on the final primary against the successful recovery's loss
 * report, once it counts them (the loss watcher reads a returning member within a second or so),
 * and the writer's rows on every member the report names.
 */
async function reportedLoss(
  env: ChaosEnv,
  instances: ReturnType<typeof chaosInstances>,
  admin: { user: string; password: string },
  written: { writer: string; acked: readonly number[] },
  present: ReadonlySet<number>,
): Promise<Violation | null> {
  const missing = written.acked.filter((seq) => !present.has(seq));
  if (missing.length === 0) return null;
  let report: ReportedLoss | null = null;
  await waitFor(
    async () => {
      report = await lossReport(env);
      const exact = report?.entries.filter((e) => e.source !== 'last-seen') ?? [];
      return exact.reduce((n, e) => n + (e.count ?? 0), 0) >= missing.length;
    },
    { description: 'the loss report counting the missing writes', timeoutMs: 20_000, intervalMs: 250 },
  ).catch(() => undefined);
  const holders = new Map<string, ReadonlySet<number>>();
  for (const e of (report as ReportedLoss | null)?.entries ?? []) {
    const member = instances.find((i) => i.id === e.member);
    if (member) holders.set(e.member, await readPresentSeqs(member, admin, written.writer).catch(() => new Set<number>()));
  }
  return checkReportedLoss(missing, report, holders);
}

/** The loss report of the successful recovery (the last one), or null. */
export async function lossReport(env: ChaosEnv): Promise<(ReportedLoss & { base: string }) | null> {
  const [rows] = await env.backend.query("SELECT loss_report FROM recoveries WHERE outcome = 'successful' ORDER BY id DESC LIMIT 1");
  const text = (rows as Array<{ loss_report: string | null }>)[0]?.loss_report;
  return text ? (JSON.parse(text) as ReportedLoss & { base: string }) : null;
}

async function runningRecoveries(env: ChaosEnv): Promise<number> {
  const [rows] = await env.backend.query('SELECT COUNT(*) AS n FROM recoveries WHERE outcome IS NULL');
  return Number((rows as Array<{ n: number }>)[0]?.n ?? 0);
}

/** Every promotion on record: the audit's `promoted` steps and the journal's `promote done` entries. */
export async function promotionSteps(env: ChaosEnv): Promise<PromotionStep[]> {
  const [steps] = await env.backend.query(
    `SELECT s.recovery_uid AS recoveryUid, CONCAT(r.failed_host, ':', r.failed_port) AS failed, s.step, s.ok, s.details
     FROM recovery_steps s JOIN recoveries r ON r.uid = s.recovery_uid WHERE s.step = 'promoted' ORDER BY s.ts, s.seq`,
  );
  const [journal] = await env.backend.query(
    `SELECT j.recovery_uid AS recoveryUid, CONCAT(r.failed_host, ':', r.failed_port) AS failed, j.data
     FROM recovery_journal j JOIN recoveries r ON r.uid = j.recovery_uid WHERE j.step = 'promote' AND j.state = 'done' ORDER BY j.id`,
  );
  const fromJournal = (journal as Array<{ recoveryUid: string; failed: string; data: unknown }>).map((j): PromotionStep => {
    const data = (typeof j.data === 'string' ? JSON.parse(j.data) : j.data) as { candidate: { host: string; port: number } };
    return { recoveryUid: j.recoveryUid, failed: j.failed, step: 'promoted', ok: true, details: { successor: `${data.candidate.host}:${data.candidate.port}` } };
  });
  return [...(steps as PromotionStep[]), ...fromJournal];
}

/** The recovery events of one executor's trail for `clusterId`, by step name. */
export function stepsOf(env: ChaosEnv, clusterId: string): string[] {
  return env.events.filter((e) => e.payload.clusterId === clusterId && e.payload.recoveryUid !== '').map((e) => e.payload.step);
}


// What scenarios assert on afterwards: the recoveries rows and their journal.

export interface RecoveryRowView {
  uid: string;
  outcome: string | null;
  attempt: number;
  epoch: number | null;
  successor: string | null;
}

export async function recoveries(ctx: ScenarioContext): Promise<RecoveryRowView[]> {
  const [rows] = await ctx.env.backend.query(
    `SELECT uid, outcome, attempt, epoch, IF(successor_host IS NULL, NULL, CONCAT(successor_host, ':', successor_port)) AS successor FROM recoveries ORDER BY id`,
  );
  return (rows as RecoveryRowView[]).map((r) => ({ ...r, attempt: Number(r.attempt), epoch: r.epoch === null ? null : Number(r.epoch) }));
}

export async function journalSteps(ctx: ScenarioContext, uid: string): Promise<string[]> {
  const [rows] = await ctx.env.backend.query('SELECT step, state, epoch FROM recovery_journal WHERE recovery_uid = ? ORDER BY id', [uid]);
  return (rows as Array<{ step: string; state: string; epoch: number }>).map((r) => `${r.step}/${r.state}@${r.epoch}`);
}

/** The successful recoveries: exactly one, finished by a takeover when `takenOver`. */
export async function expectOneSuccessful(ctx: ScenarioContext, options: { takenOver?: boolean } = {}): Promise<RecoveryRowView> {
  const all = await recoveries(ctx);
  const successful = all.filter((r) => r.outcome === 'successful');
  assert.equal(successful.length, 1, `one successful recovery: ${JSON.stringify(all)}`);
  const row = successful[0] as RecoveryRowView;
  if (options.takenOver) {
    assert.ok(row.attempt >= 2, `the crashed recovery itself was finished by a takeover: ${JSON.stringify(row)} journal ${(await journalSteps(ctx, row.uid)).join(' ')}`);
  }
  return row;
}

export const killPrimary = async (ctx: ScenarioContext): Promise<void> => {
  await ctx.topology.primary.kill();
};

