/**
 * Fencing the old primary (orchestrator only does this asynchronously and best-effort: W3).
 * Tries, within one short budget (default 500 ms, connect included), to
 *
 *   connect; KILL CONNECTION every client connection (SET GLOBAL read_only waits for commits in
 *   progress, and one waiting for a semi-sync ack would be acknowledged when the ack timeout fires);
 *   [SET GLOBAL super_read_only = 1 (MySQL)]; SET GLOBAL read_only = 1;
 *   verify SELECT @@read_only = 1; then, best effort with what is left of the budget,
 *   KILL CONNECTION every client connection except replication threads, system users and
 *   this connection — Baton's own account's other sessions included, since read_only is in
 *   place by then and an account with SUPER/READ_ONLY ADMIN could still write on them;
 *   [FLUSH TABLES WITH READ LOCK, held on this connection: `hold`, MariaDB only]
 *
 * and reports what happened. MariaDB has no super_read_only: read_only does not stop an account
 * with READ_ONLY ADMIN (root, SUPER in many setups), so `hold` takes the global read lock, which
 * stops every account, and hands the open connection to the caller: the lock lasts as long as that
 * connection (the executor's fence keeper holds it while the instance is a demoted primary).
 *
 * It never throws: a dead primary is the normal case, so the result says `fenced: false` with a
 * reason the caller records, and `liveness` says what the attempt proved about the server:
 *   'dead'           connection refused by a host that answered (no server on the port), or the
 *                    server said it is shutting down: provably not accepting writes
 *   'not-answering'  a timeout, a reset, an unreachable host: it may be hung or cut off and still
 *                    be writable for clients that reach it
 *   'alive'          it answered (even with access denied)
 * The reasons:
 *   'unreachable'    could not connect (refused, reset, connect timeout, DNS)
 *   'access-denied'  the account was refused
 *   'timeout'        connected, but a statement outlived the budget (hung server, long lock wait)
 *   'failed'         a statement failed (e.g. 1227: missing READ_ONLY ADMIN)
 *   'not-verified'   the statements ran but @@read_only did not read back as 1
 * Kills are best effort: their failures are counted, never fatal (a connection already gone when
 * its KILL arrives, errno 1094, is not a failure).
 */
import { performance } from 'node:perf_hooks';
import { ProbeAuthError, ProbeTimeoutError } from '@baton/errors';
import { connectInstance, type InstanceConnection, type InstanceConnectOptions } from '../instance-connection.ts';
import { describeProbeError } from '../probe/instance-prober.ts';
import { flagOrNull, integer, text } from '../probe/row-values.ts';
import { dialectOf } from './dialect.ts';
import { runStatement } from './step-error.ts';

export interface FenceTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface FenceOptions {
  /** Budget for the whole attempt, connect included. Default 500 ms. */
  timeoutMs?: number;
  /** MySQL: also set super_read_only (so admin accounts are stopped too). Default true. */
  useSuperReadOnly?: boolean;
  /** KILL client connections after read_only is verified. Default true. */
  killConnections?: boolean;
  /** Users whose connections are never killed. Default: none (Baton's own account's other sessions are killed too). */
  spareUsers?: readonly string[];
  /**
   * MariaDB: after the kills, FLUSH TABLES WITH READ LOCK on the fencing connection, which is then
   * handed to `hold` instead of being closed (the lock lasts as long as the connection). Ignored
   * on MySQL (super_read_only already stops every account) and when the fence did not take.
   */
  hold?: (held: HeldFence) => void;
  /** For tests: replaces connectInstance. */
  connect?: (options: InstanceConnectOptions) => Promise<InstanceConnection>;
}

export type FenceReason = 'fenced' | 'unreachable' | 'access-denied' | 'timeout' | 'failed' | 'not-verified';

/** What one fence attempt proved about the server (see the header). */
export type Liveness = 'dead' | 'not-answering' | 'alive';

/** A fencing connection that holds MariaDB's global read lock; closing it lifts the lock. */
export interface HeldFence {
  instance: string;
  conn: InstanceConnection;
}

export interface FenceResult {
  instance: string;
  fenced: boolean;
  reason: FenceReason;
  liveness: Liveness;
  /** MariaDB: the global read lock is held on a connection handed to `hold` (null when not asked or not MariaDB). */
  readLockHeld: boolean | null;
  /** Why the global read lock could not be taken (read_only still holds for ordinary accounts). */
  holdError?: string;
  /** @@read_only as read back (null when not read). */
  readOnly: boolean | null;
  killedConnections: number;
  /** KILLs that failed or were skipped for lack of time (a connection that ended by itself meanwhile is not counted). */
  unkilledConnections: number;
  /** Of `killedConnections`: those killed before read_only was set (commits in progress, semi-sync ack waiters among them). */
  killedBeforeReadOnly?: number;
  /** Why the connection list could not be read (kills skipped); fencing itself still counts. */
  killError?: string;
  /** What went wrong, for the record (never contains the password). */
  error?: string;
  elapsedMs: number;
}

