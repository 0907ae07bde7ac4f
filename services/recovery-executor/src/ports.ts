/**
 * The executor's ports: everything the protocol (executor.ts, recovery.ts) does to the outside
 * world goes through these interfaces. The service wires the real ones (Redis, the backend, Kafka,
 * mysql2); unit tests pass fakes and check the order of the calls.
 */
import type { LossReport } from '@baton/domain';
import type { ClusterSnapshot, HookKind, HookResult, InstanceKey, InstanceObservation, RecoveryEvent } from '@baton/contracts';
import type { CatchUpResult, DetachResult, DrainResult, FailureDetectionRow, FenceResult, HeldFence, GtidPosition as ServerGtidPosition, PromoteResult, RepointAllEntry, RepointResult, UnfenceResult, WaitResult } from '@baton/mysql';
import type { DowntimeValue, Lease } from '@baton/state';
import type { DemotedPrimary } from './fence-keeper.ts';
import type { FiredLine } from './fence-lines.ts';

/** The value of a cluster's recovery block (anti-flapping): the recovery that holds it. */
export interface BlockValue {
  uid: string;
  /** The failed instance, `host:port`. */
  failed: string;
  /** The promoted instance once resolved successfully (`host:port`), else null. */
  successor: string | null;
  state: 'running' | 'resolved';
  /** The executor process that registered it. */
  owner: string;
  startedAtMs: number;
  /** When the recovery resolved (absent while running, and in blocks written before this field). */
  resolvedAtMs?: number;
}

export type BlockReason = 'recovery-block' | 'recently-promoted';

/** Why a registration was refused: a block, or (forced) another recovery of the cluster still running. */
export type RefusalReason = BlockReason | 'recovery-running';

export type RegisterOutcome =
  | { registered: true; /** a crashed recovery's block or, when forced, the resolved recovery's block that was replaced */ replaced: BlockValue | null }
  | { registered: false; reason: RefusalReason; blockedBy: BlockValue | null };

/** Redis state of recoveries (registration.ts). */
export interface RecoveryState {
  inGracePeriod(clusterId: string, instance: string): Promise<boolean>;
  openGracePeriod(clusterId: string, instance: string): Promise<void>;
  /** The IO-thread restart throttle of a primary or of a replica: true when this caller may restart. */
  takeIoRestartSlot(clusterId: string, scope: 'primary' | 'replica', instance: string): Promise<boolean>;
  /** true when this is the first detection of the instance in its active period, actionable or not (counted apart). */
  registerDetection(clusterId: string, instance: string, detectionUid: string, actionable?: boolean): Promise<boolean>;
  recoveriesDisabled(): Promise<boolean>;
  /** A forced registration replaces only a resolved recovery's block (or none); a running one refuses it (`recovery-running`). */
  registerRecovery(clusterId: string, value: BlockValue, options: { forced: boolean }): Promise<RegisterOutcome>;
  /**
   * The block of a recovery of the cluster that is running and not crashed, else null;
   * `includeCrashed`: a crashed one too (the takeover will finish it: nothing else may touch the cluster).
   */
  runningRecovery(clusterId: string, options?: { includeCrashed?: boolean }): Promise<BlockValue | null>;
  /** Rewrites the block (keeping its TTL) if `value.uid` still holds it, or sets it when no block is left (Redis restarted). */
  resolveBlock(clusterId: string, value: BlockValue): Promise<boolean>;
  /** Deletes the block if `uid` still holds it. */
  releaseBlock(clusterId: string, uid: string): Promise<boolean>;
  acquireLease(clusterId: string): Promise<Lease | null>;
  /** The lease whoever holds it (a takeover the backend's epoch decided). */
  takeOverLease(clusterId: string): Promise<Lease>;
  /** Holds the block for a recovery being taken over (whatever was there, or nothing after a Redis restart). */
  holdBlock(clusterId: string, value: BlockValue): Promise<void>;
  setDowntime(clusterId: string, instance: string, value: DowntimeValue, ttlMs: number): Promise<void>;
  endDowntime(clusterId: string, instance: string): Promise<void>;
  /** The latest snapshot the analyzer cached for the cluster, if still there. */
  cachedSnapshot(clusterId: string): Promise<ClusterSnapshot | null>;
}

export type DetectionRow = FailureDetectionRow;

export interface RecoveryRow {
  uid: string;
  clusterId: string;
  clusterAlias: string;
  failed: InstanceKey;
  analysis: string;
  commandHint: string;
  countReplicas: number;
  replicaHosts: string[];
  detectionUid: string | null;
  forced: boolean;
  requestedCandidate: InstanceKey | null;
  requestId: string | null;
  processingNode: string;
  startedAt: Date;
}

