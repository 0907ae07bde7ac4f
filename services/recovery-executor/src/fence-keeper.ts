/**
 * The fence keeper: an old primary stays fenced after its failover, whatever it does next.
 *
 * A recovery hands its failed primary to the keeper as soon as its own fence attempt is over, and
 * makes it durable (demoted_primaries) once a successor is writable. From then on, whether the old
 * primary is dead, hung (SIGSTOP) or cut off, the keeper
 *
 *   - keeps one connection attempt open with a long connect timeout: a hung server's kernel has
 *     already accepted it, so it is the first session the server serves when it runs again, and
 *     the fence goes out before the server reads anything newer;
 *   - starts a short attempt every `intervalMs` (default 50 ms): a cut-off server (its SYNs
 *     dropped, and the long attempt waiting out TCP's back-off) is reached within one interval of
 *     the network healing;
 *   - on the first answer: read_only=0 → fence again at once (read_only=1, every client connection
 *     killed, MariaDB's global read lock held) and publish + audit `demoted-primary-returned`;
 *     read_only=1 → take the global read lock (MariaDB) and keep the connection as a watcher;
 *   - while connected, checks every `checkEveryMs` that it is still read-only (else fences again)
 *     and ends the watch once the instance replicates again (the operator rejoined it: it is no
 *     longer a demoted primary, and its SQL thread needs the lock lifted);
 *   - with `rejoin` (recovery.rejoinOldPrimary, rejoin.ts): on an answer with read_only=1 (the
 *     first, or a check after it fenced it), Baton's own rejoin decides; it re-attaches the
 *     instance as a replica when its GTID state proves it holds nothing the new primary lacks
 *     (the watch then ends), keeps it fenced for good when it does, or is asked again later.
 *
 * Downtime does not hide anything here: the keeper does not read it. Every executor keeps every
 * active row (sync): fencing twice is harmless, and a keeper that dies with its process is
 * replaced by the others' (the global read lock lasts as long as the connection holding it; the
 * read_only it set stays).
 */
import { instanceId, type InstanceKey } from '@baton/contracts';
import type { Logger } from '@baton/logging';
import { connectInstance, dialectOf, fenceOn, holdReadLock, readReplicaStatus, type FenceResult, type HeldFence, type InstanceConnection, type InstanceConnectOptions } from '@baton/mysql';
import type { Audit } from './audit.ts';
import type { FiredLine } from './fence-lines.ts';

export interface DemotedPrimary {
  clusterId: string;
  instance: InstanceKey;
  /** The recovery (or the fence of a stale root) that demoted it. */
  recoveryUid: string;
  /** The term of that recovery; null when not known. */
  epoch: number | null;
}

export interface DemotedPrimaryStore {
  add(d: DemotedPrimary): Promise<void>;
  active(): Promise<DemotedPrimary[]>;
  fencedAgain(clusterId: string, instance: InstanceKey): Promise<void>;
  end(clusterId: string, instance: InstanceKey, reason: string): Promise<void>;
}

export interface FenceKeeperOptions {
  store: DemotedPrimaryStore;
  audit: Pick<Audit, 'event' | 'background'>;
  logger: Logger;
  user: string;
  password: string;
  /** Between two short connect attempts (recovery.fenceKeeperIntervalMs). */
  intervalMs: number;
  /** Connect timeout of a short attempt. Default 5 × intervalMs, at least 250 ms. */
  connectTimeoutMs?: number;
  /** Connect timeout of the long attempt kept open for a hung server. Default 10 min. */
  holdConnectTimeoutMs?: number;
  /** Budget of a fence on an open connection. Default 2000 ms. */
  fenceTimeoutMs?: number;
  /** How long the blind read_only=1 on a fresh connection may wait before the kill pass takes over. Default 300 ms. */
  blindTimeoutMs?: number;
  /** Between two checks on a connection that answered. Default 1000 ms. */
  checkEveryMs?: number;
  connect?: (options: InstanceConnectOptions) => Promise<InstanceConnection>;
  /** Baton's rejoin of a returned old primary (rejoin.ts); none: it stays fenced until an operator rejoins it. */
  rejoin?: RejoinPort;
  /** Between two rejoin attempts that were told to wait. Default 2000 ms. */
  rejoinRetryMs?: number;
}

