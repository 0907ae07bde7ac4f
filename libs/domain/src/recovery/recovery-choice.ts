/**
 * Which check-and-recover function an analysis code gets (reference §1.2 "Recovery function" column,
 * §1.5 grace period). One exhaustive table: a code without a decision does not compile.
 *
 * Kinds:
 * - recover-dead-primary / recover-dead-co-primary / recover-dead-intermediate-primary: Baton acts
 *   (actionable); a failure detection is registered first. A dead co-primary is recovered like a
 *   dead primary whose candidate is the other co-primary (CoMasterRecoveryMustPromoteOtherCoMaster,
 *   default on, or the other co-primary is writable), else the best replica.
 * - recover-semi-sync-replicas (LockedSemiSyncMaster, MasterWithTooManySemiSyncReplicas) and
 *   recover-non-writeable-primary (NoWriteableMasterStructureWarning): in place, nobody promoted —
 *   semi-sync switched on (or off) on replicas, or read_only=0 on the primary. Only with their
 *   settings (RecoverLockedSemiSyncMaster or EnforceExactSemiSyncReplicas; RecoverNonWriteableMaster,
 *   all off by default); without them the generic no-op, so no recovery row is written (W7).
 * - fence-stale-primary: Baton's own, for MultipleWritableMasters (actionable): the writable root
 *   with the older promotion epoch is fenced (read_only=1, its clients killed); nothing is promoted.
 * - generic-noop: orchestrator's checkAndRecoverGenericProblem — nothing is done, but a failure
 *   detection IS registered and OnFailureDetectionProcesses run (a function exists).
 *   MultipleWritableMastersUndecided is one: Baton cannot tell which of the roots is newer.
 * - none: nothing registered, no hooks.
 *
 * W7 fixed: a locked semi-sync primary whose recovery is not configured registers its detection
 * and runs its hooks as in orchestrator, but writes no recovery row, so nothing blocks a later
 * DeadMaster failover; and an in-place recovery gives its block back when it ends (it promoted
 * nobody: there is no flapping between primaries to prevent).
 * `orchestratorFunction` keeps orchestrator's mapping for audit.
 *
 * Deviations the other way (Baton recovers what orchestrator does not): DeadIntermediateMasterWithSingleReplica
 * (orchestrator maps it to nothing, a quirk) and DeadIntermediateMasterAndReplicas (orchestrator's
 * generic no-op) recover a dead intermediate primary like DeadIntermediateMaster: whichever of its
 * replicas answer the executor's own refresh are relocated, the others are named lost.
 */
import type { AnalysisCode, RecoveryFunction } from '../analysis/analysis-codes.ts';
import { analysisCodes, gracePeriodSensitiveCodes } from '../analysis/analysis-codes.ts';
import { recoveryFunctionByCode } from '../analysis/primary-rules.ts';

export const recoveryKinds = [
  'recover-dead-primary',
  'recover-dead-co-primary',
  'recover-dead-intermediate-primary',
  'recover-semi-sync-replicas',
  'recover-non-writeable-primary',
  'fence-stale-primary',
  'generic-noop',
  'none',
] as const;
export type RecoveryKind = (typeof recoveryKinds)[number];

