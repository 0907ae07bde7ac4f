import { Type, type Static } from '@sinclair/typebox';
import { ClusterId, Host, InstanceKey, Port, PromotionRule, Timestamp } from '../common.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const BinlogCoordinates = Type.Object(
  { file: Type.String(), pos: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);
export type BinlogCoordinates = Static<typeof BinlogCoordinates>;

export const BinlogFormat = Type.Union([Type.Literal('STATEMENT'), Type.Literal('MIXED'), Type.Literal('ROW')]);

/** What SHOW SLAVE STATUS said, for an instance that has a replication source. */
export const ReplicationState = Type.Object(
  {
    sourceHost: Type.String({ description: "Master_Host ('' or '_' or '//…' mean detached)" }),
    sourcePort: Type.Integer({ minimum: 0, maximum: 65535 }),
    ioThread: Type.Union([Type.Literal('Yes'), Type.Literal('No'), Type.Literal('Connecting'), Type.Literal('Preparing')], {
      description: 'Slave_IO_Running; only Yes counts as running',
    }),
    sqlThread: Type.Union([Type.Literal('Yes'), Type.Literal('No')]),
    lastIoErrno: Type.Integer(),
    lastIoError: Type.String(),
    lastSqlErrno: Type.Integer(),
    lastSqlError: Type.String(),
    secondsBehindSource: Nullable(Type.Integer({ minimum: 0 })),
    sqlDelaySeconds: Type.Integer({ minimum: 0 }),
    readCoordinates: Nullable(BinlogCoordinates),
    execCoordinates: Nullable(BinlogCoordinates),
    usingGtid: Type.String({ description: "MariaDB Using_Gtid ('No', 'Slave_Pos', 'Current_Pos'); '' on MySQL" }),
    autoPosition: Type.Boolean({ description: 'MySQL Auto_Position=1' }),
    gtidIoPos: Type.String({ description: 'MariaDB Gtid_IO_Pos; MySQL Retrieved_Gtid_Set' }),
    heartbeatPeriodSeconds: Nullable(Type.Number({ minimum: 0 })),
    // Optional: snapshots of a detector from before they existed still validate (rolling upgrade).
    receivedHeartbeats: Type.Optional(
      Nullable(Type.Integer({ minimum: 0, description: 'MariaDB Slave_received_heartbeats; MySQL COUNT_RECEIVED_HEARTBEATS' })),
    ),
    sourceSilentMs: Type.Optional(
      Nullable(
        Type.Integer({
          minimum: 0,
          description:
            "How long nothing has arrived from the source (heartbeat count, received position and GTIDs unchanged), as the prober's own successive readings bound it from below; null = not known (first reading, IO thread not running, source changed)",
        }),
      ),
    ),
  },
  { additionalProperties: false },
);
export type ReplicationState = Static<typeof ReplicationState>;

export const MariadbGtid = Type.Object(
  {
    currentPos: Type.String({ description: '@@gtid_current_pos' }),
    slavePos: Type.String({ description: '@@gtid_slave_pos' }),
    binlogPos: Type.String({ description: '@@gtid_binlog_pos' }),
    strictMode: Type.Boolean(),
    domainId: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export const MysqlGtid = Type.Object(
  {
    mode: Type.String({ description: '@@gtid_mode (OFF, ON, …)' }),
    executed: Type.String({ description: '@@gtid_executed' }),
    purged: Type.String({ description: '@@gtid_purged' }),
    retrieved: Type.String({ description: 'Retrieved_Gtid_Set' }),
  },
  { additionalProperties: false },
);

export const SemiSyncState = Type.Object(
  {
    masterEnabled: Type.Boolean(),
    masterStatus: Type.Boolean({ description: 'Rpl_semi_sync_master_status (ON while it actually waits for acks)' }),
    masterClients: Type.Integer({ minimum: 0 }),
    masterWaitForReplicaCount: Type.Integer({ minimum: 0 }),
    masterTimeoutMs: Type.Integer({ minimum: 0 }),
    replicaEnabled: Type.Boolean(),
    replicaStatus: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const Downtime = Type.Object(
  { owner: Type.String(), reason: Type.String(), endsAt: Nullable(Timestamp) },
  { additionalProperties: false },
);

/** One instance as the detector saw it at its last probe. Freshness is data: every time is recorded. */
export const InstanceObservation = Type.Object(
  {
    host: Host,
    port: Port,
    lastSeenAt: Nullable(Timestamp),
    lastCheckedAt: Nullable(Timestamp),
    lastAttemptedAt: Nullable(Timestamp),
    lastCheckPartialSuccess: Type.Boolean({
      description: 'the first probe query (identity, read_only, binlog settings) answered even if later ones failed',
    }),
    lastError: Nullable(Type.String()),
    serverId: Nullable(Type.Integer({ minimum: 0 })),
    serverUuid: Nullable(Type.String()),
    version: Nullable(Type.String()),
    flavour: Type.Union([Type.Literal('mariadb'), Type.Literal('mysql'), Type.Literal('unknown')]),
    readOnly: Nullable(Type.Boolean()),
    superReadOnly: Nullable(Type.Boolean()),
    logBin: Nullable(Type.Boolean()),
    logSlaveUpdates: Nullable(Type.Boolean()),
    binlogFormat: Nullable(BinlogFormat),
    binlogCoordinates: Nullable(BinlogCoordinates),
    replication: Nullable(ReplicationState),
    mariadbGtid: Nullable(MariadbGtid),
    mysqlGtid: Nullable(MysqlGtid),
    semiSync: Nullable(SemiSyncState),
    connectedReplicas: Type.Array(InstanceKey, { description: 'SHOW SLAVE HOSTS / replication threads in the processlist' }),
    dataCenter: Type.String(),
    region: Type.String(),
    physicalEnvironment: Type.String(),
    promotionRule: PromotionRule,
    downtime: Nullable(Downtime),
    isCoMaster: Type.Boolean(),
    isBinlogServer: Type.Boolean(),
    promotionEpoch: Nullable(
      Type.Integer({
        minimum: 0,
        description:
          "baton_meta.promotion_epoch.epoch: the epoch of the Baton recovery that promoted this server or its source (the row replicates); null when the schema, the table or the row does not exist. Two writable roots are told apart by it",
      }),
    ),
  },
  { additionalProperties: false },
);
export type InstanceObservation = Static<typeof InstanceObservation>;

export const SnapshotReason = Type.Union([
  Type.Literal('tick'),
  Type.Literal('connection-broken'),
  Type.Literal('probe-request'),
  // a quick follow-up while a primary does not answer and its replicas still say they replicate
  Type.Literal('settle'),
  Type.Literal('discovery'),
  Type.Literal('recovery-refresh'),
]);

/** Everything one detector knows about one cluster at one moment. */
export const ClusterSnapshotV1 = Type.Object(
  {
    clusterId: ClusterId,
    clusterAlias: Type.String(),
    observedAt: Timestamp,
    detectorId: Type.String(),
    sequence: Type.Integer({ minimum: 0, description: 'per detector and cluster, increasing' }),
    reason: SnapshotReason,
    pollIntervalMs: Type.Integer({ minimum: 1 }),
    instances: Type.Array(InstanceObservation),
  },
  { additionalProperties: false, $id: 'ClusterSnapshotV1' },
);
export type ClusterSnapshot = Static<typeof ClusterSnapshotV1>;