/**
 * not-needed: the executor's own re-check found no problem any more; skipped: it found the problem
 * changed into one this recovery does not handle (a primary whose replicas were just moved is now
 * DeadMasterWithoutReplicas): neither is a failed recovery, and neither touched anything.
 */
export type RecoveryOutcome = 'successful' | 'failed' | 'not-needed' | 'skipped' | 'not-attempted';

export interface RecoveryResolution {
  outcome: RecoveryOutcome;
  successor: InstanceKey | null;
  successorPosition: string | null;
  lostReplicas: string[];
  participants: string[];
  errors: string[];
  fencingResult: string | null;
  lockToken: number | null;
  endedAt: Date;
  /** The lost-transaction report (null: nobody promoted); the loss watcher completes it later. */
  lossReport?: LossReport | null;
}

export interface BlockedRow {
  clusterId: string;
  clusterAlias: string;
  instance: InstanceKey;
  analysis: string;
  reason: BlockReason | 'recovery-in-flight';
  blockingUid: string | null;
  at: Date;
}

export interface StepRow {
  recoveryUid: string;
  seq: number;
  at: Date;
  step: string;
  message: string;
  /** null informational, true succeeded, false failed */
  ok: boolean | null;
  details: Record<string, unknown>;
}

/** The backend rows (backend-store.ts). */
export interface RecoveryStore {
  insertDetection(row: DetectionRow): Promise<void>;
  /** Ends the instance's active detections (a recovery of it resolved). */
  closeDetections(clusterId: string, instance: InstanceKey, recoveryUid: string, at: Date): Promise<void>;
  insertRecovery(row: RecoveryRow): Promise<void>;
  resolveRecovery(uid: string, resolution: RecoveryResolution): Promise<void>;
  recordBlocked(row: BlockedRow): Promise<void>;
  insertStep(row: StepRow): Promise<void>;
}

/** Where recovery events go (baton.recovery-events). */
export interface EventSink {
  publish(event: RecoveryEvent, correlationId: string | undefined): Promise<void>;
}

export interface HookCall {
  kind: HookKind;
  clusterId: string;
  recoveryUid: string;
  /** Idempotency key at the hook-runner. */
  requestId: string;
  values: Record<string, string>;
  correlationId: string | undefined;
}

export type HookOutcome =
  | { status: 'none-configured' }
  | { status: 'succeeded'; result: HookResult }
  | { status: 'failed'; result: HookResult }
  /** No result before the deadline (the hook-runner is down, or the list hangs past its own deadlines). */
  | { status: 'no-result'; waitedMs: number; error?: string };

export interface HookClient {
  run(call: HookCall): Promise<HookOutcome>;
}

/** Per instance of a bulk step: the result, or why it failed. */
export type Each<T> = { instance: string; ok: true; result: T } | { instance: string; ok: false; error: string };

export interface RefreshRequest {
  clusterId: string;
  clusterAlias: string;
  /** Every instance to probe. */
  instances: readonly InstanceKey[];
  /** Last knowledge of each instance (by `host:port`): a failed probe keeps these facts, as the detector does. */
  previous: ReadonlyMap<string, InstanceObservation>;
}

/**
 * One recovery's access to the cluster's servers (steps/topology.ts): the refresh opens a
 * connection to every instance that answers and the later steps reuse them.
 */
export interface SessionPromoteOptions {
  semiSync: false | { timeoutMs: number };
  /** Runs after replication is cleared and verified, before read_only=0; a throw leaves the candidate read-only. */
  beforeWritable?: () => Promise<void>;
  /** Test-only: runs right after the replication connections are cleared, before their verification. */
  afterClear?: () => Promise<void>;
  /** The candidate must still hold this GTID position once its replication is cleared. */
  expectedPosition?: string;
  /** The promotion epoch written into the candidate (baton_meta.promotion_epoch). */
  epoch?: { clusterId: string; epoch: number; recoveryUid: string };
}

/** The executor's fence keeper (fence-keeper.ts) as a recovery uses it. */
export interface FenceKeeping {
  adopt(clusterId: string, held: HeldFence): void;
  /** A fence line fired at a hung primary (fence-lines.ts): the keeper finishes the fence once it runs. */
  adoptLine(clusterId: string, instance: InstanceKey, fired: FiredLine): void;
  watch(d: DemotedPrimary): void;
  /** This process already keeps it fenced (the keeper answers for it: no second fencer). */
  watches(clusterId: string, instance: InstanceKey): boolean;
  persist(d: DemotedPrimary): Promise<void>;
  release(clusterId: string, instance: InstanceKey): Promise<{ fencedByKeeper: boolean }>;
  /** It replicates again (a switchover re-attached it): no longer kept, here or by any executor; its durable row ends. */
  end(clusterId: string, instance: InstanceKey, reason: string): Promise<void>;
  /** An active demoted_primaries row names it: Baton keeps it fenced (nothing may make it writable). */
  isDemoted(clusterId: string, instance: InstanceKey): Promise<boolean>;
}

