/**
 * Orchestrator keys Baton does not accept, each with the reason and the key to use instead.
 * Decision: legacy synonyms are REJECTED, never mapped. Orchestrator's synonym pairs are a trap
 * (W16: DetachLostReplicasAfterMasterFailover could not be turned off without also setting
 * DetachLostSlavesAfterMasterFailover); with one key there is one place that decides.
 */
const use = (key: string, note = '') => `legacy orchestrator key; use ${key} instead${note ? ` (${note})` : ''}`;
const unsupported = (why: string) => `orchestrator key not supported by Baton: ${why}`;

export const legacyKeys: Readonly<Record<string, string>> = {
  DetachLostSlavesAfterMasterFailover: use(
    'recovery.DetachLostReplicasAfterMasterFailover',
    'Baton has one key for this; orchestrator needed both synonyms set to turn it off',
  ),
  MasterFailoverDetachSlaveMasterHost: use('recovery.MasterFailoverDetachReplicaMasterHost'),
  PostponeSlaveRecoveryOnLagMinutes: use('recovery.PostponeReplicaRecoveryOnLagMinutes'),
  RecoveryPeriodBlockMinutes: use('recovery.RecoveryPeriodBlockSeconds', 'one unit, one key'),
  InstancePollSeconds: use('detector.pollIntervalMs', 'milliseconds'),
  ReasonableInstanceCheckSeconds: use('analyzer.reasonableInstanceCheckMs', 'milliseconds'),
  MySQLConnectTimeoutSeconds: use('mysql.connectTimeoutMs', 'milliseconds'),
  MySQLDiscoveryReadTimeoutSeconds: use('mysql.probeTimeoutMs', 'milliseconds'),
  MySQLTopologyReadTimeoutSeconds: use('mysql.operationTimeoutMs', 'milliseconds'),
  MySQLTopologyUser: use('mysql.user'),
  MySQLTopologyPassword: use('mysql.password'),
  MySQLReplicationUser: use('mysql.replicationUser'),
  MySQLReplicationPassword: use('mysql.replicationPassword'),
  ListenAddress: use('api.host and api.port'),
  URLPrefix: use('api.urlPrefix'),
  ReadOnly: use('api.readOnly'),
  AuthenticationMethod: use('api.authentication and api.token', 'authentication is on by default'),
  MasterFailoverLostInstancesDowntimeMinutes: use(
    'recovery.lostReplicasDowntimeSeconds',
    'orchestrator never read this key',
  ),
  KVClusterMasterPrefix: unsupported('no KV-store integration; publish the new primary from a PostMasterFailoverProcesses hook'),
  ConsulAddress: unsupported('no KV-store integration; use a PostMasterFailoverProcesses hook'),
  ZkAddress: unsupported('no KV-store integration; use a PostMasterFailoverProcesses hook'),
  RaftEnabled: unsupported('Baton processes coordinate through Kafka and Redis, not raft'),
  ExpectFailureAnalysisConcensus: unsupported('orchestrator never implemented it'),
};
