/**
 * The derived fields of reference §1.1, one row per instance: orchestrator's ReplicationAnalysis
 * before a code is chosen. Computed in one linear pass over a precomputed topology index.
 */
import type { ClusterSnapshot, InstanceKey, InstanceObservation } from '@baton/contracts';
import { errantGtidsOf } from '../gtid/errant-transactions.ts';
import { toMillis } from '../time.ts';
import {
  gtidModeOf,
  isDowntimeActive,
  isFailingToConnectToSource,
  isLoggingReplica,
  isObservationValid,
  isReplicating,
  majorVersionOf,
  usesMariadbGtid,
  usesOracleGtid,
} from './instance-health.ts';
import type { ResolvedAnalysisPolicy } from './policy.ts';
import { isStaleBinlogCoordinates, type StaleCoordinates } from './stale-coordinates.ts';
import { buildTopologyIndex, keyOf, NO_SOURCE, upstreamOf, type TopologyIndex } from './topology-index.ts';
import { isWritableRoot, writableRootsOf, type WritableRoot } from './writable-roots.ts';

/** History the caller keeps between snapshots. */
export interface AnalysisContext {
  /** maintained with updateStaleCoordinates; without it IsStaleBinlogCoordinates is always false */
  readonly staleCoordinates?: StaleCoordinates;
}

export interface ReplicationCounts {
  CountReplicas: number;
  CountValidReplicas: number;
  CountValidReplicatingReplicas: number;
  CountReplicasFailingToConnectToMaster: number;
  /** replicas whose lag exceeds ReasonableReplicationLagSeconds, SQL-delayed replicas excluded (Baton, W12) */
  CountLaggingReplicas: number;
  CountDelayedReplicas: number;
  CountDowntimedReplicas: number;
  CountLoggingReplicas: number;
  CountValidOracleGTIDReplicas: number;
  CountValidMariaDBGTIDReplicas: number;
  CountValidBinlogServerReplicas: number;
  CountStatementBasedLoggingReplicas: number;
  CountMixedBasedLoggingReplicas: number;
  CountRowBasedLoggingReplicas: number;
  CountDistinctMajorVersionsLoggingReplicas: number;
  CountSemiSyncReplicasEnabled: number;
}

export interface ReplicationFacts {
  readonly instance: InstanceObservation;
  readonly key: InstanceKey;
  /** the source as reported (null for a master) */
  readonly sourceKey: InstanceKey | null;
  readonly replicas: readonly InstanceKey[];
  readonly isMaster: boolean;
  readonly isClusterMaster: boolean;
  readonly isCoMaster: boolean;
  readonly isBinlogServer: boolean;
  readonly isReadOnly: boolean;
  readonly isDowntimed: boolean;
  readonly lastCheckValid: boolean;
  readonly lastCheckPartialSuccess: boolean;
  readonly isFailingToConnectToMaster: boolean;
  readonly replicationDepth: number;
  readonly isStaleBinlogCoordinates: boolean;
  readonly oracleGtidImmediateTopology: boolean;
  readonly mariadbGtidImmediateTopology: boolean;
  readonly binlogServerImmediateTopology: boolean;
  /** snapshots carry no Pseudo-GTID information: always false */
  readonly pseudoGtidImmediateTopology: boolean;
  /** this instance's gtid_mode; null when unknown */
  readonly gtidMode: string | null;
  /** min/max gtid_mode over replicas whose mode is known; null when none is known */
  readonly minReplicaGtidMode: string | null;
  readonly maxReplicaGtidMode: string | null;
  /** this instance's errant GTIDs against its own source ('' = none) */
  readonly errantGtid: string;
  /** greatest (as text) non-empty errant GTID text over non-downtimed replicas; '' = none */
  readonly maxReplicaErrantGtid: string;
  /** Valid replicas whose heartbeat period is known and off (0) or above slowHeartbeatPeriodSeconds. */
  readonly countSlowHeartbeatReplicas: number;
  readonly semiSyncMasterEnabled: boolean;
  readonly semiSyncMasterStatus: boolean;
  readonly semiSyncMasterWaitForReplicaCount: number;
  readonly semiSyncMasterClients: number;
  /** for the ReduceReplicationAnalysisCount filter */
  readonly someReplicaInvalid: boolean;
  readonly someReplicaNotReplicating: boolean;
  readonly someReplicaFailingToConnect: boolean;
  readonly counts: Readonly<ReplicationCounts>;
  /** Baton: baton_meta.promotion_epoch as observed (null: none) */
  readonly promotionEpoch: number | null;
  /** Baton: valid, read_only = 0, no replication source, not a binlog server (writable-roots.ts) */
  readonly isWritableRoot: boolean;
  /** Baton, cluster level: every writable root of the snapshot, newest epoch first (the same list on every row) */
  readonly writableRoots: readonly WritableRoot[];
  /**
   * Baton: this instance does not answer and its server_id (non-zero) answers at another address
   * of the snapshot — a rebuilt host or a topology restarted on other ports. The address is the
   * identity: both are kept and watched; the old one waits to be forgotten.
   */
  readonly serverIdAnswersElsewhere: boolean;
}

