/**
 * Step 2: turn the chosen replica into the primary. Nothing is made writable before everything that
 * can be checked has been, and nothing is left writable when a check fails.
 *
 *   STOP ALL SLAVES (MariaDB) / STOP REPLICA (MySQL)  every connection, before any RESET (1198 otherwise)
 *   check: a file/position connection's relay log is applied (Exec = Read_Master_Log_Pos); else
 *          nothing is reset (RESET SLAVE ALL deletes the relay log) and `unappliedRelayLog` is set
 *   RESET SLAVE ['name'] ALL, once per connection     MariaDB: named (multi-source) connections too;
 *                                                     MySQL: RESET REPLICA ALL clears every channel
 *   (afterClear: test-only, e.g. re-adding a connection so that the next check fails for real)
 *   verify, still read-only: SHOW [ALL] SLAVE[S] STATUS empty; the own position holds `expectedPosition`
 *   [SET GLOBAL super_read_only = 0]                  MySQL with an epoch: read_only=1 still stops ordinary accounts
 *   [SET GLOBAL rpl_semi_sync_master_enabled = OFF]   only when it was ON: the epoch write would wait for an ack
 *                                                     no replica can send yet (rpl_semi_sync_master_timeout)
 *   [epoch: INSERT … ON DUPLICATE KEY UPDATE baton_meta.promotion_epoch (CREATE DATABASE/TABLE the first time)]
 *   [SET GLOBAL rpl_semi_sync_master_timeout = ?]     semi-sync only
 *   [SET GLOBAL rpl_semi_sync_master_enabled = ON]    semi-sync (or it was ON): before writes are let in
 *   (beforeWritable: the caller's last re-check; a throw leaves the server read-only)
 *   [SET GLOBAL super_read_only = 0]                  MySQL with useSuperReadOnly, unless cleared above
 *   SET GLOBAL read_only = 0
 *   (afterWritable: test-only)
 *   verify: @@read_only = 0 (and super_read_only = 0), no replication, semi-sync master on when asked,
 *           the epoch row at least the epoch written
 *
 * The epoch goes in while the candidate is still read-only (Baton's account has READ_ONLY ADMIN on
 * MariaDB; super_read_only is off by then on MySQL), so whoever sees it writable sees its epoch too.
 *
 * Failures. A statement failure throws a RecoveryStepError; a failed check is returned
 * (`verified: false`, `problems`). Either way, once the candidate is or may be writable (read_only=0
 * was sent, or it already read 0 when its replication was cleared: a roll-forward, a misconfigured
 * replica), it is set back to read_only=1 (super_read_only=1 on MySQL with useSuperReadOnly) and read
 * back before promote() returns or throws: `restoredReadOnly` says how that went, on the result and
 * on the thrown error. A candidate that failed is therefore read-only, without replication (and with
 * the epoch row if it was written: one local transaction the others lack), unless restoredReadOnly is
 * false — then it may be writable and nothing else may be promoted.
 *
 * Orchestrator marks the recovery successful before any of this runs and only audits its
 * failures (weakness W5). Here the caller marks success only when `verified` is true.
 */
import { performance } from 'node:perf_hooks';
import { positionHolds } from '@baton/domain';
import type { InstanceConnection, Row } from '../instance-connection.ts';
import { compactGtid } from '../probe/map-identity.ts';
import {
  createPromotionEpochSchemaSql,
  createPromotionEpochTableSql,
  promotionEpochSql,
  upsertPromotionEpochSql,
} from '../probe/promotion-epoch.ts';
import { flagOrNull, integerOrNull, text } from '../probe/row-values.ts';
import { dialectOf, resetAllConnectionsSql, type Dialect } from './dialect.ts';
import { describeConnections, readReplicaStatus, relayLogApplied, replicatesByCoordinates, type ReplicaStatusRead } from './replica-state.ts';
import { readSemiSyncSwitches, semiSyncMasterSwitch, semiSyncNames } from './semi-sync.ts';
import { invalidArgument, runStatement, stepError, type RecoveryStep } from './step-error.ts';

