/**
 * Reading the replication state and GTID positions of one instance, and waiting (bounded) until
 * it has applied a position. Shared by every step.
 *
 * Positions, by flavour:
 *   MariaDB  `position` = @@gtid_slave_pos: what replication applied. Candidates are compared by
 *            it, not by gtid_current_pos, which an errant local write inflates (infra-notes §4).
 *            `ownPosition` = @@gtid_binlog_pos: what this server's binlog holds (a new primary's
 *            position that its replicas wait for).
 *   MySQL    `position` = `ownPosition` = @@gtid_executed.
 */
import { performance } from 'node:perf_hooks';
import type { BinlogCoordinates, ReplicationState } from '@baton/contracts';
import type { InstanceConnection, Row } from '../instance-connection.ts';
import { compactGtid } from '../probe/map-identity.ts';
import { mapReplication } from '../probe/map-replication.ts';
import { integer, pick, text, type RowLike } from '../probe/row-values.ts';
import { dialectOf, type Dialect } from './dialect.ts';
import { runStatement, type RecoveryStep } from './step-error.ts';

export interface GtidPosition {
  flavour: 'mariadb' | 'mysql';
  /** What replicas are compared by: MariaDB gtid_slave_pos, MySQL gtid_executed. */
  position: string;
  /** What this server's own binlog holds: MariaDB gtid_binlog_pos, MySQL gtid_executed. */
  ownPosition: string;
  /** MariaDB's three positions (null on MySQL). gtid_current_pos != gtid_slave_pos hints at errant writes. */
  mariadb: { slavePos: string; currentPos: string; binlogPos: string } | null;
}

/** The instance's GTID positions (one round trip). */
export async function readGtidPosition(conn: InstanceConnection, step: RecoveryStep = 'read-position'): Promise<GtidPosition> {
  const d = await dialectOf(conn, step);
  if (d.flavour === 'mariadb') {
    const [row] = await runStatement(conn, step, 'SELECT @@gtid_slave_pos', () =>
      conn.query(
        'SELECT @@GLOBAL.gtid_slave_pos AS slavePos, @@GLOBAL.gtid_current_pos AS currentPos, @@GLOBAL.gtid_binlog_pos AS binlogPos',
      ),
    );
    const mariadb = {
      slavePos: compactGtid(text(row?.['slavePos'])),
      currentPos: compactGtid(text(row?.['currentPos'])),
      binlogPos: compactGtid(text(row?.['binlogPos'])),
    };
    return { flavour: 'mariadb', position: mariadb.slavePos, ownPosition: mariadb.binlogPos, mariadb };
  }
  const [row] = await runStatement(conn, step, 'SELECT @@gtid_executed', () => conn.query('SELECT @@GLOBAL.gtid_executed AS executed'));
  const executed = compactGtid(text(row?.['executed']));
  return { flavour: 'mysql', position: executed, ownPosition: executed, mariadb: null };
}

/** One replication connection as SHOW [ALL] SLAVE[S] STATUS / SHOW REPLICA STATUS lists it. */
export interface ReplicationConnection {
  /** MariaDB Connection_name, MySQL Channel_Name; '' is the default connection. */
  name: string;
  sourceHost: string;
  sourcePort: number;
}

export interface ReplicaStatusRead {
  /** The default connection's state; null when no replication is configured. */
  state: ReplicationState | null;
  /** Rows returned (MariaDB: every named connection too). */
  rowCount: number;
  /** Every connection (or channel) listed, in the server's order. */
  connections: ReplicationConnection[];
  /** MySQL's Retrieved_Gtid_Set ('' on MariaDB: Gtid_IO_Pos is in `state.gtidIoPos`). */
  retrievedGtidSet: string;
}

export async function readReplicaStatus(conn: InstanceConnection, d: Dialect, step: RecoveryStep): Promise<ReplicaStatusRead> {
  const rows = await runStatement(conn, step, d.replicaStatus, () => conn.query<Row>(d.replicaStatus));
  const state = mapReplication(rows);
  return { state, rowCount: rows.length, connections: replicationConnections(rows), retrievedGtidSet: d.flavour === 'mysql' ? (state?.gtidIoPos ?? '') : '' };
}

/** The connections of a replica-status answer (pure). */
export function replicationConnections(rows: readonly RowLike[]): ReplicationConnection[] {
  return rows.map((row) => ({
    name: text(pick(row, 'Connection_name', 'Channel_Name', 'Channel_name')),
    sourceHost: text(pick(row, 'Master_Host', 'Source_Host')),
    sourcePort: integer(pick(row, 'Master_Port', 'Source_Port')),
  }));
}

