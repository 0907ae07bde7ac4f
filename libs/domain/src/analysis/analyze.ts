/**
 * analyze(snapshot, now, policy, context) → orchestrator's replication analysis of one cluster.
 *
 * Pure: `now` is an argument (used for downtime expiry and stale coordinates only; observation
 * freshness is judged against the snapshot's own observedAt, on the detector's clock). Linear in the
 * number of instances: one topology index, one pass for per-instance facts, one for the rows.
 *
 * For many clusters, resolve the policy once (`resolveAnalysisPolicy`) — or keep passing the same
 * policy object, which is resolved once and cached.
 */
import type { AnalysisEntry, ClusterSnapshot } from '@baton/contracts';
import { toMillis } from '../time.ts';
import { resolveAnalysisPolicy, type AnalysisPolicyInput, type ResolvedAnalysisPolicy } from './policy.ts';
import { classify, writableRootRules } from './primary-rules.ts';
import { deriveReplicationFacts, type AnalysisContext, type ReplicationFacts } from './replication-facts.ts';
import { structureWarningsOf } from './structure-warnings.ts';
import { downtimeVerdict, isIgnoredHostname, passesReductionFilter } from './output-filters.ts';

function toEntry(f: ReplicationFacts, policy: ResolvedAnalysisPolicy): AnalysisEntry | null {
  if (policy.reduceReplicationAnalysisCount && !passesReductionFilter(f)) return null;
  const rule = classify(f, policy);
  const structureWarnings = structureWarningsOf(f);
  if (rule.code === 'NoProblem' && structureWarnings.length === 0 && !policy.includeNoProblem) return null;
  if (isIgnoredHostname(f.key.host, policy)) return null;
  const downtime = downtimeVerdict(f, rule.code);
  if (downtime.skippableDueToDowntime && !policy.includeDowntimed) return null;
  return {
    instance: f.key,
    code: rule.code,
    description: rule.description,
    structureWarnings,
    isMaster: f.isMaster,
    isCoMaster: f.isCoMaster,
    isActionable: rule.isActionable,
    isDowntimed: f.isDowntimed,
    isReplicasDowntimed: downtime.isReplicasDowntimed,
    skippableDueToDowntime: downtime.skippableDueToDowntime,
    lastCheckValid: f.lastCheckValid,
    lastCheckPartialSuccess: f.lastCheckPartialSuccess,
    sourceKey: f.sourceKey,
    replicationDepth: f.replicationDepth,
    counts: { ...f.counts },
    replicas: f.replicas.map((k) => ({ host: k.host, port: k.port })),
    flags: flagsOf(f),
    errantGtid: f.errantGtid,
    maxReplicaErrantGtid: f.maxReplicaErrantGtid,
    ...(writableRootCodes.has(rule.code) ? { writableRoots: writableRootsDetail(f) } : {}),
  };
}

const writableRootCodes: ReadonlySet<string> = new Set(writableRootRules.map((r) => r.code));

/** Every writable root with its epoch, newest first: the reader sees this root's epoch and the newest one. */
function writableRootsDetail(f: ReplicationFacts): NonNullable<AnalysisEntry['writableRoots']> {
  return f.writableRoots.map((r) => ({ instance: { host: r.key.host, port: r.key.port }, promotionEpoch: r.promotionEpoch }));
}

/** orchestrator's boolean ReplicationAnalysis fields, under orchestrator's names (for the api and the executor). */
function flagsOf(f: ReplicationFacts): Record<string, boolean> {
  return {
    IsFailingToConnectToMaster: f.isFailingToConnectToMaster,
    IsStaleBinlogCoordinates: f.isStaleBinlogCoordinates,
    IsReadOnly: f.isReadOnly,
    IsClusterMaster: f.isClusterMaster,
    IsBinlogServer: f.isBinlogServer,
    OracleGTIDImmediateTopology: f.oracleGtidImmediateTopology,
    MariaDBGTIDImmediateTopology: f.mariadbGtidImmediateTopology,
    BinlogServerImmediateTopology: f.binlogServerImmediateTopology,
    PseudoGTIDImmediateTopology: f.pseudoGtidImmediateTopology,
    SemiSyncMasterEnabled: f.semiSyncMasterEnabled,
    SemiSyncMasterStatus: f.semiSyncMasterStatus,
  };
}

/** is_master desc, is_cluster_master desc, count_replicas desc; then host, port (orchestrator has no tie-break). */
function compareFacts(a: ReplicationFacts, b: ReplicationFacts): number {
  return (
    Number(b.isMaster) - Number(a.isMaster) ||
    Number(b.isClusterMaster) - Number(a.isClusterMaster) ||
    b.counts.CountReplicas - a.counts.CountReplicas ||
    (a.key.host < b.key.host ? -1 : a.key.host > b.key.host ? 1 : 0) ||
    a.key.port - b.key.port
  );
}

export function analyze(
  snapshot: ClusterSnapshot,
  now: Date | number,
  policy: AnalysisPolicyInput | ResolvedAnalysisPolicy = {},
  context: AnalysisContext = {},
): AnalysisEntry[] {
  const p = resolveAnalysisPolicy(policy);
  const facts = deriveReplicationFacts(snapshot, toMillis(now), p, context).sort(compareFacts);
  const out: AnalysisEntry[] = [];
  for (const f of facts) {
    const e = toEntry(f, p);
    if (e) out.push(e);
  }
  return out;
}

/** The derived rows (reference §1.1) behind analyze(), sorted the same way, unfiltered. For the api and for debugging. */
export function analyzeFacts(
  snapshot: ClusterSnapshot,
  now: Date | number,
  policy: AnalysisPolicyInput | ResolvedAnalysisPolicy = {},
  context: AnalysisContext = {},
): ReplicationFacts[] {
  return deriveReplicationFacts(snapshot, toMillis(now), resolveAnalysisPolicy(policy), context).sort(compareFacts);
}
