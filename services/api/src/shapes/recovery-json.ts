/**
 * Orchestrator's audit JSON (go/logic/topology_recovery.go) from the backend rows: TopologyRecovery
 * for audit-recovery and active-cluster-recovery, the same shape for failure detections (as
 * orchestrator's audit-failure-detection), TopologyRecoveryStep, BlockedTopologyRecovery.
 * Timestamps are ISO-8601 UTC ('' when unset, as orchestrator's empty strings). Baton's own facts
 * (Outcome, RequestId, FencingResult, LossReport, a step's name and result) are added under new names.
 */
import type { BlockedRecord, DetectionRecord, RecoveryRecord, RecoveryStepRecord } from '../ports.ts';
import { orcKey, type OrcKey } from './instance-json.ts';

const iso = (d: Date | null): string => (d ? d.toISOString() : '');

/** `host:port` → {Hostname, Port}; text that is not a key keeps its host with port 0. */
export function keyFromText(text: string): OrcKey {
  const m = /^(.+):(\d+)$/.exec(text);
  return m ? { Hostname: m[1] as string, Port: Number(m[2]) } : { Hostname: text, Port: 0 };
}

function analysisEntry(r: { clusterId: string; clusterAlias: string; failed: { host: string; port: number }; analysis: string; countReplicas: number; replicaHosts: string[]; commandHint?: string; isActionable?: boolean }) {
  return {
    AnalyzedInstanceKey: orcKey(r.failed),
    ClusterDetails: { ClusterName: r.clusterId, ClusterAlias: r.clusterAlias },
    Analysis: r.analysis,
    CountReplicas: r.countReplicas,
    Replicas: r.replicaHosts.map(keyFromText),
    SlaveHosts: r.replicaHosts.map(keyFromText),
    IsActionableRecovery: r.isActionable ?? true,
    CommandHint: r.commandHint ?? '',
  };
}

export function topologyRecoveryJson(r: RecoveryRecord): Record<string, unknown> {
  return {
    Id: r.id,
    UID: r.uid,
    AnalysisEntry: analysisEntry(r),
    SuccessorKey: r.successor ? orcKey(r.successor) : null,
    SuccessorAlias: r.successorAlias ?? '',
    SuccessorBinlogCoordinates: r.successorPosition ?? '',
    IsActive: r.endedAt === null,
    IsSuccessful: r.isSuccessful,
    LostReplicas: r.lostReplicas.map(keyFromText),
    ParticipatingInstanceKeys: r.participants.map(keyFromText),
    AllErrors: r.errors,
    RecoveryStartTimestamp: iso(r.startedAt),
    RecoveryEndTimestamp: iso(r.endedAt),
    ProcessingNodeHostname: r.processingNode,
    ProcessingNodeToken: '',
    Acknowledged: r.acknowledged,
    AcknowledgedAt: iso(r.acknowledgedAt),
    AcknowledgedBy: r.acknowledgedBy ?? '',
    AcknowledgedComment: r.acknowledgedComment ?? '',
    LastDetectionId: 0,
    LastDetectionUID: r.detectionUid ?? '',
    RelatedRecoveryId: 0,
    Type: r.analysis.includes('IntermediateMaster') ? 'IntermediateMasterRecovery' : 'MasterRecovery',
    RecoveryType: r.recoveryType,
    Forced: r.forced,
    RequestId: r.requestId ?? '',
    Outcome: r.outcome ?? '',
    FencingResult: r.fencingResult ?? '',
    LossReport: r.lossReport ?? null,
  };
}

export function failureDetectionJson(d: DetectionRecord): Record<string, unknown> {
  return {
    Id: d.id,
    UID: d.uid,
    AnalysisEntry: analysisEntry({ ...d, failed: d.instance }),
    IsActive: d.inActivePeriod,
    RecoveryStartTimestamp: iso(d.startedAt),
    RecoveryEndTimestamp: iso(d.endedAt),
    ProcessingNodeHostname: d.processingNode,
    ProcessingNodeToken: '',
    Acknowledged: d.acknowledged,
    AcknowledgedAt: iso(d.acknowledgedAt),
    AcknowledgedBy: d.acknowledgedBy ?? '',
    AcknowledgedComment: d.acknowledgedComment ?? '',
    RelatedRecoveryUID: d.relatedRecoveryUid ?? '',
  };
}

export function recoveryStepJson(s: RecoveryStepRecord): Record<string, unknown> {
  return {
    Id: s.id,
    RecoveryUID: s.recoveryUid,
    AuditAt: iso(s.at),
    Message: s.message,
    Seq: s.seq,
    Step: s.step,
    Ok: s.ok,
    Details: s.details,
  };
}

export function blockedRecoveryJson(b: BlockedRecord): Record<string, unknown> {
  return {
    FailedInstanceKey: orcKey(b.instance),
    ClusterName: b.clusterId,
    ClusterAlias: b.clusterAlias,
    Analysis: b.analysis,
    LastBlockedTimestamp: iso(b.lastBlockedAt),
    FirstBlockedTimestamp: iso(b.firstBlockedAt),
    TimesBlocked: b.timesBlocked,
    BlockingRecoveryId: 0,
    BlockingRecoveryUID: b.blockingUid ?? '',
    Reason: b.reason,
  };
}
