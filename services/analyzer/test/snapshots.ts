/**
 * Snapshots for the analyzer's tests, built from contracts' unknownInstance: a healthy MariaDB
 * primary with two GTID replicas, and the same cluster with its primary dead (last probe failed,
 * replicas' IO threads retrying). Times are relative to `observedAt`.
 */
import { replicationState, unknownInstance, type ClusterSnapshot, type InstanceObservation, type ReplicationState } from '@baton/contracts';

export const T0 = Date.parse('2026-11-26T19:30:00.000Z');

const iso = (ms: number): string => new Date(ms).toISOString();

export interface ClusterOptions {
  clusterId?: string;
  /** ms since the epoch (default T0) */
  observedAt?: number;
  sequence?: number;
  detectorId?: string;
  primaryHost?: string;
}

function primaryOf(host: string, at: number, over: Partial<InstanceObservation> = {}): InstanceObservation {
  return unknownInstance(host, 3306, {
    lastSeenAt: iso(at - 200),
    lastCheckedAt: iso(at - 200),
    lastAttemptedAt: iso(at - 200),
    lastCheckPartialSuccess: true,
    serverId: 1,
    version: '10.11.19-MariaDB',
    flavour: 'mariadb',
    readOnly: false,
    logBin: true,
    logSlaveUpdates: true,
    binlogFormat: 'ROW',
    binlogCoordinates: { file: 'mysql-bin.000001', pos: 1680 },
    mariadbGtid: { currentPos: '0-1-100', slavePos: '', binlogPos: '0-1-100', strictMode: true, domainId: 0 },
    ...over,
  });
}

function replicaOf(host: string, source: string, at: number, serverId: number, repl: Partial<ReplicationState> = {}): InstanceObservation {
  return primaryOf(host, at, {
    serverId,
    readOnly: true,
    mariadbGtid: { currentPos: '0-1-100', slavePos: '0-1-100', binlogPos: '0-1-100', strictMode: true, domainId: 0 },
    replication: replicationState(
      { host: source, port: 3306 },
      {
        readCoordinates: { file: 'mysql-bin.000001', pos: 1680 },
        execCoordinates: { file: 'mysql-bin.000001', pos: 1680 },
        gtidIoPos: '0-1-100',
        heartbeatPeriodSeconds: 1,
        ...repl,
      },
    ),
  });
}

const connecting: Partial<ReplicationState> = {
  ioThread: 'Connecting',
  lastIoErrno: 2003,
  lastIoError: "error reconnecting to master 'repl@db1:3306' - retry-time: 1  maximum-retries: 100000  message: Can't connect to server on 'db1' (111)",
  secondsBehindSource: null,
};

function wrap(instances: InstanceObservation[], o: ClusterOptions): ClusterSnapshot {
  return {
    clusterId: o.clusterId ?? 'c1',
    clusterAlias: o.clusterId ?? 'c1',
    observedAt: iso(o.observedAt ?? T0),
    detectorId: o.detectorId ?? 'd1',
    sequence: o.sequence ?? 1,
    reason: 'tick',
    pollIntervalMs: 1000,
    instances,
  };
}

export function healthyCluster(o: ClusterOptions = {}, primaryOver: Partial<InstanceObservation> = {}): ClusterSnapshot {
  const at = o.observedAt ?? T0;
  const p = o.primaryHost ?? 'db1';
  return wrap([primaryOf(p, at, primaryOver), replicaOf('db2', p, at, 2), replicaOf('db3', p, at, 3)], o);
}

/** The primary's last probe failed 100 ms ago, last success 10 s ago; both replicas' IO threads are Connecting. */
export function deadPrimaryCluster(o: ClusterOptions = {}, primaryOver: Partial<InstanceObservation> = {}): ClusterSnapshot {
  const at = o.observedAt ?? T0;
  const p = o.primaryHost ?? 'db1';
  const dead = primaryOf(p, at, {
    lastSeenAt: iso(at - 10_000),
    lastCheckedAt: iso(at - 100),
    lastAttemptedAt: iso(at - 100),
    lastCheckPartialSuccess: false,
    lastError: 'connect ECONNREFUSED',
    ...primaryOver,
  });
  return wrap([dead, replicaOf('db2', p, at, 2, connecting), replicaOf('db3', p, at, 3, connecting)], o);
}

/** Dead primary, one replica fine again and the other still failing: a different problem set. */
export function deadPrimaryOneReplicaDeadCluster(o: ClusterOptions = {}): ClusterSnapshot {
  const s = deadPrimaryCluster(o);
  const at = o.observedAt ?? T0;
  const [p, r2] = s.instances;
  const deadReplica: InstanceObservation = { ...(s.instances[2] as InstanceObservation), lastSeenAt: iso(at - 10_000), lastCheckedAt: iso(at - 100) };
  return { ...s, instances: [p as InstanceObservation, r2 as InstanceObservation, deadReplica] };
}

/** A semi-sync primary waiting for an ack no replica sends (clients 0 < wait 1), binlog coordinates standing still. */
export function lockedSemiSyncCluster(o: ClusterOptions = {}): ClusterSnapshot {
  return healthyCluster(o, {
    semiSync: {
      masterEnabled: true,
      masterStatus: true,
      masterClients: 0,
      masterWaitForReplicaCount: 1,
      masterTimeoutMs: 100_000,
      replicaEnabled: false,
      replicaStatus: false,
    },
  });
}
