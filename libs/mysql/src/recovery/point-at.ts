/**
 * The shared core of catch-up and repoint: STOP SLAVE; CHANGE MASTER TO the new source with GTID
 * positioning (MariaDB MASTER_USE_GTID = slave_pos, MySQL auto-position); [semi-sync replica
 * switch]; START SLAVE. The password travels as a bound value and is scrubbed from any error.
 */
import type { InstanceKey } from '@baton/contracts';
import type { InstanceConnection, QueryOptions } from '../instance-connection.ts';
import { changeSourceSql, type Dialect } from './dialect.ts';
import { readReplicaStatus } from './replica-state.ts';
import { readSemiSyncSwitches, semiSyncMasterSwitch, semiSyncNames } from './semi-sync.ts';
import { invalidArgument, runStatement, type RecoveryStep } from './step-error.ts';

export interface ReplicationCredentials {
  replicationUser: string;
  replicationPassword: string;
}

export interface PointAtOptions extends ReplicationCredentials {
  /** MASTER_CONNECT_RETRY. Default 1 (infra-notes §3: a dead source is noticed within a second). */
  connectRetrySeconds?: number;
  /** true/false switches the replica side of semi-sync before START SLAVE; undefined leaves it. */
  semiSyncReplica?: boolean;
  statementTimeoutMs?: number;
  /**
   * MariaDB's MASTER_USE_GTID: slave_pos (default: what a replica applied) or current_pos (a former
   * primary rejoining: its own transactions are in its binlog, its gtid_slave_pos is empty or stale).
   */
  mariadbUseGtid?: 'slave_pos' | 'current_pos';
  /**
   * A former primary becoming a replica: a semi-sync master side left ON is switched OFF before
   * START SLAVE (with log_slave_updates, every transaction its SQL thread commits would wait
   * rpl_semi_sync_master_timeout for an acknowledgement nobody sends, and a STOP SLAVE waits behind
   * it), and its replica side switched ON instead (it acknowledges its new source like the
   * other replicas of a semi-sync cluster).
   */
  formerPrimary?: boolean;
}

export function validateSource(step: RecoveryStep, instance: string, source: InstanceKey, connectRetrySeconds: number): void {
  if (typeof source.host !== 'string' || source.host.length === 0 || source.host.length > 255) {
    throw invalidArgument(step, instance, `source host must be 1-255 characters, got ${JSON.stringify(source.host)}`);
  }
  if (!Number.isInteger(source.port) || source.port < 1 || source.port > 65535) {
    throw invalidArgument(step, instance, `source port must be an integer 1-65535, got ${source.port}`);
  }
  if (!Number.isInteger(connectRetrySeconds) || connectRetrySeconds < 1) {
    throw invalidArgument(step, instance, `connectRetrySeconds must be a positive integer, got ${connectRetrySeconds}`);
  }
}

/** Returns the source that was configured before ('' host when none). */
export async function pointAt(
  conn: InstanceConnection,
  d: Dialect,
  step: RecoveryStep,
  source: InstanceKey,
  options: PointAtOptions,
): Promise<InstanceKey | null> {
  const connectRetrySeconds = options.connectRetrySeconds ?? 1;
  validateSource(step, conn.instance, source, connectRetrySeconds);
  const q: QueryOptions = options.statementTimeoutMs === undefined ? {} : { timeoutMs: options.statementTimeoutMs };
  const previous = (await readReplicaStatus(conn, d, step)).state;
  const switches = options.formerPrimary ? await readSemiSyncSwitches(conn, step) : null;
  const masterSide = switches ? semiSyncMasterSwitch(switches) : null;
  const demoteSemiSync = masterSide?.on === true;
  const semiSyncReplica = options.semiSyncReplica ?? (demoteSemiSync ? true : undefined);
  const names = semiSyncReplica === undefined ? null : await semiSyncNames(conn, step, switches ?? undefined);

  await runStatement(conn, step, d.stopReplica, () => conn.exec(d.stopReplica, [], q));
  if (demoteSemiSync && masterSide) {
    await runStatement(conn, step, `SET GLOBAL ${masterSide.name}`, () => conn.exec(`SET GLOBAL ${masterSide.name} = OFF`, [], q));
  }
  if (names) {
    const value = semiSyncReplica ? 'ON' : 'OFF';
    await runStatement(conn, step, `SET GLOBAL ${names.replicaEnabled}`, () => conn.exec(`SET GLOBAL ${names.replicaEnabled} = ${value}`, [], q));
  }
  const change = changeSourceSql(d, {
    host: source.host,
    port: source.port,
    user: options.replicationUser,
    password: options.replicationPassword,
    connectRetrySeconds,
    ...(options.mariadbUseGtid ? { mariadbUseGtid: options.mariadbUseGtid } : {}),
  });
  await runStatement(conn, step, d.changeSource, () => conn.exec(change.sql, change.values, q), [options.replicationPassword]);
  await runStatement(conn, step, d.startReplica, () => conn.exec(d.startReplica, [], q));
  return previous ? { host: previous.sourceHost, port: previous.sourcePort } : null;
}
