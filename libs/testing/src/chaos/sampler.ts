/**
 * The chaos suite's eyes: who answers and who is writable, every `intervalMs`, for the whole
 * scenario. Each instance has its own TCP connection (as the given account, normally the
 * topology's admin one) and its own poll loop, so an instance that hangs (SIGSTOP), is cut off
 * (iptables) or is dead never delays the others: its outstanding query simply leaves it "not
 * answered" in the samples taken meanwhile. A query that times out or a broken connection is
 * dropped and a new connection tried (short connect timeout) again and again, so the sampler
 * sees the instance the moment it is back (SIGCONT, restart on the same port, rule removed).
 * It sees what a TCP client sees: an instance cut off from the monitor is "not answered" here
 * too (cutOffFromMonitor kills TCP sessions and drops new ones), as it is for the app writer.
 *
 * Freshness is counted from when the answered query was SENT, not when its answer arrived: the
 * value was read somewhere in between, so an answer a frozen server sends after SIGCONT to a
 * query from before SIGSTOP is stale and counts for nothing. A sample shows an instance as
 * answered only when its latest answer's query left less than `staleAfterMs` ago (default
 * 2 × intervalMs).
 *
 * Writable means what a client would find: read_only=0 and no `SET GLOBAL read_only = 1` or
 * `FLUSH TABLES WITH READ LOCK` already waiting for the global read lock. While one waits (behind a
 * commit that waits for a semi-sync ack), every new write waits behind it and then fails read-only
 * (checked against MariaDB 10.11: the INSERT shows "Waiting for backup lock", then
 * ER_OPTION_PREVENTS_STATEMENT), so the server takes no write although read_only still reads 0;
 * such a sample says `closing`. The commit that was already waiting for its ack is the one write
 * it could still acknowledge, and the acked-writes invariant checks that one.
 *
 * `readFinalTopology` is the one-shot read at the end of a scenario for `checkFinalTopology`.
 */

/** read_only, and whether a switch to read-only is already waiting for the global read lock. */
const pollSql = `SELECT @@global.read_only AS ro,
  (SELECT COUNT(*) FROM information_schema.PROCESSLIST
    WHERE INFO IN ('SET GLOBAL read_only = 1', 'FLUSH TABLES WITH READ LOCK') AND STATE LIKE 'Waiting for%lock') AS closing`;
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { sleep } from '../wait-for.ts';
import { closeConnection, connectTo, errorText, type ChaosCredentials, type ChaosInstance } from './connect.ts';
import type { FinalInstance, FinalTopology, ReplicationChannel, Sample, SampledInstance } from './invariants.ts';

export type { ChaosCredentials, ChaosInstance } from './connect.ts';

export interface SamplerOptions extends ChaosCredentials {
  instances: readonly ChaosInstance[];
  /** Between samples, and between two polls of one instance. Default 25 ms. */
  intervalMs?: number;
  /** An answer counts while its query was sent less than this long ago. Default 2 × intervalMs. */
  staleAfterMs?: number;
  /** Connect timeout of every (re)connect. Default 300 ms. */
  connectTimeoutMs?: number;
  /** A poll unanswered this long drops its connection (then reconnects). Default 1000 ms. */
  queryTimeoutMs?: number;
  /** Samples kept; the oldest are dropped past it (see `dropped`). Default 200,000 (83 min at 25 ms). */
  maxSamples?: number;
  /** The clock of `atMs`. Default Date.now (so a scenario's fault time can be compared). */
  now?: () => number;
}

export interface PollerStatus {
  id: string;
  connected: boolean;
  /** A poll is outstanding. */
  inFlight: boolean;
  answers: number;
  connects: number;
  /** The latest error (connect or query) since the last answer, else null. */
  lastError: string | null;
}

