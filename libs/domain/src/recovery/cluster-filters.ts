/**
 * RecoverMasterClusterFilters / RecoverIntermediateMasterClusterFilters (reference §2.4 step 1):
 * automated recovery runs on a cluster when ANY filter matches. Per filter, in this order:
 *   1. exactly the cluster name (Baton: the cluster id);
 *   2. exactly the cluster alias;
 *   3. `alias=<x>`: the alias equals x;
 *   4. `alias~=<re>`: the regexp searches the alias;
 *   5. `*`: every cluster;
 *   6. otherwise a regexp searched in the cluster name.
 * An empty list opts nothing in (orchestrator's default: automated primary failover is off).
 *
 * Deviations: an empty filter, an empty `alias=` value or an empty `alias~=` pattern matches nothing
 * (in orchestrator '' equals an empty alias, and an empty alias pattern matches every cluster). A
 * pattern that does not compile matches nothing, as in orchestrator (its error is ignored);
 * `invalidClusterFilters` lists them so configuration checks can reject them.
 */
import { compileSearchPattern } from './search-pattern.ts';

export interface ClusterIdentity {
  readonly clusterId: string;
  /** '' when the cluster has no alias */
  readonly alias: string;
}

/** The first filter that opts the cluster in, or null. */
export function matchingClusterFilter(filters: readonly string[], cluster: ClusterIdentity): string | null {
  for (const filter of filters) if (filterMatches(filter, cluster)) return filter;
  return null;
}

export function clusterFilterMatches(filters: readonly string[], cluster: ClusterIdentity): boolean {
  return matchingClusterFilter(filters, cluster) !== null;
}

function filterMatches(filter: string, { clusterId, alias }: ClusterIdentity): boolean {
  if (filter === '') return false;
  if (filter === clusterId) return true;
  if (alias !== '' && filter === alias) return true;
  if (filter.startsWith('alias=')) {
    const wanted = filter.slice('alias='.length);
    return wanted !== '' && wanted === alias;
  }
  if (filter.startsWith('alias~=')) {
    const pattern = filter.slice('alias~='.length);
    if (pattern === '') return false;
    return compileSearchPattern(pattern)?.test(alias) ?? false;
  }
  if (filter === '*') return true;
  return compileSearchPattern(filter)?.test(clusterId) ?? false;
}

/** Filters whose regexp part does not compile (they silently match nothing). */
export function invalidClusterFilters(filters: readonly string[]): string[] {
  return filters.filter((f) => {
    if (f === '' || f === '*' || f.startsWith('alias=')) return false;
    const pattern = f.startsWith('alias~=') ? f.slice('alias~='.length) : f;
    return compileSearchPattern(pattern) === null;
  });
}
