/**
 * Step 1 of a dead-primary failover, run on every surviving replica (in parallel, by the caller):
 * stop fetching from the dead primary and let the SQL thread apply everything already received,
 * then stop replication and read where the replica stands. Orchestrator's "nice stop"
 * (orchestrator-behaviour §3.1 step 3), GTID edition:
 *
 *   [START SLAVE SQL_THREAD]               only when it is stopped: first, while the IO thread still runs
 *   [KILL <its IO thread>]                 MariaDB, source unresponsive (see DrainOptions)
 *   STOP SLAVE IO_THREAD
 *   SHOW [ALL] SLAVE[S] STATUS            Gtid_IO_Pos (MariaDB) / Retrieved_Gtid_Set (MySQL)
 *   START SLAVE SQL_THREAD                 harmless when it runs; restarts one that was stopped
 *   MASTER_GTID_WAIT(Gtid_IO_Pos, ...)     / WAIT_FOR_EXECUTED_GTID_SET(Retrieved_Gtid_Set, ...)
 *   STOP SLAVE
 *   SHOW [ALL] SLAVE[S] STATUS + GTID positions
 *
 * A MariaDB replica on file/position replication (Using_Gtid=No) keeps no received-GTID position (MariaDB's Gtid_IO_Pos is stale in that mode: waiting on it returns at
 * once with the relay log unapplied). It is drained by coordinates instead: MASTER_POS_WAIT /
 * SOURCE_POS_WAIT up to the Master_Log_File:Read_Master_Log_Pos read after STOP SLAVE IO_THREAD,
 * and it counts as drained only when, replication stopped, Exec_Master_Log_Pos reads equal to
 * Read_Master_Log_Pos. Its applied GTIDs (gtid_slave_pos) are maintained in either mode, so it is
 * compared with the others, and later moved by GTID, like any replica.
 *
 * `drained` is false when the wait timed out or the SQL thread stopped (an apply error): the
 * position is then what was applied, not what was received, and the caller decides whether
 * such a replica may still be promoted. Errors (statement failures) throw RecoveryStepError;
 * replication is stopped whenever the statements got that far. An instance with no replication
 * configured has nothing to drain: `drained` true, `replication` null, only positions read.
 * `timeoutMs` bounds the wait; every other statement has the statement timeout.
 */
import { performance } from 'node:perf_hooks';
import type { BinlogCoordinates, ReplicationState } from '@baton/contracts';
import type { InstanceConnection } from '../instance-connection.ts';
import { dialectOf } from './dialect.ts';
import { readGtidPosition, readReplicaStatus, relayLogApplied, replicatesByCoordinates, waitForPosition, type GtidPosition, type WaitOutcome } from './replica-state.ts';
import { runStatement } from './step-error.ts';

export interface DrainOptions {
  /** Bound of the wait for the SQL thread (not of each statement). */
  timeoutMs: number;
  /** Timeout of each other statement. Default: the connection's query timeout. */
  statementTimeoutMs?: number;
  /**
   * The source does not answer (hung or cut off): on MariaDB, STOP SLAVE IO_THREAD then waits about
   * 2 s for an IO thread blocked reading from it, so its connection is killed first (KILL ends the
   * blocked read at once; the STOP that follows finds it stopped). Only with a single replication
   * connection: the process list does not say which IO thread serves which connection.
   */
  sourceUnresponsive?: boolean;
}

/** MariaDB's replication IO threads in the process list. */
const ioThreadsSql = "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE COMMAND = 'Slave_IO'";
const noSuchThreadErrno = 1094;

