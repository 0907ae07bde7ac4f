/** What routes derive from a cluster's cached snapshot: its analysis, its primary, its instances. */
import type { AnalysisEntry, ClusterSnapshot, InstanceObservation } from '@baton/contracts';
import { analyze, topologyRows, type ResolvedAnalysisPolicy } from '@baton/domain';
import type { ClusterView } from './cluster-directory.ts';
import { ApiError } from './envelope.ts';
import type { ApiSettings } from './settings.ts';
import { clusterInstancesJson, type InstanceRow } from './shapes/instance-json.ts';

/** The cluster's snapshot, or a 503: known (registered) but nothing cached (detector or analyzer not running). */
export function requireSnapshot(cluster: ClusterView): ClusterSnapshot {
  if (cluster.snapshot) return cluster.snapshot;
  throw new ApiError(
    503,
    `No current snapshot of cluster ${cluster.clusterId}: it is registered, but no analyzer has cached a snapshot of it lately (are the detector and the analyzer running?)`,
    { ClusterName: cluster.clusterId },
  );
}

export function analysisOf(snapshot: ClusterSnapshot, policy: ResolvedAnalysisPolicy, now: Date): AnalysisEntry[] {
  return analyze(snapshot, now, policy);
}

/**
 * orchestrator's ReadClusterWriteableMaster: a top-level instance (no source) with replicas, or the
 * only one — writable ones first. null when the snapshot has none.
 */
export function primaryOf(snapshot: ClusterSnapshot): InstanceObservation | null {
  const primaries = topologyRows(snapshot)
    .filter((r) => r.depth === 0 && (r.role === 'primary' || r.role === 'co-primary'))
    .map((r) => r.instance);
  return primaries.find((i) => i.readOnly === false) ?? primaries[0] ?? null;
}

export interface InstanceRowsOptions {
  /** Join the full analysis (GtidErrant, Problems); default true. */
  analysis?: boolean;
  /** The snapshot to render instead of the cluster's own (e.g. with the downtime overlaid). */
  snapshot?: ClusterSnapshot;
}

/**
 * The Instance JSON of the cluster's instances, in host:port order, with its full analysis unless
 * options.analysis is false; a 503 when the cluster has no snapshot (requireSnapshot).
 */
export function instanceRows(
  cluster: ClusterView,
  settings: Pick<ApiSettings, 'reasonableInstanceCheckMs' | 'fullAnalysisPolicy'>,
  now: Date,
  options: InstanceRowsOptions = {},
): InstanceRow[] {
  const snapshot = options.snapshot ?? requireSnapshot(cluster);
  return clusterInstancesJson(snapshot, cluster.alias, {
    nowMs: now.getTime(),
    reasonableInstanceCheckMs: settings.reasonableInstanceCheckMs,
    ...(cluster.maintenance ? { maintenance: cluster.maintenance } : {}),
    ...(options.analysis === false ? {} : { analysis: analysisOf(snapshot, settings.fullAnalysisPolicy, now) }),
  });
}
