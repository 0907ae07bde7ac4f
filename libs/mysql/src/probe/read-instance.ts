/**
 * The I/O half of a probe: the statements of statements.ts, run one after the other on one
 * connection (each with the connection's per-query timeout). Round trips, steady state:
 *   1. SHOW GLOBAL VARIABLES WHERE Variable_name IN (...)   identity, settings, GTID, semi-sync settings
 *   2. SHOW MASTER STATUS                                    skipped when log_bin is OFF
 *   3. SHOW ALL SLAVES STATUS (MariaDB) / SHOW [SLAVE|REPLICA] STATUS
 *   3b. MySQL replicas only: performance_schema.replication_connection_status (received heartbeats;
 *      a failure there leaves the count unknown, it does not fail the probe)
 *   4. SHOW GLOBAL STATUS WHERE Variable_name IN (...)      skipped when semi-sync is off on both sides
 *   5. SHOW SLAVE HOSTS / SHOW REPLICAS
 *   6. SELECT HOST FROM information_schema.PROCESSLIST WHERE COMMAND IN ('Binlog Dump', 'Binlog Dump GTID')
 *   7. SELECT epoch FROM baton_meta.promotion_epoch WHERE id = 1   skipped on a binlog server
 * Any failure fails the whole read (orchestrator: the instance was not read); `progress` tells the
 * caller whether the first statement had answered by then. The one exception is the epoch read: a
 * server Baton never promoted has no baton_meta schema, and that (errno 1049/1146/1142) reads as
 * "no epoch" (promotion-epoch.ts). It is a primary-key lookup of one row: the statements are not
 * batched (one round trip each), and this one cannot be folded into another without failing it
 * where the table does not exist.
 */
import type { Logger } from '@baton/logging';
import type { InstanceConnection, Row } from '../instance-connection.ts';
import { flavourOf, mapIdentity } from './map-identity.ts';
import type { CompiledLocation, DetectedLocation, LocationField } from './location.ts';
import { firstColumn } from './location.ts';
import { mapProbeRows, type InstanceFacts, type ProbeRows } from './map-probe-rows.ts';
import { needsSemiSyncStatus } from './map-semi-sync.ts';
import { isNoEpochError, promotionEpochSql } from './promotion-epoch.ts';
import { flagOrNull, nameValueMap } from './row-values.ts';
import { connectionStatusSql, dumpThreadsSql, semiSyncStatusSql, statementsFor, variablesSql } from './statements.ts';

export interface ReadProgress {
  /** The first statement (identity) answered. */
  identityAnswered: boolean;
}

export async function readProbeRows(conn: InstanceConnection, progress: ReadProgress = { identityAnswered: false }): Promise<ProbeRows> {
  const variables = await conn.query<Row>(variablesSql);
  progress.identityAnswered = true;
  const vars = nameValueMap(variables);
  const flavour = flavourOf(vars.get('version'), vars.get('version_comment'));
  const statements = statementsFor(flavour, vars.get('version') ?? null);
  const binlogStatus = flagOrNull(vars.get('log_bin')) === false ? null : await conn.query<Row>(statements.binlogStatus);
  const replicaStatus = await conn.query<Row>(statements.replicaStatus);
  const connectionStatus = flavour === 'mysql' && replicaStatus.length > 0 ? await readConnectionStatus(conn) : null;
  const semiSyncStatus = needsSemiSyncStatus(vars) ? await conn.query<Row>(semiSyncStatusSql) : null;
  const replicaHosts = await conn.query<Row>(statements.replicaHosts);
  const dumpThreads = await conn.query<Row>(dumpThreadsSql);
  const promotionEpoch = mapIdentity(vars).isBinlogServer ? null : await readPromotionEpochRows(conn);
  return { variables, binlogStatus, replicaStatus, connectionStatus, semiSyncStatus, replicaHosts, dumpThreads, promotionEpoch };
}

/** The heartbeat counts; null when performance_schema cannot be read (off, or no privilege). A timeout still fails the read. */
async function readConnectionStatus(conn: InstanceConnection): Promise<Row[] | null> {
  try {
    return await conn.query<Row>(connectionStatusSql);
  } catch (error) {
    if (!conn.closed) return null;
    throw error;
  }
}

/** The epoch row(s); null when the schema or table is missing (not an error). A timeout or a lost connection still fails the read. */
async function readPromotionEpochRows(conn: InstanceConnection): Promise<Row[] | null> {
  try {
    return await conn.query<Row>(promotionEpochSql);
  } catch (error) {
    if (isNoEpochError(error) && !conn.closed) return null;
    throw error;
  }
}

/** readProbeRows + mapProbeRows. `port`: the port the instance is reached on. */
export async function readInstance(conn: InstanceConnection, port: number, progress?: ReadProgress): Promise<InstanceFacts> {
  return mapProbeRows(await readProbeRows(conn, progress), port);
}

/**
 * Runs the configured detect queries (one round trip each). A failing query is logged and leaves
 * that field out, so the caller keeps its previous answer (orchestrator logs and carries on too);
 * it never fails the probe. A query that timed out took the connection with it: the rest are skipped.
 */
export async function readDetectedLocation(conn: InstanceConnection, compiled: CompiledLocation, logger?: Logger): Promise<DetectedLocation> {
  const out: DetectedLocation = {};
  for (const [field, sql] of Object.entries(compiled.queries) as [LocationField, string][]) {
    try {
      out[field] = firstColumn(await conn.query<Row>(sql));
    } catch (err) {
      logger?.warn({ err, field }, 'location detect query failed');
      if (conn.closed) break;
    }
  }
  return out;
}
