/**
 * The SQL of one probe. Statement names depend on flavour and version:
 *   MariaDB            SHOW MASTER STATUS, SHOW ALL SLAVES STATUS, SHOW SLAVE HOSTS
 *   MySQL < 8.0.22     SHOW MASTER STATUS, SHOW SLAVE STATUS,      SHOW SLAVE HOSTS
 *   MySQL >= 8.0.22    SHOW MASTER STATUS, SHOW REPLICA STATUS,    SHOW REPLICAS
 *   MySQL >= 8.2       SHOW BINARY LOG STATUS (SHOW MASTER STATUS is gone in 8.4)
 * MariaDB's SHOW ALL SLAVES STATUS is SHOW SLAVE STATUS plus Slave_heartbeat_period and
 * Gtid_Slave_Pos, with the same privilege (SLAVE MONITOR).
 */
import type { Flavour } from './map-identity.ts';
import { probedVariables } from './map-identity.ts';
import { probedStatus } from './map-semi-sync.ts';

const quoted = (names: readonly string[]): string => names.map((n) => `'${n}'`).join(', ');

/** Round trip 1: identity, settings, GTID and semi-sync variables. */
export const variablesSql = `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${quoted(probedVariables)})`;
/** Semi-sync state; skipped when semi-sync is disabled on both sides. */
export const semiSyncStatusSql = `SHOW GLOBAL STATUS WHERE Variable_name IN (${quoted(probedStatus)})`;
/**
 * MySQL's received-heartbeat count per channel (MariaDB reports it in SHOW ALL SLAVES STATUS).
 * Read only on a MySQL replica; performance_schema is on by default since 5.6.6.
 */
export const connectionStatusSql = 'SELECT CHANNEL_NAME, COUNT_RECEIVED_HEARTBEATS FROM performance_schema.replication_connection_status';
/** Replication threads serving replicas (needs PROCESS to see other users' threads). */
export const dumpThreadsSql = "SELECT HOST FROM information_schema.PROCESSLIST WHERE COMMAND IN ('Binlog Dump', 'Binlog Dump GTID')";

export interface FlavourStatements {
  binlogStatus: string;
  replicaStatus: string;
  replicaHosts: string;
}

/** [major, minor, patch] of "8.0.36-log", "10.11.19-MariaDB-0+deb12u1"; zeros when unparsable. */
export function versionTuple(version: string | null): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
}

function atLeast(v: [number, number, number], major: number, minor: number, patch: number): boolean {
  if (v[0] !== major) return v[0] > major;
  if (v[1] !== minor) return v[1] > minor;
  return v[2] >= patch;
}

export function statementsFor(flavour: Flavour, version: string | null): FlavourStatements {
  if (flavour === 'mariadb') {
    return { binlogStatus: 'SHOW MASTER STATUS', replicaStatus: 'SHOW ALL SLAVES STATUS', replicaHosts: 'SHOW SLAVE HOSTS' };
  }
  const v = versionTuple(version);
  const newNames = atLeast(v, 8, 0, 22);
  return {
    binlogStatus: atLeast(v, 8, 2, 0) ? 'SHOW BINARY LOG STATUS' : 'SHOW MASTER STATUS',
    replicaStatus: newNames ? 'SHOW REPLICA STATUS' : 'SHOW SLAVE STATUS',
    replicaHosts: newNames ? 'SHOW REPLICAS' : 'SHOW SLAVE HOSTS',
  };
}
