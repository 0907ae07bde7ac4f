/**
 * Every step a recovery event may carry, with the shape of its `details`: the one table of the
 * recovery-event contract. RecoveryEventV1 is the union of one variant per row (`step` the
 * discriminator), so the JSON Schema names every step and its details, and a step published with
 * details of the wrong shape fails validation at the producer.
 *
 * Adding a step: add a row here (a description and its details' properties), emit it, run
 * `npm run schemas:export`. Details objects are open (a field this table does not list is
 * accepted), so a producer may add an optional field before its consumers know it; the fields
 * listed are checked. A field that changes meaning or type is a new envelope version.
 */
import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { Timestamp } from '../common.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Instance = Type.String({ description: 'host:port' });
const Text = Type.String();
const Ms = Type.Number({ minimum: 0, description: 'milliseconds' });
const Epoch = Type.Integer({ minimum: 0, description: "the recovery term (epoch) minted in the backend" });
const Code = Type.String({ description: "orchestrator's analysis code, e.g. DeadMaster" });
const InstanceError = Type.Object({ instance: Instance, error: Type.String() });

/** One process or webhook of a hook list, as the executor summarises it. */
export const HookRunDetails = Type.Object({
  name: Text,
  status: Type.String({ description: 'succeeded, failed, timed-out, started or skipped' }),
  exitCode: Nullable(Type.Integer()),
  durationMs: Ms,
  error: Nullable(Text),
  stdout: Type.Optional(Type.String({ description: 'the run’s standard output, at most 4 KiB (head and tail around an omission marker), secret values redacted; empty for webhooks and asynchronous runs' })),
  stderr: Type.Optional(Type.String({ description: 'the run’s standard error, bounded and redacted like stdout' })),
  outputTruncated: Type.Optional(Type.Boolean({ description: 'stdout or stderr was cut to its bound' })),
});

/** A hook list's outcome: every `*-hooks` step and the fence hook. */
export const HookStepDetails = Type.Object(
  {
    status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('no-result'), Type.Literal('none-configured')]),
    replayed: Type.Optional(Type.Boolean({ description: 'the hook-runner answered a repeated request with the first run’s result' })),
    error: Type.Optional(Nullable(Text)),
    waitedMs: Type.Optional(Ms),
    runs: Type.Optional(Type.Array(HookRunDetails, { description: 'one entry per hook of the list, with its own output' })),
  },
  { description: 'a hook list’s outcome' },
);

export const LostReplicaDetails = Type.Object({
  instance: Instance,
  kind: Type.String({ description: 'unreachable, position-unknown, ahead, diverged, cannot-replicate or move-failed' }),
  reason: Text,
});

export const LossReportDetails = Type.Object(
  {
    flavour: Type.Union([Type.Literal('mariadb'), Type.Literal('mysql')]),
    base: Type.String({ description: "the successor's position at its promotion" }),
    oldPrimary: Instance,
    entries: Type.Array(
      Type.Object({
        member: Instance,
        role: Type.Union([Type.Literal('old-primary'), Type.Literal('replica')]),
        source: Type.Union([Type.Literal('examined'), Type.Literal('last-seen'), Type.Literal('returned')]),
        position: Text,
        missing: Type.String({ description: 'GTIDs beyond the base' }),
        count: Nullable(Type.Integer({ minimum: 0 })),
      }),
    ),
    pending: Type.Array(Instance, { description: 'members not examined yet' }),
    clean: Type.Array(Instance),
  },
  { description: 'the lost-transaction report' },
);

const FencedDetails = {
  fenced: Type.Boolean({ description: 'fenced by the SQL fence or the fence hook' }),
  fencedBySql: Type.Boolean(),
  reason: Type.String({ description: 'the SQL fence’s reason (fenced, unreachable, access-denied, …)' }),
  liveness: Type.String({ description: 'dead, not-answering or alive' }),
  readLockHeld: Nullable(Type.Boolean()),
  killedConnections: Type.Integer({ minimum: 0 }),
  unkilledConnections: Type.Optional(Type.Integer({ minimum: 0 })),
  killError: Type.Optional(Text),
  elapsedMs: Ms,
  error: Type.Optional(Text),
  hook: Nullable(HookStepDetails),
  required: Type.Optional(Type.Boolean({ description: 'force-master-failover of a live primary: the fence had to take' })),
};

