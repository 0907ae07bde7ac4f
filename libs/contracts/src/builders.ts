import type { InstanceObservation } from './messages/cluster-snapshot.ts';

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
    ...overrides,
  };
}
