/**
 * Reference §1.4: which analysed rows are reported. Maintenance hides nothing (fix W17: an instance
 * under a maintenance lock can still be detected as dead); snapshots carry no maintenance state.
 * Baton's two-writable-roots codes pass both filters (below).
 */
import type { AnalysisCode } from './analysis-codes.ts';
import type { ResolvedAnalysisPolicy } from './policy.ts';
import type { ReplicationFacts } from './replication-facts.ts';

/**
 * ReduceReplicationAnalysisCount's HAVING clause: keep M when M is not valid, or some replica is
 * failing to connect / not valid / not replicating, or M is failing to connect, or M has replicas.
 * (Effectively: valid leaves that are not failing to connect are not analysed.)
 */
export function passesReductionFilter(f: ReplicationFacts): boolean {
  return (
    // Baton: one of two or more writable roots (an old primary back without replicas is a valid leaf)
    (f.isWritableRoot && f.writableRoots.length > 1) ||
    !f.lastCheckValid ||
    f.someReplicaFailingToConnect ||
    f.someReplicaInvalid ||
    f.someReplicaNotReplicating ||
    f.isFailingToConnectToMaster ||
    f.counts.CountReplicas > 0
  );
}

/** Codes for which "every replica is downtimed" makes the row skippable (IsReplicasDowntimed). */
export const replicasDowntimedCodes: ReadonlySet<AnalysisCode> = new Set<AnalysisCode>([
  'AllMasterReplicasNotReplicating',
  'AllMasterReplicasNotReplicatingOrDead',
  'MasterSingleReplicaDead',
  'AllCoMasterReplicasNotReplicating',
  'DeadIntermediateMasterWithSingleReplica',
  'DeadIntermediateMasterWithSingleReplicaFailingToConnect',
  'DeadIntermediateMasterAndReplicas',
  'DeadIntermediateMasterAndSomeReplicas',
  'AllIntermediateMasterReplicasFailingToConnectOrDead',
  'AllIntermediateMasterReplicasNotReplicating',
]);

/**
 * Codes a downtime never hides (Baton). An old primary is downtimed by the failover that replaced
 * it, and that is exactly the instance that comes back writable: hiding it would hide the split brain.
 */
export const downtimeIgnoredCodes: ReadonlySet<AnalysisCode> = new Set<AnalysisCode>(['MultipleWritableMasters', 'MultipleWritableMastersUndecided']);

export interface DowntimeVerdict {
  readonly isReplicasDowntimed: boolean;
  readonly skippableDueToDowntime: boolean;
}

/** SkippableDueToDowntime := M downtimed, or every replica downtimed for one of the codes above; never for downtimeIgnoredCodes. */
export function downtimeVerdict(f: ReplicationFacts, code: AnalysisCode): DowntimeVerdict {
  const isReplicasDowntimed = f.counts.CountReplicas === f.counts.CountDowntimedReplicas && replicasDowntimedCodes.has(code);
  return { isReplicasDowntimed, skippableDueToDowntime: !downtimeIgnoredCodes.has(code) && (f.isDowntimed || isReplicasDowntimed) };
}

/** RecoveryIgnoreHostnameFilters: true when the hostname matches any filter (regexp search, like Go's MatchString). */
export function isIgnoredHostname(host: string, policy: ResolvedAnalysisPolicy): boolean {
  for (const re of policy.hostnameFilters) if (host.search(re) >= 0) return true;
  return false;
}