export const RecoveryOutcomeSchema = Type.Union(
  [Type.Literal('successful'), Type.Literal('failed'), Type.Literal('not-needed'), Type.Literal('skipped'), Type.Literal('not-attempted')],
  { description: 'successful (a successor promoted), failed, not-needed (the problem was gone), skipped (it changed into another), not-attempted (another recovery held the cluster)' },
);

/** Phase durations on the executor's monotonic clock; null when a bound was not seen by the resolving process. */
export const RecoveryPhasesDetails = Type.Object({
  detectionToClaimMs: Nullable(Ms),
  claimToPromotedMs: Nullable(Ms),
  promotedToResolvedMs: Nullable(Ms),
  totalMs: Nullable(Ms),
});

export const RecoverySummaryDetails = Type.Object(
  {
    clusterAlias: Text,
    failed: Type.String({ description: 'the failed instance, host:port' }),
    analysisCode: Code,
    successor: Nullable(Instance),
    outcome: RecoveryOutcomeSchema,
    lostReplicas: Type.Array(LostReplicaDetails),
    lostTransactions: Nullable(
      Type.Object(
        {
          count: Nullable(Type.Integer({ minimum: 0, description: 'transactions known lost (null: some count is unknown)' })),
          complete: Type.Boolean({ description: 'every member examined; false: more may follow as loss-report-updated events' }),
          report: LossReportDetails,
        },
        { description: 'null when nobody was promoted (no report)' },
      ),
    ),
    phases: RecoveryPhasesDetails,
    startedAt: Timestamp,
    endedAt: Timestamp,
    detectionUid: Nullable(Text),
    forced: Type.Boolean(),
    commandHint: Text,
    takeover: Type.Boolean({ description: 'finished by an executor that took the recovery over' }),
    retried: Type.Boolean({ description: 'failed leaving the topology as found: another attempt (its own recovery) follows' }),
    blockReleased: Type.Boolean(),
    fencing: Nullable(Text),
    oldPrimaryNotMoved: Nullable(Instance),
    errors: Type.Array(Text),
  },
  { description: 'one per resolved recovery: everything an alert needs' },
);

const step = <P extends TProperties>(description: string, properties: P) => ({ description, details: Type.Object(properties) });
const variants = <A extends TObject, B extends TObject>(description: string, a: A, b: B) => ({ description, details: Type.Union([a, b]) });
const hookStep = (description: string) => ({ description, details: HookStepDetails });
const outcomeStep = (description: string) => step(description, { outcome: RecoveryOutcomeSchema });

/**
 * The table. Events outside a recovery carry recoveryUid '' and sequence 0 (detected,
 * detection-hooks, emergency-operations, recovery-skipped, blocked, recover-requested,
 * recover-not-attempted, acknowledged, demoted-primary-*, stale-primary-fenced).
 */