/** "'extra' (127.0.0.1:3307), '' (db1:3306)": connections in words, for a problem line. */
export function describeConnections(connections: readonly ReplicationConnection[]): string {
  return connections.map((c) => `'${c.name}' (${c.sourceHost}:${c.sourcePort})`).join(', ');
}

export type WaitOutcome = 'reached' | 'timeout' | 'sql-thread-stopped' | 'io-thread-stopped';

export interface WaitResult {
  outcome: WaitOutcome;
  /** The state read when the wait gave up early or timed out (null when reached). */
  state: ReplicationState | null;
  elapsedMs: number;
}

export interface WaitOptions {
  timeoutMs: number;
  /** Length of one server-side wait; between slices the threads are checked. Default 250 ms. */
  sliceMs?: number;
  /** Also give up when the IO thread has stopped (catch-up: it must fetch what is missing). */
  watchIoThread?: boolean;
  /** Extra time the statement gets over the server-side wait. Default 2000 ms. */
  statementMarginMs?: number;
}

/**
 * A MariaDB replica on file/position replication (Using_Gtid=No): its Gtid_IO_Pos is not kept up to
 * date in that mode (it still shows whatever it was when GTID replication last ran), so what it
 * received is known by the source's coordinates only; its applied GTIDs (gtid_slave_pos) are still
 * maintained by the SQL thread. MySQL keeps Retrieved_Gtid_Set whenever gtid_mode is ON, with or
 * without auto-positioning (and the planner refuses replicas without GTIDs), so it never needs this.
 */
export function replicatesByCoordinates(d: Dialect, state: ReplicationState): boolean {
  return d.flavour === 'mariadb' && state.usingGtid.toLowerCase() === 'no';
}

/** Both coordinates known and equal: the SQL thread applied everything the IO thread wrote to the relay log. */
export function relayLogApplied(state: ReplicationState): boolean | null {
  const r = state.readCoordinates;
  const x = state.execCoordinates;
  if (!r || !x) return null;
  return r.file === x.file && r.pos === x.pos;
}

/**
 * Waits until the SQL thread has applied `target`: a GTID position (MASTER_GTID_WAIT on MariaDB,
 * WAIT_FOR_EXECUTED_GTID_SET on MySQL) or source coordinates (MASTER_POS_WAIT / SOURCE_POS_WAIT,
 * for file/position replication), in slices: after a slice that did not reach it the replica
 * status is read, and a stopped SQL thread (or IO thread, when watched) ends the wait at once
 * instead of after the whole timeout. An empty position is reached at once.
 */
export async function waitForPosition(conn: InstanceConnection, d: Dialect, step: RecoveryStep, target: string | BinlogCoordinates, options: WaitOptions): Promise<WaitResult> {
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  const sliceMs = Math.max(10, options.sliceMs ?? 250);
  const margin = options.statementMarginMs ?? 2000;
  const byCoordinates = typeof target !== 'string';
  const label = byCoordinates ? d.positionWait.slice(7, d.positionWait.indexOf('(')) : d.flavour === 'mariadb' ? 'MASTER_GTID_WAIT' : 'WAIT_FOR_EXECUTED_GTID_SET';
  const sql = byCoordinates ? d.positionWait : d.flavour === 'mariadb' ? 'SELECT MASTER_GTID_WAIT(?, ?) AS r' : 'SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?) AS r';
  for (;;) {
    const remaining = options.timeoutMs - elapsed();
    const slice = Math.max(0, Math.min(sliceMs, remaining));
    const values = byCoordinates ? [target.file, target.pos, slice / 1000] : [target, slice / 1000];
    const [row] = await runStatement(conn, step, label, () => conn.query(sql, values, { timeoutMs: slice + margin }));
    const r = row?.['r'];
    // GTID waits answer 0 when reached; the coordinate waits the number of events waited for (>= 0), -1 on timeout
    if (r !== null && r !== undefined && (byCoordinates ? Number(r) >= 0 : Number(r) === 0)) return { outcome: 'reached', state: null, elapsedMs: elapsed() };
    const { state } = await readReplicaStatus(conn, d, step);
    if (!state || state.sqlThread !== 'Yes') return { outcome: 'sql-thread-stopped', state, elapsedMs: elapsed() };
    if (options.watchIoThread && state.ioThread === 'No') return { outcome: 'io-thread-stopped', state, elapsedMs: elapsed() };
    if (elapsed() >= options.timeoutMs) return { outcome: 'timeout', state, elapsedMs: elapsed() };
  }
}
