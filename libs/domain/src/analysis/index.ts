export { analyze, analyzeFacts } from './analyze.ts';
export {
  analysisCodes,
  gracePeriodSensitiveCodes,
  structureWarningCodes,
  type AnalysisCode,
  type RecoveryFunction,
  type StructureWarningCode,
} from './analysis-codes.ts';
export { analysisPolicyFromConfig, defaultAnalysisPolicy, resolveAnalysisPolicy, type AnalysisConfigKeys, type AnalysisPolicy, type AnalysisPolicyInput, type ResolvedAnalysisPolicy } from './policy.ts';
export { classify, noProblemRule, primaryAnalysisRules, recoveryFunctionByCode, writableRootRules, type AnalysisRule } from './primary-rules.ts';
export { compareEpochsNewestFirst, isWritableRoot, writableRootStanding, writableRootsOf, type WritableRoot, type WritableRootStanding } from './writable-roots.ts';
export { structureWarningRules, structureWarningsOf, type StructureWarningRule } from './structure-warnings.ts';
export { downtimeIgnoredCodes, downtimeVerdict, isIgnoredHostname, passesReductionFilter, replicasDowntimedCodes, type DowntimeVerdict } from './output-filters.ts';
export { deriveReplicationFacts, type AnalysisContext, type ReplicationCounts, type ReplicationFacts } from './replication-facts.ts';
export { isStaleBinlogCoordinates, updateStaleCoordinates, type StaleCoordinates, type StaleCoordinatesEntry } from './stale-coordinates.ts';
export {
  analysisMemoryProblem,
  analysisStateDocument,
  analysisStateKind,
  analysisStateVersion,
  cachedAnalysisMemoryValue,
  emptyAnalysisMemory,
  pairCachedAnalysisMemory,
  rememberSnapshot,
  type AnalysisMemory,
  type AnalysisStateDocument,
} from './analysis-memory.ts';
export {
  gtidModeOf,
  hasNoSource,
  isDowntimeActive,
  isFailingToConnectToSource,
  isLoggingReplica,
  isObservationValid,
  isReplicating,
  isSourceSilent,
  majorVersionOf,
  sourceUnreachableIoErrnos,
  usesMariadbGtid,
  usesOracleGtid,
  type ValidityWindow,
} from './instance-health.ts';
export { buildTopologyIndex, keyOf, NO_SOURCE, SOURCE_OUTSIDE, upstreamOf, type TopologyIndex } from './topology-index.ts';
export { formatAnalysisLine } from './format-analysis-line.ts';
export { emergencyOperationsFor, emergencyThrottles, type EmergencyOperation, type EmergencyOptions } from './emergency-operations.ts';
