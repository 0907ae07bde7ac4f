/**
 * State-changing routes about instances and clusters: discover, forget, forget-cluster,
 * register-candidate, begin-downtime, end-downtime. Each publishes its command on baton.commands
 * (the detectors handle discover/forget, the executor the rest) and answers once the effect is
 * visible (see await-effect.ts), in orchestrator's words. A discover the detector could not carry
 * out (the seed does not answer) comes back on baton.dead-letters: a 502 with the detector's reason.
 *
 * Baton watches clusters, not loose instances: `forget/:host/:port` retires the cluster only when
 * host:port is its primary (or its id) and refuses (409) for any other member — forgetting a replica
 * would otherwise stop the watch of the whole cluster. `forget-cluster/:clusterHint` retires any.
 */
import { instanceId, type InstanceKey } from '@baton/contracts';
import { keyOf } from '@baton/domain';
import { parseCandidateValue, parseDowntimeValue } from '@baton/state';
import type { RouteContext } from '../app.ts';
import { confirmEffect, pollFor } from '../await-effect.ts';
import type { ClusterView } from '../cluster-directory.ts';
import { instanceRows, primaryOf } from '../cluster-facts.ts';
import { ApiError, badParameter, ok } from '../envelope.ts';
import { DiscoverQuery, Duration, HintParams, InstanceParams, params, Host, Port, PromotionRuleParam, Text } from '../schemas.ts';
import { findRow, orcKey } from '../shapes/instance-json.ts';

const tag = 'instances';
const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** orchestrator's SimpleTimeToSeconds: `90`, `90s`, `15m`, `2h`, `1d`. */
export function durationSeconds(text: string): number {
  const m = /^([0-9]+)([smhd]?)$/.exec(text);
  if (!m) throw badParameter('duration', 'must be seconds, or a number with s, m, h or d');
  return Number(m[1]) * (units[m[2] || 's'] as number);
}

