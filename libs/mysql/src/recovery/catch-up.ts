/**
 * Step 2a (optional, before promote): the chosen candidate is behind another replica (it was
 * lagging, or another replica is preferred by rule but less advanced). Point it at the more
 * advanced replica, let it fetch and apply up to `targetPosition`, stop it again:
 *
 *   STOP SLAVE; CHANGE MASTER TO <source>, MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1;
 *   START SLAVE; MASTER_GTID_WAIT(targetPosition, ...) in slices; STOP SLAVE
 *
 * The source must log what it applied (log_slave_updates) so its binlog holds the GTIDs asked for.
 * `targetPosition` is the source's drained position (MariaDB gtid_slave_pos, MySQL gtid_executed).
 * The wait gives up early when the IO thread stops (e.g. 1236: the source lacks the GTIDs) or
 * the SQL thread stops (an apply error). Replication is stopped again in every case the
 * statements allow; promote() then clears it.
 */
import { performance } from 'node:perf_hooks';
import type { InstanceKey, ReplicationState } from '@baton/contracts';
import type { InstanceConnection } from '../instance-connection.ts';
import { dialectOf } from './dialect.ts';
import { pointAt, type ReplicationCredentials } from './point-at.ts';
import { readGtidPosition, readReplicaStatus, waitForPosition, type WaitOutcome, type WaitResult } from './replica-state.ts';
import { runStatement } from './step-error.ts';

export interface CatchUpOptions extends ReplicationCredentials {
  targetPosition: string;
  /** Bound of the wait for the target position. */
  timeoutMs: number;
  connectRetrySeconds?: number;
  statementTimeoutMs?: number;
}

export interface CatchUpResult {
  instance: string;
  caughtUp: boolean;
  waitOutcome: WaitOutcome;
  /** The position after catching up (MariaDB gtid_slave_pos, MySQL gtid_executed). */
  position: string;
  /** The state when the wait ended (while replication still ran), null when reached. */
  stateAtEnd: ReplicationState | null;
  previousSource: InstanceKey | null;
  elapsedMs: number;
}

export async function catchUpFrom(conn: InstanceConnection, source: InstanceKey, options: CatchUpOptions): Promise<CatchUpResult> {
  const started = performance.now();
  const step = 'catch-up';
  const d = await dialectOf(conn, step);
  const q = options.statementTimeoutMs === undefined ? {} : { timeoutMs: options.statementTimeoutMs };
  const previousSource = await pointAt(conn, d, step, source, {
    replicationUser: options.replicationUser,
    replicationPassword: options.replicationPassword,
    ...(options.connectRetrySeconds === undefined ? {} : { connectRetrySeconds: options.connectRetrySeconds }),
    ...(options.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: options.statementTimeoutMs }),
  });
  let waited: WaitResult;
  try {
    waited = await waitForPosition(conn, d, step, options.targetPosition, { timeoutMs: options.timeoutMs, watchIoThread: true });
  } catch (error) {
    // Best effort: the candidate must not keep replicating from a replica. The wait's error wins.
    if (!conn.closed) await conn.exec(d.stopReplica, [], q).catch(() => undefined);
    throw error;
  }
  await runStatement(conn, step, d.stopReplica, () => conn.exec(d.stopReplica, [], q));
  const stateAtEnd = waited.outcome === 'reached' ? null : (waited.state ?? (await readReplicaStatus(conn, d, step)).state);
  const gtid = await readGtidPosition(conn, step);
  return {
    instance: conn.instance,
    caughtUp: waited.outcome === 'reached',
    waitOutcome: waited.outcome,
    position: gtid.position,
    stateAtEnd,
    previousSource,
    elapsedMs: performance.now() - started,
  };
}
