/**
 * Read routes about single instances that orchestrator-client calls, with orchestrator's paths and
 * JSON shapes, over the same cached snapshots as the cluster routes (ClusterDirectory):
 *   instance/:host/:port            the Instance JSON (raw, as orchestrator)
 *   instance-replicas/:host/:port   the Instance JSON of its direct replicas (raw array)
 *   all-instances                   every instance of every cluster with a cached snapshot
 *   search/:searchString, search?s= instances whose host:port or cluster alias contains the text
 *                                   (case-insensitive)
 * (topology-tabulated/:clusterHint is with topology/:clusterHint in cluster-routes.ts.)
 * An instance no cluster lists is a 404 in the envelope, a bad port a 400 naming it, a registered
 * cluster without a cached snapshot a 503 (as the cluster routes).
 */
import { Type } from '@sinclair/typebox';
import type { ClusterSnapshot, InstanceKey } from '@baton/contracts';
import { keyOf } from '@baton/domain';
import type { RouteContext } from '../app.ts';
import type { ClusterView } from '../cluster-directory.ts';
import { instanceRows, requireSnapshot } from '../cluster-facts.ts';
import { notFound } from '../envelope.ts';
import { InstanceParams, params } from '../schemas.ts';
import { findRow, rowKey, type InstanceRow, type OrcKey } from '../shapes/instance-json.ts';

const tag = 'instances';
const SearchText = Type.String({ minLength: 1, maxLength: 255, description: 'text a host:port or a cluster alias contains (case-insensitive)' });

type CachedCluster = ClusterView & { snapshot: ClusterSnapshot };
const isCached = (cluster: ClusterView): cluster is CachedCluster => cluster.snapshot !== null;

export function registerInstanceReadRoutes(ctx: RouteContext): void {
  const { settings } = ctx;

  /** The rows of every cluster with a cached snapshot that `only` keeps (default all), at one time. */
  const rowsOfClusters = async (only: (cluster: CachedCluster) => boolean = () => true): Promise<InstanceRow[]> => {
    const now = ctx.now();
    return (await ctx.directory())
      .clusters()
      .filter(isCached)
      .filter(only)
      .flatMap((c) => instanceRows(c, settings, now));
  };
  /** The instance's row and its cluster's rows; 404 when no cluster lists it, 503 when its cluster has no snapshot. */
  const instanceRow = async (key: InstanceKey): Promise<{ row: InstanceRow; rows: InstanceRow[] }> => {
    const { cluster, instance } = (await ctx.directory()).instance(key);
    const unlisted = () => notFound(`Unknown instance ${key.host}:${key.port}: cluster ${cluster.clusterId} does not list it (not probed yet)`, { Hostname: key.host, Port: key.port });
    // a seed the snapshot does not list: the 404 (or the 503 without a snapshot) before any row is built
    if (instance === null) {
      requireSnapshot(cluster);
      throw unlisted();
    }
    const rows = instanceRows(cluster, settings, ctx.now());
    const row = findRow(rows, key);
    if (!row) throw unlisted();
    return { row, rows };
  };

  ctx.route({
    url: 'instance/:host/:port',
    tag,
    summary: "The instance's Instance JSON (Key, MasterKey, ReplicationSQLThreadState, ReplicationIOThreadState, GtidErrant, …)",
    params: InstanceParams,
    handler: async ({ params: p }) => (await instanceRow(p)).row,
  });

  ctx.route({
    url: 'instance-replicas/:host/:port',
    tag,
    summary: "The Instance JSON of the instance's direct replicas, as a JSON array",
    params: InstanceParams,
    handler: async ({ params: p }) => {
      const { row, rows } = await instanceRow(p);
      const replicas = new Set((row['Replicas'] as OrcKey[]).map((k) => keyOf(k.Hostname, k.Port)));
      return rows.filter((r) => replicas.has(rowKey(r)));
    },
  });

  ctx.route({
    url: 'all-instances',
    tag,
    summary: 'The Instance JSON of every instance of every cluster with a cached snapshot, as a JSON array',
    handler: async () => rowsOfClusters(),
  });

  /** The rows whose host:port or cluster alias holds the text; rows (and analysis) only for the clusters that match. */
  const search = async (text: string) => {
    const wanted = text.toLowerCase();
    const holds = (field: string) => field.toLowerCase().includes(wanted);
    const rows = await rowsOfClusters((c) => holds(c.alias) || c.snapshot.instances.some((i) => holds(`${i.host}:${i.port}`)));
    return rows.filter((r) => {
      const k = r['Key'] as OrcKey;
      return holds(`${k.Hostname}:${k.Port}`) || holds(r['SuggestedClusterAlias'] as string);
    });
  };
  ctx.route({
    url: 'search/:searchString',
    tag,
    summary: 'Instances whose host:port or cluster alias contains the text (case-insensitive), as a JSON array',
    params: params({ searchString: SearchText }),
    handler: async ({ params: p }) => search(p.searchString),
  });
  ctx.route({
    url: 'search',
    tag,
    summary: 'As search/:searchString, the text in ?s= (what orchestrator-client sends)',
    querystring: Type.Object({ s: SearchText }),
    handler: async ({ query }) => search(query.s),
  });
}
