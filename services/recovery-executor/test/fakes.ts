/**
 * In-memory ports for the protocol's unit tests: each fake records what was asked of it, in one
 * shared call log, so a test can check the order of the steps across ports. Observations are
 * MariaDB GTID replicas built from contracts' unknownInstance.
 */
import {
  replicationState,
  unknownInstance,
  type AnalysisEntry,
  type ClusterAnalysis,
  type ClusterSnapshot,
  type InstanceKey,
  type InstanceObservation,
  type RecoveryEvent,
  type ReplicationState,
} from '@baton/contracts';
import { loadConfig } from '@baton/config';
import { analyze } from '@baton/domain';
import { createLogger, silentLogger, type Logger } from '@baton/logging';
import type { DrainResult, FenceResult, HeldFence, PromoteResult, RepointAllEntry, WaitOutcome } from '@baton/mysql';
import type { DemotedPrimary } from '../src/fence-keeper.ts';
import type { Lease } from '@baton/state';
import { createAudit } from '../src/audit.ts';
import { RecoveryExecutor } from '../src/executor.ts';
import type {
  BlockValue,
  FenceKeeping,
  HookCall,
  HookClient,
  HookOutcome,
  RecoveryResolution,
  RecoveryRow,
  RecoveryState,
  RecoveryStore,
  RegisterOutcome,
  TopologyAccess,
  TopologySession,
} from '../src/ports.ts';
import { executorSettings, type ExecutorSettings } from '../src/settings.ts';
import { StaleEpochError, type ClaimOutcome, type JournalEntry, type JournalState, type OrphanedRecovery, type RecoveryJournal, type StoredRecovery, type Takeover, type Term } from '../src/journal.ts';