/** What promote() writes into baton_meta.promotion_epoch on the candidate. */
export interface PromotionEpoch {
  clusterId: string;
  /** The backend's cluster epoch the recovery holds (a non-negative integer); the row never goes down. */
  epoch: number;
  recoveryUid: string;
}

export interface PromoteOptions {
  /** MySQL: also clear super_read_only, and set it again when a failure makes the candidate read-only (MariaDB has none). */
  useSuperReadOnly: boolean;
  /** Enable the semi-sync master side before read_only=0; `timeoutMs` sets rpl_semi_sync_master_timeout. */
  semiSync?: boolean | { timeoutMs?: number };
  /** Timeout of each statement. Default: the connection's query timeout. */
  statementTimeoutMs?: number;
  /**
   * The position the candidate was chosen for (MariaDB gtid_binlog_pos style "d-s-n,…", MySQL GTID
   * set): once its replication is cleared, its own position (MariaDB gtid_binlog_pos, MySQL
   * gtid_executed) must still hold it, or it is not made writable. Unchecked when absent or ''.
   */
  expectedPosition?: string;
  /** Written into baton_meta.promotion_epoch while the candidate is still read-only. */
  epoch?: PromotionEpoch;
  /**
   * Runs after replication is cleared and verified and the epoch is written, before read_only=0
   * (the last moment a promotion can still be refused without a writable server): the caller's
   * re-check that nobody else is writable and that its term still holds. A throw leaves the
   * candidate read-only.
   */
  beforeWritable?: () => Promise<void>;
  /** Test-only: runs right after the replication connections are cleared, before they are verified. */
  afterClear?: () => Promise<void>;
  /** Test-only: runs right after read_only=0, before the final verification; a throw is a failure after read_only=0. */
  afterWritable?: () => Promise<void>;
}

/**
 * What promote() found. `restoredReadOnly`, `clearedConnections` and `promotionEpoch` are always
 * set by promote(); they are optional only so that results built before they existed (test
 * fakes) still type: read them with `?? null` / `?? []`.
 */
export interface PromoteResult {
  instance: string;
  flavour: 'mariadb' | 'mysql';
  /** read_only (and super_read_only) off, no replication left, semi-sync master on if asked, epoch written if asked. */
  verified: boolean;
  /** What failed verification, in words ([] when verified); a failed restore of read_only adds its line. */
  problems: string[];
  /** @@read_only as last read (after the restore, when there was one); null when not read. */
  readOnly: boolean | null;
  /** @@super_read_only as last read; null on MariaDB. */
  superReadOnly: boolean | null;
  /**
   * null: the candidate was not writable at any point of this call (a failure before read_only=0, or
   * success). true: it was, or may have been, writable and a failure set it back to read_only=1,
   * read back. false: setting it back failed or did not read back: it may be writable.
   */
  restoredReadOnly?: boolean | null;
  /** SHOW [ALL] SLAVE[S] STATUS returned no row at the last check. */
  replicationCleared: boolean;
  /** The connections reset (MariaDB Connection_name, '' the default one; MySQL channel names). */
  clearedConnections?: string[];
  /** null when semi-sync was not asked for (or not read: a failure before read_only=0). */
  semiSyncMasterEnabled: boolean | null;
  /** baton_meta.promotion_epoch's epoch as read back after read_only=0; null without `epoch` or when not read. */
  promotionEpoch?: number | null;
  /** The candidate's own position (MariaDB gtid_binlog_pos, MySQL gtid_executed), as last read ('' when not read). */
  position: string;
  /**
   * Its own position once replication was cleared, before anything of its own was written (the
   * epoch row): what it holds of the old primary's history, the base of the loss report.
   */
  positionBeforeWritable?: string;
  /** Nothing was reset: a file/position relay log was not applied (its transactions would have been deleted). */
  unappliedRelayLog?: boolean;
  elapsedMs: number;
}

