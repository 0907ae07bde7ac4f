/**
 * What the recovery executor takes from the configuration, resolved once at start (pure functions
 * of the config object). Durations are milliseconds here, whatever unit orchestrator's key uses.
 * The executor has no config section of its own yet: its consumer groups and the analysis age
 * bound are constants below, overridable through StartRecoveryExecutorOptions.
 */
import { normalizeHooks, type BatonConfig, type NormalizedHook } from '@baton/config';
import { hookKinds, type HookKind } from '@baton/contracts';
import { analysisPolicyFromConfig, promotionPolicyFromConfig, type PromotionPolicy, type ResolvedAnalysisPolicy } from '@baton/domain';
import { consumerGroupId, topicNamesFromConfig, type TopicNames } from '@baton/kafka';
import { proberSettingsFromConfig, type LocationSettings } from '@baton/mysql';

export const defaultGroupId = 'baton-recovery-executor';
export const defaultCommandsGroupId = 'baton-recovery-executor-commands';
/** Each process reads hook results in a group of its own: `<prefix>-<owner>`. */
export const hookResultsGroupPrefix = 'baton-recovery-executor-hook-results';
/**
 * A queued analysis row that waited in the executor longer than this, from its local receipt to
 * the start of its job (the executor's monotonic clock, never another host's analyzedAt), is
 * dropped: the snapshot behind it is history. See executor.ts for the rule (superseded analyses too).
 */
export const defaultMaxAnalysisAgeMs = 10_000;
/** Fencing the old primary gets this long, connect included (W3: never on the critical path for long). */
export const defaultFenceTimeoutMs = 500;
/**
 * A primary that did not answer the analysis (its probe failed or hung) gets this long to answer the
 * refresh, and then, when it did not answer that either, for its SQL fence before the promotion: it
 * had its chance, and a hung server will not answer in time (issue 14). The fence line and the fence
 * keeper go on fencing it whenever it answers.
 */
export const notAnsweringBudgetMs = 150;
/**
 * The promotion waits for the fence hook (recovery.fenceProcesses) at most until this long before
 * the recovery deadline: a slow or hung fence hook must not fail the recovery at the deadline check
 * (fencing is best effort). It is then recorded as `no-result`.
 */
export const fenceHookDeadlineReserveMs = 1000;
/** Replicas stopped and drained at once (orchestrator: 128 concurrent topology operations). */
export const drainConcurrency = 64;
/** Added to a hook list's worst case before its missing result counts as a failure. */
export const hookResultMarginMs = 5000;

export interface MysqlAccess {
  user: string;
  password: string;
  replicationUser: string;
  replicationPassword: string;
  connectTimeoutMs: number;
  /** Timeout of each read of the refresh probe. */
  probeTimeoutMs: number;
  /** Timeout of each recovery statement. */
  operationTimeoutMs: number;
}

export interface HookListInfo {
  entries: number;
  /** Upper bound of one run of the list (every entry at its deadline), without the margin. */
  worstCaseMs: number;
}

export interface ExecutorSettings {
  names: TopicNames;
  keyPrefix: string | undefined;
  pollIntervalMs: number;
  warmupMs: number;
  maxAnalysisAgeMs: number;
  recoveryDeadlineMs: number;
  lockTtlMs: number;
  /** A running recovery not renewed in the backend for this long is taken over (recoveryTakeoverAfterMs). */
  takeoverAfterMs: number;
  /** The analyses consumer group (recovery.executorGroupId). */
  groupId: string;
  gracePeriodMs: number;
  ioRestartThrottleMs: number;
  detectionPeriodMs: number;
  recoveryBlockMs: number;
  /** 0 = lost replicas and the failed primary are not downtimed. */
  lostDowntimeMs: number;
  candidateTtlMs: number;
  processedTtlMs: number;
  clusterFilters: readonly string[];
  /** RecoverIntermediateMasterClusterFilters (default []: dead intermediate primaries are not recovered automatically). */
  intermediateClusterFilters: readonly string[];
  /** CoMasterRecoveryMustPromoteOtherCoMaster: a dead co-primary's recovery promotes the other co-primary or nobody. */
  coMasterMustPromoteOther: boolean;
  /** RecoverLockedSemiSyncMaster / EnforceExactSemiSyncReplicas: which semi-sync recovery runs (none when both are off). */
  semiSyncRecovery: { locked: boolean; exact: boolean };
  /** RecoverNonWriteableMaster: a read-only primary with replicating replicas is made writable. */
  nonWriteableRecovery: boolean;
  detachLostReplicas: boolean;
  maxConcurrentReplicaOperations: number;
  bulkWaitTimeoutMs: number;
  useSuperReadOnly: boolean;
  fenceTimeoutMs: number;
  /** recovery.requireFenceBeforePromotion: no promotion while a primary that is not provably dead is not fenced. */
  requireFence: boolean;
  /** recovery.fenceKeeperIntervalMs. */
  fenceKeeperIntervalMs: number;
  /** recovery.rejoinOldPrimary: a returned old primary holding nothing the new primary lacks is re-attached as a replica. */
  rejoinOldPrimary: boolean;
  /** recovery.lossReportWatchHours, in ms. */
  lossReportWatchMs: number;
  /** recovery.acceptUnexaminedSemiSyncLoss. */
  acceptUnexaminedSemiSyncLoss: boolean;
  /** recovery.semiSyncAckerWaitMs. */
  semiSyncAckerWaitMs: number;
  /** recovery.recoveryRetryAttempts / recoveryRetryBackoffMs. */
  retryAttempts: number;
  retryBackoffMs: number;
  mysql: MysqlAccess;
  location: LocationSettings;
  analysisPolicy: ResolvedAnalysisPolicy;
  promotionPolicy: PromotionPolicy;
  /** Validity window of a refreshed observation (poll interval + ReasonableInstanceCheck). */
  reachabilityWindowMs: number;
  hooks: Readonly<Record<HookKind, HookListInfo>>;
}

