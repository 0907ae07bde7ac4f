/**
 * Steps 7–12 of the protocol for one registered dead-primary recovery, always in this order
 * (conventions §5), each step an audited recovery event and step row:
 *
 *   7  claim the cluster's lease (fencing token, renewed at half its TTL; lost ⇒ abort before the
 *      next step) → refresh: probe every instance of the cluster ourselves → re-run analyze() and
 *      stop, releasing the block, when the failure is gone
 *   8  PreFailoverProcesses: a failure (or no answer) aborts with no topology change (W8: resolved
 *      as failed, PostUnsuccessfulFailoverProcesses run)
 *   9  fence the old primary (started now, waited for before the promotion, short timeout), then
 *      the fence hook (fenceProcesses) when configured, told whether the SQL fence took; both best
 *      effort ·
 *      stop and drain every reachable replica in parallel · planPromotion with every override
 *      check · a plan that fails restarts replication on the drained replicas: nothing moved (W4)
 *      · catch-up from the most advanced replica when planned · SQL-thread wait when planned
 *  10 promote; success only once promote() verified read_only=0 and no replication (W5) · move
 *      the planned replicas under it in parallel
 *  11 lost replicas named, detached, downtimed; failed primary downtimed; successor's downtime ended
 *  12 resolve the recovery row and the block (successor kept: a death of the successor within the
 *      block period is `recently-promoted`), then PostMasterFailover + PostFailover, or
 *      PostUnsuccessfulFailover; release the lease
 *
 * Between steps: the recovery deadline, the lease, and — until the topology is touched — SIGTERM.
 */
import { instanceId, type AnalysisEntry, type ClusterSnapshot, type HookKind, type InstanceKey, type InstanceObservation } from '@baton/contracts';
import { analyze, isReplicaReachable, planPromotion, type PromotionPlanOk } from '@baton/domain';
import type { Logger } from '@baton/logging';
import type { FenceResult } from '@baton/mysql';
import type { Lease } from '@baton/state';
import type { RecoveryTrail } from './audit.ts';
import { summarizeHookOutcome } from './hooks-client.ts';
import type { BlockValue, HookClient, HookOutcome, RecoveryOutcome, RecoveryState, RecoveryStore, TopologyAccess, TopologySession } from './ports.ts';
import { fenceHookDeadlineReserveMs, type ExecutorSettings } from './settings.ts';
import { drainedObservation, failedDrainObservation, lagByInstance, recheck, replicasOf, semiSyncFor } from './steps/decisions.ts';
import { fenceHookError, fencedStepMessage, fencedStepStatus, fencingResultText, isFenced, type FencingRecord } from './steps/fencing.ts';
import { hookValues } from './steps/hook-values.ts';
import { handleAftermath, moveReplicas, type LostEntry } from './steps/relocate.ts';

export interface RecoveryDeps {
  settings: ExecutorSettings;
  state: RecoveryState;
  store: RecoveryStore;
  hooks: HookClient;
  topology: TopologyAccess;
  logger: Logger;
  hostname: string;
  clock: () => Date;
  /** SIGTERM arrived: a recovery that has not touched the topology stops. */
  stopping: () => boolean;
}

export interface RecoveryRequest {
  clusterId: string;
  clusterAlias: string;
  entry: AnalysisEntry;
  correlationId: string | undefined;
  forced: boolean;
  skipProcesses: boolean;
  commandHint: string;
  requestedCandidate: InstanceKey | null;
  autoMasterRecovery: boolean;
  /** Every instance to refresh. */
  instances: readonly InstanceKey[];
  /** What was last known of them (the analyzer's cached snapshot). */
  previous: ReadonlyMap<string, InstanceObservation>;
  block: BlockValue;
}

export interface RecoveryResult {
  clusterId: string;
  uid: string;
  outcome: RecoveryOutcome;
  successor: InstanceKey | null;
  lost: string[];
  errors: string[];
  /** As the recovery row's fencing result: the SQL fence's reason, then the fence hook's status when it ran. */
  fencing: string | null;
}

