/**
 * The recovery protocol, per analysed row (orchestrator's executeCheckAndRecoverFunction,
 * reference §2.3–2.5), always in this order:
 *
 *   1  choose the check-and-recover function from the code (the no-op while the instance's
 *      emergency grace-period key lives)
 *   2  emergency operations (steps/emergency.ts)
 *   3  failure-detection registration, once per active period per instance (Redis key NX with
 *      FailureDetectionPeriodBlockMinutes + a backend row), OnFailureDetectionProcesses
 *   4  the global switch: recoveries disabled ⇒ stop, unless forced
 *   5  RecoverMasterClusterFilters — RecoverIntermediateMasterClusterFilters for a dead intermediate
 *      primary — (default [] ⇒ nothing is recovered automatically), unless forced
 *   6  recovery registration against the anti-flapping block (stable cluster id; blocked attempts
 *      recorded in blocked_recoveries and as an event); forced recoveries replace the block of a
 *      resolved recovery, never that of a running one (answered `recover-not-attempted`, reason
 *      `recovery-running`, with the running recovery's uid)
 *   7–12 recovery.ts: claim → refresh → re-check → PreFailover → regroup → promote → relocate →
 *      lost replicas → resolve → post hooks (a dead intermediate primary: its replicas relocated,
 *      steps/intermediate.ts)
 *
 * Takeover (conventions §19): a recovery left running by an executor that stopped renewing it in
 * the backend for recoveryTakeoverAfterMs — found by the sweep (at start-up, then every half of
 * that period), or by a claim that met it — is queued as a `resume` job on its cluster's worker and
 * continued under the same uid with a new epoch: rolled forward onto the successor its journal
 * names, never replaced by a new election.
 *
 * Analyses come from the consumer; each row becomes a job on its cluster's worker (ClusterQueue),
 * so the consumer never waits for a recovery. Nothing is acted on during the warm-up (the first
 * executorWarmupPolls poll intervals), nor once shutdown began.
 *
 * Staleness is judged without another host's clock (issue 11: comparing our clock with the
 * analyzer's analyzedAt let a clock skew of maxAnalysisAgeMs disable failover, silently). Each
 * analysis gets a local receipt when the consumer hands it over: its place in the order of receipt
 * and the executor's monotonic time. One cluster's analyses come in the order of its partition
 * (every message is keyed by cluster id), so the analysis received last is the newest; analyzedAt
 * is not compared, as every analyzer host produces as `analyzer` and ClusterAnalysis carries no
 * sequence. A queued row is dropped as stale when, at the start of its job, (a) a later analysis of
 * its cluster has been received (superseded — an all-clear included), or (b) it waited in this
 * executor, from receipt to the start of its job, longer than maxAnalysisAgeMs. (a) is checked
 * again just before acting (registration, step 6, or fencing a stale root): the detection hooks
 * may take seconds, and a newer row of the same instance is then queued behind it anyway. No
 * analyzer host's timestamp is compared with ours, nor analyzedAt with snapshotObservedAt (the
 * detector's clock, maybe another host's). The job yields one turn of the event loop
 * before its first check, so that messages the consumer already holds (a backlog's batch) are
 * received first and the newest of them supersedes the rest. Each drop is logged at warn, with
 * analyzedAt, the local receipt time and the reason, and counted (stats().droppedStaleAnalyses).
 * An old message with nothing newer behind it (the last one of a backlog) cannot be told from a
 * fresh one without another host's clock; step 7 re-probes the cluster before anything changes.
 *
 * A forced `recover` command (commands.ts) takes the
 * row from the analyzer's cached snapshot and enters at step 3 with `forced`. With command hint
 * `force-master-failover` (orchestrator's ForceMasterFailover, reference §2.8) the row is forged:
 * the named instance must be the cluster's primary in that snapshot, and its entry (real or
 * minimal) gets code DeadMaster; recovery.ts then fails over a primary that may well be alive.
 */
