/**
 * Everything one probe read, as raw rows, mapped to the facts an observation is made of. Pure:
 * unit tests feed it rows captured from real servers.
 */
import type { BinlogCoordinates, InstanceKey, InstanceObservation, ReplicationState } from '@baton/contracts';
import { mapIdentity, mapMariadbGtid, mapMysqlGtid, type InstanceIdentity } from './map-identity.ts';
import { mapConnectedReplicas } from './map-replicas.ts';
import { mapBinlogCoordinates, mapReplication, retrievedGtidSet } from './map-replication.ts';
import { mapSemiSync } from './map-semi-sync.ts';
import { mapPromotionEpoch } from './promotion-epoch.ts';
import { nameValueMap, type RowLike } from './row-values.ts';

export interface ProbeRows {
  /** SHOW GLOBAL VARIABLES WHERE Variable_name IN (...) */
  variables: readonly RowLike[];
  /** SHOW MASTER STATUS; null when not read (log_bin OFF) */
  binlogStatus: readonly RowLike[] | null;
  /** SHOW [ALL] SLAVE[S] STATUS / SHOW REPLICA STATUS */
  replicaStatus: readonly RowLike[];
  /** SHOW GLOBAL STATUS WHERE Variable_name IN (semi-sync); null when not read */
  semiSyncStatus: readonly RowLike[] | null;
  /** MySQL performance_schema.replication_connection_status (heartbeat counts); null when not read (MariaDB, no replication) */
  connectionStatus?: readonly RowLike[] | null;
  /** SHOW SLAVE HOSTS / SHOW REPLICAS */
  replicaHosts: readonly RowLike[];
  /** information_schema.PROCESSLIST binlog dump threads */
  dumpThreads: readonly RowLike[];
  /** SELECT epoch FROM baton_meta.promotion_epoch; null when the schema or table does not exist (or not read: binlog server) */
  promotionEpoch: readonly RowLike[] | null;
}

/** What a successful probe learnt (no freshness, location or annotations). */
export interface InstanceFacts extends InstanceIdentity {
  binlogCoordinates: BinlogCoordinates | null;
  replication: ReplicationState | null;
  mariadbGtid: InstanceObservation['mariadbGtid'];
  mysqlGtid: InstanceObservation['mysqlGtid'];
  semiSync: InstanceObservation['semiSync'];
  connectedReplicas: InstanceKey[];
  /** baton_meta.promotion_epoch's epoch; null when there is none. */
  promotionEpoch: number | null;
}

/** `ownPort`: the port the instance is probed on (processlist replicas are assumed to use it too). */
export function mapProbeRows(rows: ProbeRows, ownPort: number): InstanceFacts {
  const vars = nameValueMap(rows.variables);
  const identity = mapIdentity(vars);
  return {
    ...identity,
    binlogCoordinates: rows.binlogStatus ? mapBinlogCoordinates(rows.binlogStatus) : null,
    replication: mapReplication(rows.replicaStatus, rows.connectionStatus ?? null),
    mariadbGtid: identity.flavour === 'mariadb' ? mapMariadbGtid(vars) : null,
    mysqlGtid: identity.flavour === 'mysql' ? mapMysqlGtid(vars, retrievedGtidSet(rows.replicaStatus)) : null,
    semiSync: mapSemiSync(vars, rows.semiSyncStatus ? nameValueMap(rows.semiSyncStatus) : null),
    connectedReplicas: mapConnectedReplicas(rows.replicaHosts, rows.dumpThreads, ownPort),
    promotionEpoch: mapPromotionEpoch(rows.promotionEpoch),
  };
}

/** A source that is also one of our replicas: the two form a co-master (circular) pair. */
export function isCoMasterOf(facts: Pick<InstanceFacts, 'replication' | 'connectedReplicas'>): boolean {
  const r = facts.replication;
  if (!r || !r.sourceHost || r.sourcePort === 0) return false;
  const host = r.sourceHost.toLowerCase();
  return facts.connectedReplicas.some((k) => k.host.toLowerCase() === host && k.port === r.sourcePort);
}
