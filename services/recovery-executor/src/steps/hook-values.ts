/**
 * Orchestrator's hook placeholders (reference §4.3) for one detection or recovery, as the
 * HookRequest.values the hook-runner turns into BATON_* / ORC_* variables and argv values. Pure.
 *
 * As in orchestrator: {successorHost}, {successorPort}, {successorAlias} exist only when a
 * successor was promoted (the hook-runner then gives them as ''); {isSuccessful} says whether one
 * was; {lostReplicas}/{replicaHosts} are comma lists of host:port; detection hooks get the
 * detection id as {recoveryUID} (orchestrator: a throw-away UID). Booleans are "true"/"false".
 *
 * Baton's own, once the SQL fence of the old primary ran (the fence hook and the post hooks after
 * it): {fencedBySql} ("true"/"false") and {sqlFenceResult} (fenced, unreachable, access-denied,
 * timeout, failed, not-verified). Orchestrator has no equivalent.
 */
import { instanceId, type AnalysisEntry, type InstanceKey } from '@baton/contracts';
import type { FenceResult } from '@baton/mysql';
import { sqlFenceValues } from './fencing.ts';

export interface HookValueInput {
  entry: AnalysisEntry;
  clusterId: string;
  clusterAlias: string;
  recoveryUid: string;
  /** '' or orchestrator's command hint (force-master-failover, …). */
  commandHint: string;
  /** RecoverMasterClusterFilters matched the cluster. */
  autoMasterRecovery: boolean;
  /** RecoverIntermediateMasterClusterFilters matched the cluster. */
  autoIntermediateMasterRecovery?: boolean;
  orchestratorHost: string;
  successor?: { key: InstanceKey; position: string | null } | null;
  lostReplicas?: readonly InstanceKey[];
  /** The SQL fence of the old primary, once it ran. */
  sqlFence?: FenceResult | null;
}

/** co-master, then master, then intermediate-master (orchestrator's order without group members). */
export function instanceTypeOf(entry: AnalysisEntry): string {
  if (entry.isCoMaster) return 'co-master';
  if (entry.isMaster) return 'master';
  return 'intermediate-master';
}

export function hookValues(input: HookValueInput): Record<string, string> {
  const { entry } = input;
  const lost = (input.lostReplicas ?? []).map(instanceId);
  const values: Record<string, string> = {
    failureType: entry.code,
    instanceType: instanceTypeOf(entry),
    isMaster: String(entry.isMaster),
    isCoMaster: String(entry.isCoMaster),
    failureDescription: entry.description,
    command: input.commandHint,
    failedHost: entry.instance.host,
    failedPort: String(entry.instance.port),
    failureCluster: input.clusterId,
    failureClusterAlias: input.clusterAlias,
    failureClusterDomain: '',
    countReplicas: String(entry.counts['CountReplicas'] ?? entry.replicas.length),
    isDowntimed: String(entry.isDowntimed),
    autoMasterRecovery: String(input.autoMasterRecovery),
    autoIntermediateMasterRecovery: String(input.autoIntermediateMasterRecovery ?? false),
    orchestratorHost: input.orchestratorHost,
    recoveryUID: input.recoveryUid,
    isSuccessful: String(Boolean(input.successor)),
    lostReplicas: lost.join(','),
    countLostReplicas: String(lost.length),
    replicaHosts: entry.replicas.map(instanceId).join(','),
  };
  if (input.successor) {
    values['successorHost'] = input.successor.key.host;
    values['successorPort'] = String(input.successor.key.port);
    values['successorAlias'] = instanceId(input.successor.key);
    values['successorBinlogCoordinates'] = input.successor.position ?? '';
  }
  return { ...values, ...sqlFenceValues(input.sqlFence) };
}
