/**
 * Audit reads from the backend, as raw JSON arrays like orchestrator's (newest first, 20 a page):
 * audit-recovery[/:page] (?unacknowledged=true), audit-recovery/id/:id, /uid/:uid,
 * /cluster/:clusterHint[/:page], /alias/:clusterAlias[/:page]; audit-recovery-steps/:uid;
 * audit-failure-detection[/:page], /id/:id, /alias/:clusterAlias[/:page];
 * blocked-recoveries[/cluster/:clusterHint]; active-cluster-recovery/:clusterHint.
 * A cluster hint that no longer resolves (a forgotten cluster) is read as a cluster id; a
 * cluster-scoped read that finds neither the cluster nor any row is a 404.
 */
import type { RouteContext } from '../app.ts';
import { notFound } from '../envelope.ts';
import { AuditQuery, ClusterHint, Page, params, RowId, Uid } from '../schemas.ts';
import { blockedRecoveryJson, failureDetectionJson, recoveryStepJson, topologyRecoveryJson } from '../shapes/recovery-json.ts';

const tag = 'audit';

export function registerAuditRoutes(ctx: RouteContext): void {
  const { audit } = ctx.deps;

  /** The cluster id a hint names; a hint that resolves to nothing is taken as an id itself. */
  const clusterIdOf = async (hint: string): Promise<{ clusterId: string; known: boolean }> => {
    const cluster = (await ctx.directory()).findCluster(hint);
    return cluster ? { clusterId: cluster.clusterId, known: true } : { clusterId: hint, known: false };
  };
  const unknownCluster = (hint: string) => notFound(`Unable to determine cluster name for hint ${hint}`, { hint });

  const recent = async (page: number, unacknowledgedOnly: boolean) => (await audit.recoveries({ by: 'recent', page, unacknowledgedOnly })).map(topologyRecoveryJson);
  ctx.route({ url: 'audit-recovery', tag, summary: 'Recoveries, newest first (TopologyRecovery JSON)', querystring: AuditQuery, handler: async (req) => recent(0, req.query.unacknowledged === true) });
  ctx.route({
    url: 'audit-recovery/:page',
    tag,
    summary: 'Recoveries, one page',
    params: params({ page: Page }),
    querystring: AuditQuery,
    handler: async (req) => recent(req.params.page, req.query.unacknowledged === true),
  });
  ctx.route({
    url: 'audit-recovery/id/:id',
    tag,
    summary: 'One recovery by numeric id',
    params: params({ id: RowId }),
    handler: async (req) => (await audit.recoveries({ by: 'id', id: req.params.id })).map(topologyRecoveryJson),
  });
  ctx.route({
    url: 'audit-recovery/uid/:uid',
    tag,
    summary: 'One recovery by uid',
    params: params({ uid: Uid }),
    handler: async (req) => (await audit.recoveries({ by: 'uid', uid: req.params.uid })).map(topologyRecoveryJson),
  });

  const byCluster = async (hint: string, page: number, unacknowledgedOnly: boolean) => {
    const { clusterId, known } = await clusterIdOf(hint);
    const rows = await audit.recoveries({ by: 'recent', clusterId, page, unacknowledgedOnly });
    if (!known && rows.length === 0) throw unknownCluster(hint);
    return rows.map(topologyRecoveryJson);
  };
  ctx.route({
    url: 'audit-recovery/cluster/:clusterHint',
    tag,
    summary: "A cluster's recoveries",
    params: params({ clusterHint: ClusterHint }),
    querystring: AuditQuery,
    handler: async (req) => byCluster(req.params.clusterHint, 0, req.query.unacknowledged === true),
  });
  ctx.route({
    url: 'audit-recovery/cluster/:clusterHint/:page',
    tag,
    summary: "A cluster's recoveries, one page",
    params: params({ clusterHint: ClusterHint, page: Page }),
    querystring: AuditQuery,
    handler: async (req) => byCluster(req.params.clusterHint, req.params.page, req.query.unacknowledged === true),
  });
  const byAlias = async (alias: string, page: number) => (await audit.recoveries({ by: 'alias', alias, page })).map(topologyRecoveryJson);
  ctx.route({ url: 'audit-recovery/alias/:clusterAlias', tag, summary: 'Recoveries of the clusters with this alias', params: params({ clusterAlias: ClusterHint }), handler: async (req) => byAlias(req.params.clusterAlias, 0) });
  ctx.route({
    url: 'audit-recovery/alias/:clusterAlias/:page',
    tag,
    summary: 'Recoveries by alias, one page',
    params: params({ clusterAlias: ClusterHint, page: Page }),
    handler: async (req) => byAlias(req.params.clusterAlias, req.params.page),
  });

  ctx.route({
    url: 'audit-recovery-steps/:uid',
    tag,
    summary: "A recovery's audited steps, in order (TopologyRecoveryStep JSON)",
    params: params({ uid: Uid }),
    handler: async (req) => {
      const steps = await audit.steps(req.params.uid);
      if (steps.length === 0 && (await audit.recoveries({ by: 'uid', uid: req.params.uid })).length === 0) throw notFound(`No recovery with uid ${req.params.uid}`, { uid: req.params.uid });
      return steps.map(recoveryStepJson);
    },
  });

  const detections = async (query: Parameters<typeof audit.detections>[0]) => (await audit.detections(query)).map(failureDetectionJson);
  ctx.route({ url: 'audit-failure-detection', tag, summary: 'Failure detections, newest first', handler: async () => detections({ by: 'recent', page: 0 }) });
  ctx.route({ url: 'audit-failure-detection/:page', tag, summary: 'Failure detections, one page', params: params({ page: Page }), handler: async (req) => detections({ by: 'recent', page: req.params.page }) });
  ctx.route({ url: 'audit-failure-detection/id/:id', tag, summary: 'One failure detection', params: params({ id: RowId }), handler: async (req) => detections({ by: 'id', id: req.params.id }) });
  ctx.route({
    url: 'audit-failure-detection/alias/:clusterAlias',
    tag,
    summary: 'Failure detections of the clusters with this alias',
    params: params({ clusterAlias: ClusterHint }),
    handler: async (req) => detections({ by: 'alias', alias: req.params.clusterAlias, page: 0 }),
  });
  ctx.route({
    url: 'audit-failure-detection/alias/:clusterAlias/:page',
    tag,
    summary: 'Failure detections by alias, one page',
    params: params({ clusterAlias: ClusterHint, page: Page }),
    handler: async (req) => detections({ by: 'alias', alias: req.params.clusterAlias, page: req.params.page }),
  });

  ctx.route({ url: 'blocked-recoveries', tag, summary: 'Recoveries blocked by anti-flapping or a recovery in flight', handler: async () => (await audit.blocked()).map(blockedRecoveryJson) });
  ctx.route({
    url: 'blocked-recoveries/cluster/:clusterHint',
    tag,
    summary: "A cluster's blocked recoveries",
    params: params({ clusterHint: ClusterHint }),
    handler: async (req) => {
      const { clusterId, known } = await clusterIdOf(req.params.clusterHint);
      const rows = await audit.blocked(clusterId);
      if (!known && rows.length === 0) throw unknownCluster(req.params.clusterHint);
      return rows.map(blockedRecoveryJson);
    },
  });

  ctx.route({
    url: 'active-cluster-recovery/:clusterHint',
    tag,
    summary: "The cluster's recoveries still running (not ended)",
    params: params({ clusterHint: ClusterHint }),
    handler: async (req) => {
      const cluster = await ctx.cluster(req.params.clusterHint);
      return (await audit.recoveries({ by: 'active', clusterId: cluster.clusterId })).map(topologyRecoveryJson);
    },
  });
}
