/**
 * Reference §1.5 as data: what the executor does for an analysed row, every recovery tick, before
 * anything else (even when no recovery function exists). The executor applies the throttles below
 * (TTL keys in Redis) and performs the I/O; this module only says what to do.
 */
import type { AnalysisEntry, ClusterSnapshot, InstanceKey, InstanceObservation } from '@baton/contracts';
import type { AnalysisCode } from './analysis-codes.ts';
import { usesMariadbGtid } from './instance-health.ts';
import { buildTopologyIndex, keyOf } from './topology-index.ts';

export type EmergencyOperation =
  /** re-read the instance now (a probe request) */
  | { readonly kind: 'probe-instance'; readonly instance: InstanceKey; readonly reason: AnalysisCode }
  /** STOP SLAVE IO_THREAD; START SLAVE IO_THREAD on the replica */
  | { readonly kind: 'restart-io-thread'; readonly instance: InstanceKey; readonly reason: AnalysisCode }
  /** open the emergency grace period of the analysed instance (restarted IO threads look "not replicating" for a moment) */
  | { readonly kind: 'begin-grace-period'; readonly instance: InstanceKey; readonly reason: AnalysisCode }
  /** remember the instance's current binlog coordinates as possibly stale (Baton's analyzer tracks them on every snapshot anyway) */
  | { readonly kind: 'record-stale-coordinates'; readonly instance: InstanceKey; readonly reason: AnalysisCode };

/** Orchestrator's in-memory throttles, for the executor's TTL keys. */
export const emergencyThrottles = Object.freeze({
  /** re-probe at most once per instance per … */
  probeInstanceMs: 1000,
  /** IO-thread restarts at most once per analysed instance per … */
  restartIoPerSourceMs: 30_000,
  /** … and at most once per replica per … */
  restartIoPerReplicaMs: 30_000,
  /** grace period length */
  gracePeriodMs: 5000,
});

export interface EmergencyOptions {
  /**
   * Orchestrator skips MariaDB-GTID replicas when it restarts IO threads (default true, faithful).
   * Only applied when the snapshot is given (the entry alone does not say which replicas use GTID).
   */
  readonly skipMariadbGtidReplicas?: boolean;
}

function key(k: InstanceKey): InstanceKey {
  return { host: k.host, port: k.port };
}

/** replicas of the entry plus, with a snapshot, the replicas of binlog-server replicas (ReadReplicaInstancesIncludingBinlogServerSubReplicas). */
function replicasIncludingBinlogServerSubReplicas(entry: AnalysisEntry, snapshot: ClusterSnapshot | undefined): InstanceObservation[] | InstanceKey[] {
  if (!snapshot) return entry.replicas;
  const index = buildTopologyIndex(snapshot.instances);
  const m = index.indexByKey.get(keyOf(entry.instance.host, entry.instance.port));
  if (m === undefined) return entry.replicas;
  const out: InstanceObservation[] = [];
  for (const r of index.replicasOf[m] ?? []) {
    const ri = index.instances[r] as InstanceObservation;
    out.push(ri);
    if (ri.isBinlogServer) for (const s of index.replicasOf[r] ?? []) out.push(index.instances[s] as InstanceObservation);
  }
  return out;
}

export function emergencyOperationsFor(entry: AnalysisEntry, snapshot?: ClusterSnapshot, options: EmergencyOptions = {}): EmergencyOperation[] {
  const reason = entry.code as AnalysisCode;
  const self = key(entry.instance);
  const probe = (instance: InstanceKey): EmergencyOperation => ({ kind: 'probe-instance', instance: key(instance), reason });
  switch (reason) {
    case 'DeadMasterAndReplicas':
      // orchestrator re-probes the analysed instance's *source*, which is empty for a primary, so it
      // does nothing (W12). Baton re-probes the primary and its replicas: one of them coming back
      // turns the row into DeadMaster / DeadMasterAndSomeReplicas / UnreachableMaster.
      return [probe(self), ...entry.replicas.map(probe)];
    case 'UnreachableMaster':
      return [probe(self), ...replicasIncludingBinlogServerSubReplicas(entry, snapshot).map(probe)];
    case 'UnreachableMasterWithLaggingReplicas':
    case 'UnreachableIntermediateMasterWithLaggingReplicas': {
      const skipMariadb = options.skipMariadbGtidReplicas ?? true;
      const replicas = replicasIncludingBinlogServerSubReplicas(entry, snapshot);
      const ops: EmergencyOperation[] = [{ kind: 'begin-grace-period', instance: self, reason }];
      for (const r of replicas) {
        if (skipMariadb && 'replication' in r && usesMariadbGtid(r)) continue;
        ops.push({ kind: 'restart-io-thread', instance: key(r), reason });
      }
      return ops;
    }
    case 'LockedSemiSyncMasterHypothesis':
      return [probe(self), { kind: 'record-stale-coordinates', instance: self, reason }];
    case 'AllMasterReplicasNotReplicating':
    case 'AllMasterReplicasNotReplicatingOrDead':
      return [probe(self)];
    case 'FirstTierReplicaFailingToConnectToMaster':
      return entry.sourceKey ? [probe(entry.sourceKey)] : [];
    default:
      return [];
  }
}