type ConfigSections = Pick<BatonConfig, 'kafka' | 'redis' | 'mysql' | 'detector' | 'analyzer' | 'hooks' | 'recovery'>;

/** Time after which output still held open by leftovers is no longer read (as the hook-runner). */
const perProcessSlackMs = 1000;
/** Webhook retries back off at most this long (as the hook-runner). */
const webhookBackoffCapMs = 5000;

/** Upper bound of one run of a hook list, as the hook-runner computes it (services do not share code). */
export function hookListWorstCaseMs(hooks: readonly NormalizedHook[], killGraceMs: number): number {
  return hooks.reduce((total, hook) => {
    if (hook.async) return total + perProcessSlackMs;
    if (hook.kind === 'webhook') return total + (hook.retries + 1) * hook.timeoutMs + hook.retries * webhookBackoffCapMs;
    return total + hook.timeoutMs + killGraceMs + perProcessSlackMs;
  }, 0);
}

/**
 * The analysis the executor re-runs after its own refresh: the analyzer's policy (same keys), with
 * downtimed rows kept (a forced recovery may target a downtimed primary) and NoProblem rows dropped.
 */
export function recheckPolicyFromConfig(config: Pick<BatonConfig, 'analyzer' | 'recovery'>): ResolvedAnalysisPolicy {
  return analysisPolicyFromConfig(config, { includeNoProblem: false });
}

export function executorSettings(config: ConfigSections, overrides: { maxAnalysisAgeMs?: number; fenceTimeoutMs?: number } = {}): ExecutorSettings {
  const r = config.recovery;
  const pollIntervalMs = config.detector.pollIntervalMs;
  // the executor's own probes (refresh, re-check) use the detector's timeouts and location rules
  const probe = proberSettingsFromConfig(config);
  const hooks = Object.fromEntries(
    hookKinds.map((kind) => {
      const list = normalizeHooks(r[kind], config.hooks, kind);
      return [kind, { entries: list.length, worstCaseMs: hookListWorstCaseMs(list, config.hooks.killGracePeriodMs) }];
    }),
  ) as Record<HookKind, HookListInfo>;
  return {
    names: topicNamesFromConfig(config.kafka),
    keyPrefix: config.redis.keyPrefix,
    pollIntervalMs,
    warmupMs: r.executorWarmupPolls * pollIntervalMs,
    maxAnalysisAgeMs: overrides.maxAnalysisAgeMs ?? defaultMaxAnalysisAgeMs,
    recoveryDeadlineMs: r.recoveryDeadlineMs,
    lockTtlMs: r.recoveryLockTtlMs,
    takeoverAfterMs: r.recoveryTakeoverAfterMs,
    requireFence: r.requireFenceBeforePromotion,
    fenceKeeperIntervalMs: r.fenceKeeperIntervalMs,
    rejoinOldPrimary: r.rejoinOldPrimary,
    lossReportWatchMs: r.lossReportWatchHours * 3_600_000,
    acceptUnexaminedSemiSyncLoss: r.acceptUnexaminedSemiSyncLoss,
    semiSyncAckerWaitMs: r.semiSyncAckerWaitMs,
    retryAttempts: r.recoveryRetryAttempts,
    retryBackoffMs: r.recoveryRetryBackoffMs,
    groupId: consumerGroupId(config.kafka, r.executorGroupId),
    gracePeriodMs: r.emergencyGracePeriodMs,
    ioRestartThrottleMs: r.ioThreadRestartThrottleMs,
    detectionPeriodMs: r.FailureDetectionPeriodBlockMinutes * 60_000,
    recoveryBlockMs: r.RecoveryPeriodBlockSeconds * 1000,
    lostDowntimeMs: r.lostReplicasDowntimeSeconds * 1000,
    candidateTtlMs: r.CandidateInstanceExpireMinutes * 60_000,
    processedTtlMs: config.redis.processedMessageTtlMs,
    clusterFilters: [...r.RecoverMasterClusterFilters],
    intermediateClusterFilters: [...r.RecoverIntermediateMasterClusterFilters],
    coMasterMustPromoteOther: r.CoMasterRecoveryMustPromoteOtherCoMaster,
    semiSyncRecovery: { locked: r.RecoverLockedSemiSyncMaster, exact: r.EnforceExactSemiSyncReplicas },
    nonWriteableRecovery: r.RecoverNonWriteableMaster,
    detachLostReplicas: r.DetachLostReplicasAfterMasterFailover,
    maxConcurrentReplicaOperations: r.MaxConcurrentReplicaOperations,
    bulkWaitTimeoutMs: r.InstanceBulkOperationsWaitTimeoutSeconds * 1000,
    useSuperReadOnly: r.UseSuperReadOnly,
    fenceTimeoutMs: overrides.fenceTimeoutMs ?? defaultFenceTimeoutMs,
    mysql: {
      user: config.mysql.user,
      password: config.mysql.password,
      replicationUser: config.mysql.replicationUser,
      replicationPassword: config.mysql.replicationPassword,
      connectTimeoutMs: probe.connectTimeoutMs,
      probeTimeoutMs: probe.queryTimeoutMs,
      operationTimeoutMs: config.mysql.operationTimeoutMs,
    },
    location: probe.location,
    analysisPolicy: recheckPolicyFromConfig(config),
    promotionPolicy: promotionPolicyFromConfig(r),
    reachabilityWindowMs: pollIntervalMs + config.analyzer.reasonableInstanceCheckMs,
    hooks,
  };
}
