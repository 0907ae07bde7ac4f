/**
 * Reference §1.2 as data: the primary analysis code of an instance is the code of the FIRST rule
 * whose predicate holds, evaluated in exactly this order (rows 1–29; rows 6/7 share a code, row 8
 * is split into its two outcomes). NoProblem when none holds. Group-replication members' row
 * (DeadReplicationGroupMemberWithReplicas) is omitted: snapshots carry no group-replication state.
 *
 * Short names below: valid = LastCheckValid, R = CountReplicas, V = CountValidReplicas,
 * VR = CountValidReplicatingReplicas, F = CountReplicasFailingToConnectToMaster,
 * L = CountLaggingReplicas, D = CountDelayedReplicas.
 *
 * Deviation (W12, rows 5 and 24): SQL-delayed replicas are not counted as lagging, so "all replicas
 * lagging" reads L = R − D (every replica that is not delayed lags) instead of L = R. With no
 * delayed replica this is orchestrator's formula; with delayed replicas it is what orchestrator's
 * formula effectively meant (their Seconds_Behind_Master includes the delay and always exceeded
 * the threshold).
 *
 * Baton's own rows 30–31 (two writable roots, writable-roots.ts) come FIRST: a split brain outranks
 * whatever else a root has, and nothing is lost by it — a valid root can otherwise only get codes
 * that are not actionable (semi-sync rows 8–9, rows 11–14). Their predicates read the cluster-level
 * facts (`writableRoots`) that deriveReplicationFacts puts on every row.
 */
import type { AnalysisCode, RecoveryFunction } from './analysis-codes.ts';
import type { ResolvedAnalysisPolicy } from './policy.ts';
import type { ReplicationFacts } from './replication-facts.ts';
import { writableRootStanding } from './writable-roots.ts';

export interface AnalysisRule {
  /** the row of the reference table */
  readonly row: number;
  readonly code: AnalysisCode;
  readonly description: string;
  readonly recovery: RecoveryFunction;
  /** a real check-and-recover function exists (not the generic no-op, not none) */
  readonly isActionable: boolean;
  readonly matches: (f: ReplicationFacts, policy: ResolvedAnalysisPolicy) => boolean;
}

type RuleSpec = Omit<AnalysisRule, 'isActionable'>;

function rule(spec: RuleSpec): AnalysisRule {
  return Object.freeze({ ...spec, isActionable: spec.recovery !== 'none' && spec.recovery !== 'checkAndRecoverGenericProblem' });
}

/** Baton's cluster-level rows (30–31), evaluated before the reference's rows. */
export const writableRootRules: readonly AnalysisRule[] = Object.freeze([
  rule({
    row: 30,
    code: 'MultipleWritableMasters',
    description: 'Master is writable but another writable master of the cluster has a newer promotion epoch: this one is stale and must be fenced',
    recovery: 'checkAndFenceStaleMaster',
    matches: (f) => writableRootStanding(f) === 'stale',
  }),
  rule({
    row: 31,
    code: 'MultipleWritableMastersUndecided',
    description: 'Master is writable and so is another master of the cluster with the same promotion epoch: which one is newer cannot be told',
    recovery: 'checkAndRecoverGenericProblem',
    matches: (f) => writableRootStanding(f) === 'tied',
  }),
]);

const generic = 'checkAndRecoverGenericProblem';

const allLagging = (f: ReplicationFacts) => {
  const c = f.counts;
  return c.CountDelayedReplicas < c.CountReplicas && c.CountLaggingReplicas === c.CountReplicas - c.CountDelayedReplicas;
};
const semiSyncWaiting = (f: ReplicationFacts) =>
  f.isMaster && f.semiSyncMasterEnabled && f.semiSyncMasterStatus && f.semiSyncMasterWaitForReplicaCount > 0;
const semiSyncLocked = (f: ReplicationFacts) => semiSyncWaiting(f) && f.semiSyncMasterClients < f.semiSyncMasterWaitForReplicaCount;

