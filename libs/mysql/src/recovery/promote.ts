/**
 * Step 2: turn the chosen replica into the primary, then check that it took effect.
 *
 *   STOP SLAVE; RESET SLAVE ALL                       (1198 otherwise: the slave must be stopped first)
 *   [SET GLOBAL rpl_semi_sync_master_timeout = ?]     semi-sync only
 *   [SET GLOBAL rpl_semi_sync_master_enabled = ON]    semi-sync only: before writes are let in
 *   (beforeWritable: the caller's last re-check; a throw leaves the server read-only)
 *   [SET GLOBAL super_read_only = 0]                  MySQL with useSuperReadOnly
 *   SET GLOBAL read_only = 0
 *   verify: @@read_only = 0 (and super_read_only = 0), SHOW [ALL] SLAVE[S] STATUS empty,
 *           semi-sync master enabled when asked
 *
 * Orchestrator marks the recovery successful before any of this runs and only audits its
 * failures (weakness W5). Here a statement failure throws, and the result says whether the
 * server really is a writable primary: the caller marks success only when `verified` is true.
 */
import { performance } from 'node:perf_hooks';
import type { InstanceConnection } from '../instance-connection.ts';
import { flagOrNull } from '../probe/row-values.ts';
import { dialectOf } from './dialect.ts';
import { readGtidPosition, readReplicaStatus } from './replica-state.ts';
import { semiSyncNames } from './semi-sync.ts';
import { invalidArgument, runStatement } from './step-error.ts';

export interface PromoteOptions {
  /** MySQL: also clear super_read_only (MariaDB has none; ignored there). */
  useSuperReadOnly: boolean;
  /** Enable the semi-sync master side before read_only=0; `timeoutMs` sets rpl_semi_sync_master_timeout. */
  semiSync?: boolean | { timeoutMs?: number };
  /** Timeout of each statement. Default: the connection's query timeout. */
  statementTimeoutMs?: number;
  /**
   * Runs after replication is reset and before read_only=0 (the last moment a promotion can
   * still be refused without a writable server): the caller's re-check that nobody else is
   * writable and that its term still holds. A throw leaves the candidate read-only.
   */
  beforeWritable?: () => Promise<void>;
}

export interface PromoteResult {
  instance: string;
  flavour: 'mariadb' | 'mysql';
  /** read_only (and super_read_only) off, no replication left, semi-sync master on if asked. */
  verified: boolean;
  /** What failed verification, in words ([] when verified). */
  problems: string[];
  readOnly: boolean | null;
  /** null on MariaDB. */
  superReadOnly: boolean | null;
  /** SHOW [ALL] SLAVE[S] STATUS returned no row. */
  replicationCleared: boolean;
  /** null when semi-sync was not asked for. */
  semiSyncMasterEnabled: boolean | null;
  /** The new primary's own position (MariaDB gtid_binlog_pos, MySQL gtid_executed). */
  position: string;
  elapsedMs: number;
}

export async function promote(conn: InstanceConnection, options: PromoteOptions): Promise<PromoteResult> {
  const started = performance.now();
  const step = 'promote';
  const q = options.statementTimeoutMs === undefined ? {} : { timeoutMs: options.statementTimeoutMs };
  const d = await dialectOf(conn, step);
  const semi = options.semiSync ? (typeof options.semiSync === 'object' ? options.semiSync : {}) : null;
  if (semi?.timeoutMs !== undefined && !(Number.isInteger(semi.timeoutMs) && semi.timeoutMs >= 0)) {
    throw invalidArgument(step, conn.instance, `semi-sync timeoutMs must be a non-negative integer, got ${semi.timeoutMs}`);
  }
  const names = semi ? await semiSyncNames(conn, step) : null;
  const superReadOnly = d.hasSuperReadOnly && options.useSuperReadOnly;

  await runStatement(conn, step, d.stopReplica, () => conn.exec(d.stopReplica, [], q));
  await runStatement(conn, step, d.resetReplicaAll, () => conn.exec(d.resetReplicaAll, [], q));
  if (names && semi) {
    if (semi.timeoutMs !== undefined) {
      const timeoutMs = semi.timeoutMs;
      await runStatement(conn, step, `SET GLOBAL ${names.masterTimeout}`, () => conn.exec(`SET GLOBAL ${names.masterTimeout} = ?`, [timeoutMs], q));
    }
    await runStatement(conn, step, `SET GLOBAL ${names.masterEnabled}`, () => conn.exec(`SET GLOBAL ${names.masterEnabled} = ON`, [], q));
  }
  await options.beforeWritable?.();
  if (superReadOnly) await runStatement(conn, step, 'SET GLOBAL super_read_only', () => conn.exec('SET GLOBAL super_read_only = 0', [], q));
  await runStatement(conn, step, 'SET GLOBAL read_only', () => conn.exec('SET GLOBAL read_only = 0', [], q));

  // Verification: read back, do not trust the statements.
  const columns = ['@@GLOBAL.read_only AS ro'];
  if (d.hasSuperReadOnly) columns.push('@@GLOBAL.super_read_only AS sro');
  if (names) columns.push(`@@GLOBAL.${names.masterEnabled} AS semi`);
  const [row] = await runStatement(conn, step, 'SELECT @@read_only', () => conn.query(`SELECT ${columns.join(', ')}`, [], q));
  const status = await readReplicaStatus(conn, d, step);
  const gtid = await readGtidPosition(conn, step);

  const readOnly = flagOrNull(row?.['ro']);
  const sro = d.hasSuperReadOnly ? flagOrNull(row?.['sro']) : null;
  const semiEnabled = names ? flagOrNull(row?.['semi']) : null;
  const problems: string[] = [];
  if (readOnly !== false) problems.push(`read_only is ${String(row?.['ro'])}`);
  if (superReadOnly && sro !== false) problems.push(`super_read_only is ${String(row?.['sro'])}`);
  if (status.rowCount > 0) problems.push(`replication still configured (${status.rowCount} connection(s), source ${status.state?.sourceHost}:${status.state?.sourcePort})`);
  if (names && semiEnabled !== true) problems.push(`${names.masterEnabled} is ${String(row?.['semi'])}`);
  return {
    instance: conn.instance,
    flavour: d.flavour,
    verified: problems.length === 0,
    problems,
    readOnly,
    superReadOnly: sro,
    replicationCleared: status.rowCount === 0,
    semiSyncMasterEnabled: semiEnabled,
    position: gtid.ownPosition,
    elapsedMs: performance.now() - started,
  };
}
