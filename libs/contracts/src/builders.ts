import type { InstanceKey } from './common.ts';
import type { InstanceObservation, ReplicationState } from './messages/cluster-snapshot.ts';

/**
 * An observation of an instance that has never answered: every field unknown, every fact null.
 * The detector starts from this; tests override the fields they care about.
 */
export function unknownInstance(host: string, port: number, overrides: Partial<InstanceObservation> = {}): InstanceObservation {
  return {
    host,
    port,
    lastSeenAt: null,
    lastCheckedAt: null,
    lastAttemptedAt: null,
    lastCheckPartialSuccess: false,
    lastError: null,
    serverId: null,
    serverUuid: null,
    version: null,
    flavour: 'unknown',
    readOnly: null,
    superReadOnly: null,
    logBin: null,
    logSlaveUpdates: null,
    binlogFormat: null,
    binlogCoordinates: null,
    replication: null,
    mariadbGtid: null,
    mysqlGtid: null,
    semiSync: null,
    connectedReplicas: [],
    dataCenter: '',
    region: '',
    physicalEnvironment: '',
    promotionRule: 'neutral',
    downtime: null,
    isCoMaster: false,
    isBinlogServer: false,
    promotionEpoch: null,
    ...overrides,
  };
}

/**
 * A replica's replication state with both threads running and no error, lag or delay; positions
 * unknown. Tests and fakes override what they care about.
 */
export function replicationState(source: InstanceKey, overrides: Partial<ReplicationState> = {}): ReplicationState {
  return {
    sourceHost: source.host,
    sourcePort: source.port,
    ioThread: 'Yes',
    sqlThread: 'Yes',
    lastIoErrno: 0,
    lastIoError: '',
    lastSqlErrno: 0,
    lastSqlError: '',
    secondsBehindSource: 0,
    sqlDelaySeconds: 0,
    readCoordinates: null,
    execCoordinates: null,
    usingGtid: 'Slave_Pos',
    autoPosition: false,
    gtidIoPos: '',
    heartbeatPeriodSeconds: null,
    ...overrides,
  };
}
