/**
 * What the routes need from the outside world. start-api.ts wires Redis, the backend, Kafka and
 * the registry follower; route tests pass in-memory fakes (test/fakes.ts).
 */
import type { AckScope, FailureDetectionRow } from '@baton/mysql';
import type { ClusterRegistration, ClusterSnapshot, Command, InstanceKey, InstanceObservation } from '@baton/contracts';
import type { AnalysisMemory } from '@baton/domain';

/** Redis: the analyzer's cached snapshots and the flags the services keep. Values are the raw strings. */
export interface StateReader {
  /** Every cached snapshot (one per cluster whose analyzer cache has not expired). */
  snapshots(): Promise<ClusterSnapshot[]>;
  snapshot(clusterId: string): Promise<ClusterSnapshot | null>;
  /**
   * The cached snapshot together with the memory the analyzer analysed it with (both keys read in
   * one MULTI); memory null when none is cached or it belongs to another snapshot. null: no snapshot.
   */
  analysisState(clusterId: string): Promise<{ snapshot: ClusterSnapshot; memory: AnalysisMemory | null } | null>;
  recoveriesDisabled(): Promise<boolean>;
  /** Raw value of keys.downtime(c, i) (libs/state parseDowntimeValue reads it), null when absent. */
  downtime(clusterId: string, instance: string): Promise<string | null>;
  /** Raw value of keys.candidate(c, i), null when absent. */
  candidate(clusterId: string, instance: string): Promise<string | null>;
  /** Raw value of keys.recoveryBlock(c) (the executor's JSON, `uid` inside), null when absent. */
  recoveryBlock(clusterId: string): Promise<string | null>;
  /** Raw values of keys.maintenance(c, i) for each of `instances` (libs/state parseMaintenanceValue reads them), null when absent. */
  maintenance(clusterId: string, instances: readonly string[]): Promise<Array<string | null>>;
  ping(): Promise<void>;
}

/** The compacted cluster registry as last read (active registrations only). */
export interface RegistryReader {
  registrations(): ReadonlyMap<string, ClusterRegistration>;
  /** False until the registry has been read to its end once. */
  ready(): boolean;
}

/** One row of the backend `recoveries` table, in Baton's words. */
export interface RecoveryRecord {
  id: number;
  uid: string;
  clusterId: string;
  clusterAlias: string;
  failed: InstanceKey;
  analysis: string;
  recoveryType: string;
  commandHint: string;
  countReplicas: number;
  replicaHosts: string[];
  detectionUid: string | null;
  forced: boolean;
  requestId: string | null;
  processingNode: string;
  successor: InstanceKey | null;
  successorAlias: string | null;
  successorPosition: string | null;
  isSuccessful: boolean;
  /** successful | failed | not-needed | skipped | not-attempted; null while it runs. */
  outcome: string | null;
  lostReplicas: string[];
  participants: string[];
  errors: string[];
  fencingResult: string | null;
  /** The lost-transaction report (@baton/domain LossReport as stored), null when nobody was promoted. */
  lossReport?: unknown;
  startedAt: Date;
  endedAt: Date | null;
  acknowledged: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
  acknowledgedComment: string | null;
}

export interface RecoveryStepRecord {
  id: number;
  recoveryUid: string;
  seq: number;
  at: Date;
  step: string;
  message: string;
  ok: boolean | null;
  details: Record<string, unknown> | null;
}

export interface DetectionRecord extends FailureDetectionRow {
  id: number;
  inActivePeriod: boolean;
  endedAt: Date | null;
  relatedRecoveryUid: string | null;
  acknowledged: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
  acknowledgedComment: string | null;
}

export interface BlockedRecord {
  id: number;
  clusterId: string;
  clusterAlias: string;
  instance: InstanceKey;
  analysis: string;
  reason: string;
  blockingUid: string | null;
  firstBlockedAt: Date;
  lastBlockedAt: Date;
  timesBlocked: number;
}

export type RecoveryQuery =
  | { by: 'recent'; clusterId?: string; unacknowledgedOnly: boolean; page: number }
  | { by: 'alias'; alias: string; page: number }
  | { by: 'id'; id: number }
  | { by: 'uid'; uid: string }
  | { by: 'request'; requestId: string }
  | { by: 'active'; clusterId: string };

export type DetectionQuery = { by: 'recent'; page: number } | { by: 'id'; id: number } | { by: 'alias'; alias: string; page: number };

/** Which unacknowledged recoveries an ack-recoveries command covers. */
export type { AckScope };

/** The backend database: recoveries, steps, detections, blocked recoveries (read only). */
export interface AuditReader {
  recoveries(query: RecoveryQuery): Promise<RecoveryRecord[]>;
  steps(uid: string): Promise<RecoveryStepRecord[]>;
  detections(query: DetectionQuery): Promise<DetectionRecord[]>;
  blocked(clusterId?: string): Promise<BlockedRecord[]>;
  /**
   * The unacknowledged recoveries in scope (for an ack's Details and its confirmation); `running`
   * ones (not ended) are not acknowledged by the executor, and their blocks stay.
   */
  unacknowledged(scope: AckScope): Promise<Array<{ uid: string; clusterId: string; running: boolean }>>;
  /** Of these uids, the ones now acknowledged. */
  acknowledged(uids: readonly string[]): Promise<string[]>;
  ping(): Promise<void>;
}

export interface PublishedCommand {
  /** The envelope's messageId. */
  commandId: string;
}

/** baton.commands, keyed by cluster id (or the instance for discover). */
export interface CommandPublisher {
  publish(key: string, command: Command, correlationId?: string): Promise<PublishedCommand>;
  ping?(): Promise<void>;
}

/** The executor's answer to a `recover` it did not attempt. */
export interface NotAttempted {
  reason: string;
  /** The recovery of the cluster still running that refused it (reason `recovery-running`). */
  runningRecoveryUid?: string;
}

/**
 * baton.recovery-events as they arrive: the executor answers a `recover` it does not attempt (no
 * dead primary, unsupported hint, no snapshot, another recovery of the cluster running) with a
 * `recover-not-attempted` event and no row.
 */
export interface RecoveryEventWatcher {
  /** The answer, once that event for this request id has arrived. */
  notAttempted(requestId: string): NotAttempted | undefined;
  /** The executor's `operation-result` for a topology operation's request id, once it arrived. */
  operationResult(requestId: string): OperationAnswer | undefined;
}

/** A topology operation's answer (the executor's `operation-result` event details). */
export interface OperationAnswer {
  ok: boolean;
  /** Why it was refused before anything changed (the executor's RefusalCode); null when attempted. */
  refused: string | null;
  message: string;
  /** `host:port` of the instances moved or changed. */
  changed: string[];
  failed: Array<{ instance: string; error: string }>;
  /** Fresh observations of the instances concerned, as the executor probed them after the change. */
  instances: InstanceObservation[];
}

/** Commands a consumer dead-lettered (baton.dead-letters, followed from now on): the reason, by command id. */
export interface DeadLetterWatcher {
  reasonFor(commandId: string): string | undefined;
}

export interface ApiDeps {
  state: StateReader;
  registry: RegistryReader;
  audit: AuditReader;
  commands: CommandPublisher;
  events: RecoveryEventWatcher;
  /** Default: none seen (a discover that fails then times out instead of naming the reason). */
  deadLetters?: DeadLetterWatcher;
  /** Time source (tests pin it). */
  now?: () => Date;
  /** Sleep between confirmation polls (tests shorten it). */
  pollIntervalMs?: number;
  /** Name reported by health (default: the host name). */
  hostname?: string;
  newRequestId?: () => string;
}
