/**
 * The knobs of the analysis, named after orchestrator's configuration keys (units in the name when
 * they differ). Pass a partial object; `resolveAnalysisPolicy` fills defaults and compiles the
 * hostname filters once (cached per input object, so a service that keeps one policy object pays
 * nothing per call).
 */

export interface AnalysisPolicy {
  /**
   * ReasonableInstanceCheckSeconds, in ms (default 1000). The validity window of an observation is
   * the snapshot's pollIntervalMs (orchestrator's InstancePollSeconds) + this margin.
   */
  readonly reasonableInstanceCheckMs: number;
  /** Overrides the snapshot's pollIntervalMs in the validity window (default: use the snapshot's). */
  readonly pollIntervalMs: number | null;
  /**
   * Baton (fix W12): an observation whose last success is older than the validity window at the
   * snapshot's own observedAt is invalid — a probe that hangs without failing stops counting as
   * "seen" after one window, whatever time the detector stamped the attempt with. Default true.
   */
  readonly invalidateStaleObservations: boolean;
  /** ReasonableReplicationLagSeconds (default 10): lagging replicas, stale-coordinates fallback. */
  readonly reasonableReplicationLagSeconds: number;
  /** ReasonableLockedSemiSyncMasterSeconds (default 0 ⇒ reasonableReplicationLagSeconds). */
  readonly reasonableLockedSemiSyncMasterSeconds: number;
  /** ReduceReplicationAnalysisCount (default true): skip valid leaves that are not failing to connect. */
  readonly reduceReplicationAnalysisCount: boolean;
  /** Hint IncludeNoProblem (default false): keep NoProblem rows that have no structure warning. */
  readonly includeNoProblem: boolean;
  /** Hint IncludeDowntimed (default false; orchestrator's recovery loop and API pass true). */
  readonly includeDowntimed: boolean;
  /** RecoveryIgnoreHostnameFilters (default []): rows whose hostname matches any regexp are dropped. */
  readonly recoveryIgnoreHostnameFilters: readonly (string | RegExp)[];
  /** RecoverNonWriteableMaster (default false): enables row 10 as a primary code. */
  readonly recoverNonWriteableMaster: boolean;
  /** EnforceExactSemiSyncReplicas (default false): enables row 9. */
  readonly enforceExactSemiSyncReplicas: boolean;
  /**
   * Baton: a replica whose IO thread runs but which has received nothing from its source (no event,
   * no heartbeat) for this many of its heartbeat periods counts as not replicating (default 2,
   * MySQL's own ratio of slave_net_timeout to the default heartbeat period; 0 = off). With every
   * replica agreeing and the primary not answering, that is DeadMaster without waiting for the IO
   * threads to give up (a hung primary). A primary that is merely slow still feeds its replicas.
   */
  readonly silentSourceHeartbeats: number;
}

export type AnalysisPolicyInput = Partial<AnalysisPolicy>;

export interface ResolvedAnalysisPolicy extends AnalysisPolicy {
  readonly hostnameFilters: readonly RegExp[];
  /** effective locked-semi-sync threshold in ms */
  readonly lockedSemiSyncMasterMs: number;
}

export const defaultAnalysisPolicy: AnalysisPolicy = Object.freeze({
  reasonableInstanceCheckMs: 1000,
  pollIntervalMs: null,
  invalidateStaleObservations: true,
  reasonableReplicationLagSeconds: 10,
  reasonableLockedSemiSyncMasterSeconds: 0,
  reduceReplicationAnalysisCount: true,
  includeNoProblem: false,
  includeDowntimed: false,
  recoveryIgnoreHostnameFilters: [],
  recoverNonWriteableMaster: false,
  enforceExactSemiSyncReplicas: false,
  silentSourceHeartbeats: 2,
});

const cache = new WeakMap<object, ResolvedAnalysisPolicy>();
/** Objects this module resolved (a spread copy of a resolved policy is NOT resolved: its derived fields may be stale). */
const resolvedObjects = new WeakSet<object>();

/**
 * Fill defaults and compile regexps. Idempotent; cached per input object, so treat a policy object
 * as immutable once used. Throws SyntaxError on a bad regexp.
 */
export function resolveAnalysisPolicy(input: AnalysisPolicyInput | ResolvedAnalysisPolicy = {}): ResolvedAnalysisPolicy {
  if (resolvedObjects.has(input)) return input as ResolvedAnalysisPolicy;
  const hit = cache.get(input);
  if (hit) return hit;
  const { hostnameFilters: _h, lockedSemiSyncMasterMs: _l, ...plain } = input as Partial<ResolvedAnalysisPolicy>;
  const p: AnalysisPolicy = { ...defaultAnalysisPolicy, ...plain };
  const lockedSeconds = p.reasonableLockedSemiSyncMasterSeconds > 0 ? p.reasonableLockedSemiSyncMasterSeconds : p.reasonableReplicationLagSeconds;
  const resolved: ResolvedAnalysisPolicy = Object.freeze({
    ...p,
    hostnameFilters: p.recoveryIgnoreHostnameFilters.map((f) => (typeof f === 'string' ? new RegExp(f) : f)),
    lockedSemiSyncMasterMs: lockedSeconds * 1000,
  });
  cache.set(input, resolved);
  resolvedObjects.add(resolved);
  return resolved;
}

/** The config keys the analysis reads (structural: no config import), from `analyzer` and `recovery`. */
export interface AnalysisConfigKeys {
  readonly analyzer: { readonly reasonableInstanceCheckMs: number; readonly silentSourceHeartbeats: number };
  readonly recovery: {
    readonly ReasonableReplicationLagSeconds: number;
    readonly ReasonableLockedSemiSyncMasterSeconds: number;
    readonly ReduceReplicationAnalysisCount: boolean;
    readonly RecoveryIgnoreHostnameFilters: readonly string[];
    readonly RecoverNonWriteableMaster: boolean;
    readonly EnforceExactSemiSyncReplicas: boolean;
  };
}

/**
 * The analysis policy of a configuration, with orchestrator's recovery-loop hint IncludeDowntimed
 * (downtimed rows are analysed and flagged; whoever acts skips them). The analyzer and the
 * executor's re-check read the same keys; they differ only in whether NoProblem rows are kept.
 */
export function analysisPolicyFromConfig(config: AnalysisConfigKeys, options: { includeNoProblem: boolean }): ResolvedAnalysisPolicy {
  const { recovery, analyzer } = config;
  return resolveAnalysisPolicy({
    reasonableInstanceCheckMs: analyzer.reasonableInstanceCheckMs,
    silentSourceHeartbeats: analyzer.silentSourceHeartbeats,
    reasonableReplicationLagSeconds: recovery.ReasonableReplicationLagSeconds,
    reasonableLockedSemiSyncMasterSeconds: recovery.ReasonableLockedSemiSyncMasterSeconds,
    reduceReplicationAnalysisCount: recovery.ReduceReplicationAnalysisCount,
    recoveryIgnoreHostnameFilters: [...recovery.RecoveryIgnoreHostnameFilters],
    recoverNonWriteableMaster: recovery.RecoverNonWriteableMaster,
    enforceExactSemiSyncReplicas: recovery.EnforceExactSemiSyncReplicas,
    includeDowntimed: true,
    includeNoProblem: options.includeNoProblem,
  });
}
