/**
 * Semi-sync switches by name: rpl_semi_sync_master_* / rpl_semi_sync_slave_* (MariaDB, built in
 * since 10.3; MySQL's semisync_master/semisync_slave plugins) or rpl_semi_sync_source_* /
 * rpl_semi_sync_replica_* (MySQL >= 8.0.26 semisync_source/semisync_replica plugins).
 * Which exist is read from the server (one round trip); none ⇒ BATON_RECOVERY_UNSUPPORTED.
 */
import type { InstanceConnection, Row } from '../instance-connection.ts';
import { flagOrNull, nameValueMap } from '../probe/row-values.ts';
import { dialectOf } from './dialect.ts';
import { readReplicaStatus } from './replica-state.ts';
import { RecoveryStepError, recoveryErrorCodes, runStatement, type RecoveryStep } from './step-error.ts';

export interface SemiSyncNames {
  /** rpl_semi_sync_master_enabled or rpl_semi_sync_source_enabled */
  masterEnabled: string;
  masterTimeout: string;
  /** rpl_semi_sync_slave_enabled or rpl_semi_sync_replica_enabled */
  replicaEnabled: string;
}

const sql =
  "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('rpl_semi_sync_master_enabled', 'rpl_semi_sync_source_enabled', 'rpl_semi_sync_slave_enabled', 'rpl_semi_sync_replica_enabled')";

/** The semi-sync *_enabled variables that exist on the server, name (lower case) → value (one round trip). */
export async function readSemiSyncSwitches(conn: InstanceConnection, step: RecoveryStep): Promise<ReadonlyMap<string, string>> {
  return nameValueMap(await runStatement(conn, step, 'SHOW GLOBAL VARIABLES', () => conn.query<Row>(sql)));
}

/** The master-side switch that exists and whether it is ON; null without a semi-sync master plugin. */
export function semiSyncMasterSwitch(vars: ReadonlyMap<string, string>): { name: string; on: boolean } | null {
  const name = vars.has('rpl_semi_sync_source_enabled') ? 'rpl_semi_sync_source_enabled' : vars.has('rpl_semi_sync_master_enabled') ? 'rpl_semi_sync_master_enabled' : null;
  return name ? { name, on: flagOrNull(vars.get(name)) === true } : null;
}

export async function semiSyncNames(conn: InstanceConnection, step: RecoveryStep, known?: ReadonlyMap<string, string>): Promise<SemiSyncNames> {
  const vars = known ?? (await readSemiSyncSwitches(conn, step));
  const master = vars.has('rpl_semi_sync_source_enabled') ? 'source' : vars.has('rpl_semi_sync_master_enabled') ? 'master' : null;
  const replica = vars.has('rpl_semi_sync_replica_enabled') ? 'replica' : vars.has('rpl_semi_sync_slave_enabled') ? 'slave' : null;
  if (!master || !replica) {
    throw new RecoveryStepError(recoveryErrorCodes.unsupported, `${step}: semi-sync is not available on ${conn.instance} (plugin not loaded)`, {
      step,
      instance: conn.instance,
    });
  }
  return {
    masterEnabled: `rpl_semi_sync_${master}_enabled`,
    masterTimeout: `rpl_semi_sync_${master}_timeout`,
    replicaEnabled: `rpl_semi_sync_${replica}_enabled`,
  };
}

/**
 * A locked semi-sync primary's remedy on one replica: its replica side switched ON (or OFF) and
 * its IO thread restarted, since the switch takes effect when the IO thread connects — only when
 * it was running: a replica stopped on purpose (maintenance, a backup) stays stopped. Nothing else
 * of its replication changes (no CHANGE MASTER; the SQL thread goes on).
 */
export async function switchSemiSyncReplica(conn: InstanceConnection, on: boolean, options: { statementTimeoutMs?: number } = {}): Promise<void> {
  const step: RecoveryStep = 'semi-sync';
  const q = options.statementTimeoutMs === undefined ? {} : { timeoutMs: options.statementTimeoutMs };
  const names = await semiSyncNames(conn, step);
  const d = await dialectOf(conn, step);
  await runStatement(conn, step, `SET GLOBAL ${names.replicaEnabled}`, () => conn.exec(`SET GLOBAL ${names.replicaEnabled} = ${on ? 'ON' : 'OFF'}`, [], q));
  const { state } = await readReplicaStatus(conn, d, step);
  if (!state || state.ioThread === 'No') return;
  await runStatement(conn, step, d.stopIoThread, () => conn.exec(d.stopIoThread, [], q));
  const start = d.startReplica.replace(/^START (SLAVE|REPLICA)$/, 'START $1 IO_THREAD');
  await runStatement(conn, step, start, () => conn.exec(start, [], q));
}

/** The primary's semi-sync clients (Rpl_semi_sync_master_clients, or the source_ name): replicas acknowledging now. */
export async function readSemiSyncClients(conn: InstanceConnection, options: { statementTimeoutMs?: number } = {}): Promise<number> {
  const q = options.statementTimeoutMs === undefined ? {} : { timeoutMs: options.statementTimeoutMs };
  const rows = await runStatement(conn, 'semi-sync', 'SHOW GLOBAL STATUS', () =>
    conn.query<Row>("SHOW GLOBAL STATUS WHERE Variable_name IN ('Rpl_semi_sync_master_clients', 'Rpl_semi_sync_source_clients')", [], q),
  );
  const found = [...nameValueMap(rows).values()].map(Number).filter((n) => Number.isFinite(n));
  return found.length > 0 ? Math.max(...found) : 0;
}
