export { startTopology, withTopology, sweepStaleResources, planTopology, defaultServerOptions, Topology, type AfterHookContext } from './topology.ts';
export { MariaDbInstance, type Account, type ConnectionOptions, type QueryOptions, type SlaveStatus } from './instance.ts';
export { startWriter, type Writer, type WriterOptions, type WriterResult } from './writer.ts';
export { pointReplicaAt, adminPrivileges, useFilePosition } from './replication.ts';
export { iptablesAvailable, blockNewConnections, isolatePort, FaultInjectionUnavailableError, type FirewallRule } from './firewall.ts';
export { MariaDbLaunchError } from './template.ts';
export { testDatabase } from './types.ts';
export type { TopologySpec, InstanceSpec, InstanceLabels, InstanceRole, ServerOptions, SemiSyncSpec, HeartbeatSpec, Credentials } from './types.ts';
