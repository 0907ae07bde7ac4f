/**
 * Read routes over the cached snapshots: clusters, clusters-info, cluster-info/:hint,
 * cluster/:hint, topology/:hint, topology-tabulated/:hint, master/:hint, replication-analysis[/:clusterName |
 * /instance/:host/:port], downtimed[/:hint], analysis-state/:hint (Baton). As orchestrator, the list routes answer the raw JSON
 * (no envelope); topology and replication-analysis answer in the envelope; errors always do.
 */
import type { InstanceObservation } from '@baton/contracts';
import type { ClusterSnapshot } from '@baton/contracts';
import { analysisStateDocument, keyOf, renderTopology, renderTopologyTabulated, type RenderTopologyOptions } from '@baton/domain';
import { parseDowntimeValue } from '@baton/state';
import type { RouteContext } from '../app.ts';
import type { ClusterView } from '../cluster-directory.ts';
import { analysisOf, instanceRows, primaryOf, requireSnapshot } from '../cluster-facts.ts';
import { ApiError, notFound, ok } from '../envelope.ts';
import { HintParams, InstanceParams, params, ClusterHint } from '../schemas.ts';
import { analysisJson, clusterInfoJson } from '../shapes/analysis-json.ts';
import { findRow } from '../shapes/instance-json.ts';

const tag = 'clusters';

/** The topology routes: the same tree, as orchestrator's `topology` and its tabulated variant. */
const topologyRoutes: ReadonlyArray<{ url: string; summary: string; render: (snapshot: ClusterSnapshot, options: RenderTopologyOptions) => string }> = [
  {
    url: 'topology/:clusterHint',
    summary: 'ASCII tree of the cluster in Details: [lag,status,version,ro/rw,binlog format,flags], role, problems',
    render: renderTopology,
  },
  {
    url: 'topology-tabulated/:clusterHint',
    summary: 'The tree in Details, one instance a line: host:port|lag|status|version|ro/rw|binlog format|extras|role|problems, indented by depth',
    render: renderTopologyTabulated,
  },
];