/** Ends the run early: `release` gives the block back (nothing was attempted). */
class Stop extends Error {
  constructor(
    message: string,
    readonly outcome: RecoveryOutcome,
    readonly release: boolean,
  ) {
    super(message);
  }
}

export function runRecovery(deps: RecoveryDeps, request: RecoveryRequest, trail: RecoveryTrail): Promise<RecoveryResult> {
  return new RecoveryRun(deps, request, trail).run();
}

class RecoveryRun {
  readonly #d: RecoveryDeps;
  readonly #r: RecoveryRequest;
  readonly #t: RecoveryTrail;
  readonly #failed: InstanceKey;
  readonly #deadlineMs: number;
  readonly #errors: string[] = [];
  #lease: Lease | null = null;
  #session: TopologySession | null = null;
  #attempted = false;
  #touched = false;
  #successor: { key: InstanceKey; position: string | null } | null = null;
  #lost: LostEntry[] = [];
  #fencing: FencingRecord | null = null;
  /** Fencing started and not yet recorded: a run that stops before the promotion still records it. */
  #fencingInFlight: Promise<FencingRecord> | null = null;
  #drained: InstanceKey[] = [];

  constructor(deps: RecoveryDeps, request: RecoveryRequest, trail: RecoveryTrail) {
    this.#d = deps;
    this.#r = request;
    this.#t = trail;
    this.#failed = request.entry.instance;
    this.#deadlineMs = deps.clock().getTime() + deps.settings.recoveryDeadlineMs;
  }