export function registerInstanceRoutes(ctx: RouteContext): void {
  const { settings, deps } = ctx;
  const wait = { timeoutMs: settings.commandWaitMs, intervalMs: ctx.pollIntervalMs };

  /** The instance's Instance JSON, without the analysis; null when the cluster has no snapshot. */
  const instanceJsonOf = (cluster: ClusterView, key: InstanceKey) => (cluster.snapshot ? findRow(instanceRows(cluster, settings, ctx.now(), { analysis: false }), key) : null);

  ctx.route({
    url: 'discover/:host/:port',
    tag,
    mutating: true,
    summary: 'Discovers the topology around the instance and registers it as a cluster (?alias= names a new one); Details = the Instance once probed',
    params: InstanceParams,
    querystring: DiscoverQuery,
    handler: async (req) => {
      const key = { host: req.params.host, port: req.params.port };
      const { commandId } = await deps.commands.publish(req.query.alias ?? instanceId(key), {
        kind: 'discover',
        requestedBy: ctx.requestedBy(req),
        instance: key,
        ...(req.query.alias === undefined ? {} : { alias: req.query.alias }),
      });
      const seen = await pollFor(async () => {
        const refused = deps.deadLetters.reasonFor(commandId);
        if (refused !== undefined) return { refused };
        const found = (await ctx.directory()).findInstance(key);
        return found?.instance ? { found } : undefined;
      }, wait);
      if (seen && 'refused' in seen) throw new ApiError(502, `discovery of ${instanceId(key)} failed: ${seen.refused}`, { ...orcKey(key), commandId });
      if (seen) return ok(`Instance discovered: ${instanceId(key)}`, instanceJsonOf(seen.found.cluster, key) ?? orcKey(key));
      throw new ApiError(
        504,
        `discovery of ${instanceId(key)}: command ${commandId} was published on baton.commands but neither the instance nor a failure was seen within ${wait.timeoutMs} ms (is a detector running? a host that drops packets takes the detector's connect timeout); it may still be registered`,
        { ...orcKey(key), commandId },
      );
    },
  });

  const forget = async (cluster: ClusterView, requestedBy: string) => {
    const { commandId } = await deps.commands.publish(cluster.clusterId, { kind: 'forget', requestedBy, clusterId: cluster.clusterId });
    if (cluster.registration) {
      await confirmEffect(async () => !deps.registry.registrations().has(cluster.clusterId), `forget ${cluster.clusterId}`, commandId, wait);
    }
    return ok(`Cluster forgotten: ${cluster.clusterId}`, { ClusterName: cluster.clusterId, ClusterAlias: cluster.alias });
  };

  ctx.route({
    url: 'forget/:host/:port',
    tag,
    mutating: true,
    summary: "Retires (stops watching) the cluster whose primary or id this instance is; refused (409) for the cluster's other members",
    params: InstanceParams,
    handler: async (req) => {
      const key = { host: req.params.host, port: req.params.port };
      const { cluster } = (await ctx.directory()).instance(key);
      const primary = cluster.snapshot ? primaryOf(cluster.snapshot) : null;
      const isIdentity = keyOf(key.host, key.port) === cluster.clusterId.toLowerCase() || (primary !== null && keyOf(primary.host, primary.port) === keyOf(key.host, key.port));
      if (!isIdentity) {
        throw new ApiError(
          409,
          `${instanceId(key)} is a member of cluster ${cluster.clusterId}, not its primary: Baton forgets whole clusters (forget-cluster/${cluster.clusterId}), not single instances`,
          { ...orcKey(key), ClusterName: cluster.clusterId },
        );
      }
      return forget(cluster, ctx.requestedBy(req));
    },
  });

  ctx.route({
    url: 'forget-cluster/:clusterHint',
    tag,
    mutating: true,
    summary: 'Retires a cluster: the detectors stop probing it',
    params: HintParams,
    handler: async (req) => forget(await ctx.cluster(req.params.clusterHint), ctx.requestedBy(req)),
  });

  ctx.route({
    url: 'register-candidate/:host/:port/:promotionRule',
    tag,
    mutating: true,
    summary: 'Registers the promotion rule of an instance for recovery.CandidateInstanceExpireMinutes (prefer, neutral, prefer_not, must_not)',
    params: params({ host: Host, port: Port, promotionRule: PromotionRuleParam }),
    handler: async (req) => {
      const key = { host: req.params.host, port: req.params.port };
      const { cluster } = (await ctx.directory()).instance(key);
      const rule = req.params.promotionRule;
      const { commandId } = await deps.commands.publish(cluster.clusterId, { kind: 'register-candidate', requestedBy: ctx.requestedBy(req), clusterId: cluster.clusterId, instance: key, promotionRule: rule });
      await confirmEffect(
        async () => {
          const raw = await deps.state.candidate(cluster.clusterId, instanceId(key));
          return raw !== null && parseCandidateValue(raw).promotionRule === rule;
        },
        'register-candidate',
        commandId,
        wait,
      );
      return ok('Registered candidate', orcKey(key));
    },
  });

  const beginDowntime = async (req: { params: { host: string; port: number; owner: string; reason: string; duration?: string }; headers: Record<string, unknown> }) => {
    const key = { host: req.params.host, port: req.params.port };
    const seconds = req.params.duration === undefined ? 0 : durationSeconds(req.params.duration);
    const durationMs = seconds === 0 ? settings.defaultDowntimeMs : seconds * 1000;
    const { cluster } = (await ctx.directory()).instance(key);
    const endsAt = new Date(ctx.now().getTime() + durationMs).toISOString();
    const { owner, reason } = req.params;
    const { commandId } = await deps.commands.publish(cluster.clusterId, {
      kind: 'begin-downtime',
      requestedBy: ctx.requestedBy(req as never),
      clusterId: cluster.clusterId,
      instance: key,
      owner,
      reason,
      endsAt,
    });
    await confirmEffect(
      async () => {
        const d = parseDowntimeValue(await deps.state.downtime(cluster.clusterId, instanceId(key)), ctx.now()).downtime;
        return d !== null && d.owner === owner && d.reason === reason && d.endsAt === endsAt;
      },
      'begin-downtime',
      commandId,
      wait,
    );
    return ok(`Downtime begun: ${instanceId(key)}`, { ...orcKey(key), DowntimeOwner: owner, DowntimeReason: reason, DowntimeEndTimestamp: endsAt });
  };

  const downtimeParams = { host: Host, port: Port, owner: Text('who takes the downtime'), reason: Text('why') };
  ctx.route({
    url: 'begin-downtime/:host/:port/:owner/:reason',
    tag,
    mutating: true,
    summary: 'Downtimes an instance for 10 minutes (orchestrator MaintenanceExpireMinutes): analysis flags it, automated recovery skips it',
    params: params(downtimeParams),
    handler: async (req) => beginDowntime(req as never),
  });
  ctx.route({
    url: 'begin-downtime/:host/:port/:owner/:reason/:duration',
    tag,
    mutating: true,
    summary: 'Downtimes an instance for the duration (90, 90s, 15m, 2h, 1d)',
    params: params({ ...downtimeParams, duration: Duration }),
    handler: async (req) => beginDowntime(req as never),
  });

  ctx.route({
    url: 'end-downtime/:host/:port',
    tag,
    mutating: true,
    summary: "Ends an instance's downtime",
    params: InstanceParams,
    handler: async (req) => {
      const key = { host: req.params.host, port: req.params.port };
      const { cluster } = (await ctx.directory()).instance(key);
      const { commandId } = await deps.commands.publish(cluster.clusterId, { kind: 'end-downtime', requestedBy: ctx.requestedBy(req), clusterId: cluster.clusterId, instance: key });
      await confirmEffect(async () => (await deps.state.downtime(cluster.clusterId, instanceId(key))) === null, 'end-downtime', commandId, wait);
      return ok(`Downtime ended: ${instanceId(key)}`, orcKey(key));
    },
  });
}