const noSuchThreadErrno = 1094;

const clientConnectionsSql = `SELECT ID AS id, USER AS user FROM information_schema.PROCESSLIST
  WHERE ID <> CONNECTION_ID()
    AND COMMAND NOT IN ('Binlog Dump', 'Binlog Dump GTID', 'Daemon', 'Slave_IO', 'Slave_SQL', 'Slave_worker', 'Killed')
    AND USER NOT IN ('system user', 'event_scheduler', 'unauthenticated user')`;

/** Connect errors that prove no server takes connections on the port (see `Liveness`). */
const deadCodes = new Set(['ECONNREFUSED', 'ER_SERVER_SHUTDOWN']);

/** What a failed connect says about the server: refused or shutting down is dead; anything else may be a hung or cut-off server. */
export function livenessOfConnectError(error: unknown): Liveness {
  if (error instanceof ProbeAuthError) return 'alive';
  const code = (error as { mysqlCode?: unknown; code?: unknown }).mysqlCode ?? (error as { code?: unknown }).code;
  return typeof code === 'string' && deadCodes.has(code) ? 'dead' : 'not-answering';
}

export async function fence(target: FenceTarget, options: FenceOptions = {}): Promise<FenceResult> {
  const started = performance.now();
  const budget = options.timeoutMs ?? 500;
  const instance = `${target.host}:${target.port}`;
  let conn: InstanceConnection;
  try {
    conn = await (options.connect ?? connectInstance)({ ...target, connectTimeoutMs: budget, queryTimeoutMs: budget });
  } catch (error) {
    const reason = error instanceof ProbeAuthError ? 'access-denied' : 'unreachable';
    return { instance, fenced: false, reason, liveness: livenessOfConnectError(error), readLockHeld: null, readOnly: null, killedConnections: 0, unkilledConnections: 0, error: describeProbeError(error), elapsedMs: performance.now() - started };
  }
  return fenceOn(conn, { ...options, timeoutMs: Math.max(1, budget - (performance.now() - started)) }, started);
}

/**
 * The fence's statements on a connection that is already open (the fence keeper's, which waited
 * for a hung server to answer). Never throws; closes the connection unless it is handed to `hold`.
 */
export async function fenceOn(conn: InstanceConnection, options: Omit<FenceOptions, 'connect'> = {}, started = performance.now()): Promise<FenceResult> {
  const budget = options.timeoutMs ?? 500;
  const remaining = (): number => Math.max(1, Math.floor(budget - (performance.now() - started)));
  const result = (fields: Omit<FenceResult, 'instance' | 'elapsedMs' | 'killedConnections' | 'unkilledConnections' | 'liveness' | 'readLockHeld'> & Partial<FenceResult>): FenceResult => ({
    instance: conn.instance,
    killedConnections: 0,
    unkilledConnections: 0,
    liveness: 'alive',
    readLockHeld: null,
    ...fields,
    elapsedMs: performance.now() - started,
  });
  let handedOver = false;
  try {
    const d = await dialectOf(conn, 'fence');
    const killing = options.killConnections !== false;
    // SET GLOBAL read_only waits for every commit in progress, and a commit waiting for a semi-sync
    // ack waits up to rpl_semi_sync_master_timeout, then is acknowledged to its client: so every
    // client connection is killed first (their commits die unacknowledged), then again after.
    const early = killing ? await killClients(conn, options.spareUsers ?? [], started, budget) : { killed: 0, unkilled: 0 };
    if (d.hasSuperReadOnly && options.useSuperReadOnly !== false) {
      await runStatement(conn, 'fence', 'SET GLOBAL super_read_only', () => conn.exec('SET GLOBAL super_read_only = 1', [], { timeoutMs: remaining() }));
    }
    await runStatement(conn, 'fence', 'SET GLOBAL read_only', () => conn.exec('SET GLOBAL read_only = 1', [], { timeoutMs: remaining() }));
    const [row] = await runStatement(conn, 'fence', 'SELECT @@read_only', () => conn.query('SELECT @@GLOBAL.read_only AS ro', [], { timeoutMs: remaining() }));
    const readOnly = flagOrNull(row?.['ro']);
    if (readOnly !== true) return result({ fenced: false, reason: 'not-verified', readOnly, error: `read_only reads back as ${String(row?.['ro'])}` });
    const kills = killing ? await killClients(conn, options.spareUsers ?? [], started, budget) : { killed: 0, unkilled: 0 };
    const fenced = {
      fenced: true,
      reason: 'fenced' as const,
      readOnly,
      killedConnections: early.killed + kills.killed,
      unkilledConnections: kills.unkilled,
      killedBeforeReadOnly: early.killed,
      ...(kills.error ? { killError: kills.error } : {}),
    };
    if (!options.hold || d.hasSuperReadOnly) return result(fenced);
    const lock = await holdReadLock(conn, remaining());
    if (lock === null) {
      handedOver = true;
      options.hold({ instance: conn.instance, conn });
      return result({ ...fenced, readLockHeld: true });
    }
    return result({ ...fenced, readLockHeld: false, holdError: lock });
  } catch (error) {
    const timedOut = error instanceof ProbeTimeoutError || (error as { cause?: unknown }).cause instanceof ProbeTimeoutError;
    return result({ fenced: false, reason: timedOut ? 'timeout' : 'failed', liveness: timedOut ? 'not-answering' : 'alive', readOnly: null, error: describeProbeError(error) });
  } finally {
    if (!handedOver) {
      if (conn.closed) conn.destroy();
      else await conn.close();
    }
  }
}