interface PerInstance {
  valid: boolean[];
  replicating: boolean[];
  failing: boolean[];
  downtimed: boolean[];
  errant: string[];
}

function perInstance(index: TopologyIndex, snapshot: ClusterSnapshot, nowMs: number, policy: ResolvedAnalysisPolicy): PerInstance {
  const window = {
    windowMs: (policy.pollIntervalMs ?? snapshot.pollIntervalMs) + policy.reasonableInstanceCheckMs,
    observedAtMs: policy.invalidateStaleObservations ? toMillis(snapshot.observedAt) : Number.NaN,
  };
  const { instances } = index;
  return {
    valid: instances.map((i) => isObservationValid(i, window)),
    replicating: instances.map((i) => isReplicating(i.replication, policy.silentSourceHeartbeats)),
    failing: instances.map((i) => isFailingToConnectToSource(i.replication)),
    downtimed: instances.map((i) => isDowntimeActive(i, nowMs)),
    errant: instances.map((i, n) => (i.replication === null ? '' : errantGtidsOf(i, upstreamOf(index, n)))),
  };
}

/**
 * Longest heartbeat period (MASTER_HEARTBEAT_PERIOD) that still lets a hung primary be seen within
 * about 2 s (silentSourceHeartbeats periods of silence); the recommended setting is 0.5 s.
 */
export const slowHeartbeatPeriodSeconds = 1;

const hasSlowHeartbeat = (r: InstanceObservation['replication']): boolean =>
  r !== null && r.heartbeatPeriodSeconds !== null && (r.heartbeatPeriodSeconds === 0 || r.heartbeatPeriodSeconds > slowHeartbeatPeriodSeconds);

function keyFrom(i: InstanceObservation): InstanceKey {
  return { host: i.host, port: i.port };
}

/** The cluster master: the master whose key is the cluster id, else the master with the most instances below it. */
function clusterMasterIndex(index: TopologyIndex, clusterId: string): number {
  const byId = index.indexByKey.get(clusterId.toLowerCase());
  if (byId !== undefined && index.isMaster[byId]) return byId;
  const below = new Array<number>(index.instances.length).fill(0);
  for (let i = 0; i < index.instances.length; i++) {
    const seen = new Set<number>([i]);
    let s = index.sourceIndex[i] as number;
    while (s >= 0 && !seen.has(s)) {
      below[s] = (below[s] as number) + 1;
      seen.add(s);
      s = index.sourceIndex[s] as number;
    }
  }
  let best = -1;
  for (let i = 0; i < index.instances.length; i++) {
    if (index.isMaster[i] && (best < 0 || (below[i] as number) > (below[best] as number))) best = i;
  }
  return best;
}

function minMax(values: Iterable<string>): [string | null, string | null] {
  let min: string | null = null;
  let max: string | null = null;
  for (const v of values) {
    if (min === null || v < min) min = v;
    if (max === null || v > max) max = v;
  }
  return [min, max];
}