  async run(): Promise<RecoveryResult> {
    let outcome: RecoveryOutcome = 'failed';
    let release = false;
    let stopRenewing: () => void = () => undefined;
    try {
      this.#lease = await this.#d.state.acquireLease(this.#r.clusterId);
      if (!this.#lease) throw new Stop('another recovery holds the cluster lock', 'not-attempted', true);
      stopRenewing = this.#lease.autoRenew();
      this.#t.step('claimed', 'succeeded', 'cluster lock acquired', { token: this.#lease.token, ttlMs: this.#lease.ttlMs });
      const snapshot = await this.#refresh();
      this.#checkpoint();
      await this.#preFailover();
      this.#checkpoint();
      await this.#regroupAndPromote(snapshot);
      outcome = 'successful';
    } catch (error) {
      await this.#settleFencing();
      const stop = error instanceof Stop ? error : null;
      outcome = stop?.outcome ?? 'failed';
      // an unexpected error before anything was attempted (Redis, a refresh that throws) gives the block back
      release = stop?.release ?? !this.#attempted;
      this.#errors.push(error instanceof Error ? error.message : String(error));
      if (!stop) this.#d.logger.error({ clusterId: this.#r.clusterId, recoveryUid: this.#t.uid, err: error }, 'recovery failed');
      const step = outcome === 'not-needed' ? 'problem-gone' : outcome === 'not-attempted' ? 'not-attempted' : 'aborted';
      this.#t.step(step, outcome === 'failed' ? 'failed' : 'skipped', this.#errors.at(-1) ?? '', { outcome });
    }
    if (outcome === 'failed' && !this.#successor && this.#drained.length > 0) await this.#restartReplication();
    await this.#resolve(outcome, release);
    if (this.#attempted && !this.#r.skipProcesses) await this.#postHooks(outcome === 'successful');
    stopRenewing();
    const released = await this.#lease?.release().catch(() => false);
    await this.#session?.close();
    if (this.#lease) this.#t.step('released', 'info', 'cluster lock released', { released: released ?? false });
    return {
      clusterId: this.#r.clusterId,
      uid: this.#t.uid,
      outcome,
      successor: this.#successor?.key ?? null,
      lost: this.#lost.map((l) => instanceId(l.replica)),
      errors: [...this.#errors],
      fencing: fencingResultText(this.#fencing),
    };
  }

  /** Between steps: the deadline, the lease, and SIGTERM until the topology is touched. */
  #checkpoint(): void {
    if (this.#lease?.lost.aborted) throw new Stop(`cluster lock lost (${String(this.#lease.lost.reason)})`, 'failed', !this.#touched && !this.#attempted);
    if (this.#d.clock().getTime() > this.#deadlineMs) throw new Stop(`recovery deadline of ${this.#d.settings.recoveryDeadlineMs} ms passed`, 'failed', false);
    if (!this.#touched && this.#d.stopping()) throw new Stop('executor stopping before the topology was touched', this.#attempted ? 'failed' : 'not-attempted', true);
  }

  async #refresh(): Promise<ClusterSnapshot> {
    const { clusterId, clusterAlias } = this.#r;
    this.#session = this.#d.topology.open(clusterId);
    const snapshot = await this.#session.refresh({ clusterId, clusterAlias, instances: this.#r.instances, previous: this.#r.previous });
    const answered = snapshot.instances.filter((i) => i.lastError === null).map(instanceId);
    this.#t.step('refreshed', 'succeeded', `${answered.length} of ${snapshot.instances.length} instances answered`, {
      answered,
      unreachable: snapshot.instances.filter((i) => i.lastError !== null).map((i) => ({ instance: instanceId(i), error: i.lastError })),
    });
    const entries = analyze(snapshot, this.#d.clock(), this.#d.settings.analysisPolicy);
    const check = recheck(entries, this.#failed);
    if (!check.stillFailed) throw new Stop(check.reason, 'not-needed', true);
    this.#t.step('re-checked', 'succeeded', `${check.entry.code} confirmed by the executor's own probes`, { code: check.entry.code });
    return snapshot;
  }

  async #preFailover(): Promise<void> {
    this.#attempted = true;
    if (this.#r.skipProcesses) return;
    const outcome = await this.#hook('PreFailoverProcesses', 'pre-failover-hooks');
    if (outcome === 'failed') throw new Stop('PreFailoverProcesses failed: no topology change made', 'failed', false);
  }

  async #regroupAndPromote(snapshot: ClusterSnapshot): Promise<void> {
    const d = this.#d;
    const session = this.#session as TopologySession;
    const failedObs = snapshot.instances.find((i) => i.host === this.#failed.host && i.port === this.#failed.port);
    if (!failedObs) throw new Error(`${instanceId(this.#failed)} is not in the refreshed snapshot`);
    const replicas = replicasOf(snapshot.instances, this.#failed);
    const nowMs = d.clock().getTime();
    const reachability = { nowMs, windowMs: d.settings.reachabilityWindowMs };
    const reachable = replicas.filter((r) => isReplicaReachable(r, reachability));

    this.#touched = true;
    const fencing = this.#startFencing(session);
    const drains = await session.drain(reachable, d.settings.bulkWaitTimeoutMs);
    const drainedAt = d.clock();
    this.#drained = reachable.filter((_, i) => drains[i]?.ok);
    this.#t.step('replicas-stopped', drains.every((x) => x.ok) ? 'succeeded' : 'failed', `${this.#drained.length} of ${replicas.length} replicas stopped and drained`, {
      replicas: drains.map((x) => (x.ok ? { instance: x.instance, drained: x.result.drained, wait: x.result.waitOutcome, position: x.result.position } : { instance: x.instance, error: x.error })),
      unreachable: replicas.filter((r) => !reachable.includes(r)).map(instanceId),
    });
    const updated = replicas.map((r) => {
      const result = drains.find((x) => x.instance === instanceId(r));
      if (!result) return r;
      return result.ok ? drainedObservation(r, result.result, drainedAt) : failedDrainObservation(r, result.error, drainedAt);
    });
    const plan = planPromotion({
      failed: failedObs,
      replicas: updated,
      policy: d.settings.promotionPolicy,
      reachability: { nowMs: drainedAt.getTime(), windowMs: d.settings.reachabilityWindowMs },
      lagSeconds: lagByInstance(replicas),
      ...(this.#r.requestedCandidate ? { requestedCandidate: this.#r.requestedCandidate } : {}),
    });
    if (!plan.ok) {
      this.#t.step('candidate', 'failed', plan.reason, { ranking: plan.details.ranking, unranked: plan.details.unranked, lacking: plan.details.lacking, warnings: plan.details.warnings });
      await this.#awaitFence(fencing);
      throw new Stop(`no promotion: ${plan.reason}`, 'failed', false);
    }
    this.#t.step('candidate-chosen', 'succeeded', `${instanceId(plan.candidate)} chosen`, {
      candidate: instanceId(plan.candidate),
      catchUpFrom: plan.catchUpFrom ?? null,
      moves: plan.moves.map(instanceId),
      lost: plan.lost,
      waitForSqlThread: plan.waitForSqlThread,
      expectedPosition: plan.expectedPosition,
      warnings: plan.warnings,
    });
    this.#lost = plan.lost.map((l) => ({ replica: l.replica, kind: l.kind, reason: l.reason }));
    this.#checkpoint();
    await this.#prepareCandidate(session, plan);
    await this.#awaitFence(fencing);
    this.#checkpoint();
    // the one irreversible step: confirm in Redis that the lock is still ours (one round trip)
    if (this.#lease && !(await this.#lease.renew())) throw new Stop('cluster lock lost before the promotion', 'failed', false);

    const promoted = await session.promote(plan.candidate, { semiSync: semiSyncFor(failedObs) });
    if (!promoted.verified) {
      this.#t.step('promoted', 'failed', `promotion of ${instanceId(plan.candidate)} did not take effect: ${promoted.problems.join('; ')}`, { problems: promoted.problems });
      throw new Stop(`promotion of ${instanceId(plan.candidate)} not verified: ${promoted.problems.join('; ')}`, 'failed', false);
    }
    this.#successor = { key: plan.candidate, position: promoted.position };
    this.#t.step('promoted', 'succeeded', `${instanceId(plan.candidate)} is the new primary (writable)`, {
      successor: instanceId(plan.candidate),
      position: promoted.position,
      semiSync: promoted.semiSyncMasterEnabled,
      elapsedMs: Math.round(promoted.elapsedMs),
    });

    const moved = await moveReplicas(session, this.#t, plan.moves, plan.candidate);
    this.#lost.push(...moved.lost);
    this.#errors.push(...moved.errors);
    const aftermath = await handleAftermath(session, d.state, this.#t, {
      clusterId: this.#r.clusterId,
      failed: this.#failed,
      successor: plan.candidate,
      lost: this.#lost,
      detachLost: d.settings.detachLostReplicas,
      downtimeMs: d.settings.lostDowntimeMs,
      now: d.clock(),
    });
    this.#errors.push(...aftermath);
  }

  async #prepareCandidate(session: TopologySession, plan: PromotionPlanOk): Promise<void> {
    const timeoutMs = this.#d.settings.bulkWaitTimeoutMs;
    if (plan.catchUpFrom) {
      const { source, untilPosition } = plan.catchUpFrom;
      const caught = await session.catchUp(plan.candidate, source, untilPosition, timeoutMs);
      this.#t.step('caught-up', caught.caughtUp ? 'succeeded' : 'failed', `${instanceId(plan.candidate)} ${caught.caughtUp ? 'caught up' : 'did not catch up'} from ${instanceId(source)}`, {
        source: instanceId(source),
        untilPosition,
        position: caught.position,
        wait: caught.waitOutcome,
      });
      if (!caught.caughtUp) throw new Stop(`catch-up of ${instanceId(plan.candidate)} from ${instanceId(source)} ended ${caught.waitOutcome}`, 'failed', false);
    } else if (plan.waitForSqlThread) {
      const [again] = await session.drain([plan.candidate], timeoutMs);
      const drained = again?.ok === true && again.result.drained;
      this.#t.step('sql-thread-applied', drained ? 'succeeded' : 'failed', `${instanceId(plan.candidate)} ${drained ? 'applied' : 'did not apply'} its relay log`, {});
      if (!drained) throw new Stop(`${instanceId(plan.candidate)} did not apply its relay log in ${timeoutMs} ms`, 'failed', false);
    }
  }

  /**
   * The SQL fence (never throws, bounded by fenceTimeoutMs), then the fence hook when configured
   * and hooks are not skipped. Runs alongside the drain; #awaitFence records both.
   */
  #startFencing(session: TopologySession): Promise<FencingRecord> {
    const instance = instanceId(this.#failed);
    const started = session
      .fence(this.#failed)
      .catch((error: unknown): FenceResult => ({ instance, fenced: false, reason: 'failed', readOnly: null, killedConnections: 0, unkilledConnections: 0, error: (error as Error).message, elapsedMs: 0 }))
      .then(async (sql): Promise<FencingRecord> => ({ sql, hook: await this.#fenceHook(sql) }));
    this.#fencingInFlight = started;
    return started;
  }

  /**
   * Baton's fence hook, told whether the SQL fence took. Best effort: its failure is recorded, never
   * thrown. The promotion waits for it at most until fenceHookDeadlineReserveMs before the recovery
   * deadline, so a hung hook cannot fail the recovery at the deadline check.
   */
  async #fenceHook(sql: FenceResult): Promise<HookOutcome | null> {
    if (this.#r.skipProcesses || this.#d.settings.hooks.fenceProcesses.entries === 0) return null;
    const waitMs = Math.max(0, this.#deadlineMs - fenceHookDeadlineReserveMs - this.#d.clock().getTime());
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<HookOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ status: 'no-result', waitedMs: waitMs, error: `no result within ${waitMs} ms (the wait ends short of the recovery deadline; fencing is best effort)` }), waitMs);
    });
    try {
      return await Promise.race([this.#runHook('fenceProcesses', this.#values(sql)), late]);
    } catch (error) {
      return { status: 'no-result', waitedMs: 0, error: `fence hook not requested: ${(error as Error).message}` };
    } finally {
      clearTimeout(timer);
    }
  }

  async #awaitFence(fencing: Promise<FencingRecord>): Promise<void> {
    const record = await fencing;
    this.#fencing = record;
    this.#fencingInFlight = null;
    const { sql, hook } = record;
    const hookError = fenceHookError(hook);
    if (hookError !== null) this.#errors.push(`fenceProcesses: ${hookError}`);
    this.#t.step('fenced', fencedStepStatus(record), fencedStepMessage(record), {
      fenced: isFenced(record),
      fencedBySql: sql.fenced,
      reason: sql.reason,
      killedConnections: sql.killedConnections,
      elapsedMs: Math.round(sql.elapsedMs),
      ...(sql.error ? { error: sql.error } : {}),
      hook: hook && hook.status !== 'none-configured' ? summarizeHookOutcome(hook) : null,
    });
  }