/** The executor's fence lines (fence-lines.ts) as a recovery uses them. */
export interface FenceLineFiring {
  fire(clusterId: string, instance: InstanceKey): FiredLine | null;
}

export const noFenceLines: FenceLineFiring = { fire: () => null };

/** A keeper that keeps nothing (unit tests of the protocol). */
export const noFenceKeeping: FenceKeeping = {
  adopt: (_clusterId, held) => held.conn.destroy(),
  adoptLine: (_clusterId, _instance, fired) => {
    fired.conn.destroy();
    fired.killer.destroy();
  },
  watch: () => undefined,
  watches: () => false,
  persist: async () => undefined,
  release: async () => ({ fencedByKeeper: false }),
  end: async () => undefined,
  isDemoted: async () => false,
};

export interface TopologySession {
  refresh(request: RefreshRequest): Promise<ClusterSnapshot>;
  /** `sourceUnresponsive`: their source does not answer (stopping a hung source's IO threads is made quick, drain.ts). */
  drain(instances: readonly InstanceKey[], timeoutMs: number, options?: { sourceUnresponsive?: boolean }): Promise<Array<Each<DrainResult>>>;
  /** START SLAVE again (undo of a drain when the plan fails). */
  restartReplication(instances: readonly InstanceKey[]): Promise<Array<Each<true>>>;
  catchUp(candidate: InstanceKey, source: InstanceKey, untilPosition: string, timeoutMs: number): Promise<CatchUpResult>;
  /** `beforeWritable` runs after RESET SLAVE ALL and before read_only=0; a throw leaves the candidate read-only. */
  promote(candidate: InstanceKey, options: SessionPromoteOptions): Promise<PromoteResult>;
  repoint(replicas: readonly InstanceKey[], source: InstanceKey, options: { semiSyncReplica: boolean | undefined; onRepointed?: (instance: string) => void }): Promise<RepointAllEntry[]>;
  /** The instances among `instances` that answer within `timeoutMs` with read_only=0 (writable for an application). */
  writable(instances: readonly InstanceKey[], timeoutMs: number): Promise<string[]>;
  /** The SQL fence (read_only=1 verified, client connections killed); `timeoutMs` replaces the crash budget (fenceTimeoutMs). */
  fence(failed: InstanceKey, options?: { timeoutMs?: number; hold?: (held: HeldFence) => void }): Promise<FenceResult>;
  /** force-master-failover: SET GLOBAL read_only=0 again on a live primary fenced by a run that promoted nobody. */
  unfence(instance: InstanceKey): Promise<UnfenceResult>;
  /** The instance's GTID positions; `ownPosition` is what its binlog holds (MariaDB gtid_binlog_pos, MySQL gtid_executed). */
  readPosition(instance: InstanceKey): Promise<ServerGtidPosition>;
  /**
   * force-master-failover: waits, replication running, until each replica has received and applied
   * `position` (MASTER_GTID_WAIT / WAIT_FOR_EXECUTED_GTID_SET), all in parallel within `timeoutMs`.
   */
  waitForPosition(replicas: readonly InstanceKey[], position: string, timeoutMs: number): Promise<Array<Each<WaitResult>>>;
  detach(replicas: readonly InstanceKey[]): Promise<Array<Each<DetachResult>>>;
  /**
   * A switchover's old primary: CHANGE MASTER TO `source` with MASTER_USE_GTID = current_pos (what
   * its own binlog holds), START SLAVE, waits until both threads run; on a connection of its own.
   */
  attach(instance: InstanceKey, source: InstanceKey): Promise<RepointResult>;
  /** A semi-sync primary's replicas: the replica side switched on (or off), the IO thread restarted. */
  switchSemiSync(replicas: readonly InstanceKey[], on: boolean): Promise<Array<Each<true>>>;
  /** The primary's semi-sync clients now (replicas acknowledging). */
  semiSyncClients(primary: InstanceKey): Promise<number>;
  close(): Promise<void>;
}

export interface TopologyAccess {
  open(clusterId: string): TopologySession;
  /** Emergency operation: STOP SLAVE IO_THREAD; START SLAVE IO_THREAD on a replica (own short-lived connection). */
  restartIoThread(replica: InstanceKey): Promise<void>;
}
