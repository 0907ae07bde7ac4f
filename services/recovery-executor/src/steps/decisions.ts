/**
 * The protocol's pure decisions, table-tested without I/O: which function an analysis row gets,
 * whether a recovery may go on past the global switch and the cluster filters, whether the
 * executor's own re-analysis still shows the failure, and how a drained replica now reads.
 */
import { instanceId, parseInstanceId, type AnalysisEntry, type ClusterSnapshot, type InstanceKey, type InstanceObservation } from '@baton/contracts';
import {
  chooseRecovery,
  isAnalysisCode,
  recoveryKindByCode,
  topologyRows,
  type RecoveryChoice,
  type RecoveryKind,
  type TakeoverMode,
} from '@baton/domain';
import { probeFailed, type DrainResult } from '@baton/mysql';
import type { BlockValue } from '../ports.ts';

/** Step 1: the function for a row, or null for a code this build does not know (logged, skipped). */
export function chooseFor(code: string, inGracePeriod: boolean, enabled: { semiSyncRecovery?: boolean; nonWriteableRecovery?: boolean } = {}): RecoveryChoice | null {
  return isAnalysisCode(code) ? chooseRecovery(code, { inGracePeriod, ...enabled }) : null;
}

/** A recovery made in place (nobody promoted): semi-sync replicas switched, or the primary made writable. */
export const isInPlaceCode = (code: string): 'semi-sync' | 'non-writeable' | null => {
  const kind = isAnalysisCode(code) ? recoveryKindByCode[code] : null;
  return kind === 'recover-semi-sync-replicas' ? 'semi-sync' : kind === 'recover-non-writeable-primary' ? 'non-writeable' : null;
};

export type GateReason = 'not-actionable' | 'recoveries-disabled' | 'cluster-not-opted-in';

export type Gate = { proceed: true } | { proceed: false; reason: GateReason };

/**
 * Steps 4 and 5 (after the detection was registered): a generic no-op ends here; then the global
 * switch and the cluster filters — RecoverMasterClusterFilters for a dead primary,
 * RecoverIntermediateMasterClusterFilters for a dead intermediate primary (`clusterOptedIn`: the
 * caller's match of the one that applies) — both bypassed by a forced recovery (as orchestrator).
 */
export function gateRecovery(input: { choice: RecoveryChoice; forced: boolean; recoveriesDisabled: boolean; clusterOptedIn: boolean }): Gate {
  if (!input.choice.actionable) return { proceed: false, reason: 'not-actionable' };
  if (input.forced) return { proceed: true };
  if (input.recoveriesDisabled) return { proceed: false, reason: 'recoveries-disabled' };
  if (!input.clusterOptedIn) return { proceed: false, reason: 'cluster-not-opted-in' };
  return { proceed: true };
}

/** The kinds recovered by promoting a replica: a dead primary, and a dead co-primary (the other co-primary first). */
const deadPrimaryKinds: ReadonlySet<RecoveryKind> = new Set<RecoveryKind>(['recover-dead-primary', 'recover-dead-co-primary']);

export const isDeadPrimaryCode = (code: string): boolean => isAnalysisCode(code) && deadPrimaryKinds.has(recoveryKindByCode[code]);

/** A dead co-primary's code (DeadCoMaster, DeadCoMasterAndSomeReplicas). */
export const isDeadCoPrimaryCode = (code: string): boolean => isAnalysisCode(code) && recoveryKindByCode[code] === 'recover-dead-co-primary';

/** A dead intermediate primary's code: its replicas are relocated (steps/intermediate.ts). */
export const isDeadIntermediateCode = (code: string): boolean => isAnalysisCode(code) && recoveryKindByCode[code] === 'recover-dead-intermediate-primary';

const sameKey = (a: InstanceKey, b: InstanceKey): boolean => a.host === b.host && a.port === b.port;

/** `changed`: the failed instance still has a problem, but another one (a code this recovery does not handle). */
export type Recheck = { stillFailed: true; entry: AnalysisEntry } | { stillFailed: false; code: string; reason: string; changed: boolean };

/**
 * Step 7's re-check: the executor's own analysis of its own probes must still show a code of the
 * recovery's kind (a dead primary, or a dead intermediate primary) for the failed instance, or the
 * recovery stops before touching anything.
 */
