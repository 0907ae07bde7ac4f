/**
 * SHOW SLAVE STATUS / SHOW ALL SLAVES STATUS (MariaDB) / SHOW REPLICA STATUS (MySQL >= 8.0.22)
 * → ReplicationState. Column names are taken under their old and new spellings.
 * No row means no replication configured: null. With several connections (MariaDB multi-source,
 * MySQL channels) the default one (name '') is used, else the first; Baton, like orchestrator,
 * models one source per instance.
 */
import type { BinlogCoordinates, ReplicationState } from '@baton/contracts';
import { compactGtid } from './map-identity.ts';
import { flagOrNull, integer, integerOrNull, numberOrNull, pick, text, type RowLike } from './row-values.ts';

type IoThread = ReplicationState['ioThread'];

function ioThreadOf(value: unknown): IoThread {
  switch (text(value).trim().toLowerCase()) {
    case 'yes':
      return 'Yes';
    case 'connecting':
      return 'Connecting';
    case 'preparing':
      return 'Preparing';
    default:
      return 'No';
  }
}

function coordinates(file: unknown, pos: unknown): BinlogCoordinates | null {
  const name = text(file);
  if (!name) return null;
  return { file: name, pos: Math.max(0, integer(pos)) };
}

/** The default connection's row ('' name), else the first row; undefined when there is none. */
export function defaultConnectionRow(rows: readonly RowLike[]): RowLike | undefined {
  return rows.find((r) => text(pick(r, 'Connection_name', 'Channel_Name', 'Channel_name')) === '') ?? rows[0];
}

/**
 * `connectionStatus`: MySQL's performance_schema.replication_connection_status rows (the heartbeat
 * count lives there; MariaDB has it in the status row as Slave_received_heartbeats).
 */
export function mapReplication(rows: readonly RowLike[], connectionStatus: readonly RowLike[] | null = null): ReplicationState | null {
  const row = defaultConnectionRow(rows);
  if (!row) return null;
  const channel = text(pick(row, 'Channel_Name', 'Channel_name'));
  const status = connectionStatus?.find((r) => text(pick(r, 'CHANNEL_NAME', 'Channel_name')) === channel);
  const received = integerOrNull(pick(row, 'Slave_received_heartbeats') ?? (status ? pick(status, 'COUNT_RECEIVED_HEARTBEATS') : undefined));
  const lag = integerOrNull(pick(row, 'Seconds_Behind_Master', 'Seconds_Behind_Source'));
  const heartbeat = numberOrNull(pick(row, 'Slave_heartbeat_period', 'Heartbeat_period'));
  return {
    sourceHost: text(pick(row, 'Master_Host', 'Source_Host')),
    sourcePort: Math.min(65535, Math.max(0, integer(pick(row, 'Master_Port', 'Source_Port')))),
    ioThread: ioThreadOf(pick(row, 'Slave_IO_Running', 'Replica_IO_Running')),
    sqlThread: ioThreadOf(pick(row, 'Slave_SQL_Running', 'Replica_SQL_Running')) === 'Yes' ? 'Yes' : 'No',
    lastIoErrno: integer(pick(row, 'Last_IO_Errno')),
    lastIoError: text(pick(row, 'Last_IO_Error')),
    lastSqlErrno: integer(pick(row, 'Last_SQL_Errno')),
    lastSqlError: text(pick(row, 'Last_SQL_Error')),
    secondsBehindSource: lag === null ? null : Math.max(0, lag),
    sqlDelaySeconds: Math.max(0, integer(pick(row, 'SQL_Delay'))),
    readCoordinates: coordinates(pick(row, 'Master_Log_File', 'Source_Log_File'), pick(row, 'Read_Master_Log_Pos', 'Read_Source_Log_Pos')),
    execCoordinates: coordinates(
      pick(row, 'Relay_Master_Log_File', 'Relay_Source_Log_File'),
      pick(row, 'Exec_Master_Log_Pos', 'Exec_Source_Log_Pos'),
    ),
    // MariaDB only; MySQL has no such column.
    usingGtid: text(pick(row, 'Using_Gtid')),
    autoPosition: flagOrNull(pick(row, 'Auto_Position')) === true,
    gtidIoPos: compactGtid(text(pick(row, 'Gtid_IO_Pos', 'Retrieved_Gtid_Set'))),
    heartbeatPeriodSeconds: heartbeat === null ? null : Math.max(0, heartbeat),
    receivedHeartbeats: received === null ? null : Math.max(0, received),
  };
}

/** MySQL's Retrieved_Gtid_Set ('' without a row or on MariaDB). */
export function retrievedGtidSet(rows: readonly RowLike[]): string {
  const row = defaultConnectionRow(rows);
  return row ? compactGtid(text(pick(row, 'Retrieved_Gtid_Set'))) : '';
}

/** SHOW MASTER STATUS / SHOW BINARY LOG STATUS → the instance's own binlog position (null without binlog). */
export function mapBinlogCoordinates(rows: readonly RowLike[]): BinlogCoordinates | null {
  const row = rows[0];
  return row ? coordinates(pick(row, 'File'), pick(row, 'Position')) : null;
}
