/**
 * Orchestrator's Instance JSON (go/inst/instance.go) from a snapshot's observation — the fields
 * scripts read (Key, MasterKey, ReadOnly, Slave_IO_Running / Slave_SQL_Running and their newer
 * names, SecondsBehindMaster, ClusterName, IsDowntimed, PromotionRule, …) under orchestrator's
 * names and shapes (plus Baton's IsMaintenance, MaintenanceOwner/Reason/EndTimestamp): an InstanceKey is {Hostname, Port}, a nullable number is {Int64, Valid},
 * coordinates are {LogFile, LogPos, Type}. Baton has no value for some (Uptime, HasReplicationFilters):
 * those keep orchestrator's zero values.
 */
import type { AnalysisEntry, BinlogCoordinates, ClusterSnapshot, InstanceKey, InstanceObservation } from '@baton/contracts';
import {
  buildTopologyIndex,
  hasNoSource,
  isDetachedObservation,
  isDowntimeActive,
  isObservationValid,
  isReplicating,
  keyOf,
  usesMariadbGtid,
  usesOracleGtid,
} from '@baton/domain';
import type { MaintenanceValue } from '@baton/state';

export interface OrcKey {
  Hostname: string;
  Port: number;
}

export const orcKey = (k: InstanceKey): OrcKey => ({ Hostname: k.host, Port: k.port });

/** One instance's Instance JSON (instanceJson). */
export type InstanceRow = Record<string, unknown>;
/** The row's instance key, `host:port` with the host in lower case (keyOf). */
export const rowKey = (row: InstanceRow): string => {
  const k = row['Key'] as OrcKey;
  return keyOf(k.Hostname, k.Port);
};
/** The row of an instance; undefined when the rows do not hold it. */
export const findRow = (rows: readonly InstanceRow[], key: InstanceKey): InstanceRow | undefined => {
  const wanted = keyOf(key.host, key.port);
  return rows.find((r) => rowKey(r) === wanted);
};
export const noKey: OrcKey = { Hostname: '', Port: 0 };
const nullInt = (v: number | null | undefined) => (v === null || v === undefined ? { Int64: 0, Valid: false } : { Int64: v, Valid: true });
const coordinates = (c: BinlogCoordinates | null, type: 'BinaryLog' | 'RelayLog' = 'BinaryLog') => ({ LogFile: c?.file ?? '', LogPos: c?.pos ?? 0, Type: type });
/** orchestrator's ReplicationThreadState: -1 no thread, 0 stopped, 1 running, 2 other (connecting). */
const threadState = (v: string | undefined): number => (v === undefined ? -1 : v === 'Yes' ? 1 : v === 'No' ? 0 : 2);

export interface InstanceContext {
  clusterId: string;
  clusterAlias: string;
  lastCheckValid: boolean;
  replicas: InstanceKey[];
  replicationDepth: number;
  isCoMaster: boolean;
  nowMs: number;
  analysis?: AnalysisEntry | undefined;
  /** The instance's maintenance lock (begin-maintenance), if one is held. */
  maintenance?: MaintenanceValue | undefined;
}

