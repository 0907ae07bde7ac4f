/**
 * Fencing the old primary (orchestrator only does this asynchronously and best-effort: W3).
 * Tries, within one short budget (default 500 ms, connect included), to
 *
 *   connect; [SET GLOBAL super_read_only = 1 (MySQL)]; SET GLOBAL read_only = 1;
 *   verify SELECT @@read_only = 1; then, best effort with what is left of the budget,
 *   KILL CONNECTION every client connection except replication threads, system users,
 *   this connection and `spareUsers` (default: the fencing account itself)
 *
 * and reports what happened. It never throws: a dead primary is the normal case, so the result
 * says `fenced: false` with a reason the caller records:
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
  /** Users whose connections are never killed. Default: [target.user]. */
  spareUsers?: readonly string[];
  /** For tests: replaces connectInstance. */
  connect?: (options: InstanceConnectOptions) => Promise<InstanceConnection>;
}

export type FenceReason = 'fenced' | 'unreachable' | 'access-denied' | 'timeout' | 'failed' | 'not-verified';

export interface FenceResult {
  instance: string;
  fenced: boolean;
  reason: FenceReason;
  /** @@read_only as read back (null when not read). */
  readOnly: boolean | null;
  killedConnections: number;
  /** KILLs that failed or were skipped for lack of time (a connection that ended by itself meanwhile is not counted). */
  unkilledConnections: number;
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

export async function fence(target: FenceTarget, options: FenceOptions = {}): Promise<FenceResult> {
  const started = performance.now();
  const budget = options.timeoutMs ?? 500;
  const instance = `${target.host}:${target.port}`;
  const remaining = (): number => Math.max(1, Math.floor(budget - (performance.now() - started)));
  const result = (fields: Omit<FenceResult, 'instance' | 'elapsedMs' | 'killedConnections' | 'unkilledConnections'> & Partial<FenceResult>): FenceResult => ({
    instance,
    killedConnections: 0,
    unkilledConnections: 0,
    ...fields,
    elapsedMs: performance.now() - started,
  });

  let conn: InstanceConnection;
  try {
    conn = await (options.connect ?? connectInstance)({ ...target, connectTimeoutMs: budget, queryTimeoutMs: budget });
  } catch (error) {
    const reason = error instanceof ProbeAuthError ? 'access-denied' : 'unreachable';
    return result({ fenced: false, reason, readOnly: null, error: describeProbeError(error) });
  }
  try {
    const d = await dialectOf(conn, 'fence');
    if (d.hasSuperReadOnly && options.useSuperReadOnly !== false) {
      await runStatement(conn, 'fence', 'SET GLOBAL super_read_only', () => conn.exec('SET GLOBAL super_read_only = 1', [], { timeoutMs: remaining() }));
    }
    await runStatement(conn, 'fence', 'SET GLOBAL read_only', () => conn.exec('SET GLOBAL read_only = 1', [], { timeoutMs: remaining() }));
    const [row] = await runStatement(conn, 'fence', 'SELECT @@read_only', () => conn.query('SELECT @@GLOBAL.read_only AS ro', [], { timeoutMs: remaining() }));
    const readOnly = flagOrNull(row?.['ro']);
    if (readOnly !== true) return result({ fenced: false, reason: 'not-verified', readOnly, error: `read_only reads back as ${String(row?.['ro'])}` });
    const kills = options.killConnections === false ? { killed: 0, unkilled: 0 } : await killClients(conn, options.spareUsers ?? [target.user], started, budget);
    return result({ fenced: true, reason: 'fenced', readOnly, killedConnections: kills.killed, unkilledConnections: kills.unkilled, ...(kills.error ? { killError: kills.error } : {}) });
  } catch (error) {
    const timedOut = error instanceof ProbeTimeoutError || (error as { cause?: unknown }).cause instanceof ProbeTimeoutError;
    return result({ fenced: false, reason: timedOut ? 'timeout' : 'failed', readOnly: null, error: describeProbeError(error) });
  } finally {
    if (conn.closed) conn.destroy();
    else await conn.close();
  }
}

async function killClients(
  conn: InstanceConnection,
  spareUsers: readonly string[],
  started: number,
  budget: number,
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
  const ids = rows.filter((r) => !spare.has(text(r['user']))).map((r) => integer(r['id']));
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
