/**
 * orchestrator's topology operations: relocate, relocate-replicas, move-up, set-read-only,
 * set-writeable, begin-maintenance, end-maintenance. Each publishes its command with a fresh
 * requestId; the recovery-executor performs it (holding the cluster's recovery lock, refusing while
 * a recovery runs, on its own fresh probe of the cluster) and answers with an `operation-result`
 * recovery event that the api follows (as `recover` is answered). The route waits for that answer
 * and replies in orchestrator's words:
 *
 *   OK      Details = the Instance JSON of the moved/changed instance as the executor probed it
 *           after the change (relocate-replicas: the moved replicas; maintenance: its key)
 *   409     refused before anything changed: file/position replication, a target that cannot be
 *           its source (libs/domain canReplicateFrom), a cycle, maintenance, a primary without
 *           ?force=true, a recovery running, the cluster lock held, …; Message says why
 *   500     attempted and failed (relocate-replicas: some replicas not moved, each named in
 *           Message; Details still lists the moved ones)
 *   504     no answer in time (the operation may still run: audit-recovery-steps/<requestId>)
 */
import { instanceId, parseInstanceId, type ClusterSnapshot, type Command, type InstanceKey } from '@baton/contracts';
import { keyOf } from '@baton/domain';
import type { RouteContext } from '../app.ts';
import { pollFor } from '../await-effect.ts';
import type { ClusterView } from '../cluster-directory.ts';
import { instanceRows, requireSnapshot } from '../cluster-facts.ts';
import { ApiError, ok } from '../envelope.ts';
import type { OperationAnswer } from '../ports.ts';
import { Host, InstanceParams, params, Port, Text } from '../schemas.ts';
import { findRow, orcKey, type InstanceRow } from '../shapes/instance-json.ts';
import { Type } from '@sinclair/typebox';

const tag = 'operations';
const ForceQuery = Type.Object({ force: Type.Optional(Type.Boolean({ description: "act on the cluster's primary (set-read-only: a fence) or make any instance writable (set-writeable)" })) });
const BelowParams = params({ host: Host, port: Port, belowHost: Host, belowPort: Port });

type OperationCommand = Extract<Command, { kind: 'relocate' | 'relocate-replicas' | 'move-up' | 'set-read-only' | 'set-writeable' | 'begin-maintenance' | 'end-maintenance' }>;
/** The command as a route builds it; the requestId is added when published. */
type Request = OperationCommand extends infer C ? (C extends OperationCommand ? Omit<C, 'requestId'> : never) : never;