export interface InvariantSampler {
  /** Samples so far (a live view: copy it to keep a snapshot). */
  readonly samples: readonly Sample[];
  /** Samples dropped past maxSamples. */
  readonly dropped: number;
  status(): PollerStatus[];
  /** Ends polling and sampling, closes (or destroys, when hung) every connection; returns the samples. */
  stop(): Promise<Sample[]>;
}

interface Answer {
  sentAt: number;
  readOnly: boolean;
  /** A switch to read-only is waiting for the global read lock. */
  closing: boolean;
}

interface PollerOptions extends ChaosCredentials {
  intervalMs: number;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  now: () => number;
}

class Poller {
  readonly instance: ChaosInstance;
  answer: Answer | undefined;
  conn: Connection | undefined;
  inFlight = false;
  answers = 0;
  connects = 0;
  lastError: string | null = null;
  readonly #options: PollerOptions;
  readonly #stopped: Promise<void>;
  #stopping = false;
  readonly loop: Promise<void>;

  constructor(instance: ChaosInstance, options: PollerOptions, stopped: Promise<void>) {
    this.instance = instance;
    this.#options = options;
    this.#stopped = stopped;
    this.loop = this.#run();
  }

  /** Sleeps `ms`, or less when the sampler stops. */
  #pause(ms: number): Promise<void> {
    return Promise.race([sleep(Math.max(0, ms)), this.#stopped]);
  }

  async #run(): Promise<void> {
    const { intervalMs, connectTimeoutMs, queryTimeoutMs, now } = this.#options;
    while (!this.#stopping) {
      const started = now();
      if (!this.conn) {
        try {
          const conn = await connectTo(this.instance, this.#options, connectTimeoutMs);
          if (this.#stopping) {
            conn.destroy();
            break;
          }
          this.conn = conn;
          this.connects += 1;
        } catch (error) {
          this.lastError = errorText(error);
          await this.#pause(intervalMs - (now() - started));
          continue;
        }
      }
      const conn = this.conn;
      const sentAt = now();
      this.inFlight = true;
      try {
        const [rows] = await conn.query<RowDataPacket[]>({ sql: pollSql, timeout: queryTimeoutMs });
        const ro = rows[0]?.['ro'];
        const closing = Number(rows[0]?.['closing'] ?? 0) > 0;
        if (!this.#stopping) {
          this.answer = { sentAt, readOnly: Number(ro) !== 0, closing };
          this.answers += 1;
          this.lastError = null;
        }
      } catch (error) {
        if (!this.#stopping) this.lastError = errorText(error);
        conn.destroy();
        if (this.conn === conn) this.conn = undefined;
      } finally {
        this.inFlight = false;
      }
      await this.#pause(intervalMs - (now() - sentAt));
    }
  }

  /** The instance as a sample at `atMs` sees it. */
  view(atMs: number, staleAfterMs: number): SampledInstance {
    const a = this.answer;
    const answered = a !== undefined && atMs - a.sentAt < staleAfterMs;
    return {
      id: this.instance.id,
      answered,
      writable: answered ? !a.readOnly && !a.closing : null,
      readOnly: answered ? a.readOnly : null,
      ...(answered && a.closing && !a.readOnly ? { closing: true } : {}),
    };
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    const conn = this.conn;
    this.conn = undefined;
    if (conn) {
      if (this.inFlight) conn.destroy();
      else await closeConnection(conn);
    }
    await this.loop;
  }
}

/** Starts polling every instance and sampling every `intervalMs`; see the module comment. */
export function startInvariantSampler(options: SamplerOptions): InvariantSampler {
  const intervalMs = options.intervalMs ?? 25;
  const staleAfterMs = options.staleAfterMs ?? 2 * intervalMs;
  const maxSamples = options.maxSamples ?? 200_000;
  const now = options.now ?? Date.now;
  const ids = new Set(options.instances.map((i) => i.id));
  if (ids.size !== options.instances.length) throw new Error(`instance ids must be unique: ${options.instances.map((i) => i.id).join(', ')}`);

  let signalStop!: () => void;
  const stopped = new Promise<void>((resolve) => (signalStop = resolve));
  const pollerOptions = {
    user: options.user,
    password: options.password,
    intervalMs,
    connectTimeoutMs: options.connectTimeoutMs ?? 300,
    queryTimeoutMs: options.queryTimeoutMs ?? 1000,
    now,
  };
  const pollers = options.instances.map((instance) => new Poller(instance, pollerOptions, stopped));
  const samples: Sample[] = [];
  let dropped = 0;
  const take = (): void => {
    const atMs = now();
    samples.push({ atMs, instances: pollers.map((p) => p.view(atMs, staleAfterMs)) });
    if (samples.length > maxSamples) {
      samples.shift();
      dropped += 1;
    }
  };
  const timer = setInterval(take, intervalMs);
  let stopping: Promise<Sample[]> | undefined;

  return {
    samples,
    get dropped() {
      return dropped;
    },
    status: () =>
      pollers.map((p) => ({ id: p.instance.id, connected: p.conn !== undefined, inFlight: p.inFlight, answers: p.answers, connects: p.connects, lastError: p.lastError })),
    stop() {
      stopping ??= (async () => {
        clearInterval(timer);
        signalStop();
        await Promise.all(pollers.map((p) => p.stop()));
        return [...samples];
      })();
      return stopping;
    },
  };
}

export interface ReadTopologyOptions {
  /** Default 1000 ms (a one-shot read: a loaded machine must not turn into a missing instance). */
  connectTimeoutMs?: number;
  /** Default 2000 ms. */
  queryTimeoutMs?: number;
}

async function readOne(instance: ChaosInstance, creds: ChaosCredentials, options: Required<ReadTopologyOptions>): Promise<FinalInstance> {
  let conn: Connection | undefined;
  try {
    conn = await connectTo(instance, creds, options.connectTimeoutMs);
    const [ro] = await conn.query<RowDataPacket[]>({ sql: 'SELECT @@global.read_only AS ro', timeout: options.queryTimeoutMs });
    const [rows] = await conn.query<RowDataPacket[]>({ sql: 'SHOW ALL SLAVES STATUS', timeout: options.queryTimeoutMs });
    const channels: ReplicationChannel[] = rows
      .filter((r) => typeof r['Master_Host'] === 'string' && r['Master_Host'] !== '')
      .map((r) => ({
        name: String(r['Connection_name'] ?? ''),
        source: `${String(r['Master_Host'])}:${Number(r['Master_Port'])}`,
        ioRunning: r['Slave_IO_Running'] === 'Yes',
        sqlRunning: r['Slave_SQL_Running'] === 'Yes',
      }));
    const first = channels[0];
    return {
      id: instance.id,
      answered: true,
      writable: Number(ro[0]?.['ro']) === 0,
      replicatingFrom: first?.source ?? null,
      ioRunning: first?.ioRunning ?? false,
      sqlRunning: first?.sqlRunning ?? false,
      channels,
    };
  } catch (error) {
    return { id: instance.id, answered: false, writable: null, replicatingFrom: null, ioRunning: false, sqlRunning: false, error: errorText(error) };
  } finally {
    conn?.destroy();
  }
}

/**
 * Reads every instance once, in parallel (read_only and SHOW ALL SLAVES STATUS, one row per
 * replication connection), for `checkFinalTopology`. An instance that does not answer within
 * the timeouts is `answered: false` with the error.
 */
export async function readFinalTopology(instances: readonly ChaosInstance[], creds: ChaosCredentials, options: ReadTopologyOptions = {}): Promise<FinalTopology> {
  const resolved = { connectTimeoutMs: options.connectTimeoutMs ?? 1000, queryTimeoutMs: options.queryTimeoutMs ?? 2000 };
  return { instances: await Promise.all(instances.map((i) => readOne(i, creds, resolved))) };
}