type QueryTimeout = { timeoutMs?: number };

const step: RecoveryStep = 'promote';

/** Errnos of the epoch INSERT that mean "create the schema and table first": 1049 no database, 1146 no table. */
const missingEpochTable = new Set([1049, 1146]);

export async function promote(conn: InstanceConnection, options: PromoteOptions): Promise<PromoteResult> {
  const started = performance.now();
  const q: QueryTimeout = options.statementTimeoutMs === undefined ? {} : { timeoutMs: options.statementTimeoutMs };
  const d = await dialectOf(conn, step);
  const semi = options.semiSync ? (typeof options.semiSync === 'object' ? options.semiSync : {}) : null;
  if (semi?.timeoutMs !== undefined && !(Number.isInteger(semi.timeoutMs) && semi.timeoutMs >= 0)) {
    throw invalidArgument(step, conn.instance, `semi-sync timeoutMs must be a non-negative integer, got ${semi.timeoutMs}`);
  }
  const epochProblem = options.epoch ? invalidEpoch(options.epoch) : null;
  if (epochProblem) throw invalidArgument(step, conn.instance, epochProblem);
  const switches = semi || options.epoch ? await readSemiSyncSwitches(conn, step) : null;
  const names = semi ? await semiSyncNames(conn, step, switches ?? undefined) : null;
  const masterSwitch = switches ? semiSyncMasterSwitch(switches) : null;
  const superReadOnly = d.hasSuperReadOnly && options.useSuperReadOnly;
  const run = (label: string, sql: string, values: unknown[] = []): Promise<unknown> => runStatement(conn, step, label, () => conn.exec(sql, values, q));

  // 1. every replication connection
  await run(d.stopAllReplicas, d.stopAllReplicas);
  const before = await readReplicaStatus(conn, d, step);
  const unapplied = before.state && replicatesByCoordinates(d, before.state) && relayLogApplied(before.state) === false ? before.state : null;
  if (unapplied) {
    const { readCoordinates: r, execCoordinates: x } = unapplied;
    return {
      instance: conn.instance,
      flavour: d.flavour,
      verified: false,
      problems: [`its relay log is not applied (received up to ${r?.file}:${r?.pos}, applied up to ${x?.file}:${x?.pos}, file/position replication): not reset, those transactions are kept`],
      readOnly: null,
      superReadOnly: null,
      restoredReadOnly: null,
      replicationCleared: false,
      clearedConnections: [],
      semiSyncMasterEnabled: null,
      promotionEpoch: null,
      position: '',
      unappliedRelayLog: true,
      elapsedMs: performance.now() - started,
    };
  }
  const clearedConnections = before.connections.map((c) => c.name);
  for (const s of resetAllConnectionsSql(d, clearedConnections)) await run(s.label, s.sql, s.values);
  await options.afterClear?.();

  // 2. verified while nothing is writable
  const left = await readReplicaStatus(conn, d, step);
  const pre = await readState(conn, d, q, { semi: null, epoch: false });
  const preProblems = problemsBeforeWritable(d.flavour, left, pre.position, options.expectedPosition ?? '');
  // A candidate that already reads writable (a roll-forward, a misconfigured replica) is a writable root now.
  let mayBeWritable = pre.readOnly !== true;
  const base = { instance: conn.instance, flavour: d.flavour, clearedConnections, semiSyncMasterEnabled: null, promotionEpoch: null, positionBeforeWritable: pre.position };
  if (preProblems.length > 0) {
    const restore = mayBeWritable ? await reinstateReadOnly(conn, d, superReadOnly, q) : null;
    return {
      ...base,
      verified: false,
      problems: [...preProblems, ...(restore?.problem ? [restore.problem] : [])],
      readOnly: restore ? restore.readOnly : pre.readOnly,
      superReadOnly: restore ? restore.superReadOnly : pre.superReadOnly,
      restoredReadOnly: restore ? restore.restored : null,
      replicationCleared: left.rowCount === 0,
      position: pre.position,
      elapsedMs: performance.now() - started,
    };
  }

  // 3.–4. epoch, semi-sync, the caller's re-check: still read-only
  let superCleared = false;
  let semiOff = false;
  let semiOn = false;
  try {
    if (options.epoch) {
      if (d.hasSuperReadOnly) {
        await run('SET GLOBAL super_read_only', 'SET GLOBAL super_read_only = 0');
        superCleared = true;
      }
      if (masterSwitch?.on) {
        await run(`SET GLOBAL ${masterSwitch.name}`, `SET GLOBAL ${masterSwitch.name} = OFF`);
        semiOff = true;
      }
      await writeEpoch(conn, options.epoch, q);
    }
    if (names && semi) {
      if (semi.timeoutMs !== undefined) await run(`SET GLOBAL ${names.masterTimeout}`, `SET GLOBAL ${names.masterTimeout} = ?`, [semi.timeoutMs]);
      await run(`SET GLOBAL ${names.masterEnabled}`, `SET GLOBAL ${names.masterEnabled} = ON`);
      semiOn = true;
    } else if (semiOff && masterSwitch) {
      // not asked for, but it was on: left as found
      await run(`SET GLOBAL ${masterSwitch.name}`, `SET GLOBAL ${masterSwitch.name} = ON`);
      semiOn = true;
    }
    await options.beforeWritable?.();
  } catch (error) {
    // read-only first: with semi-sync on again, SET GLOBAL read_only could wait for unacknowledged commits
    const restored = mayBeWritable ? (await reinstateReadOnly(conn, d, superReadOnly, q)).restored : null;
    if (restored === null && superCleared && superReadOnly) await conn.exec('SET GLOBAL super_read_only = 1', [], q).catch(() => undefined);
    if (semiOff && !semiOn && masterSwitch) await conn.exec(`SET GLOBAL ${masterSwitch.name} = ON`, [], q).catch(() => undefined);
    throw restored === null ? error : withRestored(error, restored, conn.instance);
  }

  // 5. writable, verified, or read-only again
  let post: ServerState;
  let after: ReplicaStatusRead;
  try {
    mayBeWritable = true;
    if (superReadOnly && !superCleared) await run('SET GLOBAL super_read_only', 'SET GLOBAL super_read_only = 0');
    await run('SET GLOBAL read_only', 'SET GLOBAL read_only = 0');
    await options.afterWritable?.();
    // Read back, do not trust the statements.
    post = await readState(conn, d, q, { semi: names?.masterEnabled ?? null, epoch: options.epoch !== undefined });
    after = await readReplicaStatus(conn, d, step);
  } catch (error) {
    throw withRestored(error, (await reinstateReadOnly(conn, d, superReadOnly, q)).restored, conn.instance);
  }
  const problems = problemsAfterWritable(post, after, { superReadOnly, semiSwitch: names?.masterEnabled ?? null, epoch: options.epoch?.epoch ?? null });
  const result: PromoteResult = {
    ...base,
    verified: problems.length === 0,
    problems,
    readOnly: post.readOnly,
    superReadOnly: post.superReadOnly,
    restoredReadOnly: null,
    replicationCleared: after.rowCount === 0,
    semiSyncMasterEnabled: names ? post.semiSyncMasterEnabled : null,
    promotionEpoch: options.epoch ? post.promotionEpoch : null,
    position: post.position,
    elapsedMs: 0,
  };
  if (problems.length > 0) {
    const restore = await reinstateReadOnly(conn, d, superReadOnly, q);
    Object.assign(result, {
      problems: [...problems, ...(restore.problem ? [restore.problem] : [])],
      readOnly: restore.readOnly,
      superReadOnly: restore.superReadOnly,
      restoredReadOnly: restore.restored,
    });
  }
  result.elapsedMs = performance.now() - started;
  return result;
}

