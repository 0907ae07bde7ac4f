/**
 * recover/:host/:port[/:candidateHost/:candidatePort] (?skipProcesses=true), recover-lite/… and
 * force-master-failover/:clusterHint, and the planned switchovers graceful-master-takeover[-auto]/:clusterHint
 * [/:designatedHost/:designatedPort] and force-master-takeover/:clusterHint/:designatedHost/:designatedPort
 * (the executor checks the target on its own probes; the api refuses at once, from the cached
 * snapshot, a designated replica that is not a direct replica of the primary, or a missing one
 * where one is needed). Synchronous as in orchestrator: the route publishes a
 * `recover` command with a fresh requestId, then waits (api.recoverWaitMs) for the executor's
 * answer — the recoveries row carrying that request_id once it has an outcome, or the executor's
 * `recover-not-attempted` event — and answers like orchestrator:
 *   OK    "Recovery executed on host:port", Details = the promoted key {Hostname, Port}
 *   ERROR "Recovery not attempted" (409)        no dead primary there, or the executor declined —
 *                                               RunningRecoveryUID names the recovery of the
 *                                               cluster still running when that is why (a forced
 *                                               recovery never replaces a running one's block)
 *   ERROR "Recovery attempted but no instance promoted" (500)
 *   ERROR 504 when neither came in time (the command may still run: audit-recovery shows it).
 * The api's own analysis of the cached snapshot answers "Recovery not attempted" at once for an
 * instance without an actionable problem, without publishing anything.
 */
import type { InstanceKey } from '@baton/contracts';
import { instanceId } from '@baton/contracts';
import { chooseTakeoverTarget, isAnalysisCode, keyOf, recoveryKindByCode } from '@baton/domain';
import type { RouteContext } from '../app.ts';
import { pollFor } from '../await-effect.ts';
import { analysisOf, primaryOf, requireSnapshot } from '../cluster-facts.ts';
import { ApiError, notFound, ok } from '../envelope.ts';
import type { RecoveryRecord } from '../ports.ts';
import { CandidateParams, DesignatedParams, HintParams, InstanceParams, RecoverQuery } from '../schemas.ts';
import { orcKey } from '../shapes/instance-json.ts';
import { topologyRecoveryJson } from '../shapes/recovery-json.ts';

const tag = 'recovery';

type SwitchoverHint = 'graceful-master-takeover' | 'graceful-master-takeover-auto' | 'force-master-takeover';

type RecoverAnswer = { kind: 'resolved'; recovery: RecoveryRecord } | { kind: 'not-attempted'; reason: string; runningRecoveryUid?: string; recovery?: RecoveryRecord };

/** The details a 409 adds for a recover refused by a running recovery (nothing otherwise: the answers stay orchestrator's). */
const runningDetails = (answer: RecoverAnswer): { RunningRecoveryUID?: string } =>
  answer.kind === 'not-attempted' && answer.runningRecoveryUid ? { RunningRecoveryUID: answer.runningRecoveryUid } : {};

interface RecoverRequest {
  clusterId: string;
  instance: InstanceKey;
  candidate: InstanceKey | undefined;
  skipProcesses: boolean;
  commandHint: '' | 'force-master-failover' | SwitchoverHint;
  requestedBy: string;
}

