export {
  actionableKinds,
  chooseRecovery,
  isAnalysisCode,
  recoveryKindByCode,
  recoveryKinds,
  type RecoveryChoice,
  type RecoveryChoiceOptions,
  type RecoveryKind,
} from './recovery-choice.ts';
export { clusterFilterMatches, invalidClusterFilters, matchingClusterFilter, type ClusterIdentity } from './cluster-filters.ts';
export {
  defaultPromotionPolicy,
  promotionPolicyFromConfig,
  resolvePromotionPolicy,
  type PromotionConfigKeys,
  type PromotionPolicy,
  type PromotionPolicyInput,
} from './promotion-policy.ts';
export { binlogFormatRank, canReplicateFrom, compareMajorVersions, type BinlogFormatName, type CanReplicateOptions, type Verdict } from './can-replicate-from.ts';
export { banReason, compileBanFilters, ineligibilityReasons, majoritiesOf, type BanFilters, type Majorities } from './candidate-eligibility.ts';
export { compareCandidates, promotionRuleRank, type CandidateOrderKeys } from './candidate-order.ts';
export {
  comparePositions,
  formatPosition,
  missingFrom,
  parsePosition,
  positionContains,
  positionHolds,
  readReplicaPositions,
  type GtidPosition,
  type PositionReading,
  type PositionRelation,
  type ReplicaPositions,
} from './replica-position.ts';
export { isReplicaReachable, planPromotion } from './plan-promotion.ts';
export { caughtUp, chooseTakeoverTarget, type TakeoverMode, type TakeoverTarget, type TakeoverTargetInput } from './takeover-target.ts';
export { planSemiSyncReplicas, type SemiSyncReplicasInput, type SemiSyncReplicasPlan } from './semi-sync-replicas.ts';
export {
  appliedPosition,
  planIntermediateRecovery,
  type IntermediateMove,
  type IntermediatePlan,
  type IntermediateRecoveryInput,
  type RankedSibling,
  type SiblingPreference,
} from './plan-intermediate-recovery.ts';
export { describeLossReport, gtidsBeyond, initialLossReport, lossReportComplete, lostTransactionCount, observedHolding, unionPositions, withMember, type LossEntry, type LossReport, type LossSource, type MemberPosition } from './loss-report.ts';
export { unexaminedAckerRisk, type AckerRisk } from './semi-sync-ackers.ts';
export { compareCoordinates, describeUncovered, unappliedRelayLog, uncoveredRelayLogs, type UncoveredRelayLog } from './relay-backlog.ts';
export type {
  CatchUpStep,
  LostKind,
  LostReplica,
  LostTransactions,
  PromotionFailureDetails,
  PromotionInput,
  PromotionPlan,
  PromotionPlanFailed,
  PromotionPlanOk,
  RankedReplica,
  Reachability,
} from './promotion-plan.ts';