import { randomUUID } from 'node:crypto';
import { instanceId, type AnalysisEntry, type ClusterAnalysis, type Command, type InstanceKey, type InstanceObservation } from '@baton/contracts';
import { analyze, clusterFilterMatches, type RecoveryChoice } from '@baton/domain';
import type { Logger } from '@baton/logging';
import type { Audit, RecoveryTrail } from './audit.ts';
import { ClusterQueue } from './cluster-queue.ts';
import { noFenceKeeping, noFenceLines, type BlockValue, type FenceLineFiring, type FenceKeeping, type HookClient, type RecoveryRow, type RecoveryState, type RecoveryStore, type RefusalReason, type TopologyAccess } from './ports.ts';
import { runRecovery, type RecoveryRequest, type RecoveryResult } from './recovery.ts';
import type { ExecutorSettings } from './settings.ts';
import type { Fault, FaultAction } from './fault-points.ts';
import type { RecoveryJournal } from './journal.ts';
import { alreadyRecovered, chooseFor, failsOverLivePrimary, forgeForcedFailoverEntry, gateRecovery, isDeadIntermediateCode, isDeadPrimaryCode, takeoverEntry } from './steps/decisions.ts';
import { needsCachedSnapshot, runEmergencyOperations } from './steps/emergency.ts';
import { fenceStaleRoot } from './steps/fence-stale-root.ts';
import { hookValues } from './steps/hook-values.ts';
import { summarizeHookOutcome } from './hooks-client.ts';

export type RecoverCommand = Extract<Command, { kind: 'recover' }>;

export interface ExecutorDeps {
  settings: ExecutorSettings;
  state: RecoveryState;
  store: RecoveryStore;
  audit: Audit;
  hooks: HookClient;
  topology: TopologyAccess;
  logger: Logger;
  /** This process, in registrations and rows (processing_node). */
  owner: string;
  /** {orchestratorHost}. */
  hostname: string;
  clock?: () => Date;
  /** Start of the warm-up (default: now). */
  startedAtMs?: number;
  journal: RecoveryJournal;
  /**
   * The executor's monotonic clock in ms (default performance.now): how long an analysis waited
   * here. Never compared with a timestamp from another host.
   */
  monotonic?: () => number;
  /** Test-only fault points (default: none). */
  fault?: Fault;
  /** Test-only fault actions (default: none). */
  faultAction?: FaultAction | null;
  /** Keeps demoted primaries fenced (default: keeps nothing, for unit tests). */
  keeper?: FenceKeeping;
  /** Idle connections to every cluster's primary, fired at a failover (default: none). */
  lines?: FenceLineFiring;
  /** Completes loss reports after the recoveries (loss-watch.ts). */
  lossWatch?: { sync(): Promise<void> };
}

/** An analysis as this executor received it: nothing here comes from another host's clock but `analyzedAt` (logs only). */
interface Receipt {
  /** Order of receipt (1, 2, …): for one cluster, the order of its partition. */
  n: number;
  /** The monotonic clock at receipt. */
  atMonoMs: number;
  /** The wall clock at receipt (logs only). */
  at: Date;
  analyzedAt: string;
  /** Dropped as stale already: an analysis is counted and logged once, whichever of its rows found it. */
  dropped: boolean;
}

type Job =
  | { kind: 'analysis'; analysis: ClusterAnalysis; entry: AnalysisEntry; correlationId: string | undefined; receipt: Receipt }
  | { kind: 'recover'; command: RecoverCommand; correlationId: string | undefined }
  | { kind: 'resume'; clusterId: string; uid: string }
  | { kind: 'retry'; attempt: Attempt };

export type AnalysisVerdict = 'stopping' | 'warming-up' | 'no-problem' | 'queued';

/** Why a queued analysis row was dropped: a later analysis of the cluster came in, or it waited here too long. */
export type StaleReason = 'superseded' | 'waited';

/** What a recovery request is made of, before registration adds the block and the refresh set. */
interface Attempt
  extends Pick<RecoveryRequest, 'clusterId' | 'clusterAlias' | 'entry' | 'correlationId' | 'forced' | 'skipProcesses' | 'commandHint' | 'requestedCandidate' | 'autoMasterRecovery' | 'autoIntermediateMasterRecovery'> {
  requestId: string | null;
  /** Instances the analysis mentions (refreshed along with the cached snapshot's). */
  mentioned: InstanceKey[];
  /** When the analysed snapshot was observed (null for a forced recover, which analyses afresh). */
  observedAtMs: number | null;
  /** A retry of a failed attempt that left the topology as it found it: its number (1…) and the attempt before. */
  retry?: { n: number; previousUid: string };
}

const noteEveryMs = 60_000;
const keyOf = (k: InstanceKey): InstanceKey => ({ host: k.host, port: k.port });

export class RecoveryExecutor {
  readonly #d: ExecutorDeps;
  readonly #clock: () => Date;
  readonly #monotonic: () => number;
  readonly #queue: ClusterQueue<Job>;
  readonly #warmUntilMs: number;
  readonly #notes = new Map<string, number>();
  readonly #results: RecoveryResult[] = [];
  /** The latest receipt per cluster. */
  readonly #newest = new Map<string, Receipt>();
  #received = 0;
  #droppedStale = 0;
  #stopping = false;