export function registerOperationRoutes(ctx: RouteContext): void {
  const { settings, deps } = ctx;

  /** Publishes the operation and waits for the executor's answer; a refused or failed one is thrown (409/500), none in time a 504. */
  async function perform(command: Request, waitMs: number, failedDetails?: (answer: OperationAnswer) => unknown): Promise<OperationAnswer> {
    const requestId = ctx.newRequestId();
    const { commandId } = await deps.commands.publish(command.clusterId, { ...command, requestId } as OperationCommand, requestId);
    const seen = await pollFor(
      async () => {
        const refused = deps.deadLetters.reasonFor(commandId);
        if (refused !== undefined) return { refused };
        const answer = deps.events.operationResult(requestId);
        return answer ? { answer } : undefined;
      },
      { timeoutMs: waitMs, intervalMs: ctx.pollIntervalMs },
    );
    if (seen && 'refused' in seen) throw new ApiError(502, `${command.kind} of ${instanceId(command.instance)}: the recovery executor refused command ${commandId}: ${seen.refused}`, { ...orcKey(command.instance), RequestId: requestId });
    const answer = seen?.answer;
    if (!answer) {
      throw new ApiError(
        504,
        `${command.kind} of ${instanceId(command.instance)}: no recovery-executor answered request ${requestId} (command ${commandId}) within ${waitMs} ms; it may still run (audit-recovery-steps/${requestId})`,
        { ...orcKey(command.instance), RequestId: requestId },
      );
    }
    if (!answer.ok) {
      const details = failedDetails?.(answer) ?? { ...orcKey(command.instance), RequestId: requestId, Refused: answer.refused ?? '', Failed: answer.failed };
      throw new ApiError(answer.refused ? 409 : 500, answer.message, details);
    }
    return answer;
  }

  /** The cluster of `key` with a snapshot (404 unknown instance, 503 no snapshot). */
  async function clusterOf(key: InstanceKey): Promise<ClusterView> {
    const { cluster } = (await ctx.directory()).instance(key);
    requireSnapshot(cluster);
    return cluster;
  }

  /** The target must be a member of the same cluster (404 unknown, 409 another cluster). */
  async function sameCluster(cluster: ClusterView, below: InstanceKey): Promise<void> {
    const other = (await ctx.directory()).instance(below).cluster;
    if (other.clusterId !== cluster.clusterId) {
      throw new ApiError(409, `${instanceId(below)} is in cluster ${other.clusterId}, not in ${cluster.clusterId}: Baton relocates within a cluster`, { ...orcKey(below), ClusterName: other.clusterId });
    }
  }

  /** The Instance JSON of `keys` with the executor's fresh observations laid over the cached snapshot. */
  function rowsAfter(cluster: ClusterView, answer: OperationAnswer, keys: readonly InstanceKey[]): InstanceRow[] {
    const snapshot = requireSnapshot(cluster);
    const fresh = new Map(answer.instances.map((o) => [keyOf(o.host, o.port), o]));
    const overlaid: ClusterSnapshot = { ...snapshot, instances: snapshot.instances.map((i) => fresh.get(keyOf(i.host, i.port)) ?? i) };
    const rows = instanceRows(cluster, settings, ctx.now(), { analysis: false, snapshot: overlaid });
    return keys.map((k) => findRow(rows, k) ?? (orcKey(k) as unknown as InstanceRow));
  }


  /** The instance, the target and their (common) cluster of a `…/:host/:port/:belowHost/:belowPort` route. */
  async function movePair(p: { host: string; port: number; belowHost: string; belowPort: number }): Promise<{ key: InstanceKey; below: InstanceKey; cluster: ClusterView }> {
    const key = { host: p.host, port: p.port };
    const below = { host: p.belowHost, port: p.belowPort };
    const cluster = await clusterOf(key);
    await sameCluster(cluster, below);
    return { key, below, cluster };
  }

  ctx.route({
    url: 'relocate/:host/:port/:belowHost/:belowPort',
    tag,
    mutating: true,
    summary: 'Moves the instance below another one by GTID (refused for file/position replication, a target that cannot be its source, a cycle, maintenance); Details = the moved Instance',
    params: BelowParams,
    handler: async (req) => {
      const { key, below, cluster } = await movePair(req.params);
      const answer = await perform({ kind: 'relocate', requestedBy: ctx.requestedBy(req), clusterId: cluster.clusterId, instance: key, below }, settings.recoverWaitMs);
      return ok(`Instance ${instanceId(key)} relocated below ${instanceId(below)}`, rowsAfter(cluster, answer, [key])[0]);
    },
  });

  ctx.route({
    url: 'relocate-replicas/:host/:port/:belowHost/:belowPort',
    tag,
    mutating: true,
    summary: 'Moves every replica of the instance below another one by GTID (the target itself stays, its siblings go below it); Details = the moved replicas',
    params: BelowParams,
    handler: async (req) => {
      const { key, below, cluster } = await movePair(req.params);
      const moved = (a: OperationAnswer) => rowsAfter(cluster, a, a.changed.map(parseInstanceId));
      const answer = await perform({ kind: 'relocate-replicas', requestedBy: ctx.requestedBy(req), clusterId: cluster.clusterId, instance: key, below }, settings.recoverWaitMs, moved);
      return ok(`Relocated ${answer.changed.length} replicas of ${instanceId(key)} below ${instanceId(below)}`, moved(answer));
    },
  });

  ctx.route({
    url: 'move-up/:host/:port',
    tag,
    mutating: true,
    summary: "Moves the instance up: below its source's source, by GTID; Details = the moved Instance",
    params: InstanceParams,
    handler: async (req) => {
      const key = { host: req.params.host, port: req.params.port };
      const cluster = await clusterOf(key);
      const answer = await perform({ kind: 'move-up', requestedBy: ctx.requestedBy(req), clusterId: cluster.clusterId, instance: key }, settings.recoverWaitMs);
      return ok(`Instance ${instanceId(key)} moved up`, rowsAfter(cluster, answer, [key])[0]);
    },
  });

  for (const [kind, words] of [
    ['set-read-only', 'read-only'],
    ['set-writeable', 'writeable'],
  ] as const) {
    ctx.route({
      url: `${kind}/:host/:port`,
      tag,
      mutating: true,
      summary:
        kind === 'set-read-only'
          ? "SET GLOBAL read_only = 1, verified; refused (409) on the cluster's primary unless ?force=true (then it is a fence: client connections killed)"
          : 'SET GLOBAL read_only = 0, verified; refused (409) unless ?force=true: a writable replica is a second writer, a read-only primary may be fenced on purpose',
      params: InstanceParams,
      querystring: ForceQuery,
      handler: async (req) => {
        const key = { host: req.params.host, port: req.params.port };
        const cluster = await clusterOf(key);
        const answer = await perform({ kind, requestedBy: ctx.requestedBy(req), clusterId: cluster.clusterId, instance: key, force: req.query.force === true }, settings.recoverWaitMs);
        return ok(`Server set as ${words}: ${instanceId(key)}`, rowsAfter(cluster, answer, [key])[0]);
      },
    });
  }

  ctx.route({
    url: 'begin-maintenance/:host/:port/:owner/:reason',
    tag,
    mutating: true,
    summary: 'Takes the maintenance lock of an instance for 10 minutes (orchestrator MaintenanceExpireMinutes): relocate, move-up, set-read-only/writeable refuse to touch it; Details = its key',
    params: params({ host: Host, port: Port, owner: Text('who takes the maintenance lock'), reason: Text('why') }),
    handler: async (req) => {
      const key = { host: req.params.host, port: req.params.port };
      const { cluster } = (await ctx.directory()).instance(key);
      const endsAt = new Date(ctx.now().getTime() + settings.defaultDowntimeMs).toISOString();
      const { owner, reason } = req.params;
      await perform({ kind: 'begin-maintenance', requestedBy: ctx.requestedBy(req), clusterId: cluster.clusterId, instance: key, owner, reason, endsAt }, settings.commandWaitMs);
      return ok(`Maintenance begun: ${instanceId(key)}`, orcKey(key));
    },
  });

  ctx.route({
    url: 'end-maintenance/:host/:port',
    tag,
    mutating: true,
    summary: "Releases an instance's maintenance lock (409 when it holds none); Details = its key",
    params: InstanceParams,
    handler: async (req) => {
      const key = { host: req.params.host, port: req.params.port };
      const { cluster } = (await ctx.directory()).instance(key);
      await perform({ kind: 'end-maintenance', requestedBy: ctx.requestedBy(req), clusterId: cluster.clusterId, instance: key }, settings.commandWaitMs);
      return ok(`Maintenance ended: ${instanceId(key)}`, orcKey(key));
    },
  });
}
