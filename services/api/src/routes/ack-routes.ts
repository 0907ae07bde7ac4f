/**
 * Acknowledgements (orchestrator's ack-recovery routes; `?comment=` required on every one):
 * ack-recovery/cluster/:clusterHint, ack-recovery/cluster/alias/:clusterAlias,
 * ack-recovery/instance/:host/:port, ack-recovery/uid/:uid, ack-recovery/:recoveryId,
 * ack-all-recoveries. The executor marks the unacknowledged resolved recoveries in scope, ends
 * their detections and lifts the recovery blocks they hold — after which the cluster can be
 * recovered automatically again. A recovery still running is neither acknowledged nor unblocked:
 * its block stays (its successor's anti-flapping, no forced recovery beside it), and the answer
 * says so, naming it; acknowledge again once it resolved. The route answers once the backend shows
 * the resolved ones acknowledged and no block of a resolved recovery is held by one of them (nor,
 * for a cluster ack, by the resolved recovery that held the cluster's block before); it never
 * waits for a running recovery's block. Details = the number acknowledged.
 */
import type { RouteContext } from '../app.ts';
import { confirmEffect } from '../await-effect.ts';
import { notFound, ok } from '../envelope.ts';
import type { AckScope, StateReader } from '../ports.ts';
import { ClusterHint, CommentQuery, InstanceParams, params, RowId, Uid } from '../schemas.ts';

const tag = 'recovery';

/** A cluster's recovery block as an ack sees it (the executor's BlockValue JSON); null: none, or not a block value. */
interface HeldBlock {
  uid: string;
  /** Its recovery has not resolved yet: no ack lifts it. */
  running: boolean;
}

async function blockOf(state: StateReader, clusterId: string): Promise<HeldBlock | null> {
  const raw = await state.recoveryBlock(clusterId);
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as { uid?: unknown; state?: unknown };
    // as the executor reads it: anything but `resolved` is running
    return typeof v.uid === 'string' ? { uid: v.uid, running: v.state !== 'resolved' } : null;
  } catch {
    return null;
  }
}

/** The holder an ack lifts (a resolved recovery's uid), else null. */
const liftableUid = (block: HeldBlock | null): string | null => (block && !block.running ? block.uid : null);

/**
 * The blocks among `clusters` still held by one of the recoveries that were running before the ack
 * (`runningBefore`): the ack left them in place. A block a recovery took after the ack is not one.
 */
async function keptBlocks(state: StateReader, clusters: Iterable<string>, runningBefore: ReadonlySet<string>): Promise<Array<{ clusterId: string; uid: string }>> {
  const kept: Array<{ clusterId: string; uid: string }> = [];
  for (const clusterId of clusters) {
    const block = await blockOf(state, clusterId);
    if (block?.running && runningBefore.has(block.uid)) kept.push({ clusterId, uid: block.uid });
  }
  return kept;
}