/** Tried on an answer with read_only=1, on the keeper's connection (rejoin.ts). */
export interface RejoinPort {
  attempt(d: DemotedPrimary, conn: InstanceConnection): Promise<RejoinAttempt>;
}

export interface RejoinAttempt {
  /** rejoined: it replicates from the current primary now; kept: it stays fenced (decided for this watch); wait: ask again later. */
  outcome: 'rejoined' | 'kept' | 'wait';
  reason: string;
  /** The attempt lifted the global read lock on the connection (the keeper takes it again on a new one). */
  unlocked: boolean;
}

export interface ReleaseResult {
  /** The keeper found it writable and fenced it while it watched (a run that promoted nobody undoes that). */
  fencedByKeeper: boolean;
}

const watchKey = (clusterId: string, instance: InstanceKey): string => `${clusterId}|${instanceId(instance)}`;

export class FenceKeeper {
  readonly #o: FenceKeeperOptions;
  readonly #watches = new Map<string, Watch>();
  /** Watches whose demoted_primaries row was seen active (persisted here or loaded by sync). */
  readonly #durable = new Set<string>();
  /** Held fences handed over by a recovery before it asks for the watch. */
  readonly #adopted = new Map<string, InstanceConnection>();
  /** Fired fence lines handed over before the watch (fence-lines.ts). */
  readonly #lines = new Map<string, FiredLine>();
  #stopped = false;

  constructor(options: FenceKeeperOptions) {
    this.#o = options;
  }

  /** Hands a fencing connection that holds the global read lock to the keeper (fence's `hold`). */
  adopt(clusterId: string, held: HeldFence): void {
    const key = `${clusterId}|${held.instance}`;
    const watch = this.#watches.get(key);
    if (watch) watch.adopt(held.conn);
    else {
      this.#adopted.get(key)?.destroy();
      this.#adopted.set(key, held.conn);
    }
  }

  /**
   * Hands over a fence line that carries SET GLOBAL read_only = 1 to a hung primary: once the server
   * executed it, the keeper finishes the fence on that connection (kills, global read lock).
   */
  adoptLine(clusterId: string, instance: InstanceKey, fired: FiredLine): void {
    const key = watchKey(clusterId, instance);
    const watch = this.#watches.get(key);
    if (watch) watch.line(fired);
    else {
      const earlier = this.#lines.get(key);
      earlier?.conn.destroy();
      earlier?.killer.destroy();
      this.#lines.set(key, fired);
    }
  }