export const recoverySteps = {
  // outside a recovery
  detected: step('a failure detection registered', { detectionUid: Text, code: Code, actionable: Type.Boolean(), function: Text, gracePeriodApplied: Type.Boolean() }),
  'detection-hooks': hookStep('OnFailureDetectionProcesses ran'),
  'emergency-operations': step('grace period opened, IO threads restarted on the replicas', { code: Code, restarting: Type.Array(Instance) }),
  'recovery-skipped': step('an analysis not recovered (gate, already recovered)', {
    code: Code,
    reason: Text,
    failed: Type.Optional(Instance),
    recoveryUid: Type.Optional(Nullable(Text)),
    owner: Type.Optional(Text),
  }),
  blocked: step('a recovery blocked by anti-flapping', { failed: Instance, code: Code, reason: Text, blockingUid: Nullable(Text), blockingSuccessor: Nullable(Text), owner: Text }),
  'recover-requested': step('an operator asked for a recovery', { requestId: Text, instance: Instance, candidate: Nullable(Instance), skipProcesses: Type.Boolean(), commandHint: Text }),
  'recover-not-attempted': step('the answer to a forced recover that does nothing (the api reads reason by requestId)', {
    requestId: Nullable(Text),
    reason: Text,
    instance: Type.Optional(Instance),
    runningRecoveryUid: Type.Optional(Nullable(Text)),
    blockingUid: Type.Optional(Nullable(Text)),
  }),
  acknowledged: step('recoveries acknowledged by an operator', { uids: Type.Array(Text), scope: Text, blockLeftRunning: Nullable(Text) }),
  // topology operations (recovery-executor operations/run-operation.ts); recoveryUid = the requestId
  'operation-started': step('an operator asked for a topology operation (relocate, relocate-replicas, move-up, set-read-only, set-writeable, begin/end-maintenance)', {
    requestId: Text,
    operation: Text,
    instance: Instance,
    below: Nullable(Instance),
    force: Nullable(Type.Boolean()),
    requestedBy: Text,
  }),
  'operation-checked': step('the operation probed the cluster, holding its recovery lock', { lockToken: Type.Integer(), maintenance: Type.Array(Instance) }),
  'operation-result': step('the answer to a topology operation (the api reads it by requestId)', {
    requestId: Text,
    operation: Text,
    ok: Type.Boolean(),
    refused: Nullable(Type.String({ description: 'why it was refused before anything changed (refusals.ts RefusalCode)' })),
    changed: Type.Array(Instance),
    failed: Type.Array(InstanceError),
    instances: Type.Array(Type.Unknown(), { description: 'fresh observations (InstanceObservation) of the instances changed' }),
  }),
  'demoted-primary-rejoined': step('a demoted primary is no longer kept fenced', { instance: Instance, recoveryUid: Text, reason: Text }),
  'demoted-primary-returned': step('a demoted primary answered writable and was fenced again', {
    instance: Instance,
    recoveryUid: Text,
    epoch: Nullable(Epoch),
    fenced: Type.Boolean(),
    reason: Text,
    killedConnections: Type.Integer({ minimum: 0 }),
    unkilledConnections: Type.Integer({ minimum: 0 }),
    readLockHeld: Nullable(Type.Boolean()),
    holdError: Type.Optional(Text),
    via: Type.Union([Type.Literal('fence-line'), Type.Literal('reconnect')]),
    answeredAtMs: Type.Number(),
    fencedAtMs: Type.Number(),
    elapsedMs: Ms,
  }),
  'old-primary-rejoined': step('a returned old primary holding nothing the new primary lacks re-attached as a replica of the current primary (recovery.rejoinOldPrimary)', {
    instance: Instance,
    recoveryUid: Text,
    source: Instance,
    position: Nullable(Type.String({ description: 'what the old primary held (every position it reports, unioned)' })),
    sourcePosition: Nullable(Type.String({ description: "what the current primary held when it was probed" })),
    base: Type.String({ description: "the loss report's base: the successor's position at its promotion" }),
    downtimeEnded: Type.Boolean({ description: 'the downtime the recovery put on it was ended' }),
    elapsedMs: Ms,
  }),
  'old-primary-not-rejoined': step('a returned old primary left fenced and detached: it holds transactions the new primary lacks, or Baton cannot prove it does not', {
    instance: Instance,
    recoveryUid: Text,
    reason: Type.String({ description: 'extra-transactions, primary-lacks, repoint-failed, command-hint, no-recovery or no-loss-report' }),
    extra: Type.String({ description: "the GTIDs it has that the new primary lacks, as in the recovery's loss report ('' when that is not the reason)" }),
    count: Nullable(Type.Integer({ minimum: 0 })),
    position: Nullable(Text),
    source: Nullable(Instance),
    error: Type.Optional(Text),
    instructions: Type.String({ description: 'how to reinstate it (the operator chooses)' }),
  }),
  'stale-primary-fenced': step('a writable root with an older promotion epoch fenced', {
    instance: Instance,
    code: Code,
    fenceUid: Text,
    fenced: Type.Boolean(),
    reason: Text,
    liveness: Text,
    killedConnections: Type.Integer({ minimum: 0 }),
    readLockHeld: Nullable(Type.Boolean()),
    error: Type.Optional(Text),
    elapsedMs: Ms,
  }),

  // a recovery, in protocol order
  registered: step('a recovery registered (block taken)', {
    code: Code,
    failed: Instance,
    forced: Type.Boolean(),
    requestId: Nullable(Text),
    requestedCandidate: Nullable(Instance),
    replacedBlock: Nullable(Text),
    detectionUid: Nullable(Text),
    retry: Type.Optional(Type.Integer({ minimum: 1 })),
    previousUid: Type.Optional(Text),
  }),
  'taken-over': step('a recovery whose executor stopped renewing it, taken over', {
    token: Epoch,
    epoch: Epoch,
    attempt: Type.Integer({ minimum: 1 }),
    previousEpoch: Epoch,
    previousExecutor: Text,
    journal: Type.Array(Text),
  }),
  claimed: step('the cluster lock and the epoch taken', { token: Epoch, epoch: Epoch, redisToken: Nullable(Type.Integer()), ttlMs: Nullable(Ms) }),
  'lock-retaken': step('the Redis lock lost and taken again under the same epoch', { epoch: Epoch, redisToken: Type.Integer() }),
  refreshed: step('the executor probed the cluster itself', { answered: Type.Array(Instance), unreachable: Type.Array(Type.Object({ instance: Instance, error: Nullable(Text) })) }),
  're-checked': step('the analysis confirmed on the executor’s own probes', {
    code: Code,
    takeover: Type.Optional(Type.Boolean()),
    forced: Type.Optional(Type.Boolean()),
    commandHint: Type.Optional(Text),
    primaryAnswers: Type.Optional(Type.Boolean()),
  }),
  'takeover-target': step('a planned switchover: its target replica chosen and checked on the live topology, before any change', {
    mode: Type.Union([Type.Literal('graceful'), Type.Literal('graceful-auto'), Type.Literal('force')]),
    target: Nullable(Instance),
    how: Nullable(Text),
    lagSeconds: Nullable(Type.Integer({ minimum: 0 })),
    ranking: Type.Array(Type.Unknown(), { description: 'every direct replica in the candidate order of the dry-run choice' }),
  }),
  'pre-graceful-takeover-hooks': hookStep('PreGracefulTakeoverProcesses ran: the drain point, before the old primary is set read-only (stop sending writes here); a failure aborts with nothing changed'),
  'pre-failover-hooks': hookStep('PreFailoverProcesses ran'),
  fenced: step('the old primary fenced (SQL fence, fence hook)', FencedDetails),
  'fence-hook': hookStep('the fence hook (fenceProcesses) after a live primary’s SQL fence'),
  'fence-required': step('requireFenceBeforePromotion refused the promotion', { liveness: Text, fencing: Nullable(Text) }),
  'replicas-synced': step('force-master-failover: the replicas applied the fenced primary’s final position', {
    position: Text,
    timeoutMs: Ms,
    replicas: Type.Array(Type.Object({ instance: Instance, outcome: Type.Optional(Text), elapsedMs: Type.Optional(Ms), error: Type.Optional(Text) })),
  }),
  'replicas-stopped': step('the replicas stopped and drained', {
    replicas: Type.Array(Type.Object({ instance: Instance, drained: Type.Optional(Type.Boolean()), wait: Type.Optional(Text), position: Type.Optional(Text), error: Type.Optional(Text) })),
    unreachable: Type.Array(Instance),
  }),
  'semi-sync-ackers': step('semi-sync acknowledgers that could not be examined', {
    unexamined: Type.Array(Instance),
    required: Type.Integer({ minimum: 0 }),
    waitedMs: Ms,
    acceptUnexaminedSemiSyncLoss: Type.Boolean(),
  }),
  candidate: step('no candidate could be chosen', {
    ranking: Type.Array(Type.Unknown(), { description: 'every replica in the candidate order' }),
    unranked: Type.Optional(Type.Array(Type.Unknown())),
    lacking: Type.Optional(Type.Array(Type.Unknown())),
    warnings: Type.Optional(Type.Array(Text)),
    candidate: Type.Optional(Instance),
    expectedPosition: Type.Optional(Text),
    finalPosition: Type.Optional(Text),
  }),
  'candidate-chosen': step('the successor chosen', {
    candidate: Instance,
    catchUpFrom: Nullable(Type.Object({ untilPosition: Text, missing: Text })),
    moves: Type.Array(Instance),
    lost: Type.Array(Type.Object({ replica: Type.Object({ host: Text, port: Type.Integer() }), kind: Text, reason: Text })),
    waitForSqlThread: Type.Boolean(),
    expectedPosition: Text,
    warnings: Type.Array(Text),
    refused: Type.Array(Instance),
    ranking: Type.Array(Type.Unknown(), { description: 'every replica in the candidate order, with its eligibility and completeness' }),
  }),
  'caught-up': step('the candidate caught up from the most advanced replica', { source: Instance, untilPosition: Text, position: Text, wait: Text }),
  'sql-thread-applied': step('the candidate applied its relay log', {}),
  'promotion-refused': step('the candidate left read-only: another member answers writable', { candidate: Instance, writable: Type.Array(Instance) }),
  promoted: variants(
    'the successor promoted (or, failed, a candidate whose promotion did not verify)',
    Type.Object({
      successor: Instance,
      position: Type.Optional(Nullable(Text)),
      semiSync: Type.Optional(Nullable(Type.Boolean())),
      elapsedMs: Type.Optional(Ms),
      epoch: Nullable(Epoch),
      fenceLineFired: Type.Optional(Type.Boolean()),
      rolledForward: Type.Optional(Type.Boolean()),
    }),
    Type.Object({ candidate: Instance, problems: Type.Array(Text), restoredReadOnly: Nullable(Type.Boolean()), readOnly: Type.Optional(Nullable(Type.Boolean())) }),
  ),
  'rolling-forward': step('a takeover completes the recovery onto its intended successor', { successor: Instance, why: Text }),
  'relocation-planned': step('a dead intermediate primary: where each of its replicas goes (the best sibling, else its own source) and which are lost', {
    source: Nullable(Instance),
    sibling: Nullable(Instance),
    moves: Type.Array(Type.Object({ target: Instance, via: Type.Union([Type.Literal('sibling'), Type.Literal('source')]), replicas: Type.Array(Instance) })),
    lost: Type.Array(LostReplicaDetails),
    siblings: Type.Array(
      Type.Object({
        sibling: Instance,
        eligible: Type.Boolean(),
        reasons: Type.Array(Text),
        preference: Type.String({ description: 'candidate-same-site, candidate, same-site or other' }),
        replicas: Type.Integer({ minimum: 0 }),
        takes: Type.Integer({ minimum: 0 }),
        position: Nullable(Text),
      }),
      { description: 'every sibling of the intermediate, best first' },
    ),
  }),
  'relocation-target-ready': step('a relocation target holds what the replicas moved under it applied (or is upstream of them)', {
    target: Instance,
    via: Type.Union([Type.Literal('sibling'), Type.Literal('source')]),
    ready: Type.Array(Instance),
    failed: Type.Array(InstanceError),
  }),
  'replica-moved': step('one replica moved under the successor', { instance: Instance, elapsedMs: Type.Optional(Ms) }),
  'replicas-moved': step('the replicas moved under the successor', { moved: Type.Array(Instance), failed: Type.Array(Instance) }),
  'lost-replicas': step('replicas that could not be moved, with the reason', { lost: Type.Array(LostReplicaDetails) }),
  'lost-replicas-detached': step('lost replicas detached (DetachLostReplicasAfterMasterFailover)', { detached: Type.Array(Instance), failed: Type.Array(InstanceError) }),
  downtimed: step('lost replicas and the failed primary downtimed', { instances: Type.Array(Instance), endsAt: Timestamp }),
  'successor-downtime-ended': step('the successor’s downtime ended', {}),
  'semi-sync-planned': step('a semi-sync primary: which replicas acknowledge it, in promotion order (RecoverLockedSemiSyncMaster, EnforceExactSemiSyncReplicas)', {
    waitCount: Type.Integer({ minimum: 0 }),
    order: Type.Array(Instance),
    acknowledging: Type.Array(Instance),
    enable: Type.Array(Instance),
    disable: Type.Array(Instance),
    short: Type.Integer({ minimum: 0 }),
    exact: Type.Boolean(),
  }),
  'semi-sync-replicas': step('the replica side of semi-sync switched (IO threads restarted) and the primary’s acknowledgers counted', {
    enabled: Type.Array(Instance),
    disabled: Type.Array(Instance),
    failed: Type.Array(Type.Object({ instance: Instance, error: Text })),
    clients: Nullable(Type.Integer({ minimum: 0 })),
    waitCount: Type.Integer({ minimum: 0 }),
  }),
  'made-writable': step('a read-only primary with replicating replicas made writable (RecoverNonWriteableMaster)', {
    instance: Instance,
    readOnly: Nullable(Type.Boolean()),
    elapsedMs: Type.Optional(Ms),
  }),
  'old-primary-reattached': step('a planned switchover: the old primary re-attached as a replica of the new one (read-only, GTID)', {
    instance: Instance,
    source: Instance,
    running: Type.Boolean(),
    outcome: Text,
    elapsedMs: Type.Optional(Ms),
    error: Type.Optional(Text),
  }),
  'old-primary-not-moved': step('force-master-failover: the old primary left read-only, not replicating', {
    instance: Instance,
    successor: Instance,
    answered: Type.Boolean(),
    fencedBySql: Type.Boolean(),
    downtimed: Type.Boolean(),
  }),
  'loss-report': step('the lost-transaction report at the promotion', { report: LossReportDetails, complete: Type.Boolean() }),
  'replication-restarted': step('no promotion: replication restarted on the stopped replicas', { restarted: Type.Array(Instance), failed: Type.Array(InstanceError) }),
  unfenced: step('no promotion: a fenced live primary made writable again', { readOnly: Type.Optional(Nullable(Type.Boolean())), elapsedMs: Type.Optional(Ms) }),
  'problem-gone': outcomeStep('the re-check found no problem: nothing done'),
  'problem-changed': outcomeStep('the re-check found another problem: nothing done'),
  'not-attempted': outcomeStep('another recovery holds the cluster'),
  aborted: outcomeStep('the recovery stopped on an error (the message says why)'),
  'operator-attention': step('a failure that keeps its block: what to look at before the ack', { reasons: Type.Array(Text) }),
  resolved: variants(
    'the recovery resolved (row, block, detections); the resolving step',
    Type.Object({
      outcome: RecoveryOutcomeSchema,
      successor: Nullable(Instance),
      lostReplicas: Type.Array(Instance),
      fencing: Nullable(Text),
      oldPrimaryNotMoved: Type.Optional(Instance),
      blockReleased: Type.Boolean(),
      retried: Type.Optional(Type.Boolean()),
      errors: Type.Array(Text),
    }),
    Type.Object({ outcome: RecoveryOutcomeSchema, epoch: Epoch, resolved: Type.Optional(Type.Literal(false, { description: 'the backend refused the resolution: the epoch’s holder resolves it' })) }),
  ),
  summary: { description: 'one per resolved recovery, right after `resolved`: what an alert needs', details: RecoverySummaryDetails },
  'post-master-failover-hooks': hookStep('PostMasterFailoverProcesses ran'),
  'post-intermediate-master-failover-hooks': hookStep('PostIntermediateMasterFailoverProcesses ran (a dead intermediate primary’s replicas relocated)'),
  'post-failover-hooks': hookStep('PostFailoverProcesses ran'),
  'post-graceful-takeover-hooks': hookStep('PostGracefulTakeoverProcesses ran (after a planned switchover, whatever its outcome)'),
  'post-unsuccessful-failover-hooks': hookStep('PostUnsuccessfulFailoverProcesses ran'),
  released: step('the cluster lock released', { released: Type.Boolean() }),
  abandoned: step('the epoch passed to another executor: stopped, nothing resolved', { epoch: Nullable(Epoch) }),
  'loss-report-updated': step('a member examined after the recovery (it answered again)', {
    member: Instance,
    position: Nullable(Text),
    readOnly: Type.Boolean(),
    complete: Type.Boolean(),
    report: LossReportDetails,
  }),
} as const satisfies Record<string, { description: string; details: TSchema }>;

export type RecoveryStep = keyof typeof recoverySteps;
export const recoveryStepNames = Object.keys(recoverySteps) as RecoveryStep[];
export type RecoveryStepDetails<S extends RecoveryStep = RecoveryStep> = Static<(typeof recoverySteps)[S]['details']>;
export type HookStepDetails = Static<typeof HookStepDetails>;
export type RecoverySummary = Static<typeof RecoverySummaryDetails>;
export type RecoveryPhases = Static<typeof RecoveryPhasesDetails>;
/** The steps whose details are a hook list's outcome. */
export type HookStep =
  | 'detection-hooks'
  | 'pre-failover-hooks'
  | 'pre-graceful-takeover-hooks'
  | 'post-graceful-takeover-hooks'
  | 'fence-hook'
  | 'post-master-failover-hooks'
  | 'post-intermediate-master-failover-hooks'
  | 'post-failover-hooks'
  | 'post-unsuccessful-failover-hooks';
