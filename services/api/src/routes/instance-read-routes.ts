/**
 * Read routes about single instances that orchestrator-client calls, with orchestrator's paths and
 * JSON shapes, over the same cached snapshots as the cluster routes (ClusterDirectory):
 *   instance/:host/:port            the Instance JSON (raw, as orchestrator)
 *   instance-replicas/:host/:port   the Instance JSON of its direct replicas (raw array)
 *   all-instances                   every instance of every cluster with a cached snapshot
 *   search/:searchString, search?s= instances whose host:port or cluster alias contains the text
 *                                   (case-insensitive)
 *   topology-tabulated/:clusterHint envelope, Details = the tree one instance a line, fields
 *                                   separated by `|` (see tabulatedTopology)
 * An instance no cluster lists is a 404 in the envelope, a bad port a 400 naming it, a registered
 * cluster without a cached snapshot a 503 (as the cluster routes).
 */
import { Type } from '@sinclair/typebox';
import type { ClusterSnapshot } from '@baton/contracts';
import { descriptionTokens, keyOf, topologyRows, type RenderTopologyOptions } from '@baton/domain';
import type { RouteContext } from '../app.ts';
import type { ClusterView } from '../cluster-directory.ts';
import { analysisOf, requireSnapshot } from '../cluster-facts.ts';
import { notFound, ok } from '../envelope.ts';
import { HintParams, InstanceParams, params } from '../schemas.ts';
import { clusterInstancesJson, type OrcKey } from '../shapes/instance-json.ts';

const tag = 'instances';
const SearchText = Type.String({ minLength: 1, maxLength: 255, description: 'text a host:port or a cluster alias contains (case-insensitive)' });

type InstanceRow = Record<string, unknown>;
const keyOfRow = (row: InstanceRow): string => {
  const k = row['Key'] as OrcKey;
  return keyOf(k.Hostname, k.Port);
};

/**
 * orchestrator's tabulated topology (ASCIITopology with tabulated): one line per instance in the
 * tree's order, `<indent><host:port>|lag|status|version|ro/rw|binlog format|extras`, plus Baton's
 * role and problems as two more fields; the indent is the tree's (`+ ` under the source, two
 * spaces a level). Every field but the last is padded to its column's width, so the `|` line up.
 */
export function tabulatedTopology(snapshot: ClusterSnapshot, options: Required<Pick<RenderTopologyOptions, 'nowMs'>> & RenderTopologyOptions): string {
  const errant = new Map((options.analysis ?? []).map((e) => [keyOf(e.instance.host, e.instance.port), e.errantGtid]));
  const cells = topologyRows(snapshot, options).map((row) => {
    const key = `${row.instance.host}:${row.instance.port}`;
    const tree = row.depth === 0 ? key : `${'  '.repeat(row.depth - 1)}+ ${key}`;
    const tokens = descriptionTokens(row.instance, { lastCheckValid: row.lastCheckValid, errantGtid: errant.get(keyOf(row.instance.host, row.instance.port)), nowMs: options.nowMs });
    return [tree, ...tokens, row.role, row.problems];
  });
  const columns = Math.max(0, ...cells.map((c) => c.length));
  const widths = [...Array(columns).keys()].map((k) => Math.max(0, ...cells.map((c) => (c[k] ?? '').length)));
  return cells.map((c) => c.map((text, k) => (k < c.length - 1 ? text.padEnd(widths[k] as number) : text)).join('|')).join('\n');
}

export function registerInstanceReadRoutes(ctx: RouteContext): void {
  const { settings } = ctx;

  const rowsOf = (cluster: ClusterView, now: Date): InstanceRow[] => {
    const snapshot = requireSnapshot(cluster);
    return clusterInstancesJson(snapshot, cluster.alias, {
      nowMs: now.getTime(),
      reasonableInstanceCheckMs: settings.reasonableInstanceCheckMs,
      analysis: analysisOf(snapshot, settings.fullAnalysisPolicy, now),
    });
  };
  const allRows = async (): Promise<InstanceRow[]> => {
    const now = ctx.now();
    return (await ctx.directory())
      .clusters()
      .filter((c) => c.snapshot !== null)
      .flatMap((c) => rowsOf(c, now));
  };
  /** The instance's row and its cluster's rows; 404 when no cluster lists it, 503 when its cluster has no snapshot. */
  const instanceRow = async (key: { host: string; port: number }): Promise<{ row: InstanceRow; rows: InstanceRow[] }> => {
    const { cluster } = (await ctx.directory()).instance(key);
    const rows = rowsOf(cluster, ctx.now());
    const row = rows.find((r) => keyOfRow(r) === keyOf(key.host, key.port));
    if (!row) throw notFound(`Unknown instance ${key.host}:${key.port}: cluster ${cluster.clusterId} does not list it (not probed yet)`, { Hostname: key.host, Port: key.port });
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
      return rows.filter((r) => replicas.has(keyOfRow(r)));
    },
  });

  ctx.route({
    url: 'all-instances',
    tag,
    summary: 'The Instance JSON of every instance of every cluster with a cached snapshot, as a JSON array',
    handler: async () => allRows(),
  });

  const search = async (text: string) => {
    const wanted = text.toLowerCase();
    return (await allRows()).filter((r) => {
      const k = r['Key'] as OrcKey;
      const fields = [`${k.Hostname}:${k.Port}`, r['InstanceAlias'], r['SuggestedClusterAlias']];
      return fields.some((f) => typeof f === 'string' && f.toLowerCase().includes(wanted));
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

  ctx.route({
    url: 'topology-tabulated/:clusterHint',
    tag: 'clusters',
    summary: 'The tree in Details, one instance a line: host:port|lag|status|version|ro/rw|binlog format|extras|role|problems, indented by depth',
    params: HintParams,
    handler: async ({ params: p }) => {
      const cluster = await ctx.cluster(p.clusterHint);
      const snapshot = requireSnapshot(cluster);
      const now = ctx.now();
      const text = tabulatedTopology(snapshot, {
        nowMs: now.getTime(),
        reasonableInstanceCheckMs: settings.reasonableInstanceCheckMs,
        analysis: analysisOf(snapshot, settings.fullAnalysisPolicy, now),
      });
      return ok(`Topology for cluster ${cluster.clusterId}`, text);
    },
  });
}
