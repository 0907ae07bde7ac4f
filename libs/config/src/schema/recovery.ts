/**
 * The `recovery` section: orchestrator's recovery-related keys with orchestrator's names and
 * defaults (go/config/config.go), plus Baton's own keys in camelCase with the unit in the name.
 * PascalCase = orchestrator's meaning exactly; camelCase = Baton's addition.
 */
import { bool, integer, metricsPort, section, stringList, text } from './primitives.ts';
import { HookListSchema } from './hook-entry.ts';

const orchestratorKeys = {
  RecoveryPeriodBlockSeconds: integer(3600, 'Anti-flapping: no second recovery on a cluster for this long (ack clears it).', {
    min: 1,
  }),
  FailureDetectionPeriodBlockMinutes: integer(60, 'A failure detection stays active (its hooks run once) for this long.', {
    min: 1,
  }),
  RecoveryIgnoreHostnameFilters: stringList([], 'Regexps; instances whose host matches are never analysed for recovery.'),
  RecoverMasterClusterFilters: stringList(
    [],
    'Clusters opted in to automated primary recovery: cluster name, regexp, alias=<x>, alias~=<regexp> or *. Empty = none.',
    { examples: [['*'], ['alias=orders', 'alias~=^billing-', 'db1.example.com:3306']] },
  ),
  RecoverIntermediateMasterClusterFilters: stringList([], 'Same, for intermediate primaries and group members.'),
  PromotionIgnoreHostnameFilters: stringList([], 'Regexps; matching hosts are never promoted.'),
  DetachLostReplicasAfterMasterFailover: bool(
    true,
    'Detach (CHANGE MASTER TO //host) replicas that could not be moved under the new primary.',
  ),
  ApplyMySQLPromotionAfterMasterFailover: bool(
    true,
    'RESET SLAVE ALL and read_only=0 on the promoted replica. Baton always applies the promotion: false is refused\n' +
      '(it would leave the new primary read-only and still replicating from the dead one).',
  ),
  PreventCrossDataCenterMasterFailover: bool(false, 'Only promote a replica in the failed primary\'s data center.'),
  PreventCrossRegionMasterFailover: bool(false, 'Only promote a replica in the failed primary\'s region.'),
  FailMasterPromotionOnLagMinutes: integer(0, 'Fail the promotion when the candidate lags this much or more (0 = off).'),
  FailMasterPromotionIfSQLThreadNotUpToDate: bool(false, 'Fail the promotion when the candidate has unapplied relay log.'),
  DelayMasterPromotionIfSQLThreadNotUpToDate: bool(false, 'Wait for the candidate to apply its relay log before promoting.'),
  MaxConcurrentReplicaOperations: integer(5, 'Replicas moved in parallel during a regroup.', { min: 1, max: 128 }),
  ReasonableReplicationLagSeconds: integer(10, 'Lag above this counts as lagging; also the stale-progress timeout.'),
  ReasonableMaintenanceReplicationLagSeconds: integer(20, 'Lag allowed for a graceful takeover target; SQL delay bound.'),
  ReasonableLockedSemiSyncMasterSeconds: integer(0, 'Locked semi-sync threshold (0 = ReasonableReplicationLagSeconds).'),
  InstanceBulkOperationsWaitTimeoutSeconds: integer(10, 'How long replicas get to apply their relay logs before a regroup.'),
  CandidateInstanceExpireMinutes: integer(60, 'A registered promotion rule expires this long after it was last suggested.', {
    min: 1,
  }),
  RecoverNonWriteableMaster: bool(false, 'Set read_only=0 on a primary found read-only with replicating replicas.'),
  MasterFailoverDetachReplicaMasterHost: bool(false, 'Detach the promoted replica\'s master host after promotion.'),
  CoMasterRecoveryMustPromoteOtherCoMaster: bool(true, 'A co-primary recovery must promote the other co-primary.'),
  PostponeReplicaRecoveryOnLagMinutes: integer(0, 'Replicas delayed more than this are moved after the promotion (0 = off).'),
  UseSuperReadOnly: bool(false, 'Also set super_read_only when setting read_only.'),
  ReduceReplicationAnalysisCount: bool(true, 'Skip analysis of healthy leaf instances.'),
  EnforceExactSemiSyncReplicas: bool(false, 'Enable/disable semi-sync on replicas to match the wait count exactly.'),
  RecoverLockedSemiSyncMaster: bool(false, 'Enable semi-sync on replicas when the primary is locked waiting for acks.'),
  VerifyReplicationFilters: bool(false, 'A replica without filters cannot replicate from a source with filters.'),
  ReplicationLagQuery: text('', 'Query returning lag in seconds, used instead of Seconds_Behind_Master when set.'),
  ProcessesShellCommand: text('bash', 'Shell that runs string hook entries.', { minLength: 1 }),
  OnFailureDetectionProcesses: HookListSchema('Run once when a failure detection is first registered.'),
  PreFailoverProcesses: HookListSchema('Run before a recovery acts; a failure aborts the recovery.', [
    [
      'echo "failover of $ORC_FAILED_HOST:$ORC_FAILED_PORT" >> /var/log/baton-hooks.log',
      ['/usr/local/bin/page-oncall', '--severity', 'high'],
      { name: 'drain-proxy', run: '/usr/local/bin/proxy-drain-writes', timeoutMs: 10000 },
      { name: 'notify', webhook: { url: 'https://hooks.example.com/baton', timeoutMs: 5000, retries: 2 } },
    ],
  ]),
  PostMasterFailoverProcesses: HookListSchema('Run after a successful primary recovery.'),
  PostIntermediateMasterFailoverProcesses: HookListSchema('Run after a successful intermediate-primary recovery.'),
  PostFailoverProcesses: HookListSchema('Run after any recovery that promoted a successor.'),
  PostUnsuccessfulFailoverProcesses: HookListSchema('Run after a recovery that promoted nothing.'),
  PreGracefulTakeoverProcesses: HookListSchema('The drain point of a planned switchover (graceful-master-takeover[-auto]): runs after its target was checked and before the old primary is set read-only, so the proxy can stop sending writes; a failure aborts with nothing changed.'),
  PostGracefulTakeoverProcesses: HookListSchema('Run at the end of a planned switchover whose PreGracefulTakeoverProcesses ran, successful or not (the proxy sends writes again, to {successorHost} or, after a failure, to the old primary).'),
  PostTakeMasterProcesses: HookListSchema('Run after a candidate swap (take-master).'),
  DataCenterPattern: text('', 'Regexp with one capture group that extracts the data center from the host name.'),
  RegionPattern: text('', 'Regexp with one capture group that extracts the region from the host name.'),
  PhysicalEnvironmentPattern: text('', 'Regexp with one capture group that extracts the environment from the host name.'),
  DetectDataCenterQuery: text('', 'Query run on each instance returning its data center (wins over the pattern).'),
  DetectRegionQuery: text('', 'Query run on each instance returning its region.'),
  DetectPhysicalEnvironmentQuery: text('', 'Query run on each instance returning its physical environment.'),
  DetectPromotionRuleQuery: text('', 'Query run on each probe returning the instance\'s promotion rule.'),
};