/**
 * MariaDB's stop for every account (read_only lets READ_ONLY ADMIN through): the global read lock,
 * held by this session. Its wait is bounded (lock_wait_timeout, whole seconds) so a long statement
 * elsewhere cannot hang the fence. Returns null once held, else why not.
 */
export async function holdReadLock(conn: InstanceConnection, timeoutMs: number): Promise<string | null> {
  try {
    await conn.exec('SET SESSION lock_wait_timeout = ?', [Math.max(1, Math.ceil(timeoutMs / 1000))], { timeoutMs });
    await conn.exec('FLUSH TABLES WITH READ LOCK', [], { timeoutMs: timeoutMs + 1000 });
    return null;
  } catch (error) {
    return describeProbeError(error);
  }
}

async function killClients(
  conn: InstanceConnection,
  spareUsers: readonly string[],
  started: number,
  budget: number,
  exceptIds: readonly number[] = [],
): Promise<{ killed: number; unkilled: number; error?: string }> {
  const left = (): number => budget - (performance.now() - started);
  const spare = new Set(spareUsers);
  let rows;
  try {
    if (left() < 1) return { killed: 0, unkilled: 0, error: 'no time left in the budget' };
    rows = await conn.query(clientConnectionsSql, [], { timeoutMs: Math.floor(left()) });
  } catch (error) {
    return { killed: 0, unkilled: 0, error: describeProbeError(error) };
  }
  const except = new Set(exceptIds);
  const ids = rows.filter((r) => !spare.has(text(r['user']))).map((r) => integer(r['id'])).filter((id) => !except.has(id));
  let killed = 0;
  let gone = 0;
  for (const id of ids) {
    if (left() < 1 || conn.closed) break;
    try {
      await conn.exec('KILL CONNECTION ?', [id], { timeoutMs: Math.floor(left()) });
      killed += 1;
    } catch (error) {
      // 1094 ER_NO_SUCH_THREAD: it ended between the list and the KILL (a client that dropped its
      // connection on its first read-only error): nothing left to kill. Anything else: not killed.
      if ((error as { errno?: unknown }).errno === noSuchThreadErrno) gone += 1;
    }
  }
  return { killed, unkilled: ids.length - killed - gone };
}

/**
 * Kills every client connection but replication threads, this one and `exceptIds`, within
 * `timeoutMs` (list included). The fence line's second connection runs it: queued on a hung server,
 * its list executes the moment the server resumes.
 */
export function killOtherClients(conn: InstanceConnection, options: { exceptIds?: readonly number[]; timeoutMs: number }): Promise<{ killed: number; unkilled: number; error?: string }> {
  return killClients(conn, [], performance.now(), options.timeoutMs, options.exceptIds ?? []);
}

export interface UnfenceOptions {
  /** Timeout of each statement. Default: the connection's query timeout. */
  statementTimeoutMs?: number;
}

export interface UnfenceResult {
  instance: string;
  /** @@read_only read back as 0 (MySQL: read_only=0 also clears super_read_only). */
  verified: boolean;
  readOnly: boolean | null;
  elapsedMs: number;
}

/**
 * The undo of a fence that was not followed by a promotion (a planned failover of a live primary
 * that stopped before promoting anyone): `SET GLOBAL read_only = 0`, verified. Only for a server
 * that was writable before the fence and while no other server was made writable. Statement
 * failures throw RecoveryStepError (step `unfence`); `verified` says whether it took.
 */
export async function unfence(conn: InstanceConnection, options: UnfenceOptions = {}): Promise<UnfenceResult> {
  const started = performance.now();
  const q = options.statementTimeoutMs === undefined ? {} : { timeoutMs: options.statementTimeoutMs };
  await dialectOf(conn, 'unfence');
  await runStatement(conn, 'unfence', 'SET GLOBAL read_only', () => conn.exec('SET GLOBAL read_only = 0', [], q));
  const [row] = await runStatement(conn, 'unfence', 'SELECT @@read_only', () => conn.query('SELECT @@GLOBAL.read_only AS ro', [], q));
  const readOnly = flagOrNull(row?.['ro']);
  return { instance: conn.instance, verified: readOnly === false, readOnly, elapsedMs: performance.now() - started };
}