  /** A run that stops between the start of fencing and the promotion still records the fencing. */
  async #settleFencing(): Promise<void> {
    const inFlight = this.#fencingInFlight;
    this.#fencingInFlight = null;
    if (!inFlight) return;
    try {
      await this.#awaitFence(inFlight);
    } catch (error) {
      this.#d.logger.error({ clusterId: this.#r.clusterId, recoveryUid: this.#t.uid, err: error }, 'recording the fencing failed');
    }
  }

  /** Undo of a drain when no promotion happened: the replicas go back to waiting for their source. */
  async #restartReplication(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    const restarted = await session.restartReplication(this.#drained);
    this.#t.step('replication-restarted', restarted.every((r) => r.ok) ? 'succeeded' : 'failed', 'replication restarted on the stopped replicas (nothing moved)', {
      restarted: restarted.filter((r) => r.ok).map((r) => r.instance),
      failed: restarted.filter((r) => !r.ok).map((r) => ({ instance: r.instance, error: r.ok ? '' : r.error })),
    });
  }

  async #resolve(outcome: RecoveryOutcome, release: boolean): Promise<void> {
    const d = this.#d;
    const { clusterId } = this.#r;
    const endedAt = d.clock();
    const successor = this.#successor;
    this.#t.write('resolve recovery row', () =>
      d.store.resolveRecovery(this.#t.uid, {
        outcome,
        successor: successor?.key ?? null,
        successorPosition: successor?.position ?? null,
        lostReplicas: this.#lost.map((l) => instanceId(l.replica)),
        participants: this.#r.instances.map(instanceId),
        errors: this.#errors,
        fencingResult: fencingResultText(this.#fencing),
        lockToken: this.#lease?.token ?? null,
        endedAt,
      }),
    );
    try {
      if (release) await d.state.releaseBlock(clusterId, this.#t.uid);
      else await d.state.resolveBlock(clusterId, { ...this.#r.block, state: 'resolved', successor: successor ? instanceId(successor.key) : null });
      // The detection row ends with the recovery; its Redis key stays for its period, so the
      // analyses still in flight about the old topology do not register (and hook) it again.
      if (successor) this.#t.write('close detections', () => d.store.closeDetections(clusterId, this.#failed, this.#t.uid, endedAt));
    } catch (error) {
      this.#errors.push(`updating the recovery block failed: ${(error as Error).message}`);
    }
    const text = outcome === 'successful' ? `recovered: ${instanceId(successor?.key ?? this.#failed)} promoted` : `${outcome}: ${this.#errors.join('; ')}`;
    this.#t.step('resolved', outcome === 'successful' ? 'succeeded' : outcome === 'failed' ? 'failed' : 'skipped', text, {
      outcome,
      successor: successor ? instanceId(successor.key) : null,
      lostReplicas: this.#lost.map((l) => instanceId(l.replica)),
      fencing: fencingResultText(this.#fencing),
      blockReleased: release,
      errors: this.#errors,
    });
  }

  async #postHooks(successful: boolean): Promise<void> {
    if (successful) {
      await this.#hook('PostMasterFailoverProcesses', 'post-master-failover-hooks');
      await this.#hook('PostFailoverProcesses', 'post-failover-hooks');
    } else {
      await this.#hook('PostUnsuccessfulFailoverProcesses', 'post-unsuccessful-failover-hooks');
    }
  }

  async #hook(kind: HookKind, step: string): Promise<'succeeded' | 'failed' | 'none'> {
    const outcome = await this.#runHook(kind, this.#values());
    if (outcome.status === 'none-configured') return 'none';
    const ok = outcome.status === 'succeeded';
    if (!ok) this.#errors.push(`${kind}: ${outcome.status === 'failed' ? (outcome.result.error ?? 'failed') : (outcome.error ?? 'no result')}`);
    this.#t.step(step, ok ? 'succeeded' : 'failed', `${kind} ${ok ? 'ran' : outcome.status}`, summarizeHookOutcome(outcome));
    return ok ? 'succeeded' : 'failed';
  }

  #runHook(kind: HookKind, values: Record<string, string>): Promise<HookOutcome> {
    const r = this.#r;
    return this.#d.hooks.run({ kind, clusterId: r.clusterId, recoveryUid: this.#t.uid, requestId: `${this.#t.uid}:${kind}`, values, correlationId: r.correlationId });
  }

  /** The recovery's placeholder values as they stand now (the SQL fence's once it ran). */
  #values(sqlFence: FenceResult | null = this.#fencing?.sql ?? null): Record<string, string> {
    const r = this.#r;
    return hookValues({
      entry: r.entry,
      clusterId: r.clusterId,
      clusterAlias: r.clusterAlias,
      recoveryUid: this.#t.uid,
      commandHint: r.commandHint,
      autoMasterRecovery: r.autoMasterRecovery,
      orchestratorHost: this.#d.hostname,
      successor: this.#successor,
      lostReplicas: this.#lost.map((l) => l.replica),
      sqlFence,
    });
  }
}