export function registerRecoverRoutes(ctx: RouteContext): void {
  const { settings, deps } = ctx;

  /** Publishes the command and waits for its outcome; throws 504 when none comes in time. */
  async function runRecover(r: RecoverRequest): Promise<RecoverAnswer> {
    const requestId = ctx.newRequestId();
    const { commandId } = await deps.commands.publish(
      r.clusterId,
      {
        kind: 'recover',
        requestedBy: r.requestedBy,
        clusterId: r.clusterId,
        instance: r.instance,
        ...(r.candidate ? { candidate: r.candidate } : {}),
        skipProcesses: r.skipProcesses,
        commandHint: r.commandHint,
        requestId,
      },
      requestId,
    );
    let running: RecoveryRecord | undefined;
    const answer = await pollFor<RecoverAnswer>(
      async () => {
        const declined = deps.events.notAttempted(requestId);
        const [row] = await deps.audit.recoveries({ by: 'request', requestId });
        if (row) running = row;
        if (row && row.outcome !== null) {
          return row.outcome === 'not-needed' || row.outcome === 'skipped' || row.outcome === 'not-attempted' ? { kind: 'not-attempted', reason: row.outcome, recovery: row } : { kind: 'resolved', recovery: row };
        }
        return !row && declined !== undefined ? { kind: 'not-attempted', ...declined } : undefined;
      },
      { timeoutMs: settings.recoverWaitMs, intervalMs: ctx.pollIntervalMs },
    );
    if (answer) return answer;
    const still = running as RecoveryRecord | undefined;
    throw new ApiError(
      504,
      still
        ? `Recovery ${still.uid} of ${instanceId(r.instance)} still running after ${settings.recoverWaitMs} ms; audit-recovery/uid/${still.uid} shows how it ends`
        : `No recovery-executor answered the recover request ${requestId} (command ${commandId}) within ${settings.recoverWaitMs} ms: is one running? The command may still be handled`,
      { ...orcKey(r.instance), RequestId: requestId, RecoveryUID: still?.uid ?? '' },
    );
  }

  async function recover(p: InstanceKey, candidate: InstanceKey | undefined, skipProcesses: boolean, requestedBy: string) {
    const directory = await ctx.directory();
    const { cluster } = directory.instance(p);
    if (candidate && !directory.findInstance(candidate)) throw notFound(`Unknown candidate ${instanceId(candidate)}: no cluster lists it`, orcKey(candidate));
    const snapshot = cluster.snapshot;
    if (snapshot) {
      const entry = analysisOf(snapshot, settings.fullAnalysisPolicy, ctx.now()).find((e) => keyOf(e.instance.host, e.instance.port) === keyOf(p.host, p.port));
      const kind = entry && isAnalysisCode(entry.code) ? recoveryKindByCode[entry.code] : 'none';
      if (kind !== 'recover-dead-primary' && kind !== 'recover-dead-co-primary' && kind !== 'recover-dead-intermediate-primary') {
        throw new ApiError(409, 'Recovery not attempted', { ...orcKey(p), Analysis: entry?.code ?? 'NoProblem', Reason: `${entry?.code ?? 'NoProblem'} has no recovery` });
      }
    }
    const answer = await runRecover({ clusterId: cluster.clusterId, instance: p, candidate, skipProcesses, commandHint: '', requestedBy });
    if (answer.kind === 'not-attempted') {
      throw new ApiError(409, 'Recovery not attempted', { ...orcKey(p), Reason: answer.reason, RecoveryUID: answer.recovery?.uid ?? '', ...runningDetails(answer) });
    }
    const row = answer.recovery;
    if (row.outcome !== 'successful' || !row.successor) {
      throw new ApiError(500, 'Recovery attempted but no instance promoted', { ...orcKey(p), RecoveryUID: row.uid, AllErrors: row.errors });
    }
    return ok(`Recovery executed on ${instanceId(p)}`, orcKey(row.successor));
  }

  for (const [prefix, lite] of [['recover', false], ['recover-lite', true]] as const) {
    ctx.route({
      url: `${prefix}/:host/:port`,
      tag,
      mutating: true,
      summary: `Forced recovery of the instance's current problem (a dead primary)${lite ? ', without hooks' : ''}; Details = the promoted key`,
      params: InstanceParams,
      querystring: RecoverQuery,
      handler: async (req) => recover({ host: req.params.host, port: req.params.port }, undefined, lite || req.query.skipProcesses === true, ctx.requestedBy(req)),
    });
    ctx.route({
      url: `${prefix}/:host/:port/:candidateHost/:candidatePort`,
      tag,
      mutating: true,
      summary: `Forced recovery promoting the named candidate${lite ? ', without hooks' : ''}`,
      params: CandidateParams,
      querystring: RecoverQuery,
      handler: async (req) =>
        recover({ host: req.params.host, port: req.params.port }, { host: req.params.candidateHost, port: req.params.candidatePort }, lite || req.query.skipProcesses === true, ctx.requestedBy(req)),
    });
  }

  ctx.route({
    url: 'force-master-failover/:clusterHint',
    tag,
    mutating: true,
    summary: "Fails over the cluster's primary even without a problem; Details = the TopologyRecovery",
    params: HintParams,
    handler: async (req) => {
      const cluster = await ctx.cluster(req.params.clusterHint);
      const primary = primaryOf(requireSnapshot(cluster));
      if (!primary) throw notFound(`No masters found for ${cluster.clusterId}`, { ClusterName: cluster.clusterId });
      const answer = await runRecover({
        clusterId: cluster.clusterId,
        instance: { host: primary.host, port: primary.port },
        candidate: undefined,
        skipProcesses: false,
        commandHint: 'force-master-failover',
        requestedBy: ctx.requestedBy(req),
      });
      const details = answer.recovery ? topologyRecoveryJson(answer.recovery) : { Reason: answer.kind === 'not-attempted' ? answer.reason : '', ...runningDetails(answer) };
      if (answer.kind === 'resolved' && answer.recovery.successor && answer.recovery.outcome === 'successful') return ok('Master failed over', details);
      throw new ApiError(answer.kind === 'not-attempted' ? 409 : 500, 'Master not failed over', details);
    },
  });

  /**
   * A planned switchover: the cached snapshot's primary, the designated replica (if any) checked to
   * be one of its direct replicas, then the `recover` command with the switchover's hint; answered
   * with the TopologyRecovery as orchestrator does.
   */
  async function switchover(clusterHint: string, designated: InstanceKey | undefined, hint: SwitchoverHint, requestedBy: string) {
    const cluster = await ctx.cluster(clusterHint);
    const snapshot = requireSnapshot(cluster);
    const primary = primaryOf(snapshot);
    if (!primary) throw notFound(`No masters found for ${cluster.clusterId}`, { ClusterName: cluster.clusterId });
    const replicas = snapshot.instances.filter((i) => i.replication !== null && i.replication.sourceHost.toLowerCase() === primary.host.toLowerCase() && i.replication.sourcePort === primary.port);
    // structure only (force mode): lag and replication are judged by the executor on fresh probes
    const early = chooseTakeoverTarget({
      primary,
      replicas,
      designated: designated ?? null,
      mode: hint === 'graceful-master-takeover-auto' ? 'graceful-auto' : 'force',
      policy: settings.promotionPolicy,
      reachability: { nowMs: Date.parse(snapshot.observedAt), windowMs: Number.MAX_SAFE_INTEGER },
    });
    if (!early.ok) throw new ApiError(409, `${hint}: not attempted`, { ClusterName: cluster.clusterId, Reason: early.reason });
    const answer = await runRecover({
      clusterId: cluster.clusterId,
      instance: { host: primary.host, port: primary.port },
      candidate: designated,
      skipProcesses: false,
      commandHint: hint,
      requestedBy,
    });
    const details = answer.recovery ? topologyRecoveryJson(answer.recovery) : { Reason: answer.kind === 'not-attempted' ? answer.reason : '', ...runningDetails(answer) };
    if (answer.kind === 'resolved' && answer.recovery.successor && answer.recovery.outcome === 'successful') return ok(`${hint}: successor promoted`, details);
    throw new ApiError(answer.kind === 'not-attempted' ? 409 : 500, `${hint}: ${answer.kind === 'not-attempted' ? 'not attempted' : 'failed'}${answer.recovery?.errors.length ? `: ${answer.recovery.errors.join('; ')}` : ''}`, details);
  }

  for (const hint of ['graceful-master-takeover', 'graceful-master-takeover-auto'] as const) {
    const auto = hint === 'graceful-master-takeover-auto';
    ctx.route({
      url: `${hint}/:clusterHint`,
      tag,
      mutating: true,
      summary: auto
        ? 'Planned switchover to the best candidate (or the only direct replica); the old primary replicates from the new one'
        : 'Planned switchover to the only direct replica of the primary; the old primary replicates from the new one',
      params: HintParams,
      handler: async (req) => switchover(req.params.clusterHint, undefined, hint, ctx.requestedBy(req)),
    });
    ctx.route({
      url: `${hint}/:clusterHint/:designatedHost/:designatedPort`,
      tag,
      mutating: true,
      summary: 'Planned switchover to the designated direct replica: checked (lag, promotion rule, bans, version), caught up, promoted; the old primary replicates from it',
      params: DesignatedParams,
      handler: async (req) => switchover(req.params.clusterHint, { host: req.params.designatedHost, port: req.params.designatedPort }, hint, ctx.requestedBy(req)),
    });
  }

  ctx.route({
    url: 'force-master-takeover/:clusterHint/:designatedHost/:designatedPort',
    tag,
    mutating: true,
    summary: 'Switchover to the designated direct replica without the lag check or the graceful hooks; the old primary is fenced first and replicates from it after',
    params: DesignatedParams,
    handler: async (req) => switchover(req.params.clusterHint, { host: req.params.designatedHost, port: req.params.designatedPort }, 'force-master-takeover', ctx.requestedBy(req)),
  });
}
