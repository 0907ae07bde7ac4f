/**
 * Reference §1.3 as data: every warning whose predicate holds is appended, in this order, whatever
 * the primary code.
 *
 * - ErrantGTIDStructureWarning: a non-downtimed replica of M has errant GTIDs against M (gtid
 *   module). Each replica is compared with its own source, so an errant replica at any depth shows
 *   on the row of its source (every instance with replicas has a row).
 * - DifferentGTIDModesStructureWarning: only instances whose gtid_mode is known are compared (an
 *   unreachable MySQL instance never read is not "a different mode").
 */
import type { StructureWarningCode } from './analysis-codes.ts';
import type { ReplicationFacts } from './replication-facts.ts';

export interface StructureWarningRule {
  readonly code: StructureWarningCode;
  readonly description: string;
  readonly matches: (f: ReplicationFacts) => boolean;
}

export const structureWarningRules: readonly StructureWarningRule[] = Object.freeze([
  {
    code: 'NoLoggingReplicasStructureWarning',
    description: 'Master has more than one replica and none of them logs its updates (log_bin and log_slave_updates)',
    matches: (f) => f.isMaster && f.counts.CountLoggingReplicas === 0 && f.counts.CountReplicas > 1,
  },
  {
    code: 'NoFailoverSupportStructureWarning',
    description: 'Master has more than one replica and its replicas use neither GTID nor binlog servers (nor Pseudo-GTID)',
    matches: (f) =>
      f.isMaster &&
      f.counts.CountReplicas > 1 &&
      !f.oracleGtidImmediateTopology &&
      !f.mariadbGtidImmediateTopology &&
      !f.binlogServerImmediateTopology &&
      !f.pseudoGtidImmediateTopology,
  },
  {
    code: 'StatementAndMixedLoggingReplicasStructureWarning',
    description: 'Logging replicas mix STATEMENT and MIXED binlog formats',
    matches: (f) => f.isMaster && f.counts.CountStatementBasedLoggingReplicas > 0 && f.counts.CountMixedBasedLoggingReplicas > 0,
  },
  {
    code: 'StatementAndRowLoggingReplicasStructureWarning',
    description: 'Logging replicas mix STATEMENT and ROW binlog formats',
    matches: (f) => f.isMaster && f.counts.CountStatementBasedLoggingReplicas > 0 && f.counts.CountRowBasedLoggingReplicas > 0,
  },
  {
    code: 'MixedAndRowLoggingReplicasStructureWarning',
    description: 'Logging replicas mix MIXED and ROW binlog formats',
    matches: (f) => f.isMaster && f.counts.CountMixedBasedLoggingReplicas > 0 && f.counts.CountRowBasedLoggingReplicas > 0,
  },
  {
    code: 'MultipleMajorVersionsLoggingReplicasStructureWarning',
    description: 'Logging replicas run more than one major version',
    matches: (f) => f.isMaster && f.counts.CountDistinctMajorVersionsLoggingReplicas > 1,
  },
  {
    code: 'DifferentGTIDModesStructureWarning',
    description: "Replicas' gtid_mode differs from their source's",
    matches: (f) =>
      f.counts.CountReplicas > 0 &&
      f.gtidMode !== null &&
      f.minReplicaGtidMode !== null &&
      (f.gtidMode !== f.minReplicaGtidMode || f.gtidMode !== f.maxReplicaGtidMode),
  },
  {
    code: 'ErrantGTIDStructureWarning',
    description: 'A replica that is not downtimed has errant GTIDs',
    matches: (f) => f.maxReplicaErrantGtid !== '',
  },
  {
    code: 'NoWriteableMasterStructureWarning',
    description: 'Master is read_only',
    matches: (f) => f.isMaster && f.isReadOnly,
  },
  {
    // Baton: the replicas' own evidence of a hung primary (heartbeat silence) needs heartbeats
    code: 'SlowHeartbeatReplicasStructureWarning',
    description:
      'Replicas receive no heartbeat from their source, or one less often than every second (MASTER_HEARTBEAT_PERIOD): a hung master is seen only once their IO threads give up (slave_net_timeout)',
    matches: (f) => f.countSlowHeartbeatReplicas > 0,
  },
  {
    code: 'NotEnoughValidSemiSyncReplicasStructureWarning',
    description: 'Semi-sync master fell back to asynchronous replication: fewer semi-sync replicas than it waits for',
    matches: (f) =>
      f.isMaster &&
      f.semiSyncMasterEnabled &&
      !f.semiSyncMasterStatus &&
      f.semiSyncMasterWaitForReplicaCount > 0 &&
      f.semiSyncMasterClients < f.semiSyncMasterWaitForReplicaCount,
  },
  {
    // Baton: identity is host:port; a server_id seen again elsewhere is a fact to report, not a reason to drop either
    code: 'ServerIdMovedStructureWarning',
    description:
      'Instance does not answer and its server_id answers at another address (a rebuilt host, or a topology restarted on other ports): both are watched; forget the old address once it is gone for good (UnseenInstanceForgetHours does it by itself)',
    matches: (f) => f.serverIdAnswersElsewhere,
  },
] satisfies StructureWarningRule[]);

export function structureWarningsOf(f: ReplicationFacts): StructureWarningCode[] {
  const out: StructureWarningCode[] = [];
  for (const w of structureWarningRules) if (w.matches(f)) out.push(w.code);
  return out;
}