export const primaryAnalysisRules: readonly AnalysisRule[] = Object.freeze([
  // ---- master, not valid (rows 1–7)
  rule({
    row: 1,
    code: 'DeadMasterWithoutReplicas',
    description: 'Master cannot be reached by orchestrator and has no replica',
    recovery: 'none',
    matches: (f) => f.isMaster && !f.lastCheckValid && f.counts.CountReplicas === 0,
  }),
  rule({
    row: 2,
    code: 'DeadMaster',
    description: 'Master cannot be reached by orchestrator and none of its replicas is replicating',
    recovery: 'checkAndRecoverDeadMaster',
    matches: ({ isMaster, lastCheckValid, counts: c }) =>
      isMaster && !lastCheckValid && c.CountValidReplicas === c.CountReplicas && c.CountValidReplicatingReplicas === 0,
  }),
  rule({
    row: 3,
    code: 'DeadMasterAndReplicas',
    description: 'Master cannot be reached by orchestrator and none of its replicas is replicating',
    recovery: generic,
    matches: ({ isMaster, lastCheckValid, counts: c }) =>
      isMaster && !lastCheckValid && c.CountReplicas > 0 && c.CountValidReplicas === 0 && c.CountValidReplicatingReplicas === 0,
  }),
  rule({
    row: 4,
    code: 'DeadMasterAndSomeReplicas',
    description: 'Master cannot be reached by orchestrator; some of its replicas are unreachable and none of its reachable replicas is replicating',
    recovery: 'checkAndRecoverDeadMaster',
    matches: ({ isMaster, lastCheckValid, counts: c }) =>
      isMaster && !lastCheckValid && c.CountValidReplicas > 0 && c.CountValidReplicas < c.CountReplicas && c.CountValidReplicatingReplicas === 0,
  }),
  rule({
    row: 5,
    code: 'UnreachableMasterWithLaggingReplicas',
    description: 'Master cannot be reached by orchestrator and all of its replicas are lagging',
    recovery: generic,
    matches: (f) => f.isMaster && !f.lastCheckValid && allLagging(f) && f.counts.CountValidReplicatingReplicas > 0,
  }),
  rule({
    row: 6,
    code: 'UnreachableMaster',
    description: 'Master cannot be reached by orchestrator but it has replicating replicas; possibly a network/host issue',
    recovery: generic,
    matches: ({ isMaster, lastCheckValid, lastCheckPartialSuccess, counts: c }) =>
      isMaster && !lastCheckValid && !lastCheckPartialSuccess && c.CountValidReplicas > 0 && c.CountValidReplicatingReplicas > 0,
  }),
  rule({
    row: 7,
    code: 'UnreachableMaster',
    description: 'Master cannot be reached by orchestrator but it has replicating replicas; possibly a network/host issue',
    recovery: generic,
    matches: ({ isMaster, lastCheckValid, lastCheckPartialSuccess, counts: c }) =>
      isMaster &&
      !lastCheckValid &&
      lastCheckPartialSuccess &&
      c.CountReplicasFailingToConnectToMaster > 0 &&
      c.CountValidReplicas > 0 &&
      c.CountValidReplicatingReplicas > 0,
  }),
  // ---- semi-sync (rows 8–9; validity not tested)
  rule({
    row: 8,
    code: 'LockedSemiSyncMaster',
    description: "Semi sync master is locked since it doesn't get enough replica acknowledgements",
    recovery: 'checkAndRecoverLockedSemiSyncMaster',
    matches: (f) => semiSyncLocked(f) && f.isStaleBinlogCoordinates,
  }),
  rule({
    row: 8,
    code: 'LockedSemiSyncMasterHypothesis',
    description: 'Semi sync master seems to be locked, more samplings needed to validate',
    recovery: 'none',
    matches: (f) => semiSyncLocked(f) && !f.isStaleBinlogCoordinates,
  }),
  rule({
    row: 9,
    code: 'MasterWithTooManySemiSyncReplicas',
    description: 'Semi sync master has more semi sync replicas than configured',
    recovery: 'checkAndRecoverMasterWithTooManySemiSyncReplicas',
    matches: (f, p) => p.enforceExactSemiSyncReplicas && semiSyncWaiting(f) && f.semiSyncMasterClients > f.semiSyncMasterWaitForReplicaCount,
  }),
  // ---- master, valid (rows 10–14)
  rule({
    row: 10,
    code: 'NoWriteableMasterStructureWarning',
    description: 'Master with replicas is read_only',
    recovery: 'checkAndRecoverNonWriteableMaster',
    matches: (f, p) => f.isMaster && f.lastCheckValid && f.isReadOnly && f.counts.CountValidReplicatingReplicas > 0 && p.recoverNonWriteableMaster,
  }),
  rule({
    row: 11,
    code: 'MasterSingleReplicaNotReplicating',
    description: 'Master is reachable but its single replica is not replicating',
    recovery: 'none',
    matches: ({ isMaster, lastCheckValid, counts: c }) =>
      isMaster && lastCheckValid && c.CountReplicas === 1 && c.CountValidReplicas === c.CountReplicas && c.CountValidReplicatingReplicas === 0,
  }),
  rule({
    row: 12,
    code: 'MasterSingleReplicaDead',
    description: 'Master is reachable but its single replica is dead',
    recovery: 'none',
    matches: ({ isMaster, lastCheckValid, counts: c }) => isMaster && lastCheckValid && c.CountReplicas === 1 && c.CountValidReplicas === 0,
  }),
  rule({
    row: 13,
    code: 'AllMasterReplicasNotReplicating',
    description: 'Master is reachable but none of its replicas is replicating',
    recovery: generic,
    matches: ({ isMaster, lastCheckValid, counts: c }) =>
      isMaster && lastCheckValid && c.CountReplicas > 1 && c.CountValidReplicas === c.CountReplicas && c.CountValidReplicatingReplicas === 0,
  }),
  rule({
    row: 14,
    code: 'AllMasterReplicasNotReplicatingOrDead',
    description: 'Master is reachable but none of its replicas is replicating',
    recovery: generic,
    matches: ({ isMaster, lastCheckValid, counts: c }) =>
      isMaster &&
      lastCheckValid &&
      c.CountReplicas > 1 &&
      c.CountValidReplicas > 0 &&
      c.CountValidReplicas < c.CountReplicas &&
      c.CountValidReplicatingReplicas === 0,
  }),
  // ---- co-master (rows 15–18; reached only when IsMaster is false)
  rule({
    row: 15,
    code: 'DeadCoMaster',
    description: 'Co-master cannot be reached by orchestrator and none of its replicas is replicating',
    recovery: 'checkAndRecoverDeadCoMaster',
    matches: ({ isCoMaster, lastCheckValid, counts: c }) =>
      isCoMaster && !lastCheckValid && c.CountReplicas > 0 && c.CountValidReplicas === c.CountReplicas && c.CountValidReplicatingReplicas === 0,
  }),
  rule({
    row: 16,
    code: 'DeadCoMasterAndSomeReplicas',
    description: 'Co-master cannot be reached by orchestrator; some of its replicas are unreachable and none of its reachable replicas is replicating',
    recovery: 'checkAndRecoverDeadCoMaster',
    matches: ({ isCoMaster, lastCheckValid, counts: c }) =>
      isCoMaster &&
      !lastCheckValid &&
      c.CountReplicas > 0 &&
      c.CountValidReplicas > 0 &&
      c.CountValidReplicas < c.CountReplicas &&
      c.CountValidReplicatingReplicas === 0,
  }),
  rule({
    row: 17,
    code: 'UnreachableCoMaster',
    description: 'Co-master cannot be reached by orchestrator but it has replicating replicas; possibly a network/host issue',
    recovery: 'none',
    matches: ({ isCoMaster, lastCheckValid, lastCheckPartialSuccess, counts: c }) =>
      isCoMaster && !lastCheckValid && !lastCheckPartialSuccess && c.CountValidReplicas > 0 && c.CountValidReplicatingReplicas > 0,
  }),
  rule({
    row: 18,
    code: 'AllCoMasterReplicasNotReplicating',
    description: 'Co-master is reachable but none of its replicas is replicating',
    recovery: 'none',
    matches: ({ isCoMaster, lastCheckValid, counts: c }) => isCoMaster && lastCheckValid && c.CountReplicas > 0 && c.CountValidReplicatingReplicas === 0,
  }),
  // ---- intermediate master (rows 19–27)
  rule({
    row: 19,
    code: 'DeadIntermediateMasterWithSingleReplicaFailingToConnect',
    description: 'Intermediate master cannot be reached by orchestrator and its (single) replica is failing to connect',
    recovery: 'checkAndRecoverDeadIntermediateMaster',
    matches: ({ isMaster, lastCheckValid, counts: c }) =>
      !isMaster &&
      !lastCheckValid &&
      c.CountReplicas === 1 &&
      c.CountValidReplicas === 1 &&
      c.CountReplicasFailingToConnectToMaster === 1 &&
      c.CountValidReplicatingReplicas === 0,
  }),
  rule({
    row: 20,
    code: 'DeadIntermediateMasterWithSingleReplica',
    description: 'Intermediate master cannot be reached by orchestrator and its (single) replica is not replicating',
    recovery: 'none', // QUIRK kept: orchestrator maps no function to this code
    matches: ({ isMaster, lastCheckValid, counts: c }) =>
      !isMaster && !lastCheckValid && c.CountReplicas === 1 && c.CountValidReplicas === 1 && c.CountValidReplicatingReplicas === 0,
  }),
  rule({
    row: 21,
    code: 'DeadIntermediateMaster',
    description: 'Intermediate master cannot be reached by orchestrator and none of its replicas is replicating',
    recovery: 'checkAndRecoverDeadIntermediateMaster',
    matches: ({ isMaster, lastCheckValid, counts: c }) =>
      !isMaster && !lastCheckValid && c.CountReplicas > 1 && c.CountValidReplicas === c.CountReplicas && c.CountValidReplicatingReplicas === 0,
  }),
  rule({
    row: 22,
    code: 'DeadIntermediateMasterAndSomeReplicas',
    description: 'Intermediate master cannot be reached by orchestrator; some of its replicas are unreachable and none of its reachable replicas is replicating',
    recovery: 'checkAndRecoverDeadIntermediateMaster',
    matches: ({ isMaster, lastCheckValid, counts: c }) =>
      !isMaster && !lastCheckValid && c.CountValidReplicas > 0 && c.CountValidReplicas < c.CountReplicas && c.CountValidReplicatingReplicas === 0,
  }),
  rule({
    row: 23,
    code: 'DeadIntermediateMasterAndReplicas',
    description: 'Intermediate master cannot be reached by orchestrator and all of its replicas are unreachable',
    recovery: generic,
    matches: ({ isMaster, lastCheckValid, counts: c }) => !isMaster && !lastCheckValid && c.CountReplicas > 0 && c.CountValidReplicas === 0,
  }),
  rule({
    row: 24,
    code: 'UnreachableIntermediateMasterWithLaggingReplicas',
    description: 'Intermediate master cannot be reached by orchestrator and all of its replicas are lagging',
    recovery: generic,
    matches: (f) => !f.isMaster && !f.lastCheckValid && allLagging(f) && f.counts.CountValidReplicatingReplicas > 0,
  }),
  rule({
    row: 25,
    code: 'UnreachableIntermediateMaster',
    description: 'Intermediate master cannot be reached by orchestrator but it has replicating replicas; possibly a network/host issue',
    recovery: 'none',
    matches: ({ isMaster, lastCheckValid, lastCheckPartialSuccess, counts: c }) =>
      !isMaster && !lastCheckValid && !lastCheckPartialSuccess && c.CountValidReplicas > 0 && c.CountValidReplicatingReplicas > 0,
  }),
  rule({
    row: 26,
    code: 'AllIntermediateMasterReplicasFailingToConnectOrDead',
    description: 'Intermediate master is reachable but all of its replicas are failing to connect',
    recovery: 'checkAndRecoverDeadIntermediateMaster',
    matches: ({ isMaster, lastCheckValid, counts: c }) =>
      !isMaster &&
      lastCheckValid &&
      c.CountReplicas > 1 &&
      c.CountValidReplicatingReplicas === 0 &&
      c.CountReplicasFailingToConnectToMaster > 0 &&
      c.CountReplicasFailingToConnectToMaster === c.CountValidReplicas,
  }),
  rule({
    row: 27,
    code: 'AllIntermediateMasterReplicasNotReplicating',
    description: 'Intermediate master is reachable but none of its reachable replicas is replicating',
    recovery: 'none',
    matches: ({ isMaster, lastCheckValid, counts: c }) => !isMaster && lastCheckValid && c.CountReplicas > 0 && c.CountValidReplicatingReplicas === 0,
  }),
  // ---- replicas (rows 28–29)
  rule({
    row: 28,
    code: 'BinlogServerFailingToConnectToMaster',
    description: 'Binlog server is unable to connect to its master',
    recovery: 'none',
    matches: (f) => f.isBinlogServer && f.isFailingToConnectToMaster,
  }),
  rule({
    row: 29,
    code: 'FirstTierReplicaFailingToConnectToMaster',
    description: '1st tier replica (directly replicating from topology master) is unable to connect to the master',
    recovery: 'none',
    matches: (f) => f.replicationDepth === 1 && f.isFailingToConnectToMaster,
  }),
]);

/** The NoProblem outcome (no rule matched). */
export const noProblemRule: AnalysisRule = rule({ row: 0, code: 'NoProblem', description: '', recovery: 'none', matches: () => true });

/** First match wins, Baton's writable-root rows first; NoProblem when nothing matches. */
export function classify(f: ReplicationFacts, policy: ResolvedAnalysisPolicy): AnalysisRule {
  for (const r of writableRootRules) if (r.matches(f, policy)) return r;
  for (const r of primaryAnalysisRules) if (r.matches(f, policy)) return r;
  return noProblemRule;
}

/** Recovery function per code (rows 6 and 7 agree). Every code is present: the type is exhaustive. */
export const recoveryFunctionByCode: Readonly<Record<AnalysisCode, RecoveryFunction>> = Object.freeze(
  Object.fromEntries([noProblemRule, ...writableRootRules, ...primaryAnalysisRules].map((r) => [r.code, r.recovery])) as Record<AnalysisCode, RecoveryFunction>,
);