export function instanceJson(i: InstanceObservation, c: InstanceContext): InstanceRow {
  const r = i.replication;
  const isReplica = r !== null && !hasNoSource(r);
  const lag = isReplica && isReplicating(r) ? r.secondsBehindSource : isReplica ? null : 0;
  const downtimed = isDowntimeActive(i, c.nowMs);
  const seen = i.lastSeenAt === null ? Number.NaN : Date.parse(i.lastSeenAt);
  const replicas = c.replicas.map(orcKey);
  const problems = c.analysis && c.analysis.code !== 'NoProblem' ? [c.analysis.code, ...c.analysis.structureWarnings] : (c.analysis?.structureWarnings ?? []);
  return {
    Key: orcKey(i),
    InstanceAlias: '',
    Uptime: 0,
    ServerID: i.serverId ?? 0,
    ServerUUID: i.serverUuid ?? '',
    Version: i.version ?? '',
    VersionComment: '',
    FlavorName: i.flavour === 'mariadb' ? 'MariaDB' : i.flavour === 'mysql' ? 'MySQL' : 'unknown',
    ReadOnly: i.readOnly === true,
    SuperReadOnly: i.superReadOnly === true,
    Binlog_format: i.binlogFormat ?? '',
    LogBinEnabled: i.logBin === true,
    LogSlaveUpdatesEnabled: i.logSlaveUpdates === true,
    LogReplicationUpdatesEnabled: i.logSlaveUpdates === true,
    SelfBinlogCoordinates: coordinates(i.binlogCoordinates),
    MasterKey: r ? { Hostname: r.sourceHost, Port: r.sourcePort } : noKey,
    IsDetachedMaster: isDetachedObservation(i),
    Slave_SQL_Running: r?.sqlThread === 'Yes',
    ReplicationSQLThreadRuning: r?.sqlThread === 'Yes',
    Slave_IO_Running: r?.ioThread === 'Yes',
    ReplicationIOThreadRuning: r?.ioThread === 'Yes',
    ReplicationSQLThreadState: threadState(r?.sqlThread),
    ReplicationIOThreadState: threadState(r?.ioThread),
    HasReplicationFilters: false,
    GTIDMode: i.mysqlGtid?.mode ?? '',
    SupportsOracleGTID: i.mysqlGtid !== null,
    UsingOracleGTID: usesOracleGtid(i),
    UsingMariaDBGTID: usesMariadbGtid(i),
    UsingPseudoGTID: false,
    ReadBinlogCoordinates: coordinates(r?.readCoordinates ?? null),
    ExecBinlogCoordinates: coordinates(r?.execCoordinates ?? null),
    IsDetached: isDetachedObservation(i),
    LastSQLError: r?.lastSqlError ?? '',
    LastIOError: r?.lastIoError ?? '',
    SecondsBehindMaster: nullInt(r ? r.secondsBehindSource : null),
    SQLDelay: r?.sqlDelaySeconds ?? 0,
    ExecutedGtidSet: i.mysqlGtid?.executed ?? i.mariadbGtid?.currentPos ?? '',
    GtidPurged: i.mysqlGtid?.purged ?? '',
    GtidErrant: c.analysis?.errantGtid ?? '',
    SlaveLagSeconds: nullInt(lag),
    ReplicationLagSeconds: nullInt(lag),
    SlaveHosts: replicas,
    Replicas: replicas,
    ClusterName: c.clusterId,
    SuggestedClusterAlias: c.clusterAlias,
    DataCenter: i.dataCenter,
    Region: i.region,
    PhysicalEnvironment: i.physicalEnvironment,
    ReplicationDepth: c.replicationDepth,
    IsCoMaster: c.isCoMaster,
    SemiSyncMasterEnabled: i.semiSync?.masterEnabled ?? false,
    SemiSyncReplicaEnabled: i.semiSync?.replicaEnabled ?? false,
    SemiSyncMasterTimeout: i.semiSync?.masterTimeoutMs ?? 0,
    SemiSyncMasterWaitForReplicaCount: i.semiSync?.masterWaitForReplicaCount ?? 0,
    SemiSyncMasterStatus: i.semiSync?.masterStatus ?? false,
    SemiSyncMasterClients: i.semiSync?.masterClients ?? 0,
    SemiSyncReplicaStatus: i.semiSync?.replicaStatus ?? false,
    LastSeenTimestamp: i.lastSeenAt ?? '',
    IsLastCheckValid: c.lastCheckValid,
    IsUpToDate: c.lastCheckValid,
    IsRecentlyChecked: c.lastCheckValid,
    SecondsSinceLastSeen: nullInt(Number.isNaN(seen) ? null : Math.max(0, Math.round((c.nowMs - seen) / 1000))),
    IsCandidate: i.promotionRule === 'prefer' || i.promotionRule === 'must',
    PromotionRule: i.promotionRule,
    IsDowntimed: downtimed,
    DowntimeReason: downtimed ? (i.downtime?.reason ?? '') : '',
    DowntimeOwner: downtimed ? (i.downtime?.owner ?? '') : '',
    DowntimeEndTimestamp: downtimed ? (i.downtime?.endsAt ?? '') : '',
    // Baton's: orchestrator keeps maintenance in its own table (database_instance_maintenance), not in the Instance
    IsMaintenance: c.maintenance !== undefined,
    MaintenanceOwner: c.maintenance?.owner ?? '',
    MaintenanceReason: c.maintenance?.reason ?? '',
    MaintenanceEndTimestamp: c.maintenance?.endsAt ?? '',
    UnresolvedHostname: '',
    AllowTLS: false,
    Problems: problems,
    LastError: i.lastError ?? '',
  };
}

/** Every instance of a snapshot as orchestrator's Instance JSON, in host:port order. */
export function clusterInstancesJson(
  snapshot: ClusterSnapshot,
  clusterAlias: string,
  options: { nowMs: number; reasonableInstanceCheckMs: number; analysis?: readonly AnalysisEntry[]; maintenance?: ReadonlyMap<string, MaintenanceValue> },
): InstanceRow[] {
  const index = buildTopologyIndex(snapshot.instances);
  const window = { windowMs: snapshot.pollIntervalMs + options.reasonableInstanceCheckMs, observedAtMs: Date.parse(snapshot.observedAt) };
  const entries = new Map((options.analysis ?? []).map((e) => [keyOf(e.instance.host, e.instance.port), e]));
  const rows = index.instances.map((i, n) =>
    instanceJson(i, {
      clusterId: snapshot.clusterId,
      clusterAlias,
      lastCheckValid: isObservationValid(i, window),
      replicas: (index.replicasOf[n] as number[]).map((k) => index.instances[k] as InstanceKey),
      replicationDepth: index.depth[n] as number,
      isCoMaster: index.ownCoMaster[n] as boolean,
      nowMs: options.nowMs,
      analysis: entries.get(keyOf(i.host, i.port)),
      maintenance: options.maintenance?.get(`${i.host}:${i.port}`),
    }),
  );
  const key = (x: InstanceRow) => x['Key'] as OrcKey;
  return rows.sort((a, b) => key(a).Hostname.localeCompare(key(b).Hostname) || key(a).Port - key(b).Port);
}
