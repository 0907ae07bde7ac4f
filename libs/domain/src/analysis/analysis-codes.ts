/**
 * Orchestrator's analysis codes and structure warnings, with their user-known names.
 * Group-replication codes (DeadReplicationGroupMemberWithReplicas) are not produced: snapshots carry
 * no group-replication state.
 *
 * Two codes are Baton's own, at the end of the list: MultipleWritableMasters and
 * MultipleWritableMastersUndecided (writable-roots.ts). Orchestrator's codes are per instance and
 * a writable root without replicas is NoProblem to them, so none names two writable primaries in
 * one cluster — the split brain an old primary causes when it comes back writable after a failover.
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
  // Baton's own (cluster level): two or more writable roots
  'MultipleWritableMasters',
  'MultipleWritableMastersUndecided',
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
  'SlowHeartbeatReplicasStructureWarning',
  'NotEnoughValidSemiSyncReplicasStructureWarning',
  'ServerIdMovedStructureWarning',
] as const;
export type StructureWarningCode = (typeof structureWarningCodes)[number];

/**
 * The check-and-recover function orchestrator maps each code to (reference §1.2 "Recovery function").
 * `checkAndRecoverGenericProblem` is the generic no-op: not actionable, but failure detection is
 * registered (and detection hooks run) because a function exists. `none`: nothing registered.
 * `checkAndFenceStaleMaster` is Baton's own, for its own code MultipleWritableMasters (orchestrator
 * has neither): fence the stale writable root, never promote.
 */
export type RecoveryFunction =
  | 'checkAndRecoverDeadMaster'
  | 'checkAndFenceStaleMaster'
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