export function registerClusterRoutes(ctx: RouteContext): void {
  const { settings } = ctx;
  const instancesOf = (cluster: ClusterView) => instanceRows(cluster, settings, ctx.now());

  ctx.route({
    url: 'clusters',
    tag,
    summary: 'Cluster names (ids), as a JSON array',
    handler: async () => (await ctx.directory()).clusters().map((c) => c.clusterId),
  });

  ctx.route({
    url: 'clusters-info',
    tag,
    summary: 'ClusterInfo of every cluster (ClusterName, ClusterAlias, CountInstances, HeuristicLag, HasAutomated…Recovery)',
    handler: async () => (await ctx.directory()).clusters().map((c) => clusterInfoJson(c, settings.filters)),
  });

  ctx.route({
    url: 'cluster-info/:clusterHint',
    tag,
    summary: 'ClusterInfo of one cluster',
    params: HintParams,
    handler: async ({ params: p }) => clusterInfoJson(await ctx.cluster(p.clusterHint), settings.filters),
  });

  ctx.route({
    url: 'cluster/:clusterHint',
    tag,
    summary: "The cluster's instances (orchestrator's Instance JSON), as a JSON array",
    params: HintParams,
    handler: async ({ params: p }) => instancesOf(await ctx.cluster(p.clusterHint)),
  });

  for (const { url, summary, render } of topologyRoutes) {
    ctx.route({
      url,
      tag,
      summary,
      params: HintParams,
      handler: async ({ params: p }) => {
        const cluster = await ctx.cluster(p.clusterHint);
        const snapshot = requireSnapshot(cluster);
        const now = ctx.now();
        const text = render(snapshot, {
          nowMs: now.getTime(),
          reasonableInstanceCheckMs: settings.reasonableInstanceCheckMs,
          analysis: analysisOf(snapshot, settings.fullAnalysisPolicy, now),
        });
        return ok(`Topology for cluster ${cluster.clusterId}`, text);
      },
    });
  }

  ctx.route({
    url: 'master/:clusterHint',
    tag,
    summary: "The cluster's writable primary (Instance JSON)",
    params: HintParams,
    handler: async ({ params: p }) => {
      const cluster = await ctx.cluster(p.clusterHint);
      const primary = primaryOf(requireSnapshot(cluster));
      if (!primary) throw notFound(`No masters found for ${cluster.clusterId}`, { ClusterName: cluster.clusterId });
      return findRow(instancesOf(cluster), primary);
    },
  });

  const analysisRoute = async (clusters: readonly ClusterView[], instance?: { host: string; port: number }) => {
    const now = ctx.now();
    const entries = clusters.flatMap((cluster) =>
      cluster.snapshot ? analysisOf(cluster.snapshot, settings.analysisPolicy, now).map((e) => analysisJson(e, cluster, settings.filters)) : [],
    );
    const wanted = instance ? keyOf(instance.host, instance.port) : undefined;
    const filtered = wanted
      ? entries.filter((e) => {
          const k = e['AnalyzedInstanceKey'] as { Hostname: string; Port: number };
          return keyOf(k.Hostname, k.Port) === wanted;
        })
      : entries;
    return ok('Analysis', filtered);
  };

  ctx.route({
    url: 'replication-analysis',
    tag,
    summary: "orchestrator's replication analysis of every cluster (IncludeDowntimed), in Details",
    handler: async () => analysisRoute((await ctx.directory()).clusters()),
  });
  ctx.route({
    url: 'replication-analysis/:clusterName',
    tag,
    summary: 'Replication analysis of one cluster',
    params: params({ clusterName: ClusterHint }),
    handler: async ({ params: p }) => analysisRoute([await ctx.cluster(p.clusterName)]),
  });
  ctx.route({
    url: 'replication-analysis/instance/:host/:port',
    tag,
    summary: 'Replication analysis of one instance',
    params: InstanceParams,
    handler: async ({ params: p }) => {
      const membership = (await ctx.directory()).instance(p);
      return analysisRoute([membership.cluster], p);
    },
  });

  // Baton: what `baton analyze` needs to say what the analyzer said of the cached snapshot — the
  // snapshot and the memory the analyzer analysed it with (libs/domain analysis-memory.ts), both
  // as the analyzer cached them in Redis; nothing is asked of the analyzer itself.
  ctx.route({
    url: 'analysis-state/:clusterHint',
    tag,
    summary: "The cluster's analysis state document in Details: the cached snapshot and the analyzer's memory with it (stale binlog coordinates), for `baton analyze`",
    params: HintParams,
    handler: async ({ params: p }) => {
      const cluster = await ctx.cluster(p.clusterHint);
      const state = await ctx.deps.state.analysisState(cluster.clusterId);
      const snapshot = requireSnapshot({ ...cluster, snapshot: state?.snapshot ?? null });
      if (!state?.memory) {
        throw new ApiError(
          503,
          `No analyzer memory is cached with the snapshot of cluster ${cluster.clusterId} (an analyzer older than this api, or its write is still on the way: try again)`,
          { ClusterName: cluster.clusterId },
        );
      }
      return ok(`Analysis state of cluster ${cluster.clusterId}`, analysisStateDocument(snapshot, state.memory));
    },
  });

  const downtimed = async (clusters: readonly ClusterView[]) => {
    const now = ctx.now();
    const out: Array<Record<string, unknown>> = [];
    for (const cluster of clusters) {
      if (!cluster.snapshot) continue;
      // the downtime as Redis holds it now (begin/end-downtime confirm against the same keys)
      const overlaid: InstanceObservation[] = await Promise.all(
        cluster.snapshot.instances.map(async (i) => {
          const raw = await ctx.deps.state.downtime(cluster.clusterId, `${i.host}:${i.port}`);
          return { ...i, downtime: parseDowntimeValue(raw, now).downtime };
        }),
      );
      const rows = instanceRows(cluster, settings, now, { analysis: false, snapshot: { ...cluster.snapshot, instances: overlaid } });
      out.push(...rows.filter((r) => r['IsDowntimed'] === true));
    }
    return out;
  };

  ctx.route({
    url: 'downtimed',
    tag,
    summary: 'Downtimed instances (Instance JSON), as a JSON array',
    handler: async () => downtimed((await ctx.directory()).clusters()),
  });
  ctx.route({
    url: 'downtimed/:clusterHint',
    tag,
    summary: "One cluster's downtimed instances",
    params: HintParams,
    handler: async ({ params: p }) => downtimed([await ctx.cluster(p.clusterHint)]),
  });
}
