/**
 * The first probe query — SHOW GLOBAL VARIABLES for a fixed list of names — mapped to the
 * instance's identity and settings. Works unchanged on MariaDB and MySQL: a variable a flavour
 * lacks (server_uuid and super_read_only on MariaDB, gtid_* of the other flavour) is simply absent.
 */
import type { InstanceObservation } from '@baton/contracts';
import { firstOf, flagOrNull, integerOrNull } from './row-values.ts';

export type Flavour = InstanceObservation['flavour'];
type BinlogFormat = NonNullable<InstanceObservation['binlogFormat']>;

/** Every variable the probe reads, identity first (one round trip: see statements.ts). */
export const probedVariables = [
  // identity and settings (orchestrator's first query)
  'version', 'version_comment', 'server_id', 'server_uuid', 'read_only', 'super_read_only',
  'log_bin', 'log_slave_updates', 'log_replica_updates', 'binlog_format', 'hostname', 'report_host',
  // MariaDB GTID
  'gtid_current_pos', 'gtid_slave_pos', 'gtid_binlog_pos', 'gtid_strict_mode', 'gtid_domain_id',
  // MySQL GTID
  'gtid_mode', 'gtid_executed', 'gtid_purged',
  // semi-sync settings; MySQL >= 8.0.26 plugins use source/replica names
  'rpl_semi_sync_master_enabled', 'rpl_semi_sync_source_enabled',
  'rpl_semi_sync_master_timeout', 'rpl_semi_sync_source_timeout',
  'rpl_semi_sync_master_wait_for_slave_count', 'rpl_semi_sync_source_wait_for_replica_count',
  'rpl_semi_sync_slave_enabled', 'rpl_semi_sync_replica_enabled',
] as const;

export interface InstanceIdentity {
  flavour: Flavour;
  version: string | null;
  serverId: number | null;
  serverUuid: string | null;
  readOnly: boolean | null;
  superReadOnly: boolean | null;
  logBin: boolean | null;
  logSlaveUpdates: boolean | null;
  binlogFormat: BinlogFormat | null;
  /** @@hostname and @@report_host ('' when unset): not in the observation, useful in logs and discovery. */
  hostname: string;
  reportHost: string;
  /** A MaxScale binlog router answers like a server and says so in its version. */
  isBinlogServer: boolean;
}

export function flavourOf(version: string | undefined, versionComment: string | undefined): Flavour {
  if (!version) return 'unknown';
  return /mariadb/i.test(version) || /mariadb/i.test(versionComment ?? '') ? 'mariadb' : 'mysql';
}

function binlogFormatOf(value: string | undefined): BinlogFormat | null {
  const v = value?.trim().toUpperCase();
  return v === 'ROW' || v === 'MIXED' || v === 'STATEMENT' ? v : null;
}

export function mapIdentity(vars: ReadonlyMap<string, string>): InstanceIdentity {
  const version = vars.get('version') || null;
  const flavour = flavourOf(vars.get('version'), vars.get('version_comment'));
  const uuid = vars.get('server_uuid');
  return {
    flavour,
    version,
    serverId: integerOrNull(vars.get('server_id')),
    serverUuid: uuid ? uuid : null,
    readOnly: flagOrNull(vars.get('read_only')),
    // MariaDB has no super_read_only: unknown (null), not false.
    superReadOnly: flavour === 'mariadb' ? null : flagOrNull(vars.get('super_read_only')),
    logBin: flagOrNull(vars.get('log_bin')),
    logSlaveUpdates: flagOrNull(firstOf(vars, 'log_slave_updates', 'log_replica_updates')),
    binlogFormat: binlogFormatOf(vars.get('binlog_format')),
    hostname: vars.get('hostname') ?? '',
    reportHost: vars.get('report_host') ?? '',
    isBinlogServer: /maxscale/i.test(version ?? ''),
  };
}

/** GTID sets come with newlines after commas on MySQL ("uuid:1-5,\nuuid:1-3"): whitespace removed. */
export function compactGtid(value: string | undefined): string {
  return (value ?? '').replace(/\s+/g, '');
}

export function mapMariadbGtid(vars: ReadonlyMap<string, string>): NonNullable<InstanceObservation['mariadbGtid']> {
  return {
    currentPos: compactGtid(vars.get('gtid_current_pos')),
    slavePos: compactGtid(vars.get('gtid_slave_pos')),
    binlogPos: compactGtid(vars.get('gtid_binlog_pos')),
    strictMode: flagOrNull(vars.get('gtid_strict_mode')) ?? false,
    domainId: Math.max(0, integerOrNull(vars.get('gtid_domain_id')) ?? 0),
  };
}

/** `retrieved` comes from SHOW REPLICA STATUS (Retrieved_Gtid_Set), '' on a primary. */
export function mapMysqlGtid(vars: ReadonlyMap<string, string>, retrieved: string): NonNullable<InstanceObservation['mysqlGtid']> {
  return {
    mode: (vars.get('gtid_mode') ?? 'OFF').toUpperCase(),
    executed: compactGtid(vars.get('gtid_executed')),
    purged: compactGtid(vars.get('gtid_purged')),
    retrieved: compactGtid(retrieved),
  };
}
