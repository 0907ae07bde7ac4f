/**
 * The analysis change log (backend table `analysis_changelog`, migration 004; orchestrator's
 * database_instance_analysis_changelog): one row each time an instance's code or structure
 * warnings change, as this process sees it.
 *
 * `diffChangelog` is pure: from the previous signatures of a cluster's instances and the latest
 * analysis it returns the rows to write and the next signatures. An instance absent from the
 * analysis (a healthy leaf that ReduceReplicationAnalysisCount skips) counts as NoProblem; an
 * instance first seen with NoProblem and no warning writes nothing (it is the baseline); an
 * instance gone from the snapshot is forgotten without a row; hosts matching
 * RecoveryIgnoreHostnameFilters are never logged.
 */
import type { AnalysisEntry, ClusterSnapshot } from '@baton/contracts';
import { isIgnoredHostname, keyOf, type ResolvedAnalysisPolicy } from '@baton/domain';
import type { Queryable } from '@baton/mysql';

export interface ChangelogRow {
  clusterId: string;
  host: string;
  port: number;
  analysis: string;
  structureWarnings: string[];
  countReplicas: number;
  analyzedAt: Date;
}

/** instance key (`host:port`, host lower-case) → `Code|Warning,Warning` */
export type ChangelogSignatures = ReadonlyMap<string, string>;

export interface ChangelogDiff {
  rows: ChangelogRow[];
  next: ChangelogSignatures;
}

const baseline = 'NoProblem|';

export function diffChangelog(
  previous: ChangelogSignatures,
  snapshot: ClusterSnapshot,
  entries: readonly AnalysisEntry[],
  policy: ResolvedAnalysisPolicy,
  analyzedAt: Date,
): ChangelogDiff {
  const byKey = new Map<string, AnalysisEntry>();
  for (const e of entries) byKey.set(keyOf(e.instance.host, e.instance.port), e);
  const next = new Map<string, string>();
  const rows: ChangelogRow[] = [];
  for (const i of snapshot.instances) {
    const key = keyOf(i.host, i.port);
    if (next.has(key) || isIgnoredHostname(i.host, policy)) continue;
    const entry = byKey.get(key);
    const analysis = entry?.code ?? 'NoProblem';
    const structureWarnings = entry ? [...entry.structureWarnings] : [];
    const signature = `${analysis}|${structureWarnings.join(',')}`;
    next.set(key, signature);
    const before = previous.get(key);
    if (before === signature || (before === undefined && signature === baseline)) continue;
    rows.push({
      clusterId: snapshot.clusterId,
      host: i.host,
      port: i.port,
      analysis,
      structureWarnings,
      countReplicas: entry?.counts['CountReplicas'] ?? 0,
      analyzedAt,
    });
  }
  return { rows, next };
}

/** Where change-log rows go (the backend in production, an array in unit tests). */
export interface ChangelogStore {
  append(rows: readonly ChangelogRow[]): Promise<void>;
}

/** Writes rows to `analysis_changelog` in one multi-row INSERT. */
export function createBackendChangelogStore(db: Queryable): ChangelogStore {
  return {
    async append(rows) {
      if (rows.length === 0) return;
      const placeholders = rows.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
      const values = rows.flatMap((r) => [
        r.clusterId,
        r.host,
        r.port,
        r.analysis,
        JSON.stringify(r.structureWarnings),
        r.countReplicas,
        r.analyzedAt,
      ]);
      await db.exec(
        `INSERT INTO analysis_changelog (cluster_id, host, port, analysis, structure_warnings, count_replicas, analyzed_at) VALUES ${placeholders}`,
        values,
      );
    },
  };
}