export function registerAckRoutes(ctx: RouteContext): void {
  const { settings, deps } = ctx;

  async function acknowledge(scope: AckScope, comment: string, requestedBy: string, what: string) {
    const pending = await deps.audit.unacknowledged(scope);
    const uids = pending.filter((p) => !p.running).map((p) => p.uid);
    const clusters = new Set(pending.map((p) => p.clusterId));
    if (scope.scope === 'cluster') clusters.add(scope.clusterId);
    // A cluster ack lifts the block the cluster holds now if its recovery resolved. Once lifted, the
    // next recovery may take a block of its own at once; that one is not ours to wait for.
    const heldBefore = new Map<string, string | null>();
    // the running recoveries the ack leaves alone: their blocks still there afterwards were kept
    const runningBefore = new Set(pending.filter((p) => p.running).map((p) => p.uid));
    if (scope.scope === 'cluster') {
      const before = await blockOf(deps.state, scope.clusterId);
      heldBefore.set(scope.clusterId, liftableUid(before));
      if (before?.running) runningBefore.add(before.uid);
    }
    const { commandId } = await deps.commands.publish(scope.scope === 'cluster' ? scope.clusterId : 'ack', {
      kind: 'ack-recoveries',
      requestedBy,
      scope: scope.scope,
      ...(scope.scope === 'cluster' ? { clusterId: scope.clusterId } : {}),
      ...(scope.scope === 'instance' ? { instance: scope.instance } : {}),
      ...(scope.scope === 'uid' ? { uid: scope.uid } : {}),
      comment,
    });
    await confirmEffect(
      async () => {
        if ((await deps.audit.acknowledged(uids)).length < uids.length) return false;
        for (const clusterId of clusters) {
          const holder = liftableUid(await blockOf(deps.state, clusterId));
          if (holder !== null && (uids.includes(holder) || holder === heldBefore.get(clusterId))) return false;
        }
        return true;
      },
      `ack ${what}`,
      commandId,
      { timeoutMs: settings.commandWaitMs, intervalMs: ctx.pollIntervalMs },
    );
    const kept = await keptBlocks(deps.state, clusters, runningBefore);
    return ok(`Acknowledged ${uids.length} recoveries on ${what}${kept.map((k) => `; recovery block of ${k.clusterId} kept: recovery ${k.uid} is still running`).join('')}`, uids.length);
  }

  ctx.route({
    url: 'ack-recovery/cluster/:clusterHint',
    tag,
    mutating: true,
    summary: "Acknowledges the cluster's recoveries (and lifts its recovery block)",
    params: params({ clusterHint: ClusterHint }),
    querystring: CommentQuery,
    handler: async (req) => {
      const cluster = await ctx.cluster(req.params.clusterHint);
      return acknowledge({ scope: 'cluster', clusterId: cluster.clusterId }, req.query.comment, ctx.requestedBy(req), cluster.clusterId);
    },
  });
  ctx.route({
    url: 'ack-recovery/cluster/alias/:clusterAlias',
    tag,
    mutating: true,
    summary: 'Acknowledges the recoveries of the cluster with this alias',
    params: params({ clusterAlias: ClusterHint }),
    querystring: CommentQuery,
    handler: async (req) => {
      const cluster = (await ctx.directory()).clusters().find((c) => c.alias === req.params.clusterAlias);
      if (!cluster) throw notFound(`Unable to determine cluster name for alias ${req.params.clusterAlias}`, { alias: req.params.clusterAlias });
      return acknowledge({ scope: 'cluster', clusterId: cluster.clusterId }, req.query.comment, ctx.requestedBy(req), cluster.clusterId);
    },
  });
  ctx.route({
    url: 'ack-recovery/instance/:host/:port',
    tag,
    mutating: true,
    summary: 'Acknowledges the recoveries whose failed instance this is',
    params: InstanceParams,
    querystring: CommentQuery,
    handler: async (req) => {
      const key = { host: req.params.host, port: req.params.port };
      (await ctx.directory()).instance(key);
      return acknowledge({ scope: 'instance', instance: key }, req.query.comment, ctx.requestedBy(req), `${key.host}:${key.port}`);
    },
  });
  ctx.route({
    url: 'ack-recovery/uid/:uid',
    tag,
    mutating: true,
    summary: 'Acknowledges one recovery by uid',
    params: params({ uid: Uid }),
    querystring: CommentQuery,
    handler: async (req) => {
      const [row] = await deps.audit.recoveries({ by: 'uid', uid: req.params.uid });
      if (!row) throw notFound(`No recovery with uid ${req.params.uid}`, { uid: req.params.uid });
      return acknowledge({ scope: 'uid', uid: row.uid }, req.query.comment, ctx.requestedBy(req), `recovery ${row.uid}`);
    },
  });
  ctx.route({
    url: 'ack-recovery/:recoveryId',
    tag,
    mutating: true,
    summary: 'Acknowledges one recovery by numeric id',
    params: params({ recoveryId: RowId }),
    querystring: CommentQuery,
    handler: async (req) => {
      const [row] = await deps.audit.recoveries({ by: 'id', id: req.params.recoveryId });
      if (!row) throw notFound(`No recovery with id ${req.params.recoveryId}`, { id: req.params.recoveryId });
      return acknowledge({ scope: 'uid', uid: row.uid }, req.query.comment, ctx.requestedBy(req), `recovery ${row.id}`);
    },
  });
  ctx.route({
    url: 'ack-all-recoveries',
    tag,
    mutating: true,
    summary: 'Acknowledges every unacknowledged recovery',
    querystring: CommentQuery,
    handler: async (req) => acknowledge({ scope: 'all' }, req.query.comment, ctx.requestedBy(req), 'all clusters'),
  });
}