async function killIoThread(conn: InstanceConnection, step: 'drain', q: { timeoutMs?: number }): Promise<void> {
  const rows = await runStatement(conn, step, ioThreadsSql, () => conn.query(ioThreadsSql, [], q));
  if (rows.length !== 1) return;
  const id = Number(rows[0]?.['id']);
  const kill = `KILL ${id}`;
  await runStatement(conn, step, kill, async () => {
    try {
      await conn.exec(kill, [], q);
    } catch (error) {
      // 1094 ER_NO_SUCH_THREAD: it ended between the list and the KILL (it gave up by itself)
      if ((error as { errno?: unknown }).errno !== noSuchThreadErrno) throw error;
    }
  });
  // A STOP that arrives while the killed thread is still on its way out waits the same 2 s: let it go
  // first (it leaves within milliseconds; bounded, the STOP is correct either way).
  const gone = `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ${id}`;
  for (let i = 0; i < 40; i++) {
    const [row] = await runStatement(conn, step, gone, () => conn.query(gone, [], q));
    if (Number(row?.['n']) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface DrainResult {
  instance: string;
  flavour: 'mariadb' | 'mysql';
  /** Everything received was applied before replication stopped. */
  drained: boolean;
  waitOutcome: WaitOutcome;
  /** What replication applied: MariaDB gtid_slave_pos, MySQL gtid_executed (compare replicas by this). */
  position: string;
  /** All positions (MariaDB: slave, current, binlog). */
  gtid: GtidPosition;
  /** What the IO thread had received when it was stopped (Gtid_IO_Pos / Retrieved_Gtid_Set; '' when drained by coordinates). */
  gtidIoPos: string;
  /** How the wait was measured: received GTIDs, or the source's coordinates (file/position replication). */
  mode: 'gtid' | 'coordinates';
  /** Coordinates mode: what the IO thread had received when it was stopped (the wait's target). */
  receivedCoords: BinlogCoordinates | null;
  readCoords: BinlogCoordinates | null;
  execCoords: BinlogCoordinates | null;
  /** The state after STOP SLAVE (null: the instance had no replication configured). */
  replication: ReplicationState | null;
  /** The state before anything was stopped. */
  before: ReplicationState | null;
  elapsedMs: number;
}

export async function stopReplicaAndDrain(conn: InstanceConnection, options: DrainOptions): Promise<DrainResult> {
  const started = performance.now();
  const step = 'drain';
  const q = options.statementTimeoutMs === undefined ? {} : { timeoutMs: options.statementTimeoutMs };
  const d = await dialectOf(conn, step);
  const before = await readReplicaStatus(conn, d, step);

  let waitOutcome: WaitOutcome = 'reached';
  let gtidIoPos = '';
  let receivedCoords: BinlogCoordinates | null = null;
  const byCoordinates = before.state !== null && replicatesByCoordinates(d, before.state);
  if (before.state) {
    // A stopped SQL thread is started BEFORE the IO thread is stopped: MariaDB (GTID replication)
    // discards the relay log when the SQL thread starts while both threads are stopped — it restarts
    // from gtid_slave_pos — and the received-but-unapplied transactions would be gone.
    if (before.state.sqlThread !== 'Yes') await runStatement(conn, step, d.startSqlThread, () => conn.exec(d.startSqlThread, [], q));
    if (options.sourceUnresponsive && d.flavour === 'mariadb' && before.state.ioThread === 'Yes') await killIoThread(conn, step, q);
    await runStatement(conn, step, d.stopIoThread, () => conn.exec(d.stopIoThread, [], q));
    const received = await readReplicaStatus(conn, d, step);
    receivedCoords = byCoordinates ? (received.state?.readCoordinates ?? null) : null;
    gtidIoPos = byCoordinates ? '' : (received.state?.gtidIoPos ?? '');
    await runStatement(conn, step, d.startSqlThread, () => conn.exec(d.startSqlThread, [], q));
    if (byCoordinates && !receivedCoords) {
      waitOutcome = 'timeout'; // nothing to wait for that could be checked: never counted as drained
    } else {
      const waited = await waitForPosition(conn, d, step, receivedCoords ?? gtidIoPos, { timeoutMs: options.timeoutMs });
      waitOutcome = waited.outcome;
    }
    await runStatement(conn, step, d.stopReplica, () => conn.exec(d.stopReplica, [], q));
  }
  const after = before.state ? await readReplicaStatus(conn, d, step) : before;
  const gtid = await readGtidPosition(conn, step);
  // by coordinates, the relay log must read applied once stopped (a wait answered early proves nothing)
  const applied = !byCoordinates || (after.state !== null && relayLogApplied(after.state) === true);
  return {
    instance: conn.instance,
    flavour: d.flavour,
    drained: waitOutcome === 'reached' && applied,
    waitOutcome: waitOutcome === 'reached' && !applied ? 'timeout' : waitOutcome,
    position: gtid.position,
    gtid,
    gtidIoPos,
    mode: byCoordinates ? 'coordinates' : 'gtid',
    receivedCoords,
    readCoords: after.state?.readCoordinates ?? null,
    execCoords: after.state?.execCoordinates ?? null,
    replication: after.state,
    before: before.state,
    elapsedMs: performance.now() - started,
  };
}
