/**
 * Step 1 of a dead-primary failover, run on every surviving replica (in parallel, by the caller):
 * stop fetching from the dead primary and let the SQL thread apply everything already received,
 * then stop replication and read where the replica stands. Orchestrator's "nice stop"
 * (orchestrator-behaviour §3.1 step 3), GTID edition:
 *
 *   STOP SLAVE IO_THREAD
 *   SHOW [ALL] SLAVE[S] STATUS            Gtid_IO_Pos (MariaDB) / Retrieved_Gtid_Set (MySQL)
 *   START SLAVE SQL_THREAD                 harmless when it runs; restarts one that was stopped
 *   MASTER_GTID_WAIT(Gtid_IO_Pos, ...)     / WAIT_FOR_EXECUTED_GTID_SET(Retrieved_Gtid_Set, ...)
 *   STOP SLAVE
 *   SHOW [ALL] SLAVE[S] STATUS + GTID positions
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
import { readGtidPosition, readReplicaStatus, waitForPosition, type GtidPosition, type WaitOutcome } from './replica-state.ts';
import { runStatement } from './step-error.ts';

export interface DrainOptions {
  /** Bound of the wait for the SQL thread (not of each statement). */
  timeoutMs: number;
  /** Timeout of each other statement. Default: the connection's query timeout. */
  statementTimeoutMs?: number;
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
  /** What the IO thread had received when it was stopped (Gtid_IO_Pos / Retrieved_Gtid_Set). */
  gtidIoPos: string;
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
  if (before.state) {
    await runStatement(conn, step, d.stopIoThread, () => conn.exec(d.stopIoThread, [], q));
    const received = await readReplicaStatus(conn, d, step);
    gtidIoPos = received.state?.gtidIoPos ?? '';
    await runStatement(conn, step, d.startSqlThread, () => conn.exec(d.startSqlThread, [], q));
    const waited = await waitForPosition(conn, d, step, gtidIoPos, { timeoutMs: options.timeoutMs });
    waitOutcome = waited.outcome;
    await runStatement(conn, step, d.stopReplica, () => conn.exec(d.stopReplica, [], q));
  }
  const after = before.state ? await readReplicaStatus(conn, d, step) : before;
  const gtid = await readGtidPosition(conn, step);
  return {
    instance: conn.instance,
    flavour: d.flavour,
    drained: waitOutcome === 'reached',
    waitOutcome,
    position: gtid.position,
    gtid,
    gtidIoPos,
    readCoords: after.state?.readCoordinates ?? null,
    execCoords: after.state?.execCoordinates ?? null,
    replication: after.state,
    before: before.state,
    elapsedMs: performance.now() - started,
  };
}