  /** Starts keeping `d` fenced in this process (not durable: `persist` makes it so). */
  watch(d: DemotedPrimary): void {
    if (this.#stopped) return;
    const key = watchKey(d.clusterId, d.instance);
    if (this.#watches.has(key)) return;
    const watch = new Watch(d, this.#o, (reason) => this.#ended(key, d, reason));
    const adopted = this.#adopted.get(key);
    this.#adopted.delete(key);
    if (adopted) watch.adopt(adopted);
    const line = this.#lines.get(key);
    this.#lines.delete(key);
    if (line) watch.line(line);
    this.#watches.set(key, watch);
    watch.start();
  }

  watches(clusterId: string, instance: InstanceKey): boolean {
    return this.#watches.has(watchKey(clusterId, instance));
  }

  /** Durable from now on: every executor keeps it fenced, across restarts, until it rejoins. */
  async persist(d: DemotedPrimary): Promise<void> {
    this.watch(d);
    await this.#o.store.add(d);
    this.#durable.add(watchKey(d.clusterId, d.instance));
  }

  /** Stops keeping it (a run that promoted nobody): lifts the read lock; the caller undoes read_only when needed. */
  async release(clusterId: string, instance: InstanceKey): Promise<ReleaseResult> {
    const key = watchKey(clusterId, instance);
    const watch = this.#watches.get(key);
    this.#watches.delete(key);
    this.#adopted.get(key)?.destroy();
    this.#adopted.delete(key);
    const line = this.#lines.get(key);
    line?.conn.destroy();
    line?.killer.destroy();
    this.#lines.delete(key);
    if (!watch) return { fencedByKeeper: false };
    await watch.stop();
    return { fencedByKeeper: watch.fencedCount > 0 };
  }

  /**
   * No longer a demoted primary (a switchover re-attaches it): its durable row ends for every
   * executor first (no keeper's sync watches it again), then the watch stops here, lifting the read lock.
   */
  async end(clusterId: string, instance: InstanceKey, reason: string): Promise<void> {
    await this.#o.store.end(clusterId, instance, reason);
    this.#durable.delete(watchKey(clusterId, instance));
    await this.release(clusterId, instance);
  }

  /** An active demoted_primaries row names it. */
  async isDemoted(clusterId: string, instance: InstanceKey): Promise<boolean> {
    const rows = await this.#o.store.active();
    return rows.some((d) => d.clusterId === clusterId && d.instance.host === instance.host && d.instance.port === instance.port);
  }

  /** Starts a watch for every active row not yet watched here; returns how many rows are active. */
  async sync(): Promise<number> {
    if (this.#stopped) return 0;
    const known = new Set(this.#durable); // before the read: a row persisted meanwhile is not judged by it
    const rows = await this.#o.store.active();
    const active = new Set(rows.map((d) => watchKey(d.clusterId, d.instance)));
    for (const d of rows) this.watch(d);
    // a durable row ended elsewhere (another executor saw it rejoin, an operator ended it): stop here
    // too. Watches a running recovery keeps before its row exists are never durable yet: untouched.
    for (const key of known) {
      if (active.has(key)) continue;
      this.#durable.delete(key);
      const watch = this.#watches.get(key);
      this.#watches.delete(key);
      await watch?.stop();
    }
    for (const key of active) this.#durable.add(key);
    return rows.length;
  }

  /** Watched here now (tests, status). */
  watching(): string[] {
    return [...this.#watches.keys()];
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const watches = [...this.#watches.values()];
    this.#watches.clear();
    for (const c of this.#adopted.values()) c.destroy();
    this.#adopted.clear();
    for (const l of this.#lines.values()) {
      l.conn.destroy();
      l.killer.destroy();
    }
    this.#lines.clear();
    await Promise.all(watches.map((w) => w.stop()));
  }

  #ended(key: string, d: DemotedPrimary, reason: string): void {
    this.#watches.delete(key);
    this.#durable.delete(key);
    this.#o.audit.background('end a demoted primary', () => this.#o.store.end(d.clusterId, d.instance, reason));
    this.#o.audit.event(d.clusterId, undefined, 'demoted-primary-rejoined', 'info', `${instanceId(d.instance)} is no longer kept fenced: ${reason}`, {
      instance: instanceId(d.instance),
      recoveryUid: d.recoveryUid,
      reason,
    });
  }
}

/** One demoted primary in this process. */
class Watch {
  readonly #d: DemotedPrimary;
  readonly #o: FenceKeeperOptions;
  readonly #onEnd: (reason: string) => void;
  readonly #id: string;
  #held: InstanceConnection | null = null;
  #longInFlight = false;
  #shortInFlight = 0;
  /** The last blind read_only=1 was held up (a semi-sync ack waiter): the next connection kills first. */
  #blindBlocked = false;
  #pendingLine: InstanceConnection | null = null;
  #pendingKiller: InstanceConnection | null = null;
  #busy = false;
  #stopped = false;
  #loop: Promise<void> | null = null;
  #holdErrorSeen = false;
  /** The rejoin decided for this watch (kept fenced, or its re-attach failed): not asked again. */
  #rejoinSettled = false;
  #rejoinAfterMs = 0;
  /** Ends the loop's current pause at once (stop). */
  #wake: (() => void) | null = null;
  fencedCount = 0;

  constructor(d: DemotedPrimary, o: FenceKeeperOptions, onEnd: (reason: string) => void) {
    this.#d = d;
    this.#o = o;
    this.#onEnd = onEnd;
    this.#id = instanceId(d.instance);
  }

  adopt(conn: InstanceConnection): void {
    if (this.#held && !this.#held.closed && this.#held !== conn) this.#held.destroy();
    this.#held = conn;
  }

  /** A fence line's SET GLOBAL read_only = 1 ran: the server is back; finish the fence on that connection. */
  line(fired: FiredLine): void {
    this.#pendingLine = fired.conn;
    this.#pendingKiller = fired.killer;
    void fired.killed.finally(() => fired.killer.destroy());
    fired.sent.then(
      async () => {
        if (this.#stopped) {
          fired.conn.destroy();
          return;
        }
        if (this.#busy || (this.#held && !this.#held.closed)) {
          // another connection of the keeper is finishing the fence: the return is still reported
          const landedAtMs = Date.now();
          fired.conn.destroy();
          this.fencedCount += 1;
          this.#announce(null, 'fence-line', landedAtMs);
          return;
        }
        this.#busy = true;
        try {
          this.#o.logger.info({ instance: this.#id }, 'fence line: read_only=1 landed on the returning primary');
          await this.#fence(fired.conn, 'fence-line');
        } finally {
          this.#busy = false;
        }
      },
      () => fired.conn.destroy(),
    );
  }

  start(): void {
    this.#loop = this.#run().catch((err: unknown) => this.#o.logger.error({ err, instance: this.#id }, 'fence keeper stopped on an error'));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#pendingLine?.destroy();
    this.#pendingKiller?.destroy();
    this.#held?.destroy();
    this.#held = null;
    this.#wake?.();
    await this.#loop;
  }

  /** The loop's pause, cut short by stop(): a release does not wait out a check interval. */
  #pause(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      timer.unref();
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
    });
  }

  async #run(): Promise<void> {
    const checkEveryMs = this.#o.checkEveryMs ?? 1000;
    while (!this.#stopped) {
      const held = this.#held;
      if (held && !held.closed) {
        await this.#check(held);
        await this.#pause(checkEveryMs);
        continue;
      }
      if (!this.#longInFlight) {
        this.#longInFlight = true;
        void this.#attempt(this.#o.holdConnectTimeoutMs ?? 600_000).finally(() => (this.#longInFlight = false));
      }
      // a new SYN every interval reaches a cut-off server within one interval of the network
      // healing (a pending attempt would wait out TCP's back-off); bounded, so a hung server's
      // backlog is not flooded
      const shortTimeoutMs = this.#o.connectTimeoutMs ?? Math.max(250, 5 * this.#o.intervalMs);
      if (this.#shortInFlight < 6) {
        this.#shortInFlight += 1;
        void this.#attempt(shortTimeoutMs).finally(() => (this.#shortInFlight -= 1));
      }
      await this.#pause(this.#o.intervalMs);
    }
  }

  /** One connect attempt; whoever answers first is handled, the rest close. */
  async #attempt(connectTimeoutMs: number): Promise<void> {
    const { host, port } = this.#d.instance;
    let conn: InstanceConnection;
    try {
      conn = await (this.#o.connect ?? connectInstance)({ host, port, user: this.#o.user, password: this.#o.password, connectTimeoutMs, queryTimeoutMs: this.#o.fenceTimeoutMs ?? 2000 });
    } catch {
      return; // dead, hung or cut off: the next attempt tries again
    }
    if (this.#stopped || this.#busy || (this.#held && !this.#held.closed)) {
      conn.destroy();
      return;
    }
    this.#busy = true;
    try {
      await this.#answered(conn);
    } finally {
      this.#busy = false;
    }
  }

  /** It answers: fence it if writable, else keep the connection (holding the read lock on MariaDB). */
  async #answered(conn: InstanceConnection): Promise<void> {
    // One round trip, before anything else is read: read_only=1 now, noting what it was. A commit
    // waiting for a semi-sync ack holds the statement up (it waits for the global read lock, and new
    // writes wait behind it); then the next connection fences with the kill pass first.
    if (this.#blindBlocked) {
      this.#blindBlocked = false;
      await this.#fence(conn);
      return;
    }
    const writable = await conn
      .exec('SET @baton_read_only_was = @@GLOBAL.read_only, GLOBAL read_only = 1', [], { timeoutMs: this.#o.blindTimeoutMs ?? 300 })
      .then(() => conn.query('SELECT @baton_read_only_was AS ro'))
      .then(
        ([row]) => Number(row?.['ro']) === 0,
        () => {
          this.#blindBlocked = true;
          return null;
        },
      );
    if (writable === null || this.#stopped) {
      conn.destroy();
      return;
    }
    if (writable) {
      await this.#fence(conn);
      return;
    }
    const state = await this.#read(conn).catch(() => null);
    if (!state || this.#stopped) {
      conn.destroy();
      return;
    }
    if (state.replicating) {
      conn.destroy();
      this.#end(`it replicates again (from ${state.source}): rejoined`);
      return;
    }
    if (state.readOnly) {
      if ((await this.#rejoin(conn)) === 'rejoined') return;
      if (this.#stopped) {
        conn.destroy();
        return;
      }
      await this.#holdOn(conn);
      return;
    }
    await this.#fence(conn);
  }

  /**
   * Baton's rejoin, on a connection that answered read_only=1: 'rejoined' (it replicates, the
   * connection is closed and the watch ended), 'unlocked' (the attempt lifted the read lock and
   * did not rejoin: the caller takes it again) or 'held' (nothing changed on the connection).
   */
  async #rejoin(conn: InstanceConnection): Promise<'rejoined' | 'unlocked' | 'held'> {
    const rejoin = this.#o.rejoin;
    if (!rejoin || this.#rejoinSettled || this.#stopped || Date.now() < this.#rejoinAfterMs) return 'held';
    const attempt = await rejoin.attempt(this.#d, conn).catch((err: unknown): RejoinAttempt => {
      this.#o.logger.warn({ err, instance: this.#id }, 'rejoin attempt failed; tried again later');
      return { outcome: 'wait', reason: (err as Error).message, unlocked: true };
    });
    if (attempt.outcome === 'rejoined') {
      conn.destroy();
      this.#end(attempt.reason);
      return 'rejoined';
    }
    if (attempt.outcome === 'kept') this.#rejoinSettled = true;
    else this.#rejoinAfterMs = Date.now() + (this.#o.rejoinRetryMs ?? 2000);
    return attempt.unlocked ? 'unlocked' : 'held';
  }

  async #check(conn: InstanceConnection): Promise<void> {
    const state = await this.#read(conn).catch(() => null);
    if (!state) {
      conn.destroy();
      return;
    }
    if (state.replicating) {
      this.#held = null;
      conn.destroy();
      this.#end(`it replicates again (from ${state.source}): rejoined`);
    } else if (!state.readOnly) {
      // writable under our watch: someone set read_only=0. A fresh connection fences it again.
      this.#held = null;
      conn.destroy();
    } else if ((await this.#rejoin(conn)) !== 'held') {
      // rejoined (the watch ended), or the lock was lifted: a fresh connection takes it again
      if (this.#held === conn) this.#held = null;
      conn.destroy();
    }
  }

  async #read(conn: InstanceConnection): Promise<{ readOnly: boolean; replicating: boolean; source: string }> {
    const [row] = await conn.query('SELECT @@GLOBAL.read_only AS ro');
    const d = await dialectOf(conn, 'fence');
    const status = await readReplicaStatus(conn, d, 'fence');
    const s = status.state;
    const replicating = s !== null && s.sourceHost !== '' && !s.sourceHost.startsWith('//') && s.ioThread === 'Yes';
    return { readOnly: Number(row?.['ro']) === 1, replicating, source: s ? `${s.sourceHost}:${s.sourcePort}` : '' };
  }

  async #holdOn(conn: InstanceConnection): Promise<void> {
    const d = await dialectOf(conn, 'fence').catch(() => null);
    if (d && !d.hasSuperReadOnly) {
      const error = await holdReadLock(conn, this.#o.fenceTimeoutMs ?? 2000);
      if (error && !this.#holdErrorSeen) {
        this.#holdErrorSeen = true;
        this.#o.logger.warn({ instance: this.#id, error }, 'demoted primary is read-only, but the global read lock could not be taken');
      }
    }
    if (conn.closed || this.#stopped) {
      conn.destroy();
      return;
    }
    this.#held = conn;
  }

  async #fence(conn: InstanceConnection, via: 'fence-line' | 'reconnect' = 'reconnect'): Promise<void> {
    const landedAtMs = Date.now();
    let held: InstanceConnection | null = null;
    const result: FenceResult = await fenceOn(conn, { timeoutMs: this.#o.fenceTimeoutMs ?? 2000, hold: (h) => (held = h.conn) });
    this.fencedCount += result.fenced ? 1 : 0;
    if (held && !this.#stopped) this.#held = held;
    else if (held) (held as InstanceConnection).destroy();
    this.#announce(result, via, landedAtMs);
  }

  /**
   * demoted-primary-returned, published and audited: it answered writable (or, `result` null, the
   * fence line's read_only=1 ran on it while another connection of the keeper finishes the fence).
   */
  #announce(fence: FenceResult | null, via: 'fence-line' | 'reconnect', landedAtMs: number): void {
    const result: FenceResult = fence ?? { instance: this.#id, fenced: true, reason: 'fenced', liveness: 'alive', readLockHeld: null, readOnly: true, killedConnections: 0, unkilledConnections: 0, elapsedMs: 0 };
    const d = this.#d;
    this.#o.logger.info({ instance: this.#id, via, fenced: result.fenced, reason: result.reason, error: result.error, killed: result.killedConnections, elapsedMs: Math.round(result.elapsedMs) }, 'demoted primary answered writable: fenced again');
    if (result.fenced) this.#o.audit.background('count a demoted primary fenced again', () => this.#o.store.fencedAgain(d.clusterId, d.instance));
    this.#o.audit.event(
      d.clusterId,
      undefined,
      'demoted-primary-returned',
      result.fenced ? 'succeeded' : 'failed',
      result.fenced
        ? `${this.#id}, demoted by recovery ${d.recoveryUid}, answered writable: fenced again (read_only=1, ${result.killedConnections} client connection(s) killed${result.readLockHeld ? ', global read lock held' : ''})`
        : `${this.#id}, demoted by recovery ${d.recoveryUid}, answered writable and could not be fenced: ${result.reason}${result.error ? `: ${result.error}` : ''}`,
      {
        instance: this.#id,
        recoveryUid: d.recoveryUid,
        epoch: d.epoch,
        fenced: result.fenced,
        reason: result.reason,
        killedConnections: result.killedConnections,
        unkilledConnections: result.unkilledConnections,
        readLockHeld: result.readLockHeld,
        ...(result.holdError ? { holdError: result.holdError } : {}),
        via,
        answeredAtMs: landedAtMs,
        // read_only=1 took effect: when the fence line's statement ran, else during this fence
        fencedAtMs: via === 'fence-line' ? landedAtMs : landedAtMs + Math.round(result.elapsedMs),
        elapsedMs: Math.round(result.elapsedMs),
      },
    );
  }

  #end(reason: string): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#onEnd(reason);
  }
}
