/**
 * Orchestrator's ReplicationAnalysis JSON (go/inst/analysis.go) from an AnalysisEntry, and its
 * ClusterInfo. orchestrator-client's `replication-analysis` reads AnalyzedInstanceKey,
 * ClusterDetails.ClusterName, Analysis and StructureAnalysis.
 */
import type { AnalysisEntry, ClusterSnapshot } from '@baton/contracts';
import { clusterFilterMatches, keyOf } from '@baton/domain';
import type { ClusterView } from '../cluster-directory.ts';
import { noKey, orcKey } from './instance-json.ts';

export interface ClusterInfoJson {
  ClusterName: string;
  ClusterAlias: string;
  ClusterDomain: string;
  CountInstances: number;
  HeuristicLag: number;
  HasAutomatedMasterRecovery: boolean;
  HasAutomatedIntermediateMasterRecovery: boolean;
}

export interface ClusterFilters {
  RecoverMasterClusterFilters: readonly string[];
  RecoverIntermediateMasterClusterFilters: readonly string[];
}

/** Highest lag among the replicas of the snapshot (orchestrator's HeuristicLag), 0 without replicas. */
function heuristicLag(snapshot: ClusterSnapshot | null): number {
  let lag = 0;
  for (const i of snapshot?.instances ?? []) lag = Math.max(lag, i.replication?.secondsBehindSource ?? 0);
  return lag;
}

export function clusterInfoJson(cluster: ClusterView, filters: ClusterFilters): ClusterInfoJson {
  const names = { clusterId: cluster.clusterId, alias: cluster.alias };
  return {
    ClusterName: cluster.clusterId,
    ClusterAlias: cluster.alias,
    ClusterDomain: '',
    CountInstances: cluster.snapshot?.instances.length ?? cluster.registration?.seeds.length ?? 0,
    HeuristicLag: heuristicLag(cluster.snapshot),
    HasAutomatedMasterRecovery: clusterFilterMatches(filters.RecoverMasterClusterFilters, names),
    HasAutomatedIntermediateMasterRecovery: clusterFilterMatches(filters.RecoverIntermediateMasterClusterFilters, names),
  };
}

export function analysisJson(entry: AnalysisEntry, cluster: ClusterView, filters: ClusterFilters): Record<string, unknown> {
  const instance = cluster.snapshot?.instances.find((i) => keyOf(i.host, i.port) === keyOf(entry.instance.host, entry.instance.port));
  const c = entry.counts;
  const n = (name: string) => c[name] ?? 0;
  return {
    AnalyzedInstanceKey: orcKey(entry.instance),
    AnalyzedInstanceMasterKey: entry.sourceKey ? orcKey(entry.sourceKey) : noKey,
    ClusterDetails: clusterInfoJson(cluster, filters),
    AnalyzedInstanceDataCenter: instance?.dataCenter ?? '',
    AnalyzedInstanceRegion: instance?.region ?? '',
    AnalyzedInstancePhysicalEnvironment: instance?.physicalEnvironment ?? '',
    IsMaster: entry.isMaster,
    IsClusterMaster: entry.flags?.['IsClusterMaster'] ?? false,
    IsCoMaster: entry.isCoMaster,
    LastCheckValid: entry.lastCheckValid,
    LastCheckPartialSuccess: entry.lastCheckPartialSuccess,
    CountReplicas: n('CountReplicas'),
    CountValidReplicas: n('CountValidReplicas'),
    CountValidReplicatingReplicas: n('CountValidReplicatingReplicas'),
    CountReplicasFailingToConnectToMaster: n('CountReplicasFailingToConnectToMaster'),
    CountDowntimedReplicas: n('CountDowntimedReplicas'),
    ReplicationDepth: entry.replicationDepth,
    Replicas: entry.replicas.map(orcKey),
    SlaveHosts: entry.replicas.map(orcKey),
    IsFailingToConnectToMaster: entry.flags?.['IsFailingToConnectToMaster'] ?? false,
    Analysis: entry.code,
    Description: entry.description,
    StructureAnalysis: entry.structureWarnings,
    IsDowntimed: entry.isDowntimed,
    IsReplicasDowntimed: entry.isReplicasDowntimed,
    DowntimeEndTimestamp: entry.isDowntimed ? (instance?.downtime?.endsAt ?? '') : '',
    IsBinlogServer: entry.flags?.['IsBinlogServer'] ?? false,
    IsReadOnly: entry.flags?.['IsReadOnly'] ?? false,
    IsActionableRecovery: entry.isActionable,
    SkippableDueToDowntime: entry.skippableDueToDowntime,
    OracleGTIDImmediateTopology: entry.flags?.['OracleGTIDImmediateTopology'] ?? false,
    MariaDBGTIDImmediateTopology: entry.flags?.['MariaDBGTIDImmediateTopology'] ?? false,
    SemiSyncMasterEnabled: entry.flags?.['SemiSyncMasterEnabled'] ?? false,
    SemiSyncMasterStatus: entry.flags?.['SemiSyncMasterStatus'] ?? false,
    MaxReplicaGTIDErrant: entry.maxReplicaErrantGtid ?? '',
    Counts: entry.counts,
    CommandHint: '',
  };
}
