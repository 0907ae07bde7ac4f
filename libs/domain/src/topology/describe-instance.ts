/**
 * Orchestrator's one-line description of an instance (Instance.descriptionTokens), as printed by
 * `topology`: `[lag,status,version,ro|rw,binlog format,extras]`, where
 *   lag     0s / 5s; `null` for a replica that is not replicating or reports no lag; `unknown` when
 *           the last check is not valid; `detached` when its source host is detached (`//…`)
 *   status  ok / nonreplicating / invalid
 *   extras  `>>` (log_slave_updates), GTID (`GTID:errant` with errant transactions), semi:master,
 *           semi:replica, downtimed — plus, a Baton addition, a non-neutral promotion rule.
 * Pure: the validity of the last check and the time are arguments.
 */
import type { InstanceObservation } from '@baton/contracts';
import { hasNoSource, isDowntimeActive, isReplicating, usesMariadbGtid, usesOracleGtid } from '../analysis/instance-health.ts';

export interface DescribeInstanceOptions {
  /** orchestrator's IsLastCheckValid for this instance at the snapshot's time. */
  lastCheckValid: boolean;
  /** Errant GTIDs of the instance against its source ('' or undefined = none). */
  errantGtid?: string | undefined;
  nowMs: number;
}

/** A replica in orchestrator's sense: it names a source, even a detached or unreachable one. */
export function isReplicaObservation(i: InstanceObservation): boolean {
  return i.replication !== null && i.replication.sourceHost !== '' && i.replication.sourcePort !== 0;
}

export function isDetachedObservation(i: InstanceObservation): boolean {
  return i.replication !== null && i.replication.sourceHost.startsWith('//');
}

export function lagToken(i: InstanceObservation, lastCheckValid: boolean): string {
  if (isDetachedObservation(i)) return 'detached';
  if (!lastCheckValid) return 'unknown';
  const r = i.replication;
  if (r === null || hasNoSource(r)) return '0s';
  if (!isReplicating(r) || r.secondsBehindSource === null) return 'null';
  return `${r.secondsBehindSource}s`;
}

export function statusToken(i: InstanceObservation, lastCheckValid: boolean): string {
  if (!lastCheckValid) return 'invalid';
  const r = i.replication;
  if (r !== null && (isDetachedObservation(i) || !hasNoSource(r)) && !isReplicating(r)) return 'nonreplicating';
  return 'ok';
}

export function descriptionTokens(i: InstanceObservation, o: DescribeInstanceOptions): string[] {
  const extras: string[] = [];
  if (i.logBin === true && i.logSlaveUpdates === true) extras.push('>>');
  if (usesOracleGtid(i) || usesMariadbGtid(i) || i.mysqlGtid?.mode.toUpperCase() === 'ON') extras.push(o.errantGtid ? 'GTID:errant' : 'GTID');
  if (i.semiSync?.masterStatus) extras.push('semi:master');
  if (i.semiSync?.replicaStatus) extras.push('semi:replica');
  if (isDowntimeActive(i, o.nowMs)) extras.push('downtimed');
  if (i.promotionRule !== 'neutral') extras.push(i.promotionRule);
  return [
    lagToken(i, o.lastCheckValid),
    statusToken(i, o.lastCheckValid),
    i.version ?? 'unknown',
    i.readOnly === null ? '?' : i.readOnly ? 'ro' : 'rw',
    i.logBin === false ? 'nobinlog' : (i.binlogFormat ?? '?'),
    extras.join(','),
  ];
}

/** `[0s,ok,10.11.6-MariaDB-log,rw,ROW,>>,GTID]` (the extras are one comma-joined token). */
export function describeInstance(i: InstanceObservation, o: DescribeInstanceOptions): string {
  const tokens = descriptionTokens(i, o);
  if (tokens[tokens.length - 1] === '') tokens.pop();
  return `[${tokens.join(',')}]`;
}