/** What keeps the candidate from being made writable: a connection left, or a position it lost (pure). */
function problemsBeforeWritable(flavour: 'mariadb' | 'mysql', left: ReplicaStatusRead, ownPosition: string, expected: string): string[] {
  const problems: string[] = [];
  if (left.rowCount > 0) problems.push(`replication still configured after the reset: ${describeConnections(left.connections)}`);
  if (expected !== '' && !positionHolds(flavour, ownPosition, expected)) {
    problems.push(`its own position ${ownPosition || '(empty)'} does not hold ${expected}, the position it was chosen for`);
  }
  return problems;
}

/** What the read-back after read_only=0 shows is not a verified primary (pure). */
function problemsAfterWritable(post: ServerState, after: ReplicaStatusRead, asked: { superReadOnly: boolean; semiSwitch: string | null; epoch: number | null }): string[] {
  const problems: string[] = [];
  if (post.readOnly !== false) problems.push(`read_only is ${post.raw.readOnly}`);
  if (asked.superReadOnly && post.superReadOnly !== false) problems.push(`super_read_only is ${post.raw.superReadOnly}`);
  if (after.rowCount > 0) problems.push(`replication configured again: ${describeConnections(after.connections)}`);
  if (asked.semiSwitch && post.semiSyncMasterEnabled !== true) problems.push(`${asked.semiSwitch} is ${post.raw.semi}`);
  if (asked.epoch !== null && !(post.promotionEpoch !== null && post.promotionEpoch >= asked.epoch)) {
    problems.push(`baton_meta.promotion_epoch reads epoch ${post.raw.epoch}, not at least ${asked.epoch}`);
  }
  return problems;
}