export function recheck(entries: readonly AnalysisEntry[], failed: InstanceKey, kind: RecoveryKind = 'recover-dead-primary'): Recheck {
  const entry = entries.find((e) => sameKey(e.instance, failed));
  if (!entry) return { stillFailed: false, code: 'NoProblem', reason: `${instanceId(failed)} shows no problem on the executor's own probes`, changed: false };
  const found = isAnalysisCode(entry.code) ? recoveryKindByCode[entry.code] : null;
  if (found !== null && (found === kind || (deadPrimaryKinds.has(kind) && deadPrimaryKinds.has(found)))) return { stillFailed: true, entry };
  const what = kind === 'recover-dead-intermediate-primary' ? 'a dead intermediate primary' : 'a dead primary';
  return { stillFailed: false, code: entry.code, reason: `${instanceId(failed)} is now ${entry.code}, not ${what}`, changed: true };
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

/** The command hint of orchestrator's ForceMasterFailover (reference §2.8). */
export const forceMasterFailoverHint = 'force-master-failover';

/** The planned switchovers' command hints (reference §2.8), by the mode their target is checked in. */
const switchoverModes: Readonly<Record<string, TakeoverMode>> = {
  'graceful-master-takeover': 'graceful',
  'graceful-master-takeover-auto': 'graceful-auto',
  'force-master-takeover': 'force',
};

/** The planned switchover a command hint asks for, or null (a failover). */
export function switchoverModeOf(hint: string): TakeoverMode | null {
  return Object.hasOwn(switchoverModes, hint) ? (switchoverModes[hint] as TakeoverMode) : null;
}

/** A hint that fails over the cluster's primary whether it is alive or not: force-master-failover and the switchovers. */
export function failsOverLivePrimary(hint: string): boolean {
  return hint === forceMasterFailoverHint || switchoverModeOf(hint) !== null;
}

/**
 * The cluster's primary in a snapshot, as orchestrator's ReadClusterMaster and the api's
 * force-master-failover route read it: a root (depth 0) that is a primary or a co-primary, the
 * writable one first. null when the snapshot has none.
 */
export function clusterPrimaryOf(snapshot: ClusterSnapshot): InstanceObservation | null {
  const primaries = topologyRows(snapshot)
    .filter((r) => r.depth === 0 && (r.role === 'primary' || r.role === 'co-primary'))
    .map((r) => r.instance);
  return primaries.find((i) => i.readOnly === false) ?? primaries[0] ?? null;
}

export type ForcedFailoverEntry = { ok: true; entry: AnalysisEntry } | { ok: false; reason: string };

/**
 * force-master-failover's forged analysis entry (orchestrator's ForceMasterFailover): the named
 * instance must be the cluster's primary in the cached snapshot, with at least one replica; the
 * entry is its real one (`entries` analysed with NoProblem rows kept), or a minimal one built from
 * the snapshot, with code DeadMaster. Nothing else of the real entry changes, as in orchestrator.
 */
export function forgeForcedFailoverEntry(snapshot: ClusterSnapshot, entries: readonly AnalysisEntry[], instance: InstanceKey): ForcedFailoverEntry {
  const id = instanceId(instance);
  const primary = clusterPrimaryOf(snapshot);
  if (!primary) return { ok: false, reason: `cluster ${snapshot.clusterId} has no primary in the cached snapshot` };
  if (!sameKey(primary, instance)) return { ok: false, reason: `${id} is not the primary of cluster ${snapshot.clusterId} in the cached snapshot (the primary is ${instanceId(primary)})` };
  const replicas = replicasOf(snapshot.instances, instance);
  if (replicas.length === 0) return { ok: false, reason: `${id} has no replica to promote` };
  const real = entries.find((e) => sameKey(e.instance, instance));
  // isActionable as orchestrator's executeCheckAndRecoverFunction sets it from the function (DeadMaster's is)
  const entry: AnalysisEntry = real
    ? { ...real, code: 'DeadMaster', isActionable: true }
    : primaryEntry(instance, 'DeadMaster', replicas, { description: '', lastCheckValid: primary.lastError === null, lastCheckPartialSuccess: primary.lastCheckPartialSuccess });
  return { ok: true, entry };
}

/**
 * The analysis entry a takeover continues under: the one its recoveries row recorded (the failed
 * instance, the code, the replicas it named), with nothing of the original analysis' counts.
 */
export function takeoverEntry(stored: { failed: InstanceKey; analysis: string; replicaHosts: readonly string[] }): AnalysisEntry {
  const replicas = stored.replicaHosts.map(parseInstanceId);
  const entry = primaryEntry(stored.failed, stored.analysis, replicas, {
    description: 'taken over from a recovery whose executor stopped renewing it',
    lastCheckValid: false,
    lastCheckPartialSuccess: false,
  });
  // a dead intermediate primary is no primary ({instanceType} intermediate-master)
  return isDeadIntermediateCode(stored.analysis) ? { ...entry, isMaster: false, replicationDepth: 1 } : entry;
}

/** An actionable analysis entry of a primary made up from what is known of it (no analysis at hand). */
function primaryEntry(
  instance: InstanceKey,
  code: string,
  replicas: readonly InstanceKey[],
  known: { description: string; lastCheckValid: boolean; lastCheckPartialSuccess: boolean },
): AnalysisEntry {
  return {
    instance: { host: instance.host, port: instance.port },
    code,
    structureWarnings: [],
    isMaster: true,
    isCoMaster: false,
    isActionable: true,
    isDowntimed: false,
    isReplicasDowntimed: false,
    skippableDueToDowntime: false,
    sourceKey: null,
    replicationDepth: 0,
    counts: { CountReplicas: replicas.length },
    replicas: replicas.map((r) => ({ host: r.host, port: r.port })),
    ...known,
  };
}

/** `have` contains `need` (one shared rule: @baton/domain). */
export { positionHolds } from '@baton/domain';

/**
 * An analysis of a failure that `blockedBy` has already recovered: the same failed instance, a
 * successor promoted, and the analysis observed before that recovery resolved. Such analyses are
 * still in flight after every failover (snapshots taken before the replicas moved); they are not
 * blocked recoveries and are not recorded as such (pure).
 */
export function alreadyRecovered(blockedBy: BlockValue | null, failed: string, observedAtMs: number | null): boolean {
  if (!blockedBy || blockedBy.state !== 'resolved' || blockedBy.successor === null || blockedBy.failed !== failed) return false;
  return observedAtMs !== null && blockedBy.resolvedAtMs !== undefined && observedAtMs <= blockedBy.resolvedAtMs;
}
