/**
 * Fence lines: a pair of idle, authenticated connections from this executor to the primary of every
 * cluster it recovers, opened while the primary is healthy. When that primary hangs, a new
 * connection to it cannot even finish its handshake until it runs again — and then races every
 * other client's. A line that is already open can carry `SET GLOBAL read_only = 1` at once: the
 * statement waits in the hung server's socket buffer and is the first thing its session executes
 * when the server resumes, before any connection that is still authenticating can write. The
 * The second connection carries the kill pass the same way (its list runs at the same instant; the
 * kills follow): a commit that was waiting for a semi-sync ack, which read_only would wait for, dies
 * without an acknowledgement. The fence keeper then finishes the fence on the first connection
 * (kills again, global read lock).
 *
 * Lines follow the cluster's primary as the analyzer last cached it (looked up at most every
 * `refreshEveryMs` per cluster). A line is never queried while idle (a statement in flight when the
 * primary hangs would hold up the fence); one the server closed (wait_timeout, restart) reads as
 * closed and is opened again at the next lookup. TCP keepalive is on.
 */
import { instanceId, type InstanceKey } from '@baton/contracts';
import type { Logger } from '@baton/logging';
import { connectInstance, killOtherClients, type InstanceConnection, type InstanceConnectOptions } from '@baton/mysql';

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
  /** The second line's kill pass (every client but the two lines), queued the same way; settles once done. */
  killed: Promise<void>;
  /** The second line's connection: the keeper closes it once the kill pass is done. */
  killer: InstanceConnection;
}

/** One authenticated idle connection and its server thread id. */
interface Opened {
  conn: InstanceConnection;
  threadId: number;
}

interface Line {
  instance: string;
  /** Two connections: one carries read_only=1, the other lists and kills the clients at the same moment. */
  pair: [Opened, Opened] | null;
  opening: boolean;
}

const open = (o: Opened | undefined): boolean => o !== undefined && !o.conn.closed;

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

  /** Keeps a pair of idle connections to `primary` (none when null); a line to another instance is closed. */
  track(clusterId: string, primary: InstanceKey | null): void {
    if (this.#stopped) return;
    const id = primary ? instanceId(primary) : null;
    const line = this.#lines.get(clusterId);
    if (line && line.instance !== id) {
      for (const o of line.pair ?? []) o.conn.destroy();
      this.#lines.delete(clusterId);
    }
    if (!primary || !id) return;
    const current = this.#lines.get(clusterId) ?? { instance: id, pair: null, opening: false };
    this.#lines.set(clusterId, current);
    // never queried while idle: a statement in flight when the primary hangs would hold up the fence
    // (and time out, closing the line); a line the server closes (wait_timeout, restart) reads closed
    if ((current.pair && open(current.pair[0]) && open(current.pair[1])) || current.opening) return;
    for (const o of current.pair ?? []) o.conn.destroy();
    current.pair = null;
    current.opening = true;
    Promise.all([this.#open(primary), this.#open(primary)])
      .then((pair) => {
        current.opening = false;
        if (this.#stopped || this.#lines.get(clusterId) !== current) for (const o of pair) o.conn.destroy();
        else {
          current.pair = pair;
          this.#o.logger.info({ clusterId, instance: id }, 'fence line open to the primary');
        }
      })
      .catch(() => {
        current.opening = false; // tried again at the next lookup
      });
  }

  /**
   * The failover of `instance` starts: SET GLOBAL read_only = 1 on one connection of its line and
   * the kill pass on the other, if the line is open to it. The line is handed over (the caller owns
   * both connections from now on).
   */
  fire(clusterId: string, instance: InstanceKey): FiredLine | null {
    const line = this.#lines.get(clusterId);
    const pair = line?.pair;
    if (!line || !pair || line.instance !== instanceId(instance) || !open(pair[0]) || !open(pair[1])) return null;
    this.#lines.delete(clusterId);
    const [setter, killer] = pair;
    this.#o.logger.info({ clusterId, instance: line.instance }, 'fence line fired: SET GLOBAL read_only = 1, and every client killed');
    // no timeout: the statements are meant to wait for a hung server (the keeper ends them when released)
    const forever = 2_147_000_000;
    const sent = setter.conn.exec('SET GLOBAL read_only = 1', [], { timeoutMs: forever }).then(() => undefined);
    const killed = killOtherClients(killer.conn, { exceptIds: [setter.threadId], timeoutMs: forever }).then(() => undefined);
    return { conn: setter.conn, sent, killed, killer: killer.conn };
  }

  open(): string[] {
    return [...this.#lines.entries()].filter(([, l]) => l.pair && open(l.pair[0]) && open(l.pair[1])).map(([c, l]) => `${c}|${l.instance}`);
  }

  stop(): void {
    this.#stopped = true;
    for (const line of this.#lines.values()) for (const o of line.pair ?? []) o.conn.destroy();
    this.#lines.clear();
  }

  async #open(primary: InstanceKey): Promise<Opened> {
    const connectTimeoutMs = this.#o.connectTimeoutMs ?? 1000;
    const conn = await (this.#o.connect ?? connectInstance)({ host: primary.host, port: primary.port, user: this.#o.user, password: this.#o.password, connectTimeoutMs, queryTimeoutMs: connectTimeoutMs });
    try {
      const [row] = await conn.query('SELECT CONNECTION_ID() AS id');
      return { conn, threadId: Number(row?.['id']) };
    } catch (error) {
      conn.destroy();
      throw error;
    }
  }
}