/** Why the epoch option cannot be written, or null. */
function invalidEpoch(e: PromotionEpoch): string | null {
  if (!Number.isSafeInteger(e.epoch) || e.epoch < 0) return `epoch must be a non-negative integer, got ${e.epoch}`;
  if (e.clusterId === '' || e.clusterId.length > 200) return 'epoch clusterId must have 1 to 200 characters';
  if (e.recoveryUid === '' || e.recoveryUid.length > 100) return 'epoch recoveryUid must have 1 to 100 characters';
  return null;
}

/** "host:port" → its parts (the last colon splits, so an IPv6 host keeps its own). */
function hostAndPort(instance: string): { host: string; port: number } {
  const at = instance.lastIndexOf(':');
  return { host: instance.slice(0, at), port: Number(instance.slice(at + 1)) };
}

/**
 * The epoch row, in one statement when the table exists (every promotion after the first one in a
 * cluster: the row replicated); the first time, the schema and table are created and it is retried.
 * Each is a write Baton's account may make while read_only=1.
 */
async function writeEpoch(conn: InstanceConnection, epoch: PromotionEpoch, q: QueryTimeout): Promise<void> {
  const { host, port } = hostAndPort(conn.instance);
  const values = [epoch.clusterId, epoch.epoch, host, port, epoch.recoveryUid];
  const label = 'INSERT INTO baton_meta.promotion_epoch';
  try {
    await conn.exec(upsertPromotionEpochSql, values, q);
    return;
  } catch (error) {
    const errno = (error as { errno?: unknown }).errno;
    if (conn.closed || typeof errno !== 'number' || !missingEpochTable.has(errno)) throw stepError(error, step, conn.instance, label);
  }
  await runStatement(conn, step, 'CREATE DATABASE IF NOT EXISTS baton_meta', () => conn.exec(createPromotionEpochSchemaSql, [], q));
  await runStatement(conn, step, 'CREATE TABLE IF NOT EXISTS baton_meta.promotion_epoch', () => conn.exec(createPromotionEpochTableSql, [], q));
  await runStatement(conn, step, label, () => conn.exec(upsertPromotionEpochSql, values, q));
}

