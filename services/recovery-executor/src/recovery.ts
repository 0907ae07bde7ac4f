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
 *      block period is `recently-promoted`) and publish the recovery's `summary` event right after
 *      its `resolved` step (what an alert needs), then PostMasterFailover + PostFailover, or
 *      PostUnsuccessfulFailover; release the lease
 *
 * Between steps: the recovery deadline, the lease, and — until the topology is touched — SIGTERM.
 *
 * Command hint force-master-failover (orchestrator's ForceMasterFailover, W3 fixed): the re-check
 * does not stop on a live primary, only on one that is no longer the cluster's primary. When the
 * primary answered the refresh, step 9 starts with the required fence (read_only=1 verified, every
 * client connection killed; else abort, read_only undone), then reads its final position and lets
 * every reachable replica apply it before the drain; the candidate must hold that position. A run
 * that stops before any promotion makes the old primary writable again. After a promotion the old
 * primary is left read_only, not replicating, downtimed, and named as not moved. When the primary
 * did not answer, the crash path runs unchanged.
 *
 * A dead intermediate primary (DeadIntermediateMaster and the codes of its kind) takes the same
 * path — registration, claim with the lock and the epoch, refresh, re-check, PreFailoverProcesses,
 * the journal before every change, resolve, summary — with steps 9–11 of its own
 * (steps/intermediate.ts): its replicas relocated under the best sibling or up to its source by
 * GTID, nothing fenced, nothing promoted; then PostIntermediateMasterFailoverProcesses +
 * PostFailoverProcesses, or PostUnsuccessfulFailoverProcesses. A takeover re-plans from its own
 * refresh (the replicas already moved are no longer the intermediate's): it never rolls forward.
 */
import { instanceId, type AnalysisEntry, type ClusterSnapshot, type HookKind, type HookStep, type InstanceKey, type InstanceObservation, type RecoveryStepDetails, type RecoverySummary } from '@baton/contracts';
import {
  analyze,
  chooseTakeoverTarget,
  describeLossReport,
  initialLossReport,
  isReplicaReachable,
  lossReportComplete,
  lostTransactionCount,
  observedHolding,
  planPromotion,
  unexaminedAckerRisk,
  type LossReport,
  type MemberPosition,
  type PromotionPlanOk,
  type TakeoverMode,
} from '@baton/domain';
import type { Logger } from '@baton/logging';
import type { FenceResult } from '@baton/mysql';
import type { DemotedPrimary } from './fence-keeper.ts';
import type { Lease } from '@baton/state';
import type { RecoveryTrail } from './audit.ts';
import { summarizeHookOutcome } from './hooks-client.ts';
import type { BlockValue, FenceKeeping, FenceLineFiring, HookClient, HookOutcome, RecoveryOutcome, RecoveryState, RecoveryStore, TopologyAccess, TopologySession } from './ports.ts';
import { fenceHookDeadlineReserveMs, notAnsweringBudgetMs, type ExecutorSettings } from './settings.ts';
import {
  clusterPrimaryOf,
  drainedObservation,
  failedDrainObservation,
  failsOverLivePrimary,
  isDeadCoPrimaryCode,
  isInPlaceCode,
  switchoverModeOf,
  lagByInstance,
  positionHolds,
  isDeadIntermediateCode,
  recheck,
  replicasOf,
  semiSyncFor,
} from './steps/decisions.ts';
import { fenceHookError, fenceHookStatus, fencedStepMessage, fencedStepStatus, fencingResultText, isFenced, liveFenceProblem, mayHaveSetReadOnly, requiredFenceProblem, type FencingRecord } from './steps/fencing.ts';
import { hookValues } from './steps/hook-values.ts';
import { makePrimaryWritable, recoverSemiSyncReplicas } from './steps/in-place.ts';
import { relocateIntermediateReplicas } from './steps/intermediate.ts';
import { handleAftermath, moveReplicas, type LostEntry } from './steps/relocate.ts';
import type { Fault, FaultAction } from './fault-points.ts';
import { intendedSuccessor, StaleEpochError, stoppedReplicas, type JournalEntry, type RecoveryJournal, type Term } from './journal.ts';
import type { RecoveryResolution, RecoveryRow } from './ports.ts';

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
  journal: RecoveryJournal;
  /** This process, in the journal. */
  owner: string;
  /** Test-only fault points (fault-points.ts); a no-op in production. */
  fault: Fault;
  /** Test-only fault actions (fault-points.ts); null in production. */
  faultAction: FaultAction | null;
  /** Keeps the failed primary fenced from the fence attempt on (fence-keeper.ts). */
  keeper: FenceKeeping;
  /** Idle connections to the primaries, opened while they were healthy (fence-lines.ts). */
  lines: FenceLineFiring;
  /** Completes the loss report once the unexamined members answer (loss-watch.ts); absent in unit tests. */
  lossWatch?: { sync(): Promise<void> };
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
  /** RecoverIntermediateMasterClusterFilters matched the cluster ({autoIntermediateMasterRecovery}). */
  autoIntermediateMasterRecovery?: boolean;
  /** Every instance to refresh. */
  instances: readonly InstanceKey[];
  /** What was last known of them (the analyzer's cached snapshot). */
  previous: ReadonlyMap<string, InstanceObservation>;
  block: BlockValue;
  /** The recoveries row the claim writes (a takeover continues the row that exists). */
  row: RecoveryRow;
  /** Continue the running recovery `row.uid` whose executor stopped renewing it (journal.takeOver). */
  takeover: boolean;
  /** A clean failure (topology left as found) gives the block back: the executor retries it (recoveryRetryAttempts). */
  mayRetry?: boolean;
}

export interface RecoveryResult {
  clusterId: string;
  uid: string;
  /** `abandoned`: the run stopped because its epoch passed to another executor; the row is theirs to finish. */
  outcome: RecoveryOutcome | 'abandoned';
  /** The recovery term this run held (null when it never claimed one). */
  epoch: number | null;
  /** A running recovery of the cluster whose executor stopped renewing it: to be taken over. */
  takeoverDue: string | null;
  successor: InstanceKey | null;
  lost: string[];
  errors: string[];
  /** As the recovery row's fencing result: the SQL fence's reason, then the fence hook's status when it ran. */
  fencing: string | null;
  /** Failed, leaving the topology as it found it, with the block given back: the executor retries it. */
  retryable: boolean;
  /**
   * force-master-failover that promoted a successor: the old primary, which is not moved under it
   * (left read_only, not replicating, downtimed); null otherwise.
   */
  oldPrimaryNotMoved: string | null;
}

/**
 * The run's epoch passed to another executor (or cannot be proven any more): it stops before its
 * next statement to a server, undoes nothing and resolves nothing; the holder of the newer epoch
 * finishes the recovery from the journal.
 */
class Abandon extends Error {}

/** A candidate whose promotion did not verify (left read-only): the run tries the next one. */
class CandidateRefused extends Error {
  constructor(
    message: string,
    readonly candidate: InstanceKey,
  ) {
    super(message);
  }
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

const sameKey = (a: InstanceKey, b: InstanceKey): boolean => a.host === b.host && a.port === b.port;
const keyOf = (k: InstanceKey): InstanceKey => ({ host: k.host, port: k.port });

const asKey = (v: unknown): InstanceKey | null => {
  const k = v as { host?: unknown; port?: unknown } | undefined;
  return k && typeof k.host === 'string' && typeof k.port === 'number' ? { host: k.host, port: k.port } : null;
};

/** The journal's `relocate` intents (a dead intermediate's replicas): each target and the replicas it was to take, in order. */
function relocatedBefore(entries: readonly JournalEntry[]): Array<{ target: InstanceKey; replicas: InstanceKey[] }> {
  return entries.flatMap((e) => {
    const target = e.step === 'relocate' ? asKey(e.data['target']) : null;
    if (!target) return [];
    const replicas = Array.isArray(e.data['replicas']) ? (e.data['replicas'] as unknown[]).map(asKey).filter((k): k is InstanceKey => k !== null) : [];
    return [{ target, replicas }];
  });
}
/** The re-check before read_only=0 asks instances that answered the refresh on open connections. */
const writableCheckTimeoutMs = 500;

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
  /** Command hint force-master-failover or a switchover: the primary is failed over whether it is alive or not. */
  readonly #force: boolean;
  /** A planned switchover (graceful-master-takeover, -auto, force-master-takeover): its target's check mode. */
  readonly #switchover: TakeoverMode | null;
  /** The replica to promote: the requested candidate, or a switchover's checked target. */
  #designated: InstanceKey | null;
  /** PreGracefulTakeoverProcesses ran (the operator's drain point): PostGracefulTakeoverProcesses runs whatever the outcome. */
  #preGracefulRan = false;
  /** Only #designated may be promoted (a switchover's target, or the other co-primary): a refusal promotes nobody else. */
  #designatedOnly = false;
  /** force-master-failover on a primary that answered the refresh: fenced first (required), replicas synced to it. */
  #live = false;
  /** The fenced live primary's final position (its own binlog position, read after the fence). */
  #finalPosition: { flavour: 'mariadb' | 'mysql'; position: string } | null = null;
  /** Our fence of a live, writable primary may have set read_only: undone when nobody gets promoted. */
  #mayUnfence = false;
  #promoteAttempted = false;
  /** A switchover's refused target replicates from the old primary again: the attempt left nothing behind. */
  #promotionUndone = false;
  /** The `fenced` step was recorded at the SQL fence (live primary): the fence hook gets a `fence-hook` step of its own. */
  #sqlFenceRecorded = false;
  #oldPrimaryNotMoved: string | null = null;
  /** The recovery term (epoch) this run holds once claimed or taken over. */
  #term: Term | null = null;
  /** A takeover's journal: what the predecessor decided. */
  #entries: JournalEntry[] = [];
  /** Why the run's term is no longer provably its own (the heartbeat was refused). */
  #superseded: string | null = null;
  #heartbeat: NodeJS.Timeout | undefined;
  #takeoverDue: string | null = null;
  /** The demoted primary's durable row, written while the replicas move. */
  #persisting: Promise<void> = Promise.resolve();
  /** Who the loss report examines: the drained replicas exactly, the rest by their last reading. */
  #lossMembers: { examined: MemberPosition[]; unexamined: MemberPosition[] } = { examined: [], unexamined: [] };
  #lossReport: LossReport | null = null;
  /** Every drained replica replicates again (or none was drained). */
  #restartedAll = true;
  /** A fenced live primary that had to be made writable again was (or none had to be). */
  #unfencedAll = true;
  #retryable = false;
  /** PreFailoverProcesses failed: the operator's veto, never retried. */
  #vetoed = false;
  /** A dead intermediate primary: its replicas are relocated (steps/intermediate.ts), nothing promoted. */
  readonly #intermediate: boolean;
  /** The intermediate's replicas: a repoint was attempted (the topology may have changed). */
  #repointAttempted = false;
  /** The intermediate's replicas relocated, or an in-place recovery done: the resolution's text. */
  #relocated: string | null = null;
  /** A recovery made in place (steps/in-place.ts): semi-sync replicas switched, or the primary made writable. */
  readonly #inPlace: 'semi-sync' | 'non-writeable' | null;

  constructor(deps: RecoveryDeps, request: RecoveryRequest, trail: RecoveryTrail) {
    this.#d = deps;
    this.#r = request;
    this.#t = trail;
    this.#failed = request.entry.instance;
    this.#intermediate = isDeadIntermediateCode(request.entry.code);
    this.#inPlace = isInPlaceCode(request.entry.code);
    this.#force = !this.#intermediate && failsOverLivePrimary(request.commandHint);
    this.#switchover = this.#intermediate ? null : switchoverModeOf(request.commandHint);
    this.#designated = request.requestedCandidate;
    this.#designatedOnly = this.#switchover !== null;
    this.#deadlineMs = deps.clock().getTime() + deps.settings.recoveryDeadlineMs;
  }

  async run(): Promise<RecoveryResult> {
    let outcome: RecoveryOutcome = 'failed';
    let release = false;
    let stopRenewing: () => void = () => undefined;
    try {
      const snapshot = await this.#claimAndRefresh((stop) => (stopRenewing = stop));
      this.#checkpoint();
      const target = this.#r.takeover && !this.#intermediate && !this.#inPlace ? this.#rollForwardTarget(snapshot) : null;
      if (target) {
        await this.#rollForward(snapshot, target);
      } else {
        if (this.#r.takeover) this.#recheck(snapshot);
        if (this.#switchover) await this.#checkSwitchover(snapshot);
        if (this.#inPlace) await this.#recoverInPlace(snapshot);
        else {
          await this.#preFailover();
          this.#checkpoint();
          if (this.#intermediate) await this.#relocateIntermediate(snapshot);
          else await this.#regroupAndPromote(snapshot);
        }
      }
      outcome = 'successful';
    } catch (error) {
      if (error instanceof Abandon || error instanceof StaleEpochError) return this.#abandon(error.message, stopRenewing);
      await this.#settleFencing();
      const stop = error instanceof Stop ? error : null;
      outcome = stop?.outcome ?? 'failed';
      // an unexpected error before anything was attempted (Redis, a refresh that throws) gives the block back
      release = stop?.release ?? !this.#attempted;
      this.#errors.push(error instanceof Error ? error.message : String(error));
      if (!stop) this.#d.logger.error({ clusterId: this.#r.clusterId, recoveryUid: this.#t.uid, err: error }, 'recovery failed');
      const step = outcome === 'not-needed' ? 'problem-gone' : outcome === 'skipped' ? 'problem-changed' : outcome === 'not-attempted' ? 'not-attempted' : 'aborted';
      this.#t.step(step, outcome === 'failed' ? 'failed' : 'skipped', this.#errors.at(-1) ?? '', { outcome });
    }
    // an in-place recovery fenced nothing: it must not release (and so maybe unfence) a primary the keeper holds
    if (!this.#successor && !this.#intermediate && !this.#inPlace) await this.#releaseKeeper();
    await this.#persisting;
    if (outcome === 'failed' && !this.#successor && this.#drained.length > 0 && !this.#superseded) await this.#restartReplication();
    if (!this.#successor && this.#mayUnfence && !this.#superseded) await this.#unfenceOldPrimary();
    this.#retryable = outcome === 'failed' && !release && this.#leftAsFound() && this.#r.mayRetry === true;
    if (this.#retryable) release = true;
    // a switchover put back as it was holds nothing an operator must look at: failovers stay possible
    else if (outcome === 'failed' && this.#switchover && this.#undone()) release = true;
    // an in-place recovery promoted nobody: its block would only stop a real failover (W7)
    else if (this.#inPlace) release = true;
    // a planned switchover is no failure to flap from: the new primary's own death within
    // RecoveryPeriodBlockSeconds must be failed over (orchestrator blocks it for the period)
    else if (outcome === 'successful' && this.#switchover) release = true;
    else if (outcome === 'failed' && this.#attempted && !this.#superseded && !release) this.#attention();
    await this.#resolve(outcome, release);
    if (this.#lossReport && !lossReportComplete(this.#lossReport)) this.#d.lossWatch?.sync().catch(() => undefined);
    if (this.#attempted && !this.#r.skipProcesses && !this.#inPlace) await this.#postHooks(outcome === 'successful');
    return this.#end(outcome, stopRenewing);
  }

  async #end(outcome: RecoveryOutcome | 'abandoned', stopRenewing: () => void): Promise<RecoveryResult> {
    clearInterval(this.#heartbeat);
    stopRenewing();
    const released = await this.#lease?.release().catch(() => false);
    await this.#session?.close();
    if (this.#lease) this.#t.step('released', 'info', 'cluster lock released', { released: released ?? false });
    return {
      clusterId: this.#r.clusterId,
      uid: this.#t.uid,
      outcome,
      epoch: this.#term?.epoch ?? null,
      takeoverDue: this.#takeoverDue,
      successor: this.#successor?.key ?? null,
      lost: this.#lost.map((l) => instanceId(l.replica)),
      errors: [...this.#errors],
      fencing: fencingResultText(this.#fencing),
      oldPrimaryNotMoved: this.#oldPrimaryNotMoved,
      retryable: this.#retryable,
    };
  }

  /**
   * The failure changed nothing an operator would have to undo: nobody promoted (no candidate had
   * its replication cleared), every drained replica replicating again, a fenced live primary
   * writable again, the run not superseded, and not an operator's forced recover (answered as is).
   */
  #leftAsFound(): boolean {
    return this.#attempted && !this.#vetoed && !this.#r.forced && !this.#successor && !this.#promoteAttempted && !this.#repointAttempted && !this.#superseded && this.#restartedAll && this.#unfencedAll;
  }

  /** The predecessor's journal (a takeover) has an entry of `step`, whatever its state. */
  #journaled(step: string): boolean {
    return this.#entries.some((e) => e.step === step);
  }

  /** Nothing of the run is left on the servers: nobody promoted, the stopped replicas and the fenced primary restored. */
  #undone(): boolean {
    return !this.#successor && (!this.#promoteAttempted || this.#promotionUndone) && !this.#superseded && this.#restartedAll && this.#unfencedAll;
  }

  /** A failure that keeps its block: what it left behind, for the operator, before the ack that lifts it. */
  #attention(): void {
    const what: string[] = [];
    if (this.#promoteAttempted && !this.#successor) what.push('a promotion was attempted: the refused candidate(s) are read-only with their replication cleared');
    if (this.#repointAttempted && !this.#successor) what.push(`a relocation of the replicas of ${instanceId(this.#failed)} was attempted: check their sources`);
    if (!this.#restartedAll) what.push(`replication could not be restarted on every replica stopped for the drain (they may not replicate from ${instanceId(this.#failed)})`);
    if (!this.#unfencedAll) what.push(`${instanceId(this.#failed)} was fenced and is still read-only`);
    if (this.#successor) what.push(`${instanceId(this.#successor.key)} was promoted, but the recovery did not complete`);
    if (this.#r.forced) what.push('a forced recover is not retried automatically');
    if (this.#vetoed) what.push('PreFailoverProcesses refused the failover');
    if (what.length === 0 && this.#r.mayRetry !== true) what.push('no retry left (recoveryRetryAttempts)');
    this.#t.step('operator-attention', 'failed', `the recovery block is kept: ${what.join('; ') || 'see the steps above'}; acknowledge the recovery once the topology is checked`, { reasons: what });
  }

  /** The epoch moved on: stop here, touch nothing more, resolve nothing (the newer holder finishes). */
  async #abandon(reason: string, stopRenewing: () => void): Promise<RecoveryResult> {
    this.#superseded ??= reason;
    if (!this.#successor && !this.#inPlace) await this.#d.keeper.release(this.#r.clusterId, this.#failed);
    this.#errors.push(reason);
    this.#t.step('abandoned', 'failed', `stopped without touching anything more: ${reason}`, { epoch: this.#term?.epoch ?? null });
    this.#d.logger.warn({ clusterId: this.#r.clusterId, recoveryUid: this.#t.uid, epoch: this.#term?.epoch, reason }, 'recovery abandoned to a newer epoch');
    return this.#end('abandoned', stopRenewing);
  }

  /**
   * Step 7's claim: the Redis lease (fast liveness), then the backend epoch (the authority: one
   * transaction that raises it and writes the recoveries row, in parallel with the executor's own
   * probes), or, for a takeover, the lease taken over and the epoch raised past the dead holder's.
   */
  async #claimAndRefresh(onRenewing: (stop: () => void) => void): Promise<ClusterSnapshot> {
    const { clusterId } = this.#r;
    const { journal, settings, owner } = this.#d;
    if (this.#r.takeover) {
      this.#lease = await this.#d.state.takeOverLease(clusterId);
      onRenewing(this.#lease.autoRenew());
      const taken = await journal.takeOver(clusterId, this.#t.uid, owner, settings.takeoverAfterMs);
      if (!taken) throw new Abandon('the recovery no longer needs a takeover (it was resolved, or its executor renewed it)');
      this.#term = taken.term;
      this.#entries = taken.entries;
      this.#startHeartbeat();
      this.#t.step('taken-over', 'succeeded', `recovery taken over from ${taken.previousExecutor} (epoch ${taken.previousEpoch} → ${taken.term.epoch}, attempt ${taken.term.attempt})`, {
        token: taken.term.epoch,
        epoch: taken.term.epoch,
        attempt: taken.term.attempt,
        previousEpoch: taken.previousEpoch,
        previousExecutor: taken.previousExecutor,
        journal: taken.entries.map((e) => `${e.step}/${e.state}@${e.epoch}`),
      });
      return this.#probe();
    }
    this.#lease = await this.#d.state.acquireLease(clusterId);
    if (!this.#lease) throw new Stop('another recovery holds the cluster lock', 'not-attempted', true);
    onRenewing(this.#lease.autoRenew());
    const claim = journal.claim(this.#r.row, owner, settings.takeoverAfterMs);
    claim.catch(() => undefined); // awaited below, after the probes
    let snapshot: ClusterSnapshot;
    try {
      snapshot = await this.#probe();
    } finally {
      await this.#claimed(await claim);
    }
    return this.#recheck(snapshot);
  }

  async #claimed(claim: Awaited<ReturnType<RecoveryJournal['claim']>>): Promise<void> {
    if (!claim.claimed) {
      if (claim.stale) this.#takeoverDue = claim.runningUid;
      const why = claim.stale ? 'its executor stopped renewing it, so it is taken over and finished' : 'it must finish first';
      throw new Stop(`recovery ${claim.runningUid} of this cluster is still running: ${why}`, 'not-attempted', true);
    }
    this.#term = claim.term;
    this.#startHeartbeat();
    this.#t.step('claimed', 'succeeded', `cluster lock acquired, epoch ${claim.term.epoch}`, { token: claim.term.epoch, epoch: claim.term.epoch, redisToken: this.#lease?.token ?? null, ttlMs: this.#lease?.ttlMs ?? null });
    this.#d.fault('after-claim');
  }

  /** The term's sign of life in the backend; refused once the epoch moved on, which ends the run at its next guard. */
  #startHeartbeat(): void {
    const term = this.#term as Term;
    const everyMs = Math.max(100, Math.floor(this.#d.settings.takeoverAfterMs / 3));
    this.#heartbeat = setInterval(() => {
      this.#d.journal.heartbeat(term).then(
        (held) => {
          if (!held) this.#superseded ??= `epoch ${term.epoch} passed to another executor`;
        },
        (err: unknown) => this.#d.logger.warn({ clusterId: term.clusterId, recoveryUid: term.uid, err }, 'recovery heartbeat failed'),
      );
    }, everyMs);
    this.#heartbeat.unref();
  }

  /**
   * Before every statement that changes a server: the term must still be this run's, proven by the
   * backend (a lost Redis lease alone is re-taken when the epoch is still ours: Redis restarted).
   */
  async #guard(what: string, intent?: { step: string; data: Record<string, unknown> }): Promise<void> {
    this.#checkpoint();
    if (this.#superseded) throw new Abandon(this.#superseded);
    const term = this.#term;
    if (!term) throw new Abandon(`no recovery term held before ${what}`);
    // the journal entry's epoch condition is the check; without one, a read proves the term. A
    // backend that cannot answer proves nothing: stop, undo nothing, and let the next holder resume.
    try {
      if (intent) await this.#d.journal.record(term, this.#d.owner, intent.step, 'intent', intent.data);
      else await this.#d.journal.check(term);
    } catch (error) {
      if (error instanceof StaleEpochError) throw error;
      throw new Abandon(`the backend could not prove epoch ${term.epoch} before ${what}: ${(error as Error).message}`);
    }
    if (this.#lease?.lost.aborted) {
      const lost = String(this.#lease.lost.reason);
      this.#lease = await this.#d.state.takeOverLease(this.#r.clusterId);
      this.#lease.autoRenew();
      this.#t.step('lock-retaken', 'info', `cluster lock ${lost}; epoch ${term.epoch} is still this recovery's, so the lock was taken again`, { epoch: term.epoch, redisToken: this.#lease.token });
    }
  }

  /** Between steps: the deadline, and SIGTERM until the topology is touched (the term is #guard's). */
  #checkpoint(): void {
    if (this.#d.clock().getTime() > this.#deadlineMs) throw new Stop(`recovery deadline of ${this.#d.settings.recoveryDeadlineMs} ms passed`, 'failed', false);
    if (!this.#touched && this.#d.stopping()) throw new Stop('executor stopping before the topology was touched', this.#attempted ? 'failed' : 'not-attempted', true);
  }

  async #probe(): Promise<ClusterSnapshot> {
    const { clusterId, clusterAlias } = this.#r;
    this.#session = this.#d.topology.open(clusterId);
    const snapshot = await this.#session.refresh({ clusterId, clusterAlias, instances: this.#r.instances, previous: this.#r.previous });
    const answered = snapshot.instances.filter((i) => i.lastError === null).map(instanceId);
    this.#t.step('refreshed', 'succeeded', `${answered.length} of ${snapshot.instances.length} instances answered`, {
      answered,
      unreachable: snapshot.instances.filter((i) => i.lastError !== null).map((i) => ({ instance: instanceId(i), error: i.lastError })),
    });
    return snapshot;
  }

  /**
   * The re-check on the executor's own probes. A takeover does not ask analyze() again (its
   * predecessor's stopped replicas no longer look like a dead primary's): it goes on while the
   * failed primary still does not answer, and otherwise stops, restarting what was stopped.
   */
  #recheck(snapshot: ClusterSnapshot): ClusterSnapshot {
    const entries = analyze(snapshot, this.#d.clock(), this.#d.settings.analysisPolicy);
    if (this.#inPlace) {
      this.#recheckInPlace(entries);
      return snapshot;
    }
    if (this.#r.takeover && this.#switchover) {
      // a switchover taken over before its promotion is put back as it was, not finished: the
      // operator asked for a planned change, and its drain point (the hooks) is long past
      const failedObs = snapshot.instances.find((i) => sameKey(i, this.#failed));
      this.#drained = stoppedReplicas(this.#entries);
      this.#attempted = true;
      this.#preGracefulRan = this.#journaled('pre-graceful-takeover');
      // a promotion the predecessor attempted (its candidate may be writable, or not answer): the old primary stays fenced
      this.#promoteAttempted = this.#journaled('promote');
      this.#mayUnfence = failedObs !== undefined && failedObs.lastError === null;
      throw new Stop(`${this.#r.commandHint} taken over before any promotion: it is undone (replication restarted, ${instanceId(this.#failed)} writable again)`, 'failed', false);
    }
    if (this.#r.takeover && !this.#force) {
      const failedObs = snapshot.instances.find((i) => sameKey(i, this.#failed));
      if (failedObs && failedObs.lastError === null) {
        this.#drained = stoppedReplicas(this.#entries);
        this.#attempted = true;
        throw new Stop(`taken over before any promotion, and ${instanceId(this.#failed)} answers again: nothing promoted`, 'failed', false);
      }
      this.#t.step('re-checked', 'succeeded', `${instanceId(this.#failed)} still does not answer: the recovery goes on (takeover)`, { code: this.#r.entry.code, takeover: true });
      return snapshot;
    }
    if (this.#force) {
      this.#recheckForced(snapshot, entries);
      return snapshot;
    }
    const check = recheck(entries, this.#failed, this.#intermediate ? 'recover-dead-intermediate-primary' : 'recover-dead-primary');
    if (!check.stillFailed) throw new Stop(check.reason, check.changed ? 'skipped' : 'not-needed', true);
    this.#t.step('re-checked', 'succeeded', `${check.entry.code} confirmed by the executor's own probes`, { code: check.entry.code });
    return snapshot;
  }

  /**
   * force-master-failover's re-check: the primary being alive does not stop the run (that is the
   * point), but it must still be the cluster's primary on the executor's own probes. Whether it
   * answered decides the path: fenced first and required (alive), or the crash path (not).
   */
  #recheckForced(snapshot: ClusterSnapshot, entries: readonly AnalysisEntry[]): void {
    const id = instanceId(this.#failed);
    const primary = clusterPrimaryOf(snapshot);
    if (!primary || !sameKey(primary, this.#failed)) {
      throw new Stop(`${id} is no longer the cluster's primary on the executor's own probes${primary ? ` (the primary is ${instanceId(primary)})` : ''}`, 'not-needed', true);
    }
    const observed = snapshot.instances.find((i) => sameKey(i, this.#failed));
    this.#live = observed !== undefined && observed.lastError === null;
    const code = entries.find((e) => sameKey(e.instance, this.#failed))?.code ?? 'NoProblem';
    this.#t.step(
      're-checked',
      'succeeded',
      this.#live
        ? `${this.#r.commandHint}: ${id} answers (${code}); failed over anyway, fenced first`
        : `${this.#r.commandHint}: ${id} does not answer (${code}); failed over as a crashed primary`,
      { code, forced: true, commandHint: this.#r.commandHint, primaryAnswers: this.#live },
    );
  }

  /**
   * A planned switchover, before any change (reference §2.8 steps 1–3, 5): the primary must answer;
   * its target — the designated replica, the only one, or (-auto) the best candidate — is checked
   * on the executor's own probes (takeover-target.ts); a refusal changes nothing and gives the
   * block back. Then PreGracefulTakeoverProcesses, the operator's drain point (stop sending
   * writes): a failure aborts with nothing changed.
   */
  async #checkSwitchover(snapshot: ClusterSnapshot): Promise<void> {
    const mode = this.#switchover as TakeoverMode;
    const hint = this.#r.commandHint;
    const id = instanceId(this.#failed);
    const failedObs = snapshot.instances.find((i) => sameKey(i, this.#failed));
    if (!this.#live || !failedObs) {
      throw new Stop(`${hint}: ${id} does not answer; a planned switchover needs a live primary (recover or force-master-failover replace a dead one)`, 'not-attempted', true);
    }
    const refreshedAtMs = Date.parse(snapshot.observedAt);
    const t = chooseTakeoverTarget({
      primary: failedObs,
      replicas: replicasOf(snapshot.instances, this.#failed),
      designated: this.#designated,
      mode,
      policy: this.#d.settings.promotionPolicy,
      reachability: { nowMs: Number.isFinite(refreshedAtMs) ? refreshedAtMs : this.#d.clock().getTime(), windowMs: this.#d.settings.reachabilityWindowMs },
    });
    this.#t.step('takeover-target', t.ok ? 'succeeded' : 'failed', t.ok ? `${instanceId(t.target)} checked as the target (${t.how}, lag ${t.lagSeconds ?? 'unknown'} s)` : t.reason, {
      mode,
      target: t.ok ? instanceId(t.target) : null,
      how: t.ok ? t.how : null,
      lagSeconds: t.ok ? t.lagSeconds : null,
      ranking: [...t.ranking],
    });
    if (!t.ok) throw new Stop(`${hint} refused before any change: ${t.reason}`, 'not-attempted', true);
    this.#designated = t.target;
    if (mode === 'force' || this.#r.skipProcesses) return;
    this.#attempted = true;
    // journaled first: whoever finishes this switchover tells the drain point it is over
    await this.#guard('the drain point', { step: 'pre-graceful-takeover', data: {} });
    this.#preGracefulRan = true;
    const outcome = await this.#hook('PreGracefulTakeoverProcesses', 'pre-graceful-takeover-hooks');
    if (outcome === 'failed') {
      this.#vetoed = true;
      throw new Stop('PreGracefulTakeoverProcesses failed: no topology change made', 'failed', true);
    }
  }

  /**
   * An in-place recovery's re-check (a takeover's too: what it does is idempotent): the primary
   * still shows the problem on the executor's own probes. A locked semi-sync primary may read as
   * LockedSemiSyncMasterHypothesis here (the staleness of its binlog position is the analyzer's
   * memory, not this refresh's): the same condition.
   */
  #recheckInPlace(entries: readonly AnalysisEntry[]): void {
    const code = entries.find((e) => sameKey(e.instance, this.#failed))?.code ?? 'NoProblem';
    const accepted = this.#inPlace === 'semi-sync' ? ['LockedSemiSyncMaster', 'LockedSemiSyncMasterHypothesis', 'MasterWithTooManySemiSyncReplicas'] : ['NoWriteableMasterStructureWarning'];
    if (!accepted.includes(code)) throw new Stop(`${instanceId(this.#failed)} is now ${code} on the executor's own probes: nothing to do`, code === 'NoProblem' ? 'not-needed' : 'skipped', true);
    this.#t.step('re-checked', 'succeeded', `${code} confirmed by the executor's own probes`, { code, ...(this.#r.takeover ? { takeover: true } : {}) });
  }

  /** Steps 9–11 made in place (steps/in-place.ts); PreFailoverProcesses may veto making a primary writable. */
  async #recoverInPlace(snapshot: ClusterSnapshot): Promise<void> {
    this.#attempted = true;
    if (this.#inPlace === 'non-writeable' && !this.#r.skipProcesses && (await this.#hook('PreFailoverProcesses', 'pre-failover-hooks')) === 'failed') {
      this.#vetoed = true;
      throw new Stop('PreFailoverProcesses failed: the primary is left read-only', 'failed', true);
    }
    const ports = {
      session: this.#session as TopologySession,
      trail: this.#t,
      settings: this.#d.settings,
      keeper: this.#d.keeper,
      clusterId: this.#r.clusterId,
      primary: keyOf(this.#failed),
      clock: this.#d.clock,
      guard: async (what: string, intent: { step: string; data: Record<string, unknown> }) => {
        await this.#guard(what, intent);
        this.#touched = true;
      },
    };
    const result = this.#inPlace === 'semi-sync' ? await recoverSemiSyncReplicas(ports, snapshot) : await makePrimaryWritable(ports, snapshot);
    if (!result.ok) throw new Stop(result.reason, result.outcome, true);
    this.#successor = { key: keyOf(this.#failed), position: null };
    this.#relocated = `recovered in place: ${result.text}`;
  }

  async #preFailover(): Promise<void> {
    this.#attempted = true;
    if (this.#r.skipProcesses) return;
    const outcome = await this.#hook('PreFailoverProcesses', 'pre-failover-hooks');
    if (outcome === 'failed') {
      this.#vetoed = true; // the operator's hook said no: not retried
      throw new Stop('PreFailoverProcesses failed: no topology change made', 'failed', false);
    }
  }

  async #regroupAndPromote(snapshot: ClusterSnapshot): Promise<void> {
    const d = this.#d;
    const session = this.#session as TopologySession;
    const failedObs = snapshot.instances.find((i) => i.host === this.#failed.host && i.port === this.#failed.port);
    if (!failedObs) throw new Error(`${instanceId(this.#failed)} is not in the refreshed snapshot`);
    const replicas = replicasOf(snapshot.instances, this.#failed);
    // reachable as of the executor's own refresh: a PreFailover hook that ran since then (seconds,
    // maybe) must not age every replica out; the drain that follows re-checks each one
    const refreshedAtMs = Date.parse(snapshot.observedAt);
    const nowMs = Number.isFinite(refreshedAtMs) ? Math.min(refreshedAtMs, d.clock().getTime()) : d.clock().getTime();
    const reachability = { nowMs, windowMs: d.settings.reachabilityWindowMs };
    const reachable = replicas.filter((r) => isReplicaReachable(r, reachability));
    if (isDeadCoPrimaryCode(this.#r.entry.code) && !this.#designated) this.#chooseOtherCoPrimary(failedObs, replicas);
    // a switchover waits for its target alone: the siblings (behind the fenced primary, never
    // ahead of it) keep replicating and are moved under the new primary after it is writable
    const designated = this.#designated;
    const stopping = this.#switchover && designated ? reachable.filter((r) => sameKey(r, designated)) : reachable;

    await this.#guard('fence and stop replicas', { step: 'stop-replicas', data: { replicas: stopping.map(keyOf), fence: keyOf(this.#failed) } });
    this.#touched = true;
    let fencing: Promise<FencingRecord>;
    if (this.#live) {
      // force-master-failover of a live primary: no writes after this, and nothing it committed left behind
      const sql = await this.#fenceLivePrimary(session, failedObs);
      fencing = this.#withFenceHook(sql);
      await this.#syncReplicas(session, stopping);
      this.#checkpoint();
    } else {
      // A primary that did not answer the analysis nor the refresh gets the refresh's short budget
      // for its SQL fence too: a hung or cut-off server will not answer in time, and the promotion
      // waits for this attempt. It is not the last word: the fence line fired at the promotion and
      // the fence keeper reach it the moment it answers again.
      fencing = this.#startFencing(session, failedObs.lastError !== null ? notAnsweringBudgetMs : undefined);
    }
    const drains = await session.drain(stopping, d.settings.bulkWaitTimeoutMs, { sourceUnresponsive: failedObs.lastError !== null });
    const drainedAt = d.clock();
    this.#drained = stopping.filter((_, i) => drains[i]?.ok);
    const applied = drains.filter((x) => x.ok && x.result.drained).length;
    this.#t.step('replicas-stopped', applied === drains.length ? 'succeeded' : 'failed', `${this.#drained.length} of ${replicas.length} replicas stopped, ${applied} applied everything they received${stopping === reachable ? '' : ' (a switchover stops its target only)'}`, {
      replicas: drains.map((x) => (x.ok ? { instance: x.instance, drained: x.result.drained, wait: x.result.waitOutcome, position: x.result.position } : { instance: x.instance, error: x.error })),
      unreachable: replicas.filter((r) => !reachable.includes(r)).map(instanceId),
    });
    this.#d.fault('after-drain');
    let updated = replicas.map((r) => {
      const result = drains.find((x) => x.instance === instanceId(r));
      if (!result) return r;
      return result.ok ? drainedObservation(r, result.result, drainedAt) : failedDrainObservation(r, result.error, drainedAt);
    });
    updated = await this.#semiSyncAckers(session, failedObs, replicas, updated);
    this.#lossMembers = this.#membersForLossReport(failedObs, updated);
    let settled: Promise<void> | null = null;
    const settleFence = (): Promise<void> => (settled ??= this.#awaitFence(fencing));
    // Candidates whose promotion did not verify: left read-only, replication cleared, named lost.
    const refused: CandidateRefused[] = [];
    for (;;) {
      const plan = planPromotion({
        failed: failedObs,
        replicas: updated.filter((r) => !refused.some((x) => sameKey(x.candidate, r))),
        policy: d.settings.promotionPolicy,
        reachability: { nowMs: drainedAt.getTime(), windowMs: d.settings.reachabilityWindowMs },
        lagSeconds: lagByInstance(replicas),
        ...(this.#designated && refused.length === 0 ? { requestedCandidate: this.#designated } : {}),
      });
      const after = refused.length > 0 ? ` (after ${refused.map((x) => x.message).join('; ')})` : '';
      if (!plan.ok) {
        this.#t.step('candidate', 'failed', `${plan.reason}${after}`, { ranking: plan.details.ranking, unranked: plan.details.unranked, lacking: plan.details.lacking, warnings: plan.details.warnings });
        await settleFence();
        throw new Stop(`no promotion: ${plan.reason}${after}`, 'failed', false);
      }
      const final = this.#finalPosition;
      if (final && !positionHolds(final.flavour, plan.expectedPosition, final.position)) {
        const reason = `${instanceId(plan.candidate)} would not hold ${instanceId(this.#failed)}'s final position ${final.position} (it would have ${plan.expectedPosition || 'nothing'})`;
        this.#t.step('candidate', 'failed', reason, { candidate: instanceId(plan.candidate), expectedPosition: plan.expectedPosition, finalPosition: final.position, ranking: plan.ranking });
        await settleFence();
        throw new Stop(`no promotion: ${reason}${after}`, 'failed', false);
      }
      this.#t.step('candidate-chosen', 'succeeded', `${instanceId(plan.candidate)} chosen${refused.length > 0 ? ` (next candidate${after})` : ''}`, {
        candidate: instanceId(plan.candidate),
        catchUpFrom: plan.catchUpFrom ?? null,
        moves: plan.moves.map(instanceId),
        lost: plan.lost,
        waitForSqlThread: plan.waitForSqlThread,
        expectedPosition: plan.expectedPosition,
        warnings: plan.warnings,
        refused: refused.map((x) => instanceId(x.candidate)),
        // why this one: every replica in the candidate order, with its eligibility and completeness
        ranking: plan.ranking,
      });
      const refusedLost: LostEntry[] = refused.map((x) => ({ replica: keyOf(x.candidate), kind: 'move-failed' as const, reason: x.message }));
      this.#lost = [...plan.lost.map((l) => ({ replica: l.replica, kind: l.kind, reason: l.reason })), ...refusedLost];
      this.#checkpoint();
      await this.#prepareCandidate(session, plan);
      await settleFence();
      this.#requireFence();
      this.#d.fault('after-fence');
      try {
        await this.#promote(session, snapshot, plan.candidate, failedObs, {
          expectedPosition: plan.expectedPosition,
          moves: plan.moves.map(keyOf),
          lost: plan.lost.map((l) => instanceId(l.replica)),
        });
      } catch (error) {
        if (!(error instanceof CandidateRefused)) throw error;
        if (this.#designatedOnly) {
          if (this.#switchover) await this.#returnTarget(session, error.candidate);
          throw new Stop(`${error.message}; no other replica is promoted instead (${this.#switchover ? this.#r.commandHint : 'CoMasterRecoveryMustPromoteOtherCoMaster'})`, 'failed', false);
        }
        refused.push(error);
        continue;
      }
      await this.#relocate(session, plan.candidate, plan.moves);
      return;
    }
  }

  /**
   * A switchover whose target refused its promotion (left read-only, its replication cleared): the
   * target replicates from the fenced old primary again, so that the old primary can be made
   * writable and the cluster is as it was. When that fails the old primary stays fenced.
   */
  async #returnTarget(session: TopologySession, target: InstanceKey): Promise<void> {
    const id = instanceId(target);
    try {
      await this.#guard('return the refused target', { step: 'return-target', data: { target: keyOf(target), source: keyOf(this.#failed) } });
      const [back] = await session.repoint([target], this.#failed, { semiSyncReplica: undefined });
      const ok = back?.ok === true && back.result.running;
      this.#t.step('replication-restarted', ok ? 'succeeded' : 'failed', ok ? `${id} replicates from ${instanceId(this.#failed)} again (its promotion was refused)` : `${id} could not be put back under ${instanceId(this.#failed)}`, {
        restarted: ok ? [id] : [],
        failed: ok ? [] : [{ instance: id, error: back ? (back.ok ? back.result.outcome : back.error.message) : 'no answer' }],
      });
      if (ok) {
        this.#promotionUndone = true;
        this.#drained = this.#drained.filter((d) => !sameKey(d, target));
      }
    } catch (error) {
      if (error instanceof Abandon || error instanceof StaleEpochError) throw error;
      this.#errors.push(`${id} could not be put back under ${instanceId(this.#failed)}: ${(error as Error).message}`);
    }
  }

  /**
   * A dead co-primary (orchestrator's checkAndRecoverDeadCoMaster): the other co-primary — the one
   * it replicated from, itself a replica of it — is the candidate when
   * CoMasterRecoveryMustPromoteOtherCoMaster is on (default) or it is writable; then nobody else is
   * promoted (a refusal fails the recovery). Otherwise the best replica is, and the other
   * co-primary is moved under it like any replica (its circle broken: it no longer replicates from
   * the failed one). Its promotion clears its replication from the failed co-primary.
   */
  #chooseOtherCoPrimary(failedObs: InstanceObservation, replicas: readonly InstanceObservation[]): void {
    const src = failedObs.replication;
    const other = src ? replicas.find((r) => r.host.toLowerCase() === src.sourceHost.toLowerCase() && r.port === src.sourcePort) : undefined;
    const must = this.#d.settings.coMasterMustPromoteOther || other?.readOnly === false;
    if (!must) return;
    if (!other) {
      const named = src ? `${src.sourceHost}:${src.sourcePort}` : 'none known';
      throw new Stop(`no promotion: CoMasterRecoveryMustPromoteOtherCoMaster, and the other co-primary (${named}) is not a replica of ${instanceId(this.#failed)}`, 'failed', false);
    }
    this.#designated = keyOf(other);
    this.#designatedOnly = true;
  }

  /**
   * Steps 9–11 for a dead intermediate primary (steps/intermediate.ts): its replicas relocated under
   * the best sibling or up to its source; success when at least one replicates from its new source.
   */
  async #relocateIntermediate(snapshot: ClusterSnapshot): Promise<void> {
    const result = await relocateIntermediateReplicas(
      {
        session: this.#session as TopologySession,
        trail: this.#t,
        settings: this.#d.settings,
        clock: this.#d.clock,
        failed: this.#failed,
        guard: (what, intent) => this.#guard(what, intent),
        stopping: (replicas) => {
          this.#touched = true;
          this.#drained = [...replicas];
        },
      },
      snapshot,
    );
    this.#lost = result.lost;
    this.#errors.push(...result.errors);
    this.#drained = result.stillStopped;
    this.#restartedAll = result.stillStopped.length === 0;
    this.#repointAttempted = result.repointAttempted;
    const earlier = this.#r.takeover && result.replicas === 0 ? relocatedBefore(this.#entries) : [];
    const last = earlier.at(-1);
    if (!result.successor && last) {
      // a takeover whose predecessor moved every replica before it stopped: done, once the refresh
      // shows each of them replicating from where it was moved (else the move is not proven)
      const unproven = earlier.flatMap((m) =>
        m.replicas.filter((r) => {
          const o = snapshot.instances.find((i) => sameKey(i, r));
          const src = o?.replication;
          return !o || o.lastError !== null || !src || !sameKey({ host: src.sourceHost, port: src.sourcePort }, m.target) || src.ioThread !== 'Yes' || src.sqlThread !== 'Yes';
        }).map((r) => `${instanceId(r)} (to go under ${instanceId(m.target)})`),
      );
      if (unproven.length > 0) {
        throw new Stop(`the attempt taken over relocated the replicas of ${instanceId(this.#failed)}, but ${unproven.join(', ')} does not replicate from its new source on this refresh`, 'failed', false);
      }
      this.#successor = { key: last.target, position: null };
      this.#relocated = `recovered: no replica of ${instanceId(this.#failed)} left to relocate (moved by the attempt taken over, last under ${instanceId(last.target)}; each seen replicating there)`;
      return;
    }
    if (!result.successor) {
      const why = result.lost.map((l) => `${instanceId(l.replica)}: ${l.reason}`).join('; ');
      throw new Stop(`no replica of ${instanceId(this.#failed)} could be relocated${why ? ` (${why})` : ' (it has none left)'}`, 'failed', false);
    }
    this.#successor = { key: result.successor, position: null };
    this.#relocated = result.summary;
  }

  /**
   * Semi-sync acknowledgers that could not be examined (semi-sync-ackers.ts): while they could hold
   * an acknowledged transaction no examined replica has, they are drained again every 500 ms for
   * up to semiSyncAckerWaitMs; still at risk, the recovery fails with the reason before any
   * promotion (a clean failure: retried), unless acceptUnexaminedSemiSyncLoss — then it goes on and
   * the loss report keeps them pending until they answer.
   */
  async #semiSyncAckers(session: TopologySession, failedObs: InstanceObservation, replicas: readonly InstanceObservation[], updated: InstanceObservation[]): Promise<InstanceObservation[]> {
    const s = this.#d.settings;
    // a fenced live primary's final position bounds whatever anyone acknowledged, and the candidate must hold it
    if (this.#finalPosition) return updated;
    const examined = (r: InstanceObservation): boolean => this.#drained.some((d) => sameKey(d, r));
    let risk = unexaminedAckerRisk(failedObs, replicas, examined);
    if (!risk.atRisk) return updated;
    const waitUntil = this.#d.clock().getTime() + s.semiSyncAckerWaitMs;
    let current = updated;
    while (risk.atRisk && !s.acceptUnexaminedSemiSyncLoss && this.#d.clock().getTime() < waitUntil) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const again = replicas.filter((r) => risk.unexamined.includes(instanceId(r)));
      const drains = await session.drain(again, s.bulkWaitTimeoutMs);
      const at = this.#d.clock();
      for (const [i, r] of again.entries()) {
        const d = drains[i];
        if (!d?.ok) continue;
        this.#drained.push(keyOf(r));
        current = current.map((u) => (sameKey(u, r) ? drainedObservation(r, d.result, at) : u));
      }
      risk = unexaminedAckerRisk(failedObs, replicas, examined);
    }
    const details = { unexamined: risk.unexamined, required: risk.required, waitedMs: s.semiSyncAckerWaitMs, acceptUnexaminedSemiSyncLoss: s.acceptUnexaminedSemiSyncLoss };
    if (!risk.atRisk) {
      this.#t.step('semi-sync-ackers', 'succeeded', `the semi-sync replicas answered: ${risk.reason}`, details);
      return current;
    }
    if (s.acceptUnexaminedSemiSyncLoss) {
      this.#t.step('semi-sync-ackers', 'info', `${risk.reason}; promoting anyway (acceptUnexaminedSemiSyncLoss): the loss report keeps them pending until they answer`, details);
      return current;
    }
    this.#t.step('semi-sync-ackers', 'failed', `${risk.reason}; they did not answer within ${s.semiSyncAckerWaitMs} ms`, details);
    throw new Stop(`no promotion: ${risk.reason}, and they did not answer within ${s.semiSyncAckerWaitMs} ms (acceptUnexaminedSemiSyncLoss is off)`, 'failed', false);
  }

  /**
   * ApplyMySQLPromotion, the one irreversible step: the intent naming the candidate is durable
   * first (and proves the term), and just before read_only=0 the term is proven again and no other
   * member of the cluster that answered the refresh may be writable.
   */
  async #promote(session: TopologySession, snapshot: ClusterSnapshot, candidate: InstanceKey, failedObs: InstanceObservation | undefined, plan: Record<string, unknown>): Promise<void> {
    const id = instanceId(candidate);
    await this.#guard('promote', { step: 'promote', data: { candidate: keyOf(candidate), ...plan } });
    this.#promoteAttempted = true;
    // A hung old primary executes what waits in its socket first when it runs again: read_only=1 and
    // the kill pass go out on the line opened while it was healthy, now that a promotion follows
    // (not earlier: a run that promotes nobody must not leave it read-only when it resumes).
    const line = this.#live ? null : this.#d.lines.fire(this.#r.clusterId, this.#failed);
    if (line) this.#d.keeper.adoptLine(this.#r.clusterId, this.#failed, line);
    const m = this.#d.settings.mysql;
    const faultAction = this.#d.faultAction;
    const term = this.#term as Term;
    const promoted = await session.promote(candidate, {
      semiSync: failedObs ? semiSyncFor(failedObs) : false,
      ...(typeof plan['expectedPosition'] === 'string' && plan['expectedPosition'] !== '' ? { expectedPosition: plan['expectedPosition'] } : {}),
      epoch: { clusterId: this.#r.clusterId, epoch: term.epoch, recoveryUid: this.#t.uid },
      ...(faultAction ? { afterClear: () => faultAction('promote-extra-connection', { ...candidate, user: m.user, password: m.password }) } : {}),
      beforeWritable: async () => {
        this.#d.fault('after-reset-replica');
        await this.#beforeWritable(session, snapshot, candidate);
      },
    });
    if (!promoted.verified) {
      const restored = promoted.restoredReadOnly;
      const state = restored === false ? 'it could NOT be set back to read-only' : 'it is read-only';
      const reason = `promotion of ${id} not verified (${promoted.problems.join('; ')}); ${state}, its replication cleared`;
      this.#t.step('promoted', 'failed', reason, { candidate: id, problems: promoted.problems, restoredReadOnly: restored ?? null, readOnly: promoted.readOnly });
      await this.#d.journal.record(term, this.#d.owner, 'promote', 'failed', { candidate: keyOf(candidate), problems: promoted.problems, restoredReadOnly: restored ?? null });
      // a candidate left writable must not be followed by another promotion: that would be two primaries
      if (restored === false) throw new Stop(`${reason}: no other candidate is promoted while it may be writable`, 'failed', false);
      // its relay log holds what it was chosen for: another candidate would lack it
      if (promoted.unappliedRelayLog === true) throw new Stop(`promotion of ${id} refused: ${promoted.problems.join('; ')}; nothing was reset`, 'failed', false);
      throw new CandidateRefused(reason, keyOf(candidate));
    }
    this.#successor = { key: candidate, position: promoted.position };
    this.#t.step('promoted', 'succeeded', `${id} is the new primary (writable)`, {
      successor: id,
      position: promoted.position,
      semiSync: promoted.semiSyncMasterEnabled,
      elapsedMs: Math.round(promoted.elapsedMs),
      epoch: term.epoch,
      fenceLineFired: line !== null,
      ...(this.#r.takeover ? { rolledForward: true } : {}),
    });
    await this.#d.journal.record(term, this.#d.owner, 'promote', 'done', { candidate: keyOf(candidate), position: promoted.position });
    this.#reportLoss(candidate, promoted.flavour, promoted.positionBeforeWritable ?? promoted.position);
    // durable: every executor keeps the old primary fenced from now on, across restarts (written
    // while the replicas move; awaited before the recovery resolves)
    this.#persisting = this.#d.keeper.persist(this.#demoted()).catch((error: unknown) => {
      this.#errors.push(`recording ${instanceId(this.#failed)} as a demoted primary failed: ${(error as Error).message}`);
    });
    this.#d.fault('after-read-only-off');
  }

  /** The last re-check before read_only=0: the term, then every other member that answered the refresh must be read-only. */
  async #beforeWritable(session: TopologySession, snapshot: ClusterSnapshot, candidate: InstanceKey): Promise<void> {
    await this.#d.journal.check(this.#term as Term);
    const others = snapshot.instances.filter((i) => i.lastError === null && !sameKey(i, candidate) && !sameKey(i, this.#failed)).map(keyOf);
    const writable = others.length === 0 ? [] : await session.writable(others, writableCheckTimeoutMs);
    if (writable.length > 0) {
      this.#t.step('promotion-refused', 'failed', `${instanceId(candidate)} left read-only: ${writable.join(', ')} answers and is writable`, { candidate: instanceId(candidate), writable });
      throw new Stop(`promotion of ${instanceId(candidate)} refused: ${writable.join(', ')} answers and is writable (never two writable primaries)`, 'failed', false);
    }
  }

  /** Steps 10–11 after the promotion: the replicas moved under the successor, lost replicas and downtimes. */
  async #relocate(session: TopologySession, successor: InstanceKey, moves: readonly InstanceKey[]): Promise<void> {
    const d = this.#d;
    await this.#guard('move replicas');
    let first = true;
    const moved = await moveReplicas(session, this.#t, moves, successor, () => {
      if (first) d.fault('after-first-move');
      first = false;
    });
    this.#lost.push(...moved.lost);
    this.#errors.push(...moved.errors);
    await this.#guard('lost replicas and downtimes');
    const aftermath = await handleAftermath(session, d.state, this.#t, {
      clusterId: this.#r.clusterId,
      failed: this.#failed,
      successor,
      lost: this.#lost,
      detachLost: d.settings.detachLostReplicas,
      downtimeMs: d.settings.lostDowntimeMs,
      // a switchover's old primary is re-attached, not downtimed (orchestrator's year-long downtime, step 10)
      downtimeFailed: !this.#switchover,
      now: d.clock(),
    });
    this.#errors.push(...aftermath);
    if (this.#switchover) await this.#reattachOldPrimary(session, successor);
    else if (this.#force) this.#recordOldPrimary(successor);
  }

  /**
   * A takeover's successor: the one the predecessor's journal intended (its promote intent), or
   * else a member that is already writable with no replication (promoted, the intent not yet
   * durable: impossible with this executor, but a predecessor may be older). null: nothing was
   * promoted, and the recovery starts its election over.
   */
  #rollForwardTarget(snapshot: ClusterSnapshot): { key: InstanceKey; why: string } | null {
    const intended = intendedSuccessor(this.#entries);
    if (intended) return { key: intended, why: "the predecessor's promote intent" };
    const orphan = snapshot.instances.find((i) => !sameKey(i, this.#failed) && i.lastError === null && i.readOnly === false && i.replication === null);
    return orphan ? { key: keyOf(orphan), why: 'it is writable with no replication configured' } : null;
  }

  /**
   * Roll forward: finish the crashed recovery onto its successor. The old primary is fenced again,
   * the successor promoted unless it already is (verified by the refresh: writable, no
   * replication), every answering member not yet replicating from it is moved, the rest named
   * lost. Another replica is never promoted instead: a successor that does not answer may be
   * writable, so the recovery fails with the reason and keeps its block.
   */
  async #rollForward(snapshot: ClusterSnapshot, target: { key: InstanceKey; why: string }): Promise<void> {
    const session = this.#session as TopologySession;
    const id = instanceId(target.key);
    const obs = snapshot.instances.find((i) => sameKey(i, target.key));
    this.#attempted = true;
    this.#preGracefulRan = this.#journaled('pre-graceful-takeover');
    if (!obs || obs.lastError !== null) {
      throw new Stop(`the intended successor ${id} (${target.why}) does not answer: the recovery is not completed, and no other replica is promoted while ${id} may be writable`, 'failed', false);
    }
    this.#t.step('rolling-forward', 'info', `completing the recovery onto ${id} (${target.why})`, { successor: id, why: target.why });
    await this.#guard('fence', { step: 'stop-replicas', data: { replicas: [], fence: keyOf(this.#failed), rollForward: id } });
    this.#touched = true;
    await this.#awaitFence(this.#startFencing(session));
    const failedObs = snapshot.instances.find((i) => sameKey(i, this.#failed));
    if (obs.readOnly === false && obs.replication === null) {
      this.#successor = { key: target.key, position: null };
      this.#t.step('promoted', 'succeeded', `${id} is the new primary (promoted by an earlier attempt; writable with no replication on this refresh)`, { successor: id, rolledForward: true, epoch: this.#term?.epoch ?? null });
    } else {
      this.#requireFence();
      await this.#promote(session, snapshot, target.key, failedObs, { rollForward: true }).catch((error: unknown) => {
        throw error instanceof CandidateRefused ? new Stop(`roll-forward: ${error.message}`, 'failed', false) : error;
      });
    }
    const others = snapshot.instances.filter((i) => !sameKey(i, target.key) && !sameKey(i, this.#failed));
    const underTarget = (i: InstanceObservation): boolean =>
      i.replication !== null && sameKey({ host: i.replication.sourceHost, port: i.replication.sourcePort }, target.key) && i.replication.ioThread === 'Yes' && i.replication.sqlThread === 'Yes';
    this.#lost = others.filter((i) => i.lastError !== null).map((i) => ({ replica: keyOf(i), kind: 'unreachable' as const, reason: `did not answer the takeover's refresh: ${i.lastError ?? ''}` }));
    await this.#relocate(session, target.key, others.filter((i) => i.lastError === null && !underTarget(i)).map(keyOf));
  }

  /**
   * force-master-failover's old primary after a promotion: left as it is — read_only (fenced), not
   * replicating, downtimed like any failed primary — and named in the result as not moved. It is
   * consistent (every replica applied its final position) and could be repointed under the new
   * primary; doing that is left to the operator, as orchestrator does.
   */
  #recordOldPrimary(successor: InstanceKey): void {
    const id = instanceId(this.#failed);
    this.#oldPrimaryNotMoved = id;
    const fencedBySql = this.#fencing?.sql.fenced ?? false;
    const state = this.#live ? 'read_only' : fencedBySql ? 'read_only (it answered the fence)' : 'not answering';
    this.#t.step('old-primary-not-moved', 'info', `${id} not moved under ${instanceId(successor)}: left ${state}, not replicating${this.#d.settings.lostDowntimeMs > 0 ? ', downtimed' : ''}`, {
      instance: id,
      successor: instanceId(successor),
      answered: this.#live,
      fencedBySql,
      downtimed: this.#d.settings.lostDowntimeMs > 0,
    });
  }

  /**
   * force-master-failover, primary alive: the SQL fence, with a statement's budget rather than the
   * crash budget, must succeed — read_only=1 verified and every client connection killed — or the
   * run stops before anything else is touched (W3: never two writable primaries).
   */
  async #fenceLivePrimary(session: TopologySession, failedObs: InstanceObservation): Promise<FenceResult> {
    const s = this.#d.settings;
    const sql = await this.#sqlFence(session, Math.max(s.fenceTimeoutMs, s.mysql.operationTimeoutMs));
    this.#mayUnfence = failedObs.readOnly === false && mayHaveSetReadOnly(sql);
    const problem = liveFenceProblem(sql);
    const record: FencingRecord = { sql, hook: null };
    this.#fencing = record;
    this.#sqlFenceRecorded = true;
    if (problem === null) {
      this.#t.step('fenced', 'succeeded', `${fencedStepMessage(record)} and ${sql.killedConnections} client connection(s) killed`, { ...this.#fencedDetails(record), required: true });
      return sql;
    }
    this.#t.step('fenced', 'failed', `${instanceId(this.#failed)} answers but could not be fenced: ${problem}`, { ...this.#fencedDetails(record), required: true });
    throw new Stop(`force-master-failover: ${instanceId(this.#failed)} answers but could not be fenced (${problem}); nothing promoted`, 'failed', false);
  }

  /**
   * force-master-failover, primary fenced: its final position (own binlog position, read after the
   * fence), then every reachable replica waits, replication running, until it has received and
   * applied it (bounded by InstanceBulkOperationsWaitTimeoutSeconds). A replica that does not get
   * there is still drained and planned; the candidate must hold the position (checked after the plan).
   */
  async #syncReplicas(session: TopologySession, reachable: readonly InstanceObservation[]): Promise<void> {
    const id = instanceId(this.#failed);
    const s = this.#d.settings;
    // a graceful switchover waits as long as the lag it accepted (ReasonableMaintenanceReplicationLagSeconds)
    const timeoutMs = this.#switchover && this.#switchover !== 'force' ? s.promotionPolicy.reasonableMaintenanceReplicationLagSeconds * 1000 : s.bulkWaitTimeoutMs;
    let position: string;
    try {
      const read = await session.readPosition(this.#failed);
      position = read.ownPosition;
      this.#finalPosition = { flavour: read.flavour, position };
    } catch (error) {
      throw new Stop(`force-master-failover: the final position of the fenced ${id} could not be read: ${(error as Error).message}`, 'failed', false);
    }
    const waited = reachable.length > 0 ? await session.waitForPosition(reachable, position, timeoutMs) : [];
    const reached = waited.filter((w) => w.ok && w.result.outcome === 'reached').length;
    this.#t.step('replicas-synced', reached === reachable.length ? 'succeeded' : 'failed', `${reached} of ${reachable.length} replicas applied ${id}'s final position ${position || '(empty)'}`, {
      position,
      timeoutMs,
      replicas: waited.map((w) => (w.ok ? { instance: w.instance, outcome: w.result.outcome, elapsedMs: Math.round(w.result.elapsedMs) } : { instance: w.instance, error: w.error })),
    });
    // orchestrator's step 6 left the primary read-only when its target did not catch up: here the run stops and undoes the fence
    if (this.#switchover && reached < reachable.length) {
      throw new Stop(`${this.#r.commandHint}: ${reachable.map(instanceId).join(', ')} did not apply ${id}'s final position ${position || '(empty)'} within ${timeoutMs} ms; nothing promoted`, 'failed', false);
    }
  }

  /**
   * A switchover's old primary after the promotion (orchestrator's step 9, with its downtime
   * left out): no longer kept as a demoted primary (its demoted_primaries row ended first, so no
   * executor's keeper takes the global read lock again meanwhile; the keeper's lock lifted), then
   * CHANGE MASTER TO the new primary with MASTER_USE_GTID = current_pos (its own transactions are
   * in its binlog, and the new primary holds all of them: it applied the final position), START
   * SLAVE, both threads seen running; read_only stays 1. A failure is named and it is made a
   * demoted primary again (the keeper fences it and its rejoin tries again: rejoin.ts); the
   * switchover itself stands.
   */
  async #reattachOldPrimary(session: TopologySession, successor: InstanceKey): Promise<void> {
    const id = instanceId(this.#failed);
    const source = instanceId(successor);
    await this.#guard('re-attach the old primary', { step: 'reattach-old-primary', data: { instance: keyOf(this.#failed), source: keyOf(successor) } });
    await this.#persisting;
    let error = '';
    await this.#d.keeper.end(this.#r.clusterId, this.#failed, `re-attached under ${source} by its ${this.#r.commandHint}`).catch((e: unknown) => {
      error = `ending its demoted-primary record failed: ${(e as Error).message}`;
    });
    let attached: Awaited<ReturnType<TopologySession['attach']>> | null = null;
    try {
      if (error === '') attached = await session.attach(this.#failed, successor);
      if (attached && !attached.running) error = [attached.outcome, attached.replication?.lastIoError, attached.replication?.lastSqlError].filter((x) => x).join(': ');
    } catch (e) {
      error = (e as Error).message;
    }
    if (error !== '') {
      this.#errors.push(`the old primary ${id} could not be re-attached under ${source}: ${error}`);
      this.#oldPrimaryNotMoved = id;
      await this.#d.keeper.persist(this.#demoted()).catch((e: unknown) => this.#errors.push(`recording ${id} as a demoted primary again failed: ${(e as Error).message}`));
    }
    this.#t.step('old-primary-reattached', error === '' ? 'succeeded' : 'failed', error === '' ? `${id} replicates from ${source} (read-only, MASTER_USE_GTID = current_pos)` : `${id} could not be re-attached under ${source}: ${error}; it stays fenced`, {
      instance: id,
      source,
      running: error === '',
      outcome: attached?.outcome ?? 'error',
      ...(attached ? { elapsedMs: Math.round(attached.elapsedMs) } : {}),
      ...(error === '' ? {} : { error }),
    });
  }

  /** force-master-failover stopped before any promotion: the live primary it fenced is made writable again. */
  async #unfenceOldPrimary(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    const id = instanceId(this.#failed);
    this.#unfencedAll = false;
    if ((this.#promoteAttempted && !this.#promotionUndone) || this.#lease?.lost.aborted) {
      const why = this.#promoteAttempted ? 'a promotion was attempted' : 'the cluster lock was lost';
      this.#errors.push(`${id} left read_only: ${why}`);
      this.#t.step('unfenced', 'failed', `${id} left read_only: ${why}`, {});
      return;
    }
    try {
      const undone = await session.unfence(this.#failed);
      this.#unfencedAll = undone.verified;
      if (!undone.verified) this.#errors.push(`unfence of ${id}: read_only reads back as ${String(undone.readOnly)}`);
      this.#t.step('unfenced', undone.verified ? 'succeeded' : 'failed', undone.verified ? `${id} writable again (read_only=0): nobody was promoted` : `${id} still reads read_only=${String(undone.readOnly)}`, {
        readOnly: undone.readOnly,
        elapsedMs: Math.round(undone.elapsedMs),
      });
    } catch (error) {
      this.#errors.push(`unfence of ${id} failed: ${(error as Error).message}`);
      this.#t.step('unfenced', 'failed', `${id} could not be made writable again: ${(error as Error).message}`, {});
    }
  }

  async #prepareCandidate(session: TopologySession, plan: PromotionPlanOk): Promise<void> {
    const timeoutMs = this.#d.settings.bulkWaitTimeoutMs;
    if (plan.catchUpFrom) {
      const { source, untilPosition } = plan.catchUpFrom;
      await this.#guard('catch-up');
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
  #startFencing(session: TopologySession, timeoutMs?: number): Promise<FencingRecord> {
    const started = this.#sqlFence(session, timeoutMs).then(async (sql): Promise<FencingRecord> => ({ sql, hook: await this.#fenceHook(sql) }));
    this.#fencingInFlight = started;
    return started;
  }

  /**
   * The SQL fence alone (never throws); `timeoutMs` replaces the crash budget. Whatever it came to,
   * the fence keeper takes over from here: it holds MariaDB's global read lock on the fencing
   * connection, and keeps an attempt open for a primary that did not answer, so a hung or cut-off
   * one is fenced the moment it answers (promotion or not: a run that promotes nobody releases it).
   */
  async #sqlFence(session: TopologySession, timeoutMs?: number): Promise<FenceResult> {
    const instance = instanceId(this.#failed);
    const { clusterId } = this.#r;
    const result = await session
      .fence(this.#failed, { ...(timeoutMs === undefined ? {} : { timeoutMs }), hold: (held) => this.#d.keeper.adopt(clusterId, held) })
      .catch((error: unknown): FenceResult => ({ instance, fenced: false, reason: 'failed', liveness: 'not-answering', readLockHeld: null, readOnly: null, killedConnections: 0, unkilledConnections: 0, error: (error as Error).message, elapsedMs: 0 }));
    this.#d.keeper.watch(this.#demoted());
    return result;
  }

  #demoted(): DemotedPrimary {
    return { clusterId: this.#r.clusterId, instance: keyOf(this.#failed), recoveryUid: this.#t.uid, epoch: this.#term?.epoch ?? null };
  }

  /**
   * No successor: the keeper stops keeping the failed primary fenced (it is still the cluster's
   * primary). When the keeper fenced it on its return during the run, it was writable before, and
   * that is undone as a live primary's fence is (#unfenceOldPrimary).
   */
  async #releaseKeeper(): Promise<void> {
    const released = await this.#d.keeper.release(this.#r.clusterId, this.#failed).catch(() => ({ fencedByKeeper: false }));
    if (released.fencedByKeeper && !this.#superseded) this.#mayUnfence = true;
  }

  /** recovery.requireFenceBeforePromotion: no promotion while a primary that is not provably dead is not fenced. */
  #requireFence(): void {
    if (this.#live || !this.#fencing) return; // a live primary's fence is required anyway (#fenceLivePrimary)
    const problem = requiredFenceProblem(this.#fencing, this.#d.settings.requireFence);
    if (problem === null) return;
    this.#t.step('fence-required', 'failed', problem, { liveness: this.#fencing.sql.liveness, fencing: fencingResultText(this.#fencing) });
    throw new Stop(`requireFenceBeforePromotion: ${problem}; nothing promoted`, 'failed', false);
  }

  /** The fence hook after a SQL fence that already ran (force-master-failover of a live primary); #awaitFence records both. */
  #withFenceHook(sql: FenceResult): Promise<FencingRecord> {
    const started = this.#fenceHook(sql).then((hook): FencingRecord => ({ sql, hook }));
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
    const hookError = fenceHookError(record.hook);
    if (hookError !== null) this.#errors.push(`fenceProcesses: ${hookError}`);
    if (this.#sqlFenceRecorded) {
      const status = fenceHookStatus(record.hook);
      if (status && record.hook) {
        this.#t.step('fence-hook', status === 'succeeded' ? 'succeeded' : 'failed', status === 'succeeded' ? 'fence hook succeeded' : `fence hook ${status}: ${hookError ?? ''}`, summarizeHookOutcome(record.hook));
      }
      return;
    }
    this.#t.step('fenced', fencedStepStatus(record), fencedStepMessage(record), this.#fencedDetails(record));
  }

  #fencedDetails(record: FencingRecord): RecoveryStepDetails<'fenced'> {
    const { sql, hook } = record;
    return {
      fenced: isFenced(record),
      fencedBySql: sql.fenced,
      reason: sql.reason,
      liveness: sql.liveness,
      readLockHeld: sql.readLockHeld,
      killedConnections: sql.killedConnections,
      ...(sql.unkilledConnections > 0 ? { unkilledConnections: sql.unkilledConnections } : {}),
      ...(sql.killError ? { killError: sql.killError } : {}),
      elapsedMs: Math.round(sql.elapsedMs),
      ...(sql.error ? { error: sql.error } : {}),
      hook: hook && hook.status !== 'none-configured' ? summarizeHookOutcome(hook) : null,
    };
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
    this.#restartedAll = restarted.every((r) => r.ok);
    this.#t.step('replication-restarted', restarted.every((r) => r.ok) ? 'succeeded' : 'failed', `replication restarted on the stopped replicas (nothing moved): they replicate from ${instanceId(this.#failed)} again${this.#live ? '' : ', which did not answer this recovery'}`, {
      restarted: restarted.filter((r) => r.ok).map((r) => r.instance),
      failed: restarted.filter((r) => !r.ok).map((r) => ({ instance: r.instance, error: r.ok ? '' : r.error })),
    });
  }

  async #resolve(outcome: RecoveryOutcome, release: boolean): Promise<void> {
    const d = this.#d;
    const { clusterId } = this.#r;
    const endedAt = d.clock();
    const successor = this.#successor;
    // durable before the block and the lock are given up: only then may a later run see it ended
    if (!this.#term) {
      // never claimed (the lock or the cluster was taken): the attempt is still on record, already ended
      this.#t.write('record the unclaimed recovery', async () => {
        await d.store.insertRecovery(this.#r.row);
        await d.store.resolveRecovery(this.#t.uid, { ...this.#resolution(outcome, endedAt), lockToken: null });
      });
    } else {
      const resolved = await d.journal
        .resolve(this.#term, d.owner, { ...this.#resolution(outcome, endedAt), lockToken: this.#term.epoch })
        .catch((error: unknown) => {
          this.#errors.push(`resolving the recovery row failed: ${(error as Error).message}`);
          return false;
        });
      if (!resolved) {
        this.#t.step('resolved', 'failed', `not resolved: epoch ${this.#term.epoch} is no longer this recovery's, or the backend refused (${this.#errors.at(-1) ?? ''})`, { outcome, epoch: this.#term.epoch });
        return;
      }
    }
    try {
      if (release) await d.state.releaseBlock(clusterId, this.#t.uid);
      else await d.state.resolveBlock(clusterId, { ...this.#r.block, state: 'resolved', successor: successor ? instanceId(successor.key) : null, resolvedAtMs: endedAt.getTime() });
      // The detection row ends with the recovery; its Redis key stays for its period, so the
      // analyses still in flight about the old topology do not register (and hook) it again.
      if (successor) this.#t.write('close detections', () => d.store.closeDetections(clusterId, this.#failed, this.#t.uid, endedAt));
    } catch (error) {
      this.#errors.push(`updating the recovery block failed: ${(error as Error).message}`);
    }
    const retried = this.#retryable ? ' (the topology is as it was: block given back, retried)' : '';
    const text = outcome === 'successful' ? (this.#relocated ?? `recovered: ${instanceId(successor?.key ?? this.#failed)} promoted`) : `${outcome}: ${this.#errors.join('; ')}${retried}`;
    this.#t.step('resolved', outcome === 'successful' ? 'succeeded' : outcome === 'failed' ? 'failed' : 'skipped', text, {
      outcome,
      successor: successor ? instanceId(successor.key) : null,
      lostReplicas: this.#lost.map((l) => instanceId(l.replica)),
      fencing: fencingResultText(this.#fencing),
      ...(this.#oldPrimaryNotMoved ? { oldPrimaryNotMoved: this.#oldPrimaryNotMoved } : {}),
      blockReleased: release,
      ...(this.#retryable ? { retried: true } : {}),
      errors: this.#errors,
    });
    const status = outcome === 'successful' ? 'succeeded' : outcome === 'failed' ? 'failed' : 'skipped';
    this.#t.step('summary', status, `${this.#r.entry.code} on ${instanceId(this.#failed)}: ${text}`, this.#summary(outcome, endedAt, release));
  }

  /** The `summary` event: the resolved recovery in one message, for an alert to act on alone. */
  #summary(outcome: RecoveryOutcome, endedAt: Date, release: boolean): RecoverySummary {
    const report = this.#lossReport;
    return {
      clusterAlias: this.#r.clusterAlias,
      failed: instanceId(this.#failed),
      analysisCode: this.#r.entry.code,
      successor: this.#successor ? instanceId(this.#successor.key) : null,
      outcome,
      lostReplicas: this.#lost.map((l) => ({ instance: instanceId(l.replica), kind: l.kind, reason: l.reason })),
      lostTransactions: report
        ? {
            count: lostTransactionCount(report),
            complete: lossReportComplete(report),
            report: { ...report, entries: [...report.entries], pending: [...report.pending], clean: [...report.clean] },
          }
        : null,
      phases: this.#t.phases(),
      startedAt: this.#r.row.startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      detectionUid: this.#r.correlationId ?? null,
      forced: this.#r.forced,
      commandHint: this.#r.commandHint,
      takeover: this.#r.takeover,
      retried: this.#retryable,
      blockReleased: release,
      fencing: fencingResultText(this.#fencing),
      oldPrimaryNotMoved: this.#oldPrimaryNotMoved,
      errors: [...this.#errors],
    };
  }

  #resolution(outcome: RecoveryOutcome, endedAt: Date): RecoveryResolution {
    const successor = this.#successor;
    return {
      outcome,
      successor: successor?.key ?? null,
      successorPosition: successor?.position ?? null,
      lostReplicas: this.#lost.map((l) => instanceId(l.replica)),
      participants: this.#r.instances.map(instanceId),
      errors: this.#errors,
      fencingResult: fencingResultText(this.#fencing),
      lockToken: this.#term?.epoch ?? null,
      endedAt,
      lossReport: this.#lossReport,
    };
  }

  /**
   * The loss report's members: every drained replica exactly; replicas that did not answer or
   * whose drain failed, and the old primary (unless it answered and was synced: force-master-failover
   * of a live primary), by their last reading, pending until they answer (loss-watch.ts).
   */
  #membersForLossReport(failedObs: InstanceObservation, replicas: readonly InstanceObservation[]): { examined: MemberPosition[]; unexamined: MemberPosition[] } {
    // a switchover's siblings replicate only from the fenced primary: what they hold is within its final position
    const drained = new Set((this.#switchover && this.#finalPosition ? replicas : this.#drained).map(instanceId));
    const examined: MemberPosition[] = [];
    const unexamined: MemberPosition[] = [];
    for (const r of replicas) {
      const m: MemberPosition = { member: instanceId(r), role: 'replica', position: observedHolding(r)?.position ?? null };
      (drained.has(m.member) ? examined : unexamined).push(m);
    }
    const final = this.#finalPosition;
    const old: MemberPosition = { member: instanceId(this.#failed), role: 'old-primary', position: final ? final.position : (observedHolding(failedObs)?.position ?? null) };
    (final ? examined : unexamined).push(old);
    return { examined, unexamined };
  }

  /** The report at the promotion, on the recovery's trail (stored with its resolution). */
  #reportLoss(successor: InstanceKey, flavour: 'mariadb' | 'mysql', base: string): void {
    const failedId = instanceId(this.#failed);
    const others = (ms: MemberPosition[]) => ms.filter((m) => m.member !== instanceId(successor));
    const { examined, unexamined } = this.#lossMembers;
    // a roll-forward knows nothing of the members: the old primary at least is pending
    const known = [...examined, ...unexamined].some((m) => m.member === failedId);
    const pending = known ? others(unexamined) : [...others(unexamined), { member: failedId, role: 'old-primary' as const, position: null }];
    const report = initialLossReport({ flavour, base, oldPrimary: failedId, examined: others(examined), unexamined: pending });
    this.#lossReport = report;
    const status = report.entries.length > 0 ? 'failed' : lossReportComplete(report) ? 'succeeded' : 'info';
    this.#t.step('loss-report', status, describeLossReport(report), { report, complete: lossReportComplete(report) });
  }

  async #postHooks(successful: boolean): Promise<void> {
    if (successful) {
      if (this.#intermediate) await this.#hook('PostIntermediateMasterFailoverProcesses', 'post-intermediate-master-failover-hooks');
      else await this.#hook('PostMasterFailoverProcesses', 'post-master-failover-hooks');
      await this.#hook('PostFailoverProcesses', 'post-failover-hooks');
    } else {
      await this.#hook('PostUnsuccessfulFailoverProcesses', 'post-unsuccessful-failover-hooks');
    }
    // the drain point's other end: the operator's proxy is told to send writes again, to whichever primary there is
    if (this.#preGracefulRan) await this.#hook('PostGracefulTakeoverProcesses', 'post-graceful-takeover-hooks');
  }

  async #hook(kind: HookKind, step: HookStep): Promise<'succeeded' | 'failed' | 'none'> {
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
      autoIntermediateMasterRecovery: r.autoIntermediateMasterRecovery ?? false,
      orchestratorHost: this.#d.hostname,
      successor: this.#successor,
      lostReplicas: this.#lost.map((l) => l.replica),
      sqlFence,
    });
  }
}
