/**
 * A topology operation's hands on the servers: the recovery's TopologySession (its refresh opens a
 * connection to every instance that answers, repoint and the position wait reuse them) plus the
 * read_only switch, all from @baton/mysql:
 *   read_only=1 on a replica    fence() without the kills (SET GLOBAL read_only = 1 — and
 *                               super_read_only on MySQL with UseSuperReadOnly — verified)
 *   read_only=1 on the primary  fence() with the kills: client connections killed once read_only
 *                               holds, as a failover's fence does (no global read lock is kept:
 *                               that lasts as long as one connection, and set-writeable must undo it)
 *   read_only=0                 unfence(): SET GLOBAL read_only = 0, verified
 */
import type { ClusterSnapshot, InstanceKey, InstanceObservation } from '@baton/contracts';
import { fence, type DrainResult, type FenceResult, type RepointAllEntry, type UnfenceResult, type WaitResult } from '@baton/mysql';
import type { Each, TopologyAccess } from '../ports.ts';
import type { ExecutorSettings } from '../settings.ts';

export interface OperationSession {
  refresh(clusterAlias: string, instances: readonly InstanceKey[], previous: ReadonlyMap<string, InstanceObservation>): Promise<ClusterSnapshot>;
  repoint(replicas: readonly InstanceKey[], source: InstanceKey): Promise<RepointAllEntry[]>;
  /** Stops replication (IO thread first) and waits until the relay log is applied: the position stands still. */
  drain(instances: readonly InstanceKey[], timeoutMs: number): Promise<Array<Each<DrainResult>>>;
  /** START SLAVE again (an instance drained but not moved). */
  restartReplication(instances: readonly InstanceKey[]): Promise<Array<Each<true>>>;
  waitForPosition(replicas: readonly InstanceKey[], position: string, timeoutMs: number): Promise<Array<Each<WaitResult>>>;
  /** `killClients`: the primary's fence (client connections killed once read_only holds). */
  setReadOnly(instance: InstanceKey, killClients: boolean): Promise<FenceResult>;
  setWriteable(instance: InstanceKey): Promise<UnfenceResult>;
  close(): Promise<void>;
}

export interface OperationServers {
  open(clusterId: string): OperationSession;
}

export function operationServers(topology: TopologyAccess, settings: Pick<ExecutorSettings, 'mysql' | 'useSuperReadOnly' | 'fenceTimeoutMs'>): OperationServers {
  const m = settings.mysql;
  return {
    open(clusterId) {
      const session = topology.open(clusterId);
      return {
        refresh: (clusterAlias, instances, previous) => session.refresh({ clusterId, clusterAlias, instances, previous }),
        repoint: (replicas, source) => session.repoint(replicas, source, { semiSyncReplica: undefined }),
        drain: (instances, timeoutMs) => session.drain(instances, timeoutMs),
        restartReplication: (instances) => session.restartReplication(instances),
        waitForPosition: (replicas, position, timeoutMs) => session.waitForPosition(replicas, position, timeoutMs),
        setReadOnly: (instance, killClients) =>
          fence(
            { host: instance.host, port: instance.port, user: m.user, password: m.password },
            { timeoutMs: Math.max(settings.fenceTimeoutMs, m.operationTimeoutMs), useSuperReadOnly: settings.useSuperReadOnly, killConnections: killClients },
          ),
        setWriteable: (instance) => session.unfence(instance),
        close: () => session.close(),
      };
    },
  };
}
