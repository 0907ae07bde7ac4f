/**
 * CanReplicateFrom(replica, source) — reference §3.1.7, on observations. Used for the replicas moved
 * under the candidate and for the candidate's catch-up source.
 *
 * false (with the reason) when:
 *   - same instance;
 *   - the source has no binary log (log_bin);
 *   - the source is itself a replica that does not log what it replicates (log_slave_updates);
 *   - flavours differ (MariaDB and MySQL GTIDs do not mix) — Baton addition;
 *   - the replica's major version is older than the source's (unless the replica is a binlog server);
 *     versions compare numerically ("10.6" < "10.11"); an unknown version cannot be verified;
 *   - the replica logs (log_bin and log_slave_updates) and its binlog format is smaller than the
 *     source's (STATEMENT < MIXED < ROW);
 *   - same server_id or same server_uuid (not for binlog servers);
 *   - replica SQL_Delay < source SQL_Delay while the source's delay exceeds
 *     ReasonableMaintenanceReplicationLagSeconds (a delayed source would hold the replica back);
 *   - MySQL: the source purged GTIDs the replica has not executed (orchestrator's GTID-move check) —
 *     Baton applies it here so the plan knows before anything moves.
 * Not checked: VerifyReplicationFilters (observations carry no replication-filter state).
 */
import { instanceId, type InstanceObservation } from '@baton/contracts';
import { hasNoSource, majorVersionOf } from '../analysis/instance-health.ts';
import { formatGtidSet, gtidIsEmpty, gtidSubtract, tryParseGtidSet } from '../gtid/mysql-gtid-set.ts';

export type BinlogFormatName = 'STATEMENT' | 'MIXED' | 'ROW';

/** STATEMENT < MIXED < ROW */
export const binlogFormatRank: Readonly<Record<BinlogFormatName, number>> = Object.freeze({ STATEMENT: 0, MIXED: 1, ROW: 2 });

/** Numeric comparison of major versions ("10.6" < "10.11" < "11.4"). */
export function compareMajorVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const OK: Verdict = Object.freeze({ ok: true });
const no = (reason: string): Verdict => ({ ok: false, reason });

export interface CanReplicateOptions {
  readonly reasonableMaintenanceReplicationLagSeconds: number;
}

function logsUpdates(i: InstanceObservation): boolean {
  return i.logBin === true && i.logSlaveUpdates === true;
}

export function canReplicateFrom(replica: InstanceObservation, source: InstanceObservation, options: CanReplicateOptions): Verdict {
  const src = instanceId(source);
  if (replica.host === source.host && replica.port === source.port) return no('same instance');
  if (source.logBin !== true) return no(`${src} has no binary log (log_bin)`);
  if (!hasNoSource(source.replication) && source.logSlaveUpdates !== true) return no(`${src} does not log what it replicates (log_slave_updates off)`);
  if (replica.flavour !== 'unknown' && source.flavour !== 'unknown' && replica.flavour !== source.flavour) {
    return no(`${replica.flavour} replica cannot use the GTIDs of ${source.flavour} ${src}`);
  }
  if (!replica.isBinlogServer) {
    const rv = majorVersionOf(replica);
    const sv = majorVersionOf(source);
    if (rv === null || sv === null) return no(`major version unknown (${rv ?? '?'} from ${sv ?? '?'})`);
    if (compareMajorVersions(rv, sv) < 0) return no(`version ${rv} is older than ${src}'s ${sv}`);
  }
  if (logsUpdates(replica) && replica.binlogFormat !== null && source.binlogFormat !== null) {
    if (binlogFormatRank[replica.binlogFormat] < binlogFormatRank[source.binlogFormat]) {
      return no(`binlog format ${replica.binlogFormat} is smaller than ${src}'s ${source.binlogFormat}`);
    }
  }
  if (!replica.isBinlogServer && !source.isBinlogServer) {
    if (replica.serverId !== null && replica.serverId === source.serverId) return no(`same server_id ${replica.serverId} as ${src}`);
    if (replica.serverUuid !== null && replica.serverUuid === source.serverUuid) return no(`same server_uuid as ${src}`);
  }
  const rDelay = replica.replication?.sqlDelaySeconds ?? 0;
  const sDelay = source.replication?.sqlDelaySeconds ?? 0;
  if (rDelay < sDelay && sDelay > options.reasonableMaintenanceReplicationLagSeconds) {
    return no(`${src} is SQL-delayed ${sDelay} s, this replica ${rDelay} s`);
  }
  if (replica.mysqlGtid && source.mysqlGtid) {
    const purged = tryParseGtidSet(source.mysqlGtid.purged);
    const executed = tryParseGtidSet(replica.mysqlGtid.executed);
    if (purged && executed) {
      const needed = gtidSubtract(purged, executed);
      if (!gtidIsEmpty(needed)) return no(`${src} purged ${formatGtidSet(needed)}, which this replica has not executed`);
    }
  }
  return OK;
}