const batonKeys = {
  metricsPort: metricsPort('recovery-executor'),
  recoveryDeadlineMs: integer(30_000, 'Deadline of one whole recovery, checked between steps.', { min: 100 }),
  recoveryLockTtlMs: integer(40_000, 'TTL of the per-cluster recovery lock (renewed at half); above recoveryDeadlineMs.', {
    min: 100,
  }),
  recoveryTakeoverAfterMs: integer(
    5000,
    'A running recovery whose executor has not renewed it (in the backend) for this long is taken over and finished by another executor.',
    { min: 500 },
  ),
  requireFenceBeforePromotion: bool(
    false,
    'Promote only once the old primary is fenced (SQL fence or fence hook) when it is not provably dead (connection refused). Off: a hung or cut-off primary confirmed dead by its replicas is failed over even if no fence took (faster, as orchestrator); on: such a failover waits for, or fails without, a fence.',
  ),
  fenceKeeperIntervalMs: integer(
    50,
    'A demoted primary is probed this often (a new connection attempt, each bounded to 5 intervals) until it rejoins as a replica; each time it answers writable it is fenced again (demoted-primary-returned). Short, so a primary cut off by the network is fenced within one interval of the network healing.',
    { min: 20 },
  ),
  rejoinOldPrimary: bool(
    true,
    "When a failed-over primary answers again (restarted, resumed, reconnected; the fence keeper makes it read-only), Baton compares what it holds with the recovery's lost-transaction report and the current primary. Nothing the new primary lacks: it is re-attached as a replica of the cluster's current writable primary (read-only, MASTER_USE_GTID = current_pos), its downtime ended (old-primary-rejoined). Extra transactions (or anything Baton cannot prove): it stays fenced and detached, and old-primary-not-rejoined names the GTIDs and how to reinstate it. On (default): only a provably clean old primary rejoins, and a fenced idle server is a wasted replica. Off: every returned old primary stays fenced until an operator rejoins it (for those who rebuild failed hosts by policy). force-master-failover leaves the old primary as it is; a planned switchover re-attaches it itself (and this rejoin retries when that failed).",
  ),
  lossReportWatchHours: integer(
    168,
    'After a failover, members the recovery could not examine (the old primary, unreachable replicas) are probed until they answer, for this long, to complete the lost-transaction report with their own positions.',
    { min: 1 },
  ),
  acceptUnexaminedSemiSyncLoss: bool(
    false,
    'Semi-sync: when the replicas that cannot be examined are enough to hold every acknowledgement the failed primary waited for (rpl_semi_sync_master_wait_for_slave_count; 1 on MariaDB), an acknowledged transaction may exist that no examined replica has. Off (default, safe): no promotion; the recovery waits up to semiSyncAckerWaitMs for them to answer, then fails with the reason (and is retried). On: promote anyway; the possible loss is in the loss report.',
  ),
  semiSyncAckerWaitMs: integer(3000, 'How long a recovery waits for unexamined semi-sync replicas to answer before it fails (acceptUnexaminedSemiSyncLoss off).', { min: 0 }),
  recoveryRetryAttempts: integer(
    3,
    'A failed attempt that left the topology as it found it (nothing promoted, replicas restarted where they were) gives its block back and is retried this many more times, with backoff; each attempt is its own audited recovery. 0 = no retry (orchestrator: the block holds for RecoveryPeriodBlockSeconds).',
    { max: 20 },
  ),
  recoveryRetryBackoffMs: integer(1000, 'Wait before the first retry of a failed attempt; doubled for each further one.', { min: 0 }),
  executorGroupId: text('baton-recovery-executor', 'Consumer group of the executors\' analyses (one group per deployment; each member gets some clusters).'),
  emergencyGracePeriodMs: integer(5000, 'After emergency IO-thread restarts, dead-primary recoveries wait this long.'),
  emergentReadThrottleMs: integer(1000, 'At most one emergent re-read per instance in this window.', { min: 1 }),
  ioThreadRestartThrottleMs: integer(30_000, 'At most one emergency IO-thread restart per primary and per replica in this window.', {
    min: 1,
  }),
  lostReplicasDowntimeSeconds: integer(
    31_536_000,
    'Downtime put on the failed primary and lost replicas after a recovery (orchestrator: 365 days; 0 = none).',
  ),
  executorWarmupPolls: integer(3, 'The executor refuses to act until it has seen this many poll intervals.', { max: 100 }),
  // Baton's own hook list (orchestrator has no fence hook), hence camelCase like every Baton key.
  fenceProcesses: HookListSchema(
    [
      'Fence hook (Baton\'s, not orchestrator\'s): run right after the SQL fence of the old primary (read_only=1),',
      'alongside the drain; the promotion waits for it, at most until recoveryDeadlineMs is near. Best effort: a failure',
      'is recorded (fenced event, fencing result, errors) and the promotion goes on. Values: the recovery\'s placeholders',
      'plus {fencedBySql} (true/false, BATON_FENCED_BY_SQL) and {sqlFenceResult} (BATON_SQL_FENCE_RESULT: fenced,',
      'unreachable, access-denied, timeout, failed, not-verified). Give entries a short timeoutMs, or async: true.',
    ].join('\n'),
    [[{ name: 'stonith', argv: ['/usr/local/bin/power-off', '--host', '{failedHost}', '--port', '{failedPort}'], timeoutMs: 3000 }]],
  ),
};

export const RecoverySchema = section(
  { ...orchestratorKeys, ...batonKeys },
  'Recovery policy. PascalCase keys are orchestrator\'s, with its defaults; camelCase keys are Baton\'s.',
);

/** The orchestrator keys of this section, for docs and the example-completeness test. */
export const orchestratorRecoveryKeys: readonly string[] = Object.keys(orchestratorKeys);
