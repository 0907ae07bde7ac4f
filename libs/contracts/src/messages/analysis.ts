import { Type, type Static } from '@sinclair/typebox';
import { ClusterId, InstanceKey, Timestamp } from '../common.ts';

/** Orchestrator's replication analysis for one instance: its primary code plus any structure warnings. */
export const AnalysisEntry = Type.Object(
  {
    instance: InstanceKey,
    code: Type.String({ description: "orchestrator's analysis code, e.g. DeadMaster; NoProblem when none" }),
    description: Type.String(),
    structureWarnings: Type.Array(Type.String()),
    isMaster: Type.Boolean(),
    isCoMaster: Type.Boolean(),
    isActionable: Type.Boolean(),
    isDowntimed: Type.Boolean(),
    isReplicasDowntimed: Type.Boolean(),
    skippableDueToDowntime: Type.Boolean(),
    lastCheckValid: Type.Boolean(),
    lastCheckPartialSuccess: Type.Boolean(),
    sourceKey: Type.Union([InstanceKey, Type.Null()]),
    replicationDepth: Type.Integer({ minimum: 0 }),
    counts: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), {
      description: 'CountReplicas, CountValidReplicas, CountValidReplicatingReplicas, …',
    }),
    replicas: Type.Array(InstanceKey),
    flags: Type.Optional(
      Type.Record(Type.String(), Type.Boolean(), {
        description:
          "orchestrator's boolean analysis fields by name: IsFailingToConnectToMaster, IsStaleBinlogCoordinates, IsReadOnly, " +
          'IsClusterMaster, IsBinlogServer, OracleGTIDImmediateTopology, MariaDBGTIDImmediateTopology, BinlogServerImmediateTopology, ' +
          'PseudoGTIDImmediateTopology, SemiSyncMasterEnabled, SemiSyncMasterStatus',
      }),
    ),
    errantGtid: Type.Optional(
      Type.String({ description: "this instance's errant GTIDs against its own source ('' = none); GTID set text (MySQL) or domain-server-seq list (MariaDB)" }),
    ),
    maxReplicaErrantGtid: Type.Optional(
      Type.String({
        description: "orchestrator's MaxReplicaGTIDErrant: the greatest errant GTID text among non-downtimed replicas ('' = none); behind ErrantGTIDStructureWarning",
      }),
    ),
    writableRoots: Type.Optional(
      Type.Array(Type.Object({ instance: InstanceKey, promotionEpoch: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]) }, { additionalProperties: false }), {
        description:
          'MultipleWritableMasters and MultipleWritableMastersUndecided only: every writable root of the cluster (answers, read_only=0, no replication source) with its promotion epoch, newest first; the newest are those with the highest epoch (null is older than any epoch)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AnalysisEntry = Static<typeof AnalysisEntry>;

/** One message per analysed snapshot that carries a problem, or that clears the previous problem. */
export const ClusterAnalysisV1 = Type.Object(
  {
    clusterId: ClusterId,
    clusterAlias: Type.String(),
    snapshotObservedAt: Timestamp,
    analyzedAt: Timestamp,
    entries: Type.Array(AnalysisEntry),
    hasProblem: Type.Boolean(),
  },
  { additionalProperties: false, $id: 'ClusterAnalysisV1' },
);
export type ClusterAnalysis = Static<typeof ClusterAnalysisV1>;