/** Derive §1.1 for every instance of the snapshot, in snapshot order (duplicates removed). */
export function deriveReplicationFacts(
  snapshot: ClusterSnapshot,
  nowMs: number,
  policy: ResolvedAnalysisPolicy,
  context: AnalysisContext = {},
): ReplicationFacts[] {
  const index = buildTopologyIndex(snapshot.instances);
  const p = perInstance(index, snapshot, nowMs, policy);
  const clusterMaster = clusterMasterIndex(index, snapshot.clusterId);
  const writableRoots = writableRootsOf(index.instances, p.valid);
  const answeringServerIds = new Set(index.instances.filter((m, i) => p.valid[i] && m.serverId !== null && m.serverId > 0).map((m) => m.serverId));
  const lagThreshold = policy.reasonableReplicationLagSeconds;

  return index.instances.map((m, i) => {
    const replicas = index.replicasOf[i] as readonly number[];
    const c: ReplicationCounts = {
      CountReplicas: replicas.length,
      CountValidReplicas: 0,
      CountValidReplicatingReplicas: 0,
      CountReplicasFailingToConnectToMaster: 0,
      CountLaggingReplicas: 0,
      CountDelayedReplicas: 0,
      CountDowntimedReplicas: 0,
      CountLoggingReplicas: 0,
      CountValidOracleGTIDReplicas: 0,
      CountValidMariaDBGTIDReplicas: 0,
      CountValidBinlogServerReplicas: 0,
      CountStatementBasedLoggingReplicas: 0,
      CountMixedBasedLoggingReplicas: 0,
      CountRowBasedLoggingReplicas: 0,
      CountDistinctMajorVersionsLoggingReplicas: 0,
      CountSemiSyncReplicasEnabled: 0,
    };
    const majorVersions = new Set<string>();
    const replicaModes: string[] = [];
    let maxErrant = '';
    let slowHeartbeats = 0;
    let someInvalid = false;
    let someNotReplicating = false;
    let someFailing = false;
    let replicaCoMaster = false;

    for (const r of replicas) {
      const ri = index.instances[r] as InstanceObservation;
      const rep = ri.replication;
      const valid = p.valid[r] as boolean;
      const replicating = p.replicating[r] as boolean;
      const failing = p.failing[r] as boolean;
      if (!valid) someInvalid = true;
      if (!replicating) someNotReplicating = true;
      if (failing) someFailing = true;
      if (index.ownCoMaster[r]) replicaCoMaster = true;
      if (valid) {
        c.CountValidReplicas++;
        if (replicating) c.CountValidReplicatingReplicas++;
        if (failing) c.CountReplicasFailingToConnectToMaster++;
        if (usesOracleGtid(ri)) c.CountValidOracleGTIDReplicas++;
        if (usesMariadbGtid(ri)) c.CountValidMariaDBGTIDReplicas++;
        if (ri.isBinlogServer) c.CountValidBinlogServerReplicas++;
        if (hasSlowHeartbeat(rep)) slowHeartbeats++;
      }
      const delayed = rep !== null && rep.sqlDelaySeconds > 0;
      if (delayed) c.CountDelayedReplicas++;
      else if (rep !== null && rep.secondsBehindSource !== null && rep.secondsBehindSource > lagThreshold) c.CountLaggingReplicas++;
      if (p.downtimed[r]) c.CountDowntimedReplicas++;
      else if ((p.errant[r] as string) > maxErrant) maxErrant = p.errant[r] as string;
      if (ri.semiSync?.replicaEnabled) c.CountSemiSyncReplicasEnabled++;
      if (isLoggingReplica(ri)) {
        c.CountLoggingReplicas++;
        if (ri.binlogFormat === 'STATEMENT') c.CountStatementBasedLoggingReplicas++;
        else if (ri.binlogFormat === 'MIXED') c.CountMixedBasedLoggingReplicas++;
        else if (ri.binlogFormat === 'ROW') c.CountRowBasedLoggingReplicas++;
        const mv = majorVersionOf(ri);
        if (mv !== null) majorVersions.add(mv);
      }
      const mode = gtidModeOf(ri);
      if (mode !== null) replicaModes.push(mode);
    }
    c.CountDistinctMajorVersionsLoggingReplicas = majorVersions.size;
    const [minMode, maxMode] = minMax(replicaModes);
    const valid = c.CountValidReplicas;
    const rep = m.replication;
    const isMaster = index.isMaster[i] as boolean;
    const k = keyFrom(m);
    return {
      instance: m,
      key: k,
      sourceKey: isMaster || rep === null || index.sourceIndex[i] === NO_SOURCE ? null : { host: rep.sourceHost, port: rep.sourcePort },
      replicas: replicas.map((r) => keyFrom(index.instances[r] as InstanceObservation)),
      isMaster,
      isClusterMaster: i === clusterMaster,
      isCoMaster: (index.ownCoMaster[i] as boolean) || replicaCoMaster,
      isBinlogServer: m.isBinlogServer,
      isReadOnly: m.readOnly === true,
      isDowntimed: p.downtimed[i] as boolean,
      lastCheckValid: p.valid[i] as boolean,
      lastCheckPartialSuccess: m.lastCheckPartialSuccess,
      isFailingToConnectToMaster: p.failing[i] as boolean,
      replicationDepth: index.depth[i] as number,
      isStaleBinlogCoordinates: isStaleBinlogCoordinates(context.staleCoordinates, keyOf(m.host, m.port), m.binlogCoordinates, nowMs, policy.lockedSemiSyncMasterMs),
      oracleGtidImmediateTopology: valid > 0 && c.CountValidOracleGTIDReplicas === valid,
      mariadbGtidImmediateTopology: valid > 0 && c.CountValidMariaDBGTIDReplicas === valid,
      binlogServerImmediateTopology: valid > 0 && c.CountValidBinlogServerReplicas === valid,
      pseudoGtidImmediateTopology: false,
      gtidMode: gtidModeOf(m),
      minReplicaGtidMode: minMode,
      maxReplicaGtidMode: maxMode,
      errantGtid: p.errant[i] as string,
      maxReplicaErrantGtid: maxErrant,
      countSlowHeartbeatReplicas: slowHeartbeats,
      semiSyncMasterEnabled: m.semiSync?.masterEnabled === true,
      semiSyncMasterStatus: m.semiSync?.masterStatus === true,
      semiSyncMasterWaitForReplicaCount: m.semiSync?.masterWaitForReplicaCount ?? 0,
      semiSyncMasterClients: m.semiSync?.masterClients ?? 0,
      someReplicaInvalid: someInvalid,
      someReplicaNotReplicating: someNotReplicating,
      someReplicaFailingToConnect: someFailing,
      counts: c,
      promotionEpoch: m.promotionEpoch ?? null,
      isWritableRoot: isWritableRoot(m, p.valid[i] as boolean),
      writableRoots,
      serverIdAnswersElsewhere: !(p.valid[i] as boolean) && m.serverId !== null && m.serverId > 0 && answeringServerIds.has(m.serverId),
    };
  });
}
