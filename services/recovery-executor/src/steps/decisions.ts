/**
 * The protocol's pure decisions, table-tested without I/O: which function an analysis row gets,
 * whether a recovery may go on past the global switch and the cluster filters, whether the
 * executor's own re-analysis still shows the failure, and how a drained replica now reads.
 */
import { instanceId, type AnalysisEntry, type InstanceKey, type InstanceObservation } from '@baton/contracts';
import { chooseRecovery, isAnalysisCode, recoveryKindByCode, type RecoveryChoice } from '@baton/domain';
import { probeFailed, type DrainResult } from '@baton/mysql';

/** Step 1: the function for a row, or null for a code this build does not know (logged, skipped). */
export function chooseFor(code: string, inGracePeriod: boolean): RecoveryChoice | null {
  return isAnalysisCode(code) ? chooseRecovery(code, { inGracePeriod }) : null;
}

export type GateReason = 'not-actionable' | 'intermediate-primary-not-implemented' | 'recoveries-disabled' | 'cluster-not-opted-in';

export type Gate = { proceed: true } | { proceed: false; reason: GateReason };

/**
 * Steps 4 and 5 (after the detection was registered): a generic no-op ends here; then the global
 * switch and RecoverMasterClusterFilters, both bypassed by a forced recovery (as orchestrator).
 * Dead intermediate primaries are detected (and their detection hooks run) but not recovered yet.
 */
export function gateRecovery(input: { choice: RecoveryChoice; forced: boolean; recoveriesDisabled: boolean; clusterOptedIn: boolean }): Gate {
  if (!input.choice.actionable) return { proceed: false, reason: 'not-actionable' };
  if (input.choice.kind !== 'recover-dead-primary') return { proceed: false, reason: 'intermediate-primary-not-implemented' };
  if (input.forced) return { proceed: true };
  if (input.recoveriesDisabled) return { proceed: false, reason: 'recoveries-disabled' };
  if (!input.clusterOptedIn) return { proceed: false, reason: 'cluster-not-opted-in' };
  return { proceed: true };
}

export const isDeadPrimaryCode = (code: string): boolean => isAnalysisCode(code) && recoveryKindByCode[code] === 'recover-dead-primary';

const sameKey = (a: InstanceKey, b: InstanceKey): boolean => a.host === b.host && a.port === b.port;

export type Recheck = { stillFailed: true; entry: AnalysisEntry } | { stillFailed: false; code: string; reason: string };

/**
 * Step 7's re-check: the executor's own analysis of its own probes must still show a dead-primary
 * code for the failed instance, or the recovery stops before touching anything.
 */
export function recheck(entries: readonly AnalysisEntry[], failed: InstanceKey): Recheck {
  const entry = entries.find((e) => sameKey(e.instance, failed));
  if (!entry) return { stillFailed: false, code: 'NoProblem', reason: `${instanceId(failed)} shows no problem on the executor's own probes` };
  if (isDeadPrimaryCode(entry.code)) return { stillFailed: true, entry };
  return { stillFailed: false, code: entry.code, reason: `${instanceId(failed)} is now ${entry.code}, not a dead primary` };
}

/** The failed primary's direct replicas in a snapshot (by their configured source). */
export function replicasOf(instances: readonly InstanceObservation[], failed: InstanceKey): InstanceObservation[] {
  return instances.filter((i) => {
    const r = i.replication;
    return r !== null && r.sourcePort === failed.port && r.sourceHost.toLowerCase() === failed.host.toLowerCase();
  });
}

/** A replica as its drain left it: positions and threads from the drain, freshly seen at `at`. */
export function drainedObservation(obs: InstanceObservation, d: DrainResult, at: Date): InstanceObservation {
  const seen = at.toISOString();
  const mariadb = d.gtid.mariadb;
  return {
    ...obs,
    lastSeenAt: seen,
    lastCheckedAt: seen,
    lastAttemptedAt: seen,
    lastCheckPartialSuccess: true,
    lastError: null,
    replication: d.replication,
    mariadbGtid: mariadb
      ? { strictMode: obs.mariadbGtid?.strictMode ?? false, domainId: obs.mariadbGtid?.domainId ?? 0, slavePos: mariadb.slavePos, currentPos: mariadb.currentPos, binlogPos: mariadb.binlogPos }
      : obs.mariadbGtid,
    mysqlGtid: d.flavour === 'mysql' && obs.mysqlGtid ? { ...obs.mysqlGtid, executed: d.gtid.position, retrieved: d.gtidIoPos } : obs.mysqlGtid,
  };
}

/** A replica whose drain failed: a failed read, so the plan counts it unreachable. */
export function failedDrainObservation(obs: InstanceObservation, error: string, at: Date): InstanceObservation {
  return probeFailed(obs, { error: `drain failed: ${error}`, partialSuccess: false }, at);
}

/** Lag as last measured while replicating (before the drain stopped the threads), by `host:port`. */
export function lagByInstance(replicas: readonly InstanceObservation[]): Record<string, number | null> {
  return Object.fromEntries(replicas.map((r) => [instanceId(r), r.replication?.secondsBehindSource ?? null]));
}

/** Semi-sync on the new primary when the failed one ran it (same timeout); replicas keep their own setting. */
export function semiSyncFor(failed: InstanceObservation): false | { timeoutMs: number } {
  const s = failed.semiSync;
  return s?.masterEnabled ? { timeoutMs: s.masterTimeoutMs > 0 ? s.masterTimeoutMs : 10_000 } : false;
}
