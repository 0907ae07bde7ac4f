/**
 * Semi-sync settings (variables, read with the identity) and state (SHOW GLOBAL STATUS).
 * Names: rpl_semi_sync_master_* / rpl_semi_sync_slave_* (MariaDB, MySQL < 8.0.26 plugins) or
 * rpl_semi_sync_source_* / rpl_semi_sync_replica_* (MySQL >= 8.0.26 plugins).
 * No semi-sync variable at all (MySQL without the plugin) ⇒ null.
 */
import type { InstanceObservation } from '@baton/contracts';
import { firstOf, flagOrNull, integerOrNull } from './row-values.ts';

type SemiSyncState = NonNullable<InstanceObservation['semiSync']>;

export const probedStatus = [
  'rpl_semi_sync_master_status', 'rpl_semi_sync_source_status',
  'rpl_semi_sync_master_clients', 'rpl_semi_sync_source_clients',
  'rpl_semi_sync_slave_status', 'rpl_semi_sync_replica_status',
] as const;

export function hasSemiSync(vars: ReadonlyMap<string, string>): boolean {
  return [...vars.keys()].some((name) => name.startsWith('rpl_semi_sync_'));
}

const masterEnabledOf = (vars: ReadonlyMap<string, string>): boolean =>
  flagOrNull(firstOf(vars, 'rpl_semi_sync_master_enabled', 'rpl_semi_sync_source_enabled')) === true;
const replicaEnabledOf = (vars: ReadonlyMap<string, string>): boolean =>
  flagOrNull(firstOf(vars, 'rpl_semi_sync_slave_enabled', 'rpl_semi_sync_replica_enabled')) === true;

/**
 * Whether the status round trip is worth it: with semi-sync disabled on both sides its status
 * values are OFF/0 by definition, so the probe skips SHOW GLOBAL STATUS.
 */
export function needsSemiSyncStatus(vars: ReadonlyMap<string, string>): boolean {
  return hasSemiSync(vars) && (masterEnabledOf(vars) || replicaEnabledOf(vars));
}

/** `status` = SHOW GLOBAL STATUS name → value map, or null when it was not read (both sides disabled). */
export function mapSemiSync(vars: ReadonlyMap<string, string>, status: ReadonlyMap<string, string> | null): SemiSyncState | null {
  if (!hasSemiSync(vars)) return null;
  const masterEnabled = masterEnabledOf(vars);
  const replicaEnabled = replicaEnabledOf(vars);
  const waitCount = integerOrNull(firstOf(vars, 'rpl_semi_sync_master_wait_for_slave_count', 'rpl_semi_sync_source_wait_for_replica_count'));
  const s = status ?? new Map<string, string>();
  return {
    masterEnabled,
    masterStatus: flagOrNull(firstOf(s, 'rpl_semi_sync_master_status', 'rpl_semi_sync_source_status')) === true,
    masterClients: Math.max(0, integerOrNull(firstOf(s, 'rpl_semi_sync_master_clients', 'rpl_semi_sync_source_clients')) ?? 0),
    // MariaDB has no wait-for count: it waits for one ack when enabled.
    masterWaitForReplicaCount: Math.max(0, waitCount ?? (masterEnabled ? 1 : 0)),
    masterTimeoutMs: Math.max(0, integerOrNull(firstOf(vars, 'rpl_semi_sync_master_timeout', 'rpl_semi_sync_source_timeout')) ?? 0),
    replicaEnabled,
    replicaStatus: flagOrNull(firstOf(s, 'rpl_semi_sync_slave_status', 'rpl_semi_sync_replica_status')) === true,
  };
}
