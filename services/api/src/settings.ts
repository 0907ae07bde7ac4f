/**
 * What the api takes from the configuration, resolved once (pure functions of the config object).
 * The analysis policy is the analyzer's keys with orchestrator's API hints: IncludeDowntimed, and
 * no NoProblem rows unless they carry a structure warning.
 */
import type { BatonConfig } from '@baton/config';
import { promotionPolicyFromConfig, resolveAnalysisPolicy, type PromotionPolicy, type ResolvedAnalysisPolicy } from '@baton/domain';

export interface ApiSettings {
  /** Before /api (orchestrator: URLPrefix), '' or '/something'. */
  urlPrefix: string;
  authentication: boolean;
  token: string | undefined;
  readOnly: boolean;
  recoverWaitMs: number;
  commandWaitMs: number;
  requestTimeoutMs: number;
  reasonableInstanceCheckMs: number;
  analysisPolicy: ResolvedAnalysisPolicy;
  /** The whole cluster's analysis, NoProblem rows included and no reduction (topology, recover's pre-check). */
  fullAnalysisPolicy: ResolvedAnalysisPolicy;
  filters: {
    RecoverMasterClusterFilters: readonly string[];
    RecoverIntermediateMasterClusterFilters: readonly string[];
    RecoveryIgnoreHostnameFilters: readonly string[];
  };
  /** The promotion rules a switchover's target is checked against before its command is sent (the executor checks again). */
  promotionPolicy: PromotionPolicy;
  /** Default downtime when begin-downtime names no duration (orchestrator: MaintenanceExpireMinutes = 10). */
  defaultDowntimeMs: number;
}

type Sections = Pick<BatonConfig, 'api' | 'analyzer' | 'recovery'>;

export function apiSettings(config: Sections): ApiSettings {
  const { api, analyzer, recovery } = config;
  const base = {
    reasonableInstanceCheckMs: analyzer.reasonableInstanceCheckMs,
    reasonableReplicationLagSeconds: recovery.ReasonableReplicationLagSeconds,
    reasonableLockedSemiSyncMasterSeconds: recovery.ReasonableLockedSemiSyncMasterSeconds,
    recoveryIgnoreHostnameFilters: [...recovery.RecoveryIgnoreHostnameFilters],
    recoverNonWriteableMaster: recovery.RecoverNonWriteableMaster,
    enforceExactSemiSyncReplicas: recovery.EnforceExactSemiSyncReplicas,
    includeDowntimed: true,
  };
  return {
    urlPrefix: api.urlPrefix,
    authentication: api.authentication,
    token: api.token,
    readOnly: api.readOnly,
    recoverWaitMs: api.recoverWaitMs,
    commandWaitMs: api.commandWaitMs,
    requestTimeoutMs: api.requestTimeoutMs,
    reasonableInstanceCheckMs: analyzer.reasonableInstanceCheckMs,
    analysisPolicy: resolveAnalysisPolicy({ ...base, reduceReplicationAnalysisCount: recovery.ReduceReplicationAnalysisCount, includeNoProblem: false }),
    fullAnalysisPolicy: resolveAnalysisPolicy({ ...base, recoveryIgnoreHostnameFilters: [], reduceReplicationAnalysisCount: false, includeNoProblem: true }),
    filters: {
      RecoverMasterClusterFilters: [...recovery.RecoverMasterClusterFilters],
      RecoverIntermediateMasterClusterFilters: [...recovery.RecoverIntermediateMasterClusterFilters],
      RecoveryIgnoreHostnameFilters: [...recovery.RecoveryIgnoreHostnameFilters],
    },
    promotionPolicy: promotionPolicyFromConfig(recovery),
    defaultDowntimeMs: 10 * 60_000,
  };
}
