/**
 * Orchestrator's analysis codes and structure warnings, with their user-known names.
 * Group-replication codes (DeadReplicationGroupMemberWithReplicas) are not produced: snapshots carry
 * no group-replication state.
 */
export const analysisCodes = [
  'NoProblem',
  'DeadMasterWithoutReplicas',
  'DeadMaster',
  'DeadMasterAndReplicas',
  'DeadMasterAndSomeReplicas',
  'UnreachableMasterWithLaggingReplicas',
  'UnreachableMaster',
  'LockedSemiSyncMaster',
  'LockedSemiSyncMasterHypothesis',
  'MasterWithTooManySemiSyncReplicas',
  'NoWriteableMasterStructureWarning',
  'MasterSingleReplicaNotReplicating',
  'MasterSingleReplicaDead',
  'AllMasterReplicasNotReplicating',
  'AllMasterReplicasNotReplicatingOrDead',
  'DeadCoMaster',
  'DeadCoMasterAndSomeReplicas',
  'UnreachableCoMaster',
  'AllCoMasterReplicasNotReplicating',
  'DeadIntermediateMasterWithSingleReplicaFailingToConnect',
  'DeadIntermediateMasterWithSingleReplica',
  'DeadIntermediateMaster',
  'DeadIntermediateMasterAndSomeReplicas',
  'DeadIntermediateMasterAndReplicas',
  'UnreachableIntermediateMasterWithLaggingReplicas',
  'UnreachableIntermediateMaster',
  'AllIntermediateMasterReplicasFailingToConnectOrDead',
  'AllIntermediateMasterReplicasNotReplicating',
  'BinlogServerFailingToConnectToMaster',
  'FirstTierReplicaFailingToConnectToMaster',
] as const;
export type AnalysisCode = (typeof analysisCodes)[number];

export const structureWarningCodes = [
  'NoLoggingReplicasStructureWarning',
  'NoFailoverSupportStructureWarning',
  'StatementAndMixedLoggingReplicasStructureWarning',
  'StatementAndRowLoggingReplicasStructureWarning',
  'MixedAndRowLoggingReplicasStructureWarning',
  'MultipleMajorVersionsLoggingReplicasStructureWarning',
  'DifferentGTIDModesStructureWarning',
  'ErrantGTIDStructureWarning',
  'NoWriteableMasterStructureWarning',
  'NotEnoughValidSemiSyncReplicasStructureWarning',
] as const;
export type StructureWarningCode = (typeof structureWarningCodes)[number];

/**
 * The check-and-recover function orchestrator maps each code to (reference §1.2 "Recovery function").
 * `checkAndRecoverGenericProblem` is the generic no-op: not actionable, but failure detection is
 * registered (and detection hooks run) because a function exists. `none`: nothing registered.
 */
export type RecoveryFunction =
  | 'checkAndRecoverDeadMaster'
  | 'checkAndRecoverLockedSemiSyncMaster'
  | 'checkAndRecoverMasterWithTooManySemiSyncReplicas'
  | 'checkAndRecoverNonWriteableMaster'
  | 'checkAndRecoverDeadCoMaster'
  | 'checkAndRecoverDeadIntermediateMaster'
  | 'checkAndRecoverGenericProblem'
  | 'none';

/** Codes whose recovery orchestrator replaces by the generic no-op while the instance is in its emergency grace period. */
export const gracePeriodSensitiveCodes: ReadonlySet<AnalysisCode> = new Set([
  'DeadMaster',
  'DeadMasterAndSomeReplicas',
  'LockedSemiSyncMaster',
]);