export const T0 = Date.parse('2026-11-26T19:30:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
export const id = (k: InstanceKey): string => `${k.host}:${k.port}`;

export const primary: InstanceKey = { host: 'db1', port: 3306 };
export const replicaKeys: InstanceKey[] = [
  { host: 'db2', port: 3306 },
  { host: 'db3', port: 3306 },
  { host: 'db4', port: 3306 },
];

/** A MariaDB instance that answered at `at`, logging its updates (ROW). */
export function mariadb(host: string, at: number, over: Partial<InstanceObservation>): InstanceObservation {
  return unknownInstance(host, 3306, {
    lastSeenAt: iso(at),
    lastCheckedAt: iso(at),
    lastAttemptedAt: iso(at),
    lastCheckPartialSuccess: true,
    version: '10.11.19-MariaDB',
    flavour: 'mariadb',
    logBin: true,
    logSlaveUpdates: true,
    binlogFormat: 'ROW',
    binlogCoordinates: { file: 'mysql-bin.000001', pos: 1680 },
    ...over,
  });
}

export const deadPrimaryIo: Partial<ReplicationState> = {
  ioThread: 'Connecting',
  lastIoErrno: 2003,
  lastIoError: "error reconnecting to master 'repl@db1:3306' - retry-time: 1 message: Can't connect (111)",
  secondsBehindSource: null,
};

export interface ClusterShape {
  at?: number;
  /** seq_no of each replica's gtid_slave_pos (default 100 each) */
  seqs?: number[];
  /** per replica: data center */
  dataCenters?: string[];
  primaryDataCenter?: string;
  /** replicas still replicating (the primary is only cut off from us) */
  replicating?: boolean;
  /** the primary answers (its last probe succeeded): a healthy cluster when replicating too */
  primaryAlive?: boolean;
  /** seq_no of the primary's gtid_binlog_pos (default 100) */
  primarySeq?: number;
}

/** db1 dead (its last probe failed), db2..db4 its replicas with their IO threads retrying. */
export function deadPrimaryCluster(shape: ClusterShape = {}): ClusterSnapshot {
  const at = shape.at ?? T0;
  const primarySeq = shape.primarySeq ?? 100;
  const failed = mariadb('db1', shape.primaryAlive ? at : at - 3000, {
    serverId: 1,
    readOnly: false,
    dataCenter: shape.primaryDataCenter ?? '',
    lastCheckedAt: iso(at),
    lastAttemptedAt: iso(at),
    lastCheckPartialSuccess: shape.primaryAlive === true,
    lastError: shape.primaryAlive ? null : 'BATON_PROBE_CONNECT: connection refused',
    mariadbGtid: { currentPos: `0-1-${primarySeq}`, slavePos: '', binlogPos: `0-1-${primarySeq}`, strictMode: true, domainId: 0 },
  });
  const replicas = replicaKeys.map((k, i) => {
    const seq = shape.seqs?.[i] ?? 100;
    return mariadb(k.host, at, {
      serverId: i + 2,
      readOnly: true,
      dataCenter: shape.dataCenters?.[i] ?? '',
      mariadbGtid: { currentPos: `0-1-${seq}`, slavePos: `0-1-${seq}`, binlogPos: `0-1-${seq}`, strictMode: true, domainId: 0 },
      replication: replicationState(primary, { gtidIoPos: `0-1-${seq}`, ...(shape.replicating ? {} : deadPrimaryIo) }),
    });
  });
  return { clusterId: 'c1', clusterAlias: 'c1', observedAt: iso(at), detectorId: 'd1', sequence: 1, reason: 'tick', pollIntervalMs: 1000, instances: [failed, ...replicas] };
}

/** db1 alive and writable, db2..db4 replicating from it: nothing wrong (force-master-failover's starting point). */
export function healthyCluster(shape: ClusterShape = {}): ClusterSnapshot {
  return deadPrimaryCluster({ ...shape, replicating: true, primaryAlive: true });
}

export function analysisOf(snapshot: ClusterSnapshot, analyzedAtMs: number = Date.parse(snapshot.observedAt)): ClusterAnalysis {
  const entries = analyze(snapshot, Date.parse(snapshot.observedAt), { includeDowntimed: true });
  return { clusterId: snapshot.clusterId, clusterAlias: snapshot.clusterAlias, snapshotObservedAt: snapshot.observedAt, analyzedAt: iso(analyzedAtMs), entries, hasProblem: entries.some((e) => e.code !== 'NoProblem') };
}

export function entryOf(analysis: ClusterAnalysis, key: InstanceKey = primary): AnalysisEntry {
  const e = analysis.entries.find((x) => x.instance.host === key.host && x.instance.port === key.port);
  if (!e) throw new Error(`no entry for ${id(key)}`);
  return e;
}

export function testSettings(env: Record<string, string> = {}): ExecutorSettings {
  return executorSettings(loadConfig({ env: { BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '["*"]', ...env } }));
}

export type Call = string;

export class FakeLease implements Lease {
  readonly clusterId = 'c1';
  readonly token = 7;
  readonly owner = 'me';
  readonly ttlMs = 40_000;
  readonly controller = new AbortController();
  constructor(private readonly log: Call[]) {}
  get lost(): AbortSignal {
    return this.controller.signal;
  }
  renew = async () => true;
  release = async () => {
    this.log.push('lease.release');
    return true;
  };
  autoRenew = () => () => undefined;
}

export class FakeState implements RecoveryState {
  disabled = false;
  block: BlockValue | null = null;
  leaseAvailable = true;
  grace = new Set<string>();
  detections = new Set<string>();
  downtimes = new Map<string, string>();
  cached: ClusterSnapshot | null = null;
  lease: FakeLease;
  constructor(private readonly log: Call[]) {
    this.lease = new FakeLease(log);
  }
  inGracePeriod = async (_c: string, i: string) => this.grace.has(i);
  openGracePeriod = async (_c: string, i: string) => void this.grace.add(i);
  takeIoRestartSlot = async () => true;
  registerDetection = async (_c: string, instance: string, _uid: string, actionable = true) => {
    const i = actionable ? instance : `${instance}|not-actionable`;
    if (this.detections.has(i)) return false;
    this.detections.add(i);
    this.log.push(`detection:${i}`);
    return true;
  };
  recoveriesDisabled = async () => this.disabled;
  registerRecovery = async (_c: string, value: BlockValue, o: { forced: boolean }): Promise<RegisterOutcome> => {
    if (this.block && (!o.forced || this.block.state === 'running')) {
      this.log.push('register:blocked');
      const reason = o.forced ? 'recovery-running' : this.block.successor === value.failed ? 'recently-promoted' : 'recovery-block';
      return { registered: false, reason, blockedBy: this.block };
    }
    const replaced = this.block;
    this.block = value;
    this.log.push(`register${o.forced ? ':forced' : ''}`);
    return { registered: true, replaced };
  };
  /** No crashed recoveries here: a running block is a running recovery. */
  runningRecovery = async () => (this.block?.state === 'running' ? this.block : null);
  resolveBlock = async (_c: string, v: BlockValue) => {
    this.log.push('block.resolve');
    if (this.block?.uid !== v.uid) return false;
    this.block = v;
    return true;
  };
  releaseBlock = async (_c: string, uid: string) => {
    this.log.push('block.release');
    if (this.block?.uid !== uid) return false;
    this.block = null;
    return true;
  };
  acquireLease = async () => {
    this.log.push('lease.acquire');
    return this.leaseAvailable ? this.lease : null;
  };
  takeOverLease = async () => {
    this.log.push('lease.take-over');
    return this.lease;
  };
  holdBlock = async (_c: string, v: BlockValue) => {
    this.log.push('block.hold');
    this.block = v;
  };
  setDowntime = async (_c: string, i: string, v: { endsAt: string | null }) => void this.downtimes.set(i, v.endsAt ?? '');
  endDowntime = async (_c: string, i: string) => void this.downtimes.delete(i);
  cachedSnapshot = async () => this.cached;
}

export class FakeStore implements RecoveryStore {
  rows: Array<{ table: string; row: unknown }> = [];
  insertDetection = async (row: unknown) => void this.rows.push({ table: 'failure_detections', row });
  closeDetections = async () => void this.rows.push({ table: 'failure_detections.close', row: null });
  insertRecovery = async (row: unknown) => void this.rows.push({ table: 'recoveries', row });
  resolveRecovery = async (uid: string, row: unknown) => void this.rows.push({ table: 'recoveries.resolve', row: { uid, ...(row as object) } });
  recordBlocked = async (row: unknown) => void this.rows.push({ table: 'blocked_recoveries', row });
  insertStep = async (row: unknown) => void this.rows.push({ table: 'recovery_steps', row });
  of(table: string): unknown[] {
    return this.rows.filter((r) => r.table === table).map((r) => r.row);
  }
}

/**
 * The journal in memory: one epoch per cluster, entries per recovery; the claim and the resolve
 * also land in the FakeStore as 'recoveries' and 'recoveries.resolve' rows, as the backend writes
 * the recoveries row in the same transactions.
 */
export class FakeJournal implements RecoveryJournal {
  epochs = new Map<string, { epoch: number; uid: string | null; idleMs: number }>();
  entries = new Map<string, JournalEntry[]>();
  running = new Map<string, StoredRecovery>();
  constructor(
    private readonly log: Call[],
    private readonly store: FakeStore,
  ) {}
  #held(t: Term): boolean {
    const e = this.epochs.get(t.clusterId);
    return e?.epoch === t.epoch && e.uid === t.uid;
  }
  #append(t: Term, step: string, state: JournalState, data: Record<string, unknown>): void {
    const list = this.entries.get(t.uid) ?? [];
    list.push({ step, state, epoch: t.epoch, attempt: t.attempt, executor: 'test-owner', data, at: new Date(T0) });
    this.entries.set(t.uid, list);
  }
  claim = async (row: RecoveryRow): Promise<ClaimOutcome> => {
    const e = this.epochs.get(row.clusterId) ?? { epoch: 0, uid: null, idleMs: 0 };
    if (e.uid && this.running.has(e.uid)) return { claimed: false, runningUid: e.uid, stale: e.idleMs > 5000 };
    const term = { clusterId: row.clusterId, uid: row.uid, epoch: e.epoch + 1, attempt: 1 };
    this.epochs.set(row.clusterId, { epoch: term.epoch, uid: row.uid, idleMs: 0 });
    this.running.set(row.uid, { ...row });
    this.store.rows.push({ table: 'recoveries', row });
    this.#append(term, 'claim', 'done', {});
    this.log.push('journal.claim');
    return { claimed: true, term };
  };
  takeOver = async (clusterId: string, uid: string): Promise<Takeover | null> => {
    const e = this.epochs.get(clusterId);
    if (!e || e.uid !== uid || !this.running.has(uid)) return null;
    const previous = (this.entries.get(uid) ?? []).at(-1);
    const term = { clusterId, uid, epoch: e.epoch + 1, attempt: (previous?.attempt ?? 1) + 1 };
    this.epochs.set(clusterId, { epoch: term.epoch, uid, idleMs: 0 });
    this.#append(term, 'takeover', 'done', {});
    this.log.push('journal.take-over');
    return { term, previousEpoch: e.epoch, previousExecutor: 'dead-owner', entries: [...(this.entries.get(uid) ?? [])] };
  };
  record = async (t: Term, _executor: string, step: string, state: JournalState, data: Record<string, unknown> = {}) => {
    if (!this.#held(t)) throw new StaleEpochError(t, step);
    this.#append(t, step, state, data);
    this.log.push(`journal.${step}:${state}`);
  };
  heartbeat = async (t: Term) => this.#held(t);
  check = async (t: Term) => {
    if (!this.#held(t)) throw new StaleEpochError(t, 'check');
  };
  resolve = async (t: Term, _executor: string, r: RecoveryResolution) => {
    if (!this.#held(t)) return false;
    this.running.delete(t.uid);
    this.store.rows.push({ table: 'recoveries.resolve', row: { uid: t.uid, ...r } });
    this.#append(t, 'resolved', 'done', { outcome: r.outcome });
    return true;
  };
  orphans = async (): Promise<OrphanedRecovery[]> =>
    [...this.epochs.entries()].filter(([, e]) => e.uid && this.running.has(e.uid) && e.idleMs > 5000).map(([clusterId, e]) => ({ clusterId, uid: e.uid as string, epoch: e.epoch, executor: 'dead-owner', idleMs: e.idleMs }));
  recovery = async (uid: string) => this.running.get(uid) ?? null;
  lastStepSeq = async () => 0;
}

export class FakeHooks implements HookClient {
  calls: HookCall[] = [];
  outcomes: Partial<Record<HookCall['kind'], HookOutcome>> = {};
  /** Kinds whose result never comes (a hung hook-runner). */
  hang = new Set<HookCall['kind']>();
  constructor(private readonly log: Call[]) {}
  run = async (call: HookCall): Promise<HookOutcome> => {
    this.calls.push(call);
    this.log.push(`hook:${call.kind}`);
    if (this.hang.has(call.kind)) return new Promise<HookOutcome>(() => undefined);
    const ok: HookOutcome = { status: 'succeeded', result: { requestId: call.requestId, hookKind: call.kind, clusterId: call.clusterId, recoveryUid: call.recoveryUid, ok: true, runs: [], error: null } };
    return this.outcomes[call.kind] ?? ok;
  };
}

function drainResult(obs: InstanceObservation): DrainResult {
  const pos = obs.mariadbGtid?.slavePos ?? '';
  const replication = obs.replication ? { ...obs.replication, ioThread: 'No' as const, sqlThread: 'No' as const } : null;
  return {
    instance: id(obs),
    flavour: 'mariadb',
    drained: true,
    waitOutcome: 'reached',
    position: pos,
    gtid: { flavour: 'mariadb', position: pos, ownPosition: pos, mariadb: { slavePos: pos, currentPos: pos, binlogPos: pos } },
    gtidIoPos: obs.replication?.gtidIoPos ?? '',
    mode: 'gtid',
    receivedCoords: null,
    readCoords: null,
    execCoords: null,
    replication,
    before: obs.replication,
    elapsedMs: 3,
  };
}

export class FakeTopology implements TopologyAccess {
  /** What each refresh sees (default: the dead-primary cluster at the clock's time). */
  refreshed: () => ClusterSnapshot = () => deadPrimaryCluster();
  promoteVerified = true;
  /** Candidates whose promotion does not verify (set back to read-only): the run tries the next one. */
  refusePromotionOf = new Set<string>();
  /** Replicas whose move fails. */
  failMoves = new Set<string>();
  /** What the SQL fence reports (default: the primary refuses, as a crashed one does). */
  fenceResult: (failed: InstanceKey) => FenceResult = (failed) => ({
    instance: id(failed),
    fenced: false,
    reason: 'unreachable',
    liveness: 'dead',
    readLockHeld: null,
    readOnly: null,
    killedConnections: 0,
    unkilledConnections: 0,
    error: 'refused',
    elapsedMs: 1,
  });
  /** How each replica's wait for the old primary's final position ends (default reached). */
  syncOutcomes = new Map<string, WaitOutcome>();
  /** read_only as unfence reads it back. */
  unfenceReadOnly = false;
  /** Members the re-check before read_only=0 finds writable. */
  writableOthers = new Set<string>();
  /** Old primaries whose re-attach under the new primary fails. */
  failAttach = new Set<string>();
  /** The primary's semi-sync clients after the switches (default: one per replica switched on). */
  semiSyncClientsAfter: number | null = null;
  #switchedOn = 0;
  last: ClusterSnapshot | null = null;
  constructor(private readonly log: Call[]) {}
  restartIoThread = async (k: InstanceKey) => void this.log.push(`io-restart:${id(k)}`);
  open(): TopologySession {
    const log = this.log;
    const byId = (k: InstanceKey) => this.last?.instances.find((i) => id(i) === id(k)) as InstanceObservation;
    return {
      refresh: async () => {
        log.push('refresh');
        this.last = this.refreshed();
        return this.last;
      },
      drain: async (instances) => {
        log.push(`drain:${instances.map(id).join(',')}`);
        return instances.map((k) => ({ instance: id(k), ok: true as const, result: drainResult(byId(k)) }));
      },
      restartReplication: async (instances) => {
        log.push(`restart:${instances.map(id).join(',')}`);
        return instances.map((k) => ({ instance: id(k), ok: true as const, result: true as const }));
      },
      catchUp: async (candidate, source, untilPosition) => {
        log.push(`catch-up:${id(candidate)}<-${id(source)}`);
        return { instance: id(candidate), caughtUp: true, waitOutcome: 'reached', position: untilPosition, stateAtEnd: null, previousSource: primary, elapsedMs: 1 };
      },
      promote: async (candidate, o): Promise<PromoteResult> => {
        log.push(`promote:${id(candidate)}`);
        await o.beforeWritable?.();
        const refused = this.refusePromotionOf.has(id(candidate));
        const ok = this.promoteVerified && !refused;
        const problems = refused ? ['a replication connection is left: baton_fault'] : ok ? [] : ['read_only is 1'];
        return { instance: id(candidate), flavour: 'mariadb', verified: ok, problems, readOnly: !ok, superReadOnly: null, replicationCleared: !refused, semiSyncMasterEnabled: null, position: '0-1-100', elapsedMs: 2, ...(refused ? { restoredReadOnly: true } : {}) };
      },
      repoint: async (replicas, source): Promise<RepointAllEntry[]> => {
        log.push(`repoint:${replicas.map(id).join(',')}->${id(source)}`);
        return replicas.map((k) =>
          this.failMoves.has(id(k))
            ? { instance: id(k), ok: false, error: Object.assign(new Error('CHANGE MASTER failed'), { code: 'X' }) as never }
            : { instance: id(k), ok: true, result: { instance: id(k), running: true, outcome: 'running', replication: null, previousSource: primary, elapsedMs: 4 } },
        );
      },
      fence: async (failed, o): Promise<FenceResult> => {
        log.push(`fence:${id(failed)}${o?.timeoutMs === undefined ? "" : `@${o.timeoutMs}ms`}`);
        return this.fenceResult(failed);
      },
      unfence: async (instance) => {
        log.push(`unfence:${id(instance)}`);
        return { instance: id(instance), verified: !this.unfenceReadOnly, readOnly: this.unfenceReadOnly, elapsedMs: 1 };
      },
      readPosition: async (instance) => {
        log.push(`position:${id(instance)}`);
        const g = byId(instance).mariadbGtid;
        const own = g?.binlogPos ?? '';
        return { flavour: 'mariadb', position: g?.slavePos ?? '', ownPosition: own, mariadb: { slavePos: g?.slavePos ?? '', currentPos: g?.currentPos ?? '', binlogPos: own } };
      },
      waitForPosition: async (replicas, position) => {
        log.push(`sync:${replicas.map(id).join(',')}@${position}`);
        return replicas.map((k) => ({ instance: id(k), ok: true as const, result: { outcome: this.syncOutcomes.get(id(k)) ?? 'reached', state: null, elapsedMs: 2 } }));
      },
      detach: async (replicas) => {
        log.push(`detach:${replicas.map(id).join(',')}`);
        return replicas.map((k) => ({ instance: id(k), ok: true as const, result: { instance: id(k), oldHost: 'db1', newHost: '//db1', alreadyDetached: false, elapsedMs: 1 } }));
      },
      writable: async (instances) => {
        log.push(`writable?:${instances.map(id).join(',')}`);
        return instances.filter((k) => this.writableOthers.has(id(k))).map(id);
      },
      switchSemiSync: async (replicas, on) => {
        log.push(`semi-sync-${on ? 'on' : 'off'}:${replicas.map(id).join(',')}`);
        if (on) this.#switchedOn += replicas.length;
        return replicas.map((k) => ({ instance: id(k), ok: true as const, result: true as const }));
      },
      semiSyncClients: async (p) => {
        log.push(`semi-sync-clients?:${id(p)}`);
        return this.semiSyncClientsAfter ?? this.#switchedOn;
      },
      attach: async (instance, source) => {
        log.push(`attach:${id(instance)}->${id(source)}`);
        const running = !this.failAttach.has(id(instance));
        return { instance: id(instance), running, outcome: running ? 'running' : 'io-thread-stopped', replication: null, previousSource: null, elapsedMs: 3 };
      },
      close: async () => void log.push('close'),
    };
  }
}

export interface Harness {
  keeper: FakeKeeper;
  log: Call[];
  events: RecoveryEvent[];
  state: FakeState;
  store: FakeStore;
  hooks: FakeHooks;
  topology: FakeTopology;
  journal: FakeJournal;
  executor: RecoveryExecutor;
  settings: ExecutorSettings;
  /** The executor's wall clock. */
  now: { ms: number };
  /** The executor's monotonic clock (how long an analysis waited here): unrelated to `now`, moved by hand. */
  mono: { ms: number };
  /** Waits until the executor's queue is idle and the audit writes are done. */
  settle(): Promise<void>;
  steps(): string[];
}

/** The fence keeper's calls, in order (adopt, watch, persist, release), and what release answers. */
export class FakeKeeper implements FenceKeeping {
  readonly calls: string[] = [];
  fencedOnReturn = false;
  constructor(private readonly log: Call[]) {}
  adopt(_clusterId: string, held: HeldFence): void {
    this.calls.push(`adopt:${held.instance}`);
  }
  adoptLine(_clusterId: string, instance: InstanceKey): void {
    this.calls.push(`line:${id(instance)}`);
  }
  watch(d: DemotedPrimary): void {
    this.calls.push(`watch:${id(d.instance)}`);
  }
  watches(): boolean {
    return false;
  }
  async persist(d: DemotedPrimary): Promise<void> {
    this.calls.push(`persist:${id(d.instance)}@${d.epoch}`);
    this.log.push(`keeper.persist:${id(d.instance)}`);
  }
  async release(_clusterId: string, instance: InstanceKey): Promise<{ fencedByKeeper: boolean }> {
    this.calls.push(`release:${id(instance)}`);
    return { fencedByKeeper: this.fencedOnReturn };
  }
  async end(_clusterId: string, instance: InstanceKey, reason: string): Promise<void> {
    this.calls.push(`end:${id(instance)}:${reason}`);
  }
  /** Instances an active demoted_primaries row names. */
  demoted = new Set<string>();
  async isDemoted(_clusterId: string, instance: InstanceKey): Promise<boolean> {
    return this.demoted.has(id(instance));
  }
}

/** A logger that keeps every line (debug and up) as parsed JSON, for tests that check what was logged. */
export function recordingLogger(): { logger: Logger; lines: Array<Record<string, unknown> & { level: number; msg: string }> } {
  const lines: Array<Record<string, unknown> & { level: number; msg: string }> = [];
  const logger = createLogger({ service: 'test', level: 'debug', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  return { logger, lines };
}

export function harness(options: { env?: Record<string, string>; warm?: boolean; logger?: Logger } = {}): Harness {
  const log: Call[] = [];
  const events: RecoveryEvent[] = [];
  const state = new FakeState(log);
  const store = new FakeStore();
  const hooks = new FakeHooks(log);
  const topology = new FakeTopology(log);
  const journal = new FakeJournal(log, store);
  const keeper = new FakeKeeper(log);
  const settings = testSettings(options.env);
  const now = { ms: T0 + 50 };
  const mono = { ms: 1_000_000 };
  const clock = () => new Date(now.ms);
  const audit = createAudit({ events: { publish: async (e) => void events.push(e) }, store, logger: silentLogger(), clock });
  const executor = new RecoveryExecutor({
    settings,
    state,
    store,
    audit,
    hooks,
    topology,
    logger: options.logger ?? silentLogger(),
    owner: 'test-owner',
    hostname: 'baton-host',
    clock,
    monotonic: () => mono.ms,
    startedAtMs: options.warm === false ? now.ms : now.ms - settings.warmupMs - 1,
    journal,
    keeper,
  });
  return {
    keeper,
    log,
    events,
    state,
    store,
    hooks,
    topology,
    journal,
    executor,
    settings,
    now,
    mono,
    async settle() {
      for (let i = 0; i < 5; i++) {
        await executor.idle(5000);
        await audit.drain(5000);
        await new Promise((r) => setImmediate(r));
      }
    },
    steps: () => events.filter((e) => e.recoveryUid !== '').sort((a, b) => a.sequence - b.sequence).map((e) => `${e.step}:${e.status}`),
  };
}