  constructor(deps: ExecutorDeps) {
    this.#d = deps;
    this.#clock = deps.clock ?? (() => new Date());
    this.#monotonic = deps.monotonic ?? (() => performance.now());
    this.#warmUntilMs = (deps.startedAtMs ?? this.#clock().getTime()) + deps.settings.warmupMs;
    this.#queue = new ClusterQueue(
      (_clusterId, job) =>
        job.kind === 'analysis' ? this.#analysisJob(job) : job.kind === 'recover' ? this.#recoverJob(job) : job.kind === 'retry' ? this.#retryJob(job) : this.#resumeJob(job),
      deps.logger,
    );
  }

  /**
   * The takeover sweep: every running recovery whose executor stopped renewing it is queued for
   * a takeover (after the warm-up; the journal's transaction decides between executors).
   */
  async sweep(): Promise<number> {
    if (this.#stopping || !this.warmedUp()) return 0;
    const orphans = await this.#d.journal.orphans(this.#d.settings.takeoverAfterMs);
    for (const o of orphans) this.#queueResume(o.clusterId, o.uid);
    return orphans.length;
  }

  #queueResume(clusterId: string, uid: string): void {
    if (this.#stopping) return;
    this.#queue.push(clusterId, `resume:${uid}`, { kind: 'resume', clusterId, uid });
  }

  /**
   * Takes the analysis's receipt (it is now its cluster's newest: it supersedes every row queued
   * before it, whether or not it is acted on itself), then queues every problem row on its
   * cluster's worker; returns at once.
   */
  handleAnalysis(analysis: ClusterAnalysis, correlationId: string | undefined): AnalysisVerdict {
    if (this.#stopping) return 'stopping';
    const receipt: Receipt = { n: ++this.#received, atMonoMs: this.#monotonic(), at: this.#clock(), analyzedAt: analysis.analyzedAt, dropped: false };
    this.#newest.set(analysis.clusterId, receipt);
    if (receipt.at.getTime() < this.#warmUntilMs) return 'warming-up';
    if (!analysis.hasProblem) return 'no-problem';
    for (const entry of analysis.entries) {
      if (entry.code === 'NoProblem' || entry.skippableDueToDowntime) continue;
      this.#queue.push(analysis.clusterId, `analysis:${instanceId(entry.instance)}`, { kind: 'analysis', analysis, entry, correlationId, receipt });
    }
    return 'queued';
  }

  /**
   * Queues a forced recovery (after the warm-up); false once shutdown began. While a recovery of
   * the cluster runs (and has not crashed) it is refused at once: its job would wait on the
   * cluster's worker behind that recovery and only then find the block resolved and replace it,
   * answering a request made about a topology that no longer exists. The registration's
   * compare-and-swap still refuses it for a recovery that starts in between (or runs elsewhere).
   */
  async recover(command: RecoverCommand, correlationId: string | undefined): Promise<boolean> {
    await this.warmUp();
    if (this.#stopping) return false;
    const running = await this.#d.state.runningRecovery(command.clusterId);
    if (running) {
      this.#recoverRefused(command.clusterId, correlationId ?? command.requestId, command.requestId, command.instance, 'recovery-running', running);
      return true;
    }
    this.#queue.push(command.clusterId, `recover:${command.requestId}`, { kind: 'recover', command, correlationId });
    return true;
  }

  /** SIGTERM: no new work; queued jobs are dropped; a recovery that has not touched the topology stops at its next step. */
  beginShutdown(): void {
    this.#stopping = true;
    const dropped = this.#queue.clearPending();
    if (dropped > 0) this.#d.logger.info({ dropped }, 'queued recovery jobs dropped at shutdown');
  }

  /** Waits for running jobs (shutdown), at most `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    return this.#queue.idle(timeoutMs);
  }

  /** Resolves when the warm-up is over (at once after it). */
  async warmUp(): Promise<void> {
    const wait = this.#warmUntilMs - this.#clock().getTime();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
  }

  /** The warm-up is over: analyses are acted on. */
  warmedUp(): boolean {
    return this.#clock().getTime() >= this.#warmUntilMs;
  }

  /** Outcomes of the recoveries this process ran, oldest first (tests, status logs). */
  results(): readonly RecoveryResult[] {
    return this.#results;
  }

  stats() {
    return { ...this.#queue.stats(), recoveries: this.#results.length, droppedStaleAnalyses: this.#droppedStale, stopping: this.#stopping };
  }

  /**
   * Whether this row's analysis is stale (see the module comment); a stale one is logged at warn
   * and counted, once per analysis. `start`: superseded, or waited longer than maxAnalysisAgeMs
   * since its receipt; `registration`: superseded only (the time since the start is this job's
   * own work, not waiting).
   */
  #dropIfStale(job: Extract<Job, { kind: 'analysis' }>, stage: 'start' | 'registration'): boolean {
    const { analysis, entry, receipt } = job;
    const maxAnalysisAgeMs = this.#d.settings.maxAnalysisAgeMs;
    const newest = this.#newest.get(analysis.clusterId);
    const waitedMs = Math.round(this.#monotonic() - receipt.atMonoMs);
    let reason: StaleReason;
    if (newest !== undefined && newest.n > receipt.n) reason = 'superseded';
    else if (stage === 'start' && waitedMs > maxAnalysisAgeMs) reason = 'waited';
    else return false;
    const details = {
      clusterId: analysis.clusterId,
      instance: instanceId(entry.instance),
      code: entry.code,
      reason,
      stage,
      analyzedAt: analysis.analyzedAt,
      receivedAt: receipt.at.toISOString(),
      waitedMs,
      maxAnalysisAgeMs,
      supersededBy: reason === 'superseded' && newest ? { analyzedAt: newest.analyzedAt, receivedAt: newest.at.toISOString() } : null,
    };
    if (receipt.dropped) {
      this.#d.logger.debug(details, 'stale analysis row dropped');
      return true;
    }
    receipt.dropped = true;
    this.#droppedStale += 1;
    const why =
      reason === 'superseded' && newest
        ? `superseded by the analysis of ${newest.analyzedAt} received at ${newest.at.toISOString()}`
        : `waited ${waitedMs} ms in this executor (maxAnalysisAgeMs ${maxAnalysisAgeMs})`;
    this.#d.logger.warn({ ...details, droppedStaleAnalyses: this.#droppedStale }, `stale analysis dropped: analysis of ${analysis.analyzedAt} received at ${receipt.at.toISOString()}, ${why}`);
    return true;
  }

  async #analysisJob(job: Extract<Job, { kind: 'analysis' }>): Promise<void> {
    const { analysis, entry, correlationId } = job;
    const { clusterId } = analysis;
    const failed = instanceId(entry.instance);
    // one turn of the event loop first: messages the consumer already holds (a backlog's batch) are received, the newest supersedes this one
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.#stopping || this.#dropIfStale(job, 'start')) return; // it may have waited behind a recovery
    const { state, logger } = this.#d;
    // 1. the function
    const choice = chooseFor(entry.code, await state.inGracePeriod(clusterId, failed), this.#inPlaceEnabled());
    if (!choice) {
      this.#note(`unknown:${entry.code}`, () => logger.warn({ clusterId, instance: failed, code: entry.code }, 'unknown analysis code skipped'));
      return;
    }
    // 2. emergency operations
    const cached = needsCachedSnapshot(entry.code) ? await state.cachedSnapshot(clusterId) : null;
    const emergency = await runEmergencyOperations(clusterId, entry, cached, {
      state,
      topology: this.#d.topology,
      logger,
      background: (what, work) => this.#d.audit.background(what, work),
    });
    if (emergency.gracePeriodOpened) {
      this.#d.audit.event(clusterId, correlationId, 'emergency-operations', 'info', `grace period opened on ${failed}; IO threads restarted on ${emergency.restarting.length} replica(s)`, {
        code: entry.code,
        restarting: emergency.restarting.map(instanceId),
      });
    }
    if (!choice.registersDetection) return;
    const autoMasterRecovery = clusterFilterMatches(this.#d.settings.clusterFilters, { clusterId, alias: analysis.clusterAlias });
    const autoIntermediateMasterRecovery = clusterFilterMatches(this.#d.settings.intermediateClusterFilters, { clusterId, alias: analysis.clusterAlias });
    const attempt: Attempt = {
      clusterId,
      clusterAlias: analysis.clusterAlias,
      entry,
      correlationId,
      forced: false,
      skipProcesses: false,
      commandHint: '',
      requestedCandidate: null,
      requestId: null,
      autoMasterRecovery,
      autoIntermediateMasterRecovery,
      mentioned: analysis.entries.flatMap((e) => [keyOf(e.instance), ...e.replicas.map(keyOf)]),
      observedAtMs: Date.parse(analysis.snapshotObservedAt),
    };
    // 3. detection
    if (!(await this.#registerDetection(attempt, choice))) return;
    // 4, 5. global switch, cluster filters
    const gate = gateRecovery({
      choice,
      forced: false,
      recoveriesDisabled: choice.actionable ? await state.recoveriesDisabled() : false,
      clusterOptedIn: choice.kind === 'recover-dead-intermediate-primary' ? autoIntermediateMasterRecovery : autoMasterRecovery,
    });
    if (!gate.proceed) {
      if (gate.reason !== 'not-actionable') {
        this.#note(`${clusterId}|${failed}|${gate.reason}`, () =>
          this.#d.audit.event(clusterId, correlationId, 'recovery-skipped', 'skipped', `${entry.code} on ${failed} not recovered: ${gate.reason}`, { code: entry.code, reason: gate.reason }),
        );
      }
      return;
    }
    // the detection hooks may have taken seconds: a newer analysis of the cluster decides (its row of this instance is queued)
    if (this.#dropIfStale(job, 'registration')) return;
    if (choice.kind === 'fence-stale-primary') {
      const s = this.#d.settings;
      await fenceStaleRoot({ topology: this.#d.topology, keeper: this.#d.keeper ?? noFenceKeeping, audit: this.#d.audit, timeoutMs: Math.max(s.fenceTimeoutMs, s.mysql.operationTimeoutMs) }, clusterId, entry, correlationId);
      return;
    }
    await this.#registerAndRun(attempt);
  }

  async #recoverJob(job: Extract<Job, { kind: 'recover' }>): Promise<void> {
    const { command } = job;
    const correlationId = job.correlationId ?? command.requestId;
    const notAttempted = (reason: string): void => this.#recoverNotAttempted(command.clusterId, correlationId, command.requestId, command.instance, reason, `recovery not attempted: ${reason}`);
    if (this.#stopping) return notAttempted('executor stopping');
    const force = failsOverLivePrimary(command.commandHint);
    if (command.commandHint !== '' && !force) return notAttempted(`command hint ${command.commandHint} is not supported by this executor`);
    if (command.commandHint === 'force-master-takeover' && !command.candidate) return notAttempted('force-master-takeover needs a designated replica');
    const snapshot = await this.#d.state.cachedSnapshot(command.clusterId);
    if (!snapshot) return notAttempted(`no recent snapshot of cluster ${command.clusterId}`);
    const entries = analyze(snapshot, this.#clock(), this.#d.settings.analysisPolicy);
    let entry: AnalysisEntry;
    if (force) {
      // orchestrator's ForceMasterFailover (and the takeovers): the primary's real entry (NoProblem rows kept) forged as DeadMaster
      const forged = forgeForcedFailoverEntry(snapshot, analyze(snapshot, this.#clock(), { ...this.#d.settings.analysisPolicy, includeNoProblem: true }), command.instance);
      if (!forged.ok) return notAttempted(forged.reason);
      entry = forged.entry;
    } else {
      const found = entries.find((e) => e.instance.host === command.instance.host && e.instance.port === command.instance.port);
      if (!found || !(isDeadPrimaryCode(found.code) || isDeadIntermediateCode(found.code))) return notAttempted(`${instanceId(command.instance)} has ${found?.code ?? 'no problem'}, not a dead primary nor a dead intermediate primary`);
      entry = found;
    }
    const choice = chooseFor(entry.code, false) as RecoveryChoice;
    const attempt: Attempt = {
      clusterId: command.clusterId,
      clusterAlias: snapshot.clusterAlias,
      entry,
      correlationId,
      forced: true,
      skipProcesses: command.skipProcesses,
      commandHint: command.commandHint,
      requestedCandidate: command.candidate ? keyOf(command.candidate) : null,
      requestId: command.requestId,
      autoMasterRecovery: clusterFilterMatches(this.#d.settings.clusterFilters, { clusterId: command.clusterId, alias: snapshot.clusterAlias }),
      autoIntermediateMasterRecovery: clusterFilterMatches(this.#d.settings.intermediateClusterFilters, { clusterId: command.clusterId, alias: snapshot.clusterAlias }),
      mentioned: [entry, ...entries].flatMap((e) => [keyOf(e.instance), ...e.replicas.map(keyOf)]),
      observedAtMs: null,
    };
    if (!(await this.#registerDetection(attempt, choice))) return notAttempted('OnFailureDetectionProcesses failed');
    await this.#registerAndRun(attempt);
  }

  /** The answer to a forced recover that does nothing (the api's 409 reads `reason` by `requestId`). */
  #recoverNotAttempted(clusterId: string, correlationId: string | undefined, requestId: string | null, instance: InstanceKey, reason: string, message: string, extra: Record<string, unknown> = {}): void {
    this.#d.audit.event(clusterId, correlationId, 'recover-not-attempted', 'skipped', message, { requestId, instance: instanceId(instance), reason, ...extra });
  }

  /** A forced recover refused by the block: a running recovery's uid goes with the answer, for the operator to follow it. */
  #recoverRefused(clusterId: string, correlationId: string | undefined, requestId: string | null, instance: InstanceKey, reason: RefusalReason, blockedBy: BlockValue | null): void {
    const running = reason === 'recovery-running' && blockedBy ? blockedBy : null;
    const message = running
      ? `recovery not attempted: recovery ${running.uid} of ${clusterId} (of ${running.failed}, by ${running.owner}) is still running`
      : `recovery not attempted: the recovery block of ${clusterId} is held (${blockedBy?.uid ?? 'unreadable value'})`;
    this.#d.logger.info({ clusterId, requestId, reason, runningRecoveryUid: running?.uid ?? null }, 'forced recovery refused');
    this.#recoverNotAttempted(clusterId, correlationId, requestId, instance, reason, message, {
      runningRecoveryUid: running?.uid ?? null,
      blockingUid: blockedBy?.uid ?? null,
    });
  }

  /** Step 3. false when a detection hook failed (this attempt ends; orchestrator's next tick goes on without hooks). */
  async #registerDetection(a: Attempt, choice: RecoveryChoice): Promise<boolean> {
    const { state, audit, store } = this.#d;
    const failed = instanceId(a.entry.instance);
    const uid = a.correlationId ?? randomUUID();
    if (!(await state.registerDetection(a.clusterId, failed, uid, choice.actionable))) return true;
    const at = this.#clock();
    audit.background('insert detection', () =>
      store.insertDetection({
        uid,
        clusterId: a.clusterId,
        clusterAlias: a.clusterAlias,
        instance: keyOf(a.entry.instance),
        analysis: a.entry.code,
        isActionable: choice.actionable,
        countReplicas: a.entry.counts['CountReplicas'] ?? a.entry.replicas.length,
        replicaHosts: a.entry.replicas.map(instanceId),
        processingNode: this.#d.owner,
        startedAt: at,
      }),
    );
    audit.event(a.clusterId, a.correlationId, 'detected', 'info', `${a.entry.code} on ${failed}: failure detection registered`, {
      detectionUid: uid,
      code: a.entry.code,
      actionable: choice.actionable,
      function: choice.orchestratorFunction,
      gracePeriodApplied: choice.gracePeriodApplied,
    });
    if (a.skipProcesses) return true;
    const values = hookValues({ ...this.#hookBase(a), recoveryUid: uid });
    const outcome = await this.#d.hooks.run({ kind: 'OnFailureDetectionProcesses', clusterId: a.clusterId, recoveryUid: uid, requestId: `${uid}:OnFailureDetectionProcesses:${failed}`, values, correlationId: a.correlationId });
    if (outcome.status === 'none-configured') return true;
    const ok = outcome.status === 'succeeded';
    audit.event(a.clusterId, a.correlationId, 'detection-hooks', ok ? 'succeeded' : 'failed', `OnFailureDetectionProcesses ${ok ? 'ran' : outcome.status}`, summarizeHookOutcome(outcome));
    return ok;
  }

  /** The in-place recoveries this executor is configured to run. */
  #inPlaceEnabled(): { semiSyncRecovery: boolean; nonWriteableRecovery: boolean } {
    const s = this.#d.settings;
    return { semiSyncRecovery: s.semiSyncRecovery.locked || s.semiSyncRecovery.exact, nonWriteableRecovery: s.nonWriteableRecovery };
  }

  #hookBase(a: Attempt) {
    return {
      entry: a.entry,
      clusterId: a.clusterId,
      clusterAlias: a.clusterAlias,
      commandHint: a.commandHint,
      autoMasterRecovery: a.autoMasterRecovery,
      autoIntermediateMasterRecovery: a.autoIntermediateMasterRecovery ?? false,
      orchestratorHost: this.#d.hostname,
    };
  }

  /** Step 6, then 7–12. */
  async #registerAndRun(a: Attempt): Promise<void> {
    const { state, store, audit } = this.#d;
    const failed = instanceId(a.entry.instance);
    const uid = randomUUID();
    const startedAt = this.#clock();
    const block: BlockValue = { uid, failed, successor: null, state: 'running', owner: this.#d.owner, startedAtMs: startedAt.getTime() };
    const registration = await state.registerRecovery(a.clusterId, block, { forced: a.forced });
    if (!registration.registered) {
      if (registration.reason === 'recovery-running' || a.forced) {
        // an operator's request: answered (the api waits for it), not counted as a blocked automatic recovery
        this.#recoverRefused(a.clusterId, a.correlationId, a.requestId, a.entry.instance, registration.reason, registration.blockedBy);
        return;
      }
      const reason = registration.reason;
      const blockingUid = registration.blockedBy?.uid ?? null;
      if (alreadyRecovered(registration.blockedBy, failed, a.observedAtMs)) {
        this.#note(`recovered|${a.clusterId}|${failed}|${blockingUid}`, () =>
          audit.event(a.clusterId, a.correlationId, 'recovery-skipped', 'skipped', `${a.entry.code} on ${failed} not recovered: already recovered by recovery ${blockingUid}`, {
            failed,
            code: a.entry.code,
            reason: 'already-recovered',
            recoveryUid: blockingUid,
            owner: this.#d.owner,
          }),
        );
        return;
      }
      audit.background('record blocked recovery', () =>
        store.recordBlocked({ clusterId: a.clusterId, clusterAlias: a.clusterAlias, instance: keyOf(a.entry.instance), analysis: a.entry.code, reason, blockingUid, at: startedAt }),
      );
      this.#note(`blocked|${a.clusterId}|${failed}|${blockingUid}`, () =>
        audit.event(a.clusterId, a.correlationId, 'blocked', 'blocked', `recovery of ${failed} blocked (${reason}) by recovery ${blockingUid ?? '?'}`, {
          failed,
          code: a.entry.code,
          reason,
          blockingUid,
          blockingSuccessor: registration.blockedBy?.successor ?? null,
          owner: this.#d.owner,
        }),
      );
      return;
    }
    const trail = audit.trail(a.clusterId, a.correlationId, uid);
    const row: RecoveryRow = {
      uid,
      clusterId: a.clusterId,
      clusterAlias: a.clusterAlias,
      failed: keyOf(a.entry.instance),
      analysis: a.entry.code,
      commandHint: a.commandHint,
      countReplicas: a.entry.counts['CountReplicas'] ?? a.entry.replicas.length,
      replicaHosts: a.entry.replicas.map(instanceId),
      detectionUid: a.correlationId ?? null,
      forced: a.forced,
      requestedCandidate: a.requestedCandidate,
      requestId: a.requestId,
      processingNode: this.#d.owner,
      startedAt,
    };
    const retryText = a.retry ? ` (retry ${a.retry.n} of ${this.#d.settings.retryAttempts} after recovery ${a.retry.previousUid})` : '';
    trail.step('registered', 'succeeded', `recovery of ${failed} (${a.entry.code}) registered${a.forced ? ' (forced)' : ''}${retryText}`, {
      ...(a.retry ? { retry: a.retry.n, previousUid: a.retry.previousUid } : {}),
      code: a.entry.code,
      failed,
      forced: a.forced,
      requestId: a.requestId,
      requestedCandidate: a.requestedCandidate ? instanceId(a.requestedCandidate) : null,
      replacedBlock: registration.replaced?.uid ?? null,
      detectionUid: a.correlationId ?? null,
    });
    const mayRetry = !a.forced && (a.retry?.n ?? 0) < this.#d.settings.retryAttempts;
    const result = await this.#run({ ...a, block, row, takeover: false, mayRetry }, trail);
    if (result.retryable) this.#scheduleRetry(a, result.uid);
  }

  /**
   * A failed attempt that left the topology as it found it gave its block back: it is tried again
   * after recoveryRetryBackoffMs (doubled each time), at most recoveryRetryAttempts times; each
   * attempt is a recovery of its own, its `registered` step naming the one before.
   */
  #scheduleRetry(a: Attempt, uid: string): void {
    const n = (a.retry?.n ?? 0) + 1;
    const { retryAttempts, retryBackoffMs } = this.#d.settings;
    const failed = instanceId(a.entry.instance);
    if (n > retryAttempts || this.#stopping) {
      if (retryAttempts > 0) this.#d.logger.warn({ clusterId: a.clusterId, failed, recoveryUid: uid, attempts: n }, 'recovery failed cleanly; no retry left');
      return;
    }
    const delayMs = retryBackoffMs * 2 ** (n - 1);
    this.#d.logger.info({ clusterId: a.clusterId, failed, recoveryUid: uid, retry: n, delayMs }, 'recovery failed cleanly: retried');
    const timer = setTimeout(() => {
      if (!this.#stopping) this.#queue.push(a.clusterId, `retry:${failed}`, { kind: 'retry', attempt: { ...a, retry: { n, previousUid: uid } } });
    }, delayMs);
    timer.unref();
  }

  async #retryJob(job: Extract<Job, { kind: 'retry' }>): Promise<void> {
    if (this.#stopping) return;
    await this.#registerAndRun(job.attempt);
  }

  /** A takeover of recovery `uid`: its row says what it was about; the journal, what it did. */
  async #resumeJob(job: Extract<Job, { kind: 'resume' }>): Promise<void> {
    if (this.#stopping) return;
    const { journal, state, audit } = this.#d;
    const stored = await journal.recovery(job.uid);
    if (!stored) return;
    const failed = instanceId(stored.failed);
    const block: BlockValue = { uid: stored.uid, failed, successor: null, state: 'running', owner: this.#d.owner, startedAtMs: stored.startedAt.getTime() };
    await state.holdBlock(job.clusterId, block);
    const entry = takeoverEntry(stored);
    const trail = audit.trail(job.clusterId, stored.detectionUid ?? undefined, stored.uid, await journal.lastStepSeq(stored.uid));
    await this.#run(
      {
        clusterId: stored.clusterId,
        clusterAlias: stored.clusterAlias,
        entry,
        correlationId: stored.detectionUid ?? undefined,
        forced: stored.forced,
        skipProcesses: false,
        commandHint: stored.commandHint,
        requestedCandidate: stored.requestedCandidate,
        autoMasterRecovery: clusterFilterMatches(this.#d.settings.clusterFilters, { clusterId: stored.clusterId, alias: stored.clusterAlias }),
        autoIntermediateMasterRecovery: clusterFilterMatches(this.#d.settings.intermediateClusterFilters, { clusterId: stored.clusterId, alias: stored.clusterAlias }),
        mentioned: [stored.failed, ...entry.replicas],
        block,
        row: { ...stored, countReplicas: entry.replicas.length, processingNode: this.#d.owner },
        takeover: true,
      },
      trail,
    );
  }

  /** Steps 7–12 for a registered (or taken over) recovery, with the cluster's instances from the cached snapshot. */
  async #run(request: Omit<RecoveryRequest, 'instances' | 'previous'> & { mentioned: readonly InstanceKey[] }, trail: RecoveryTrail): Promise<RecoveryResult> {
    const { state, logger } = this.#d;
    const cached = await state.cachedSnapshot(request.clusterId).catch(() => null);
    const previous = new Map<string, InstanceObservation>((cached?.instances ?? []).map((i) => [instanceId(i), i]));
    const instances = new Map<string, InstanceKey>();
    for (const k of [...(cached?.instances ?? []).map(keyOf), ...request.mentioned]) instances.set(instanceId(k), k);
    const { mentioned: _mentioned, ...rest } = request;
    const result = await runRecovery(
      {
        settings: this.#d.settings,
        state,
        store: this.#d.store,
        hooks: this.#d.hooks,
        topology: this.#d.topology,
        logger,
        hostname: this.#d.hostname,
        clock: this.#clock,
        stopping: () => this.#stopping,
        journal: this.#d.journal,
        owner: this.#d.owner,
        fault: this.#d.fault ?? (() => undefined),
        faultAction: this.#d.faultAction ?? null,
        keeper: this.#d.keeper ?? noFenceKeeping,
        lines: this.#d.lines ?? noFenceLines,
        ...(this.#d.lossWatch ? { lossWatch: this.#d.lossWatch } : {}),
      },
      { ...rest, instances: [...instances.values()], previous },
      trail,
    );
    this.#results.push(result);
    if (this.#results.length > 100) this.#results.shift();
    logger.info({ ...result, recoveryUid: result.uid, failed: instanceId(request.entry.instance), steps: trail.steps.length }, 'recovery ended');
    if (result.takeoverDue) this.#queueResume(request.clusterId, result.takeoverDue);
    return result;
  }

  /** Runs `what` at most once per noteEveryMs per key (repeated skips and blocks each tick). */
  #note(key: string, what: () => void): void {
    const now = this.#clock().getTime();
    if (now - (this.#notes.get(key) ?? Number.NEGATIVE_INFINITY) < noteEveryMs) return;
    this.#notes.set(key, now);
    if (this.#notes.size > 10_000) this.#notes.delete(this.#notes.keys().next().value as string);
    what();
  }
}