interface ServerState {
  readOnly: boolean | null;
  superReadOnly: boolean | null;
  semiSyncMasterEnabled: boolean | null;
  promotionEpoch: number | null;
  position: string;
  /** The values as read, for problem lines. */
  raw: { readOnly: string; superReadOnly: string; semi: string; epoch: string };
}

/**
 * read_only, super_read_only (MySQL), the own position and, when asked, the semi-sync master switch
 * and the epoch row: one SELECT (the epoch as a subquery, only once the table exists).
 */
async function readState(conn: InstanceConnection, d: Dialect, q: QueryTimeout, what: { semi: string | null; epoch: boolean }): Promise<ServerState> {
  const columns = ['@@GLOBAL.read_only AS ro'];
  if (d.hasSuperReadOnly) columns.push('@@GLOBAL.super_read_only AS sro');
  if (what.semi) columns.push(`@@GLOBAL.${what.semi} AS semi`);
  if (what.epoch) columns.push(`(${promotionEpochSql}) AS epoch`);
  columns.push(d.flavour === 'mariadb' ? '@@GLOBAL.gtid_binlog_pos AS pos' : '@@GLOBAL.gtid_executed AS pos');
  const [row] = await runStatement(conn, step, 'SELECT @@read_only', () => conn.query<Row>(`SELECT ${columns.join(', ')}`, [], q));
  return {
    readOnly: flagOrNull(row?.['ro']),
    superReadOnly: d.hasSuperReadOnly ? flagOrNull(row?.['sro']) : null,
    semiSyncMasterEnabled: what.semi ? flagOrNull(row?.['semi']) : null,
    promotionEpoch: what.epoch ? integerOrNull(row?.['epoch']) : null,
    position: compactGtid(text(row?.['pos'])),
    raw: { readOnly: String(row?.['ro']), superReadOnly: String(row?.['sro']), semi: String(row?.['semi']), epoch: String(row?.['epoch']) },
  };
}

interface Reinstated {
  restored: boolean;
  readOnly: boolean | null;
  superReadOnly: boolean | null;
  /** Why it could not be set back (null when restored). */
  problem: string | null;
}

/**
 * read_only=1 again (super_read_only=1, which implies it, on MySQL with useSuperReadOnly), read back.
 * Never throws: on a connection that is gone (a statement timed out) it is not restored.
 */
async function reinstateReadOnly(conn: InstanceConnection, d: Dialect, superReadOnly: boolean, q: QueryTimeout): Promise<Reinstated> {
  const failed = (why: string): Reinstated => ({ restored: false, readOnly: null, superReadOnly: null, problem: `read_only could not be set back to 1: ${why}` });
  if (conn.closed) return failed('the connection is gone');
  try {
    await conn.exec(superReadOnly ? 'SET GLOBAL super_read_only = 1' : 'SET GLOBAL read_only = 1', [], q);
    const columns = d.hasSuperReadOnly ? '@@GLOBAL.read_only AS ro, @@GLOBAL.super_read_only AS sro' : '@@GLOBAL.read_only AS ro';
    const [row] = await conn.query<Row>(`SELECT ${columns}`, [], q);
    const readOnly = flagOrNull(row?.['ro']);
    const sro = d.hasSuperReadOnly ? flagOrNull(row?.['sro']) : null;
    const restored = readOnly === true && (!superReadOnly || sro === true);
    return { restored, readOnly, superReadOnly: sro, problem: restored ? null : `read_only could not be set back to 1: it reads ${String(row?.['ro'])}` };
  } catch (error) {
    return failed((error as Error).message ?? String(error));
  }
}

/** The error with `restoredReadOnly` on it (a RecoveryStepError for a statement; the caller's own error, e.g. from beforeWritable, otherwise). */
function withRestored(error: unknown, restoredReadOnly: boolean, instance: string): unknown {
  const e = error instanceof Error ? error : stepError(error, step, instance);
  try {
    Object.assign(e, { restoredReadOnly });
  } catch {
    // a frozen error: the caller reads the server instead
  }
  return e;
}
