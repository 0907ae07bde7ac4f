/**
 * Fence lines: one idle, authenticated connection from this executor to the primary of every
 * cluster it recovers, opened while the primary is healthy. When that primary hangs, a new
 * connection to it cannot even finish its handshake until it runs again — and then races every
 * other client's. A line that is already open can carry `SET GLOBAL read_only = 1` at once: the
 * statement waits in the hung server's socket buffer and is the first thing its session executes
 * when the server resumes, before any connection that is still authenticating can write. The
 * fence keeper then finishes the fence on that same connection (kills, global read lock).
 *
 * Lines follow the cluster's primary as the analyzer last cached it (looked up at most every
 * `refreshEveryMs` per cluster). A line is never queried while idle (a statement in flight when the
 * primary hangs would hold up the fence); one the server closed (wait_timeout, restart) reads as
 * closed and is opened again at the next lookup. TCP keepalive is on.
 */
import { instanceId, type InstanceKey } from '@baton/contracts';
import type { Logger } from '@baton/logging';
import { connectInstance, type InstanceConnection, type InstanceConnectOptions } from '@baton/mysql';

export interface FenceLinesOptions {
  user: string;
  password: string;
  logger: Logger;
  /** Default 1000 ms. */
  connectTimeoutMs?: number;
  /** How often a cluster's primary is looked up and its line checked. Default 5000 ms. */
  refreshEveryMs?: number;
  connect?: (options: InstanceConnectOptions) => Promise<InstanceConnection>;
  now?: () => number;
}

export interface FiredLine {
  conn: InstanceConnection;
  /** SET GLOBAL read_only = 1: settles when the server executed it (or the connection broke). */
  sent: Promise<void>;
}

interface Line {
  instance: string;
  conn: InstanceConnection | null;
  opening: boolean;
}

export class FenceLines {
  readonly #o: FenceLinesOptions;
  readonly #lines = new Map<string, Line>();
  readonly #lookedUp = new Map<string, number>();
  #stopped = false;

  constructor(options: FenceLinesOptions) {
    this.#o = options;
  }

  /** Whether the cluster's primary is due to be looked up again (the caller then calls `track`). */
  due(clusterId: string): boolean {
    const now = (this.#o.now ?? Date.now)();
    if (now - (this.#lookedUp.get(clusterId) ?? Number.NEGATIVE_INFINITY) < (this.#o.refreshEveryMs ?? 5000)) return false;
    this.#lookedUp.set(clusterId, now);
    return true;
  }

  /** Keeps one idle connection to `primary` (none when null); a line to another instance is closed. */
  track(clusterId: string, primary: InstanceKey | null): void {
    if (this.#stopped) return;
    const id = primary ? instanceId(primary) : null;
    const line = this.#lines.get(clusterId);
    if (line && line.instance !== id) {
      line.conn?.destroy();
      this.#lines.delete(clusterId);
    }
    if (!primary || !id) return;
    const current = this.#lines.get(clusterId) ?? { instance: id, conn: null, opening: false };
    this.#lines.set(clusterId, current);
    // never queried while idle: a statement in flight when the primary hangs would hold up the fence
    // (and time out, closing the line); a line the server closes (wait_timeout, restart) reads closed
    if ((current.conn && !current.conn.closed) || current.opening) return;
    current.opening = true;
    const connectTimeoutMs = this.#o.connectTimeoutMs ?? 1000;
    (this.#o.connect ?? connectInstance)({ host: primary.host, port: primary.port, user: this.#o.user, password: this.#o.password, connectTimeoutMs, queryTimeoutMs: connectTimeoutMs })
      .then((conn) => {
        current.opening = false;
        if (this.#stopped || this.#lines.get(clusterId) !== current) conn.destroy();
        else {
          current.conn = conn;
          this.#o.logger.info({ clusterId, instance: id }, 'fence line open to the primary');
        }
      })
      .catch(() => {
        current.opening = false; // tried again at the next lookup
      });
  }

  /**
   * The failover of `instance` starts: SET GLOBAL read_only = 1 on its line, if one is open to it.
   * The line is handed over (the caller owns the connection from now on).
   */
  fire(clusterId: string, instance: InstanceKey): FiredLine | null {
    const line = this.#lines.get(clusterId);
    if (!line || line.instance !== instanceId(instance) || !line.conn || line.conn.closed) return null;
    const conn = line.conn;
    this.#lines.delete(clusterId);
    this.#o.logger.info({ clusterId, instance: line.instance }, 'fence line fired: SET GLOBAL read_only = 1');
    // no timeout: the statement is meant to wait for a hung server (the keeper ends it when released)
    const sent = conn.exec('SET GLOBAL read_only = 1', [], { timeoutMs: 2_147_000_000 }).then(() => undefined);
    return { conn, sent };
  }

  open(): string[] {
    return [...this.#lines.entries()].filter(([, l]) => l.conn && !l.conn.closed).map(([c, l]) => `${c}|${l.instance}`);
  }

  stop(): void {
    this.#stopped = true;
    for (const line of this.#lines.values()) line.conn?.destroy();
    this.#lines.clear();
  }
}
