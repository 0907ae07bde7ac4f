/**
 * Per-instance facts the analysis needs, each a small pure function of one observation.
 */
import type { InstanceObservation, ReplicationState } from '@baton/contracts';
import { toMillis } from '../time.ts';

export interface ValidityWindow {
  /** pollIntervalMs + reasonableInstanceCheckMs */
  readonly windowMs: number;
  /** the snapshot's observedAt (detector clock, the same clock as the instance times); NaN to skip */
  readonly observedAtMs: number;
}

/**
 * LastCheckValid, for the analysed instance AND for replicas (orchestrator checks only the first
 * clause for replicas; Baton applies all of them to both — fix W12: a hung replica is not valid).
 *
 *   lastSeenAt known                                  (never seen ⇒ unknown ⇒ invalid)
 *   lastCheckedAt ≤ lastSeenAt                        (the latest probe did not fail)
 *   lastAttemptedAt ≤ lastSeenAt + window             (orchestrator: no probe stuck long after the last success)
 *   observedAt ≤ lastSeenAt + window                  (Baton: the last success is not older than one window)
 *
 * A null lastCheckedAt/lastAttemptedAt with a known lastSeenAt counts as equal to lastSeenAt (a
 * success is also a check and an attempt). The last clause is skipped when observedAtMs is NaN or
 * the policy disables it.
 */
export function isObservationValid(i: InstanceObservation, w: ValidityWindow): boolean {
  const seen = toMillis(i.lastSeenAt);
  if (Number.isNaN(seen)) return false;
  const checked = i.lastCheckedAt === null ? seen : toMillis(i.lastCheckedAt);
  const attempted = i.lastAttemptedAt === null ? seen : toMillis(i.lastAttemptedAt);
  if (!(checked <= seen)) return false;
  const deadline = seen + w.windowMs;
  if (!(attempted <= deadline)) return false;
  if (!Number.isNaN(w.observedAtMs) && w.observedAtMs > deadline) return false;
  return true;
}

/** Master_Host '' / '_' / '//…' or Master_Port 0 (or no SHOW SLAVE STATUS row): no replication source. */
export function hasNoSource(r: ReplicationState | null): boolean {
  return r === null || r.sourceHost === '' || r.sourceHost === '_' || r.sourceHost.startsWith('//') || r.sourcePort === 0;
}

/**
 * The replica's IO thread runs, but nothing (no event, no heartbeat) has arrived from its source for
 * at least `heartbeats` heartbeat periods (sourceSilentMs, measured by the detector's prober): the
 * source is frozen or cut off from it, whatever the IO thread still says — it only gives up after
 * slave_net_timeout. No evidence (heartbeats off, silence unknown, `heartbeats` 0) is never silence.
 */
export function isSourceSilent(r: ReplicationState | null, heartbeats: number): boolean {
  if (r === null || heartbeats <= 0 || r.ioThread !== 'Yes') return false;
  const period = r.heartbeatPeriodSeconds;
  const silent = r.sourceSilentMs ?? null;
  return period !== null && period > 0 && silent !== null && silent >= heartbeats * period * 1000;
}

/**
 * Both threads running (only 'Yes' counts; 'Connecting' is not running) and, with
 * `silentSourceHeartbeats` > 0, the source not silent for that many heartbeat periods.
 */
export function isReplicating(r: ReplicationState | null, silentSourceHeartbeats = 0): boolean {
  return r !== null && r.ioThread === 'Yes' && r.sqlThread === 'Yes' && !isSourceSilent(r, silentSourceHeartbeats);
}

/**
 * orchestrator: `last_io_error LIKE '%error %connecting to master%'` (case-insensitive collation).
 * Matches MySQL "error connecting to master …", MariaDB "error reconnecting to master …", and
 * MySQL ≥ 8.0.23 "Error connecting to source …" (the renamed message; an addition).
 */
const CONNECT_ERROR = /error .*connecting to (master|source)/i;

/**
 * Client errors that mean "cannot reach the source": 2002 (socket connect), 2003 (TCP connect),
 * 2005 (unknown host), 2006 (server gone away), 2013 (lost connection).
 */
export const sourceUnreachableIoErrnos: ReadonlySet<number> = new Set([2002, 2003, 2005, 2006, 2013]);

/**
 * IsFailingToConnectToMaster: SQL thread running, IO thread not running ('No' or 'Connecting'), and
 * either orchestrator's error-text match, or (Baton addition) the IO thread is 'Connecting' with one
 * of the connect-failure errnos above — the errno does not depend on message wording, version or
 * server language. An IO thread 'Connecting' with errno 0 (the first seconds of a hung source) is not
 * failing yet.
 */
export function isFailingToConnectToSource(r: ReplicationState | null): boolean {
  if (r === null || r.sqlThread !== 'Yes' || r.ioThread === 'Yes') return false;
  if (CONNECT_ERROR.test(r.lastIoError)) return true;
  return r.ioThread === 'Connecting' && sourceUnreachableIoErrnos.has(r.lastIoErrno);
}

/** Downtime is active when present and (no end or the end is after now). */
export function isDowntimeActive(i: InstanceObservation, nowMs: number): boolean {
  if (i.downtime === null) return false;
  if (i.downtime.endsAt === null) return true;
  return toMillis(i.downtime.endsAt) > nowMs;
}

/** log_bin AND log_slave_updates: the replica could serve as a source for the others. */
export function isLoggingReplica(i: InstanceObservation): boolean {
  return i.logBin === true && i.logSlaveUpdates === true;
}

/** Oracle GTID replica: MySQL Auto_Position=1. */
export function usesOracleGtid(i: InstanceObservation): boolean {
  return i.replication?.autoPosition === true;
}

/** MariaDB GTID replica: Using_Gtid Slave_Pos or Current_Pos. */
export function usesMariadbGtid(i: InstanceObservation): boolean {
  const u = i.replication?.usingGtid.toLowerCase();
  return u === 'slave_pos' || u === 'current_pos';
}

/** Major version as orchestrator compares it: the first two dotted numbers ("10.11", "8.0"); null if unknown. */
export function majorVersionOf(i: InstanceObservation): string | null {
  if (i.version === null) return null;
  const m = /^(\d+)\.(\d+)/.exec(i.version);
  return m ? `${m[1]}.${m[2]}` : null;
}

/**
 * gtid_mode as orchestrator stores it: MySQL @@gtid_mode; '' for MariaDB (no such variable);
 * null when unknown (MySQL not read yet, or flavour unknown) — unknown modes are not compared.
 */
export function gtidModeOf(i: InstanceObservation): string | null {
  if (i.flavour === 'mariadb') return '';
  if (i.mysqlGtid) return i.mysqlGtid.mode.toUpperCase();
  return null;
}