/** The decision per code. Typed `satisfies Record<AnalysisCode, RecoveryKind>`: adding a code without a row fails to compile. */
export const recoveryKindByCode = Object.freeze({
  NoProblem: 'none',
  DeadMasterWithoutReplicas: 'none',
  DeadMaster: 'recover-dead-primary',
  DeadMasterAndReplicas: 'generic-noop',
  DeadMasterAndSomeReplicas: 'recover-dead-primary',
  UnreachableMasterWithLaggingReplicas: 'generic-noop',
  UnreachableMaster: 'generic-noop',
  LockedSemiSyncMaster: 'recover-semi-sync-replicas', // with RecoverLockedSemiSyncMaster or EnforceExactSemiSyncReplicas
  LockedSemiSyncMasterHypothesis: 'none',
  MasterWithTooManySemiSyncReplicas: 'recover-semi-sync-replicas', // with EnforceExactSemiSyncReplicas
  NoWriteableMasterStructureWarning: 'recover-non-writeable-primary', // with RecoverNonWriteableMaster
  MasterSingleReplicaNotReplicating: 'none',
  MasterSingleReplicaDead: 'none',
  AllMasterReplicasNotReplicating: 'generic-noop',
  AllMasterReplicasNotReplicatingOrDead: 'generic-noop',
  DeadCoMaster: 'recover-dead-co-primary',
  DeadCoMasterAndSomeReplicas: 'recover-dead-co-primary',
  UnreachableCoMaster: 'none',
  AllCoMasterReplicasNotReplicating: 'none',
  DeadIntermediateMasterWithSingleReplicaFailingToConnect: 'recover-dead-intermediate-primary',
  DeadIntermediateMasterWithSingleReplica: 'recover-dead-intermediate-primary', // orchestrator: not mapped (QUIRK fixed)
  DeadIntermediateMaster: 'recover-dead-intermediate-primary',
  DeadIntermediateMasterAndSomeReplicas: 'recover-dead-intermediate-primary',
  DeadIntermediateMasterAndReplicas: 'recover-dead-intermediate-primary', // orchestrator: generic no-op; its replicas that answer are relocated
  UnreachableIntermediateMasterWithLaggingReplicas: 'generic-noop',
  UnreachableIntermediateMaster: 'none',
  AllIntermediateMasterReplicasFailingToConnectOrDead: 'recover-dead-intermediate-primary',
  AllIntermediateMasterReplicasNotReplicating: 'none',
  BinlogServerFailingToConnectToMaster: 'none',
  FirstTierReplicaFailingToConnectToMaster: 'none',
  MultipleWritableMasters: 'fence-stale-primary', // Baton's own code: fence the older root, never promote
  MultipleWritableMastersUndecided: 'generic-noop', // Baton's own code: no epoch tells which root is newer
} as const satisfies Record<AnalysisCode, RecoveryKind>);

export interface RecoveryChoice {
  readonly kind: RecoveryKind;
  /** Baton acts on the topology (a recover-* kind, or fence-stale-primary). */
  readonly actionable: boolean;
  /** a failure detection is registered and OnFailureDetectionProcesses run (every kind but none) */
  readonly registersDetection: boolean;
  /** what orchestrator maps the code to (before its grace-period substitution) */
  readonly orchestratorFunction: RecoveryFunction;
  /** the emergency grace period turned a recovery into the generic no-op */
  readonly gracePeriodApplied: boolean;
}

export interface RecoveryChoiceOptions {
  /** the analysed instance's emergency grace-period key lives (set by an emergency IO-thread restart) */
  readonly inGracePeriod: boolean;
  /** RecoverLockedSemiSyncMaster or EnforceExactSemiSyncReplicas (default false: the generic no-op) */
  readonly semiSyncRecovery?: boolean;
  /** RecoverNonWriteableMaster (default false: the generic no-op) */
  readonly nonWriteableRecovery?: boolean;
}

/** The kinds in which Baton changes the topology: every kind but the generic no-op and none. */
export const actionableKinds: ReadonlySet<RecoveryKind> = new Set<RecoveryKind>(recoveryKinds.filter((k) => k !== 'generic-noop' && k !== 'none'));

function choice(kind: RecoveryKind, code: AnalysisCode, gracePeriodApplied: boolean): RecoveryChoice {
  return {
    kind,
    actionable: actionableKinds.has(kind),
    registersDetection: kind !== 'none',
    orchestratorFunction: recoveryFunctionByCode[code],
    gracePeriodApplied,
  };
}

/** The recovery for an analysis code. In the grace period DeadMaster, DeadMasterAndSomeReplicas and LockedSemiSyncMaster become the generic no-op. */
export function chooseRecovery(code: AnalysisCode, options: RecoveryChoiceOptions): RecoveryChoice {
  const table: RecoveryKind = recoveryKindByCode[code];
  const off = (table === 'recover-semi-sync-replicas' && options.semiSyncRecovery !== true) || (table === 'recover-non-writeable-primary' && options.nonWriteableRecovery !== true);
  const kind: RecoveryKind = off ? 'generic-noop' : table;
  if (options.inGracePeriod && gracePeriodSensitiveCodes.has(code)) return choice('generic-noop', code, kind !== 'generic-noop');
  return choice(kind, code, false);
}

const knownCodes: ReadonlySet<string> = new Set(analysisCodes);

/** Narrow a code read from a message (AnalysisEntry.code is a string). */
export function isAnalysisCode(code: string): code is AnalysisCode {
  return knownCodes.has(code);
}
