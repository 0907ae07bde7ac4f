/**
 * Steps 9–11 of the protocol for a dead intermediate primary (orchestrator's
 * RecoverDeadIntermediateMaster, reference §2.7), run by recovery.ts after the claim, the refresh,
 * the re-check and PreFailoverProcesses, and before the resolution:
 *
 *   9  stop and drain every reachable replica of the intermediate (the journal's `stop-replicas`
 *      intent first): their positions stand still · planIntermediateRecovery (libs/domain): the
 *      best sibling for each replica it can take, else the intermediate's own source, else lost
 *      with the reason
 *  10  per target (`relocate` intent first): the target applies what each replica applied
 *      (move-below.ts, the drain-and-wait the relocate operations use; nothing to wait for under
 *      the source, which is upstream), then moveReplicas repoints them by GTID
 *  11  the lost replicas named; the ones stopped here and not moved replicate again from the
 *      intermediate (it may come back) — neither detached nor downtimed, as in orchestrator
 *
 * Nothing is fenced and nothing is promoted: an intermediate is a read-only replica, and its
 * replicas only change source. Success (orchestrator's rule): at least one replica replicates from
 * its new source; the successor is the sibling when any replica went under it, else the source.
 */
import { instanceId, type ClusterSnapshot, type InstanceKey } from '@baton/contracts';
import { isReplicaReachable, planIntermediateRecovery, type IntermediatePlan } from '@baton/domain';
import type { RecoveryTrail } from '../audit.ts';
import type { TopologySession } from '../ports.ts';
import type { ExecutorSettings } from '../settings.ts';
import { drainedObservation, failedDrainObservation, replicasOf } from './decisions.ts';
import { prepareMove } from './move-below.ts';
import { moveReplicas, type LostEntry } from './relocate.ts';

export interface IntermediateRun {
  session: TopologySession;
  trail: RecoveryTrail;
  settings: Pick<ExecutorSettings, 'bulkWaitTimeoutMs' | 'reachabilityWindowMs' | 'promotionPolicy'>;
  clock: () => Date;
  failed: InstanceKey;
  /** Before every change to a server: the run's epoch proven (with a journaled intent when given). */
  guard(what: string, intent?: { step: string; data: Record<string, unknown> }): Promise<void>;
  /** The replicas about to be stopped: from here on the topology is touched (a failure restarts them). */
  stopping(replicas: readonly InstanceKey[]): void;
}

export interface IntermediateResult {
  /** Where the replicas went: the sibling when any moved under it, else the source; null when none moved. */
  successor: InstanceKey | null;
  moved: Array<{ replica: InstanceKey; target: InstanceKey }>;
  lost: LostEntry[];
  errors: string[];
  /** A repoint was attempted: the topology may have changed even when nothing moved. */
  repointAttempted: boolean;
  /** Drained here, not moved, and their replication could not be restarted. */
  stillStopped: InstanceKey[];
  /** The intermediate's replicas on the refresh (0: none left, e.g. all moved by a predecessor). */
  replicas: number;
  /** The resolution's text. */
  summary: string;
}

const sameKey = (a: InstanceKey, b: InstanceKey): boolean => a.host === b.host && a.port === b.port;
const keyOf = (k: InstanceKey): InstanceKey => ({ host: k.host, port: k.port });

function describePlan(plan: IntermediatePlan): string {
  const moves = plan.moves.map((m) => `${m.replicas.map(instanceId).join(', ')} under ${m.via === 'sibling' ? 'the sibling' : 'its source'} ${instanceId(m.target)}`);
  const lost = plan.lost.length > 0 ? `; lost: ${plan.lost.map((l) => `${instanceId(l.replica)} (${l.reason})`).join('; ')}` : '';
  return `${moves.length > 0 ? moves.join('; ') : 'no replica can be relocated'}${lost}`;
}

export async function relocateIntermediateReplicas(run: IntermediateRun, snapshot: ClusterSnapshot): Promise<IntermediateResult> {
  const { session, trail, settings, failed } = run;
  const id = instanceId(failed);
  const timeoutMs = settings.bulkWaitTimeoutMs;
  const failedObs = snapshot.instances.find((i) => sameKey(i, failed));
  const sourceUnresponsive = failedObs?.lastError !== null;
  const replicas = replicasOf(snapshot.instances, failed);
  // reachable as of the refresh (PreFailoverProcesses may have taken seconds since): the drain re-checks each one
  const refreshedAtMs = Date.parse(snapshot.observedAt);
  const nowMs = Number.isFinite(refreshedAtMs) ? Math.min(refreshedAtMs, run.clock().getTime()) : run.clock().getTime();
  const reachable = replicas.filter((r) => isReplicaReachable(r, { nowMs, windowMs: settings.reachabilityWindowMs }));

  // 9. stopped and drained, then planned on the positions they stand at
  await run.guard(`stop the replicas of ${id}`, { step: 'stop-replicas', data: { replicas: reachable.map(keyOf), intermediate: keyOf(failed) } });
  run.stopping(reachable);
  const drains = reachable.length > 0 ? await session.drain(reachable, timeoutMs, { sourceUnresponsive }) : [];
  const drainedAt = run.clock();
  const stopped = reachable.filter((_, i) => drains[i]?.ok);
  const applied = drains.filter((x) => x.ok && x.result.drained).length;
  trail.step('replicas-stopped', applied === drains.length ? 'succeeded' : 'failed', `${stopped.length} of ${replicas.length} replicas of ${id} stopped, ${applied} applied everything they received`, {
    replicas: drains.map((x) => (x.ok ? { instance: x.instance, drained: x.result.drained, wait: x.result.waitOutcome, position: x.result.position } : { instance: x.instance, error: x.error })),
    unreachable: replicas.filter((r) => !reachable.includes(r)).map(instanceId),
  });
  const updated = new Map(
    replicas.map((r) => {
      const d = drains.find((x) => x.instance === instanceId(r));
      return [instanceId(r), !d ? r : d.ok ? drainedObservation(r, d.result, drainedAt) : failedDrainObservation(r, d.error, drainedAt)] as const;
    }),
  );
  const plan = planIntermediateRecovery({
    failed,
    instances: snapshot.instances.map((i) => updated.get(instanceId(i)) ?? i),
    policy: settings.promotionPolicy,
    reachability: { nowMs: drainedAt.getTime(), windowMs: settings.reachabilityWindowMs },
  });
  trail.step('relocation-planned', plan.moves.length > 0 ? 'succeeded' : 'failed', describePlan(plan), {
    source: plan.source ? instanceId(plan.source) : null,
    sibling: plan.sibling ? instanceId(plan.sibling) : null,
    moves: plan.moves.map((m) => ({ target: instanceId(m.target), via: m.via, replicas: m.replicas.map(instanceId) })),
    lost: plan.lost.map((l) => ({ instance: instanceId(l.replica), kind: l.kind, reason: l.reason })),
    siblings: plan.siblings.map((s) => ({ ...s, sibling: instanceId(s.sibling), reasons: [...s.reasons] })),
  });

  // 10. per target: it holds what they applied, then the repoint by GTID
  const lost: LostEntry[] = plan.lost.map((l) => ({ replica: keyOf(l.replica), kind: l.kind, reason: l.reason }));
  const errors: string[] = [];
  const moved: IntermediateResult['moved'] = [];
  const restartErrors: string[] = [];
  let repointAttempted = false;
  for (const move of plan.moves) {
    const target = instanceId(move.target);
    await run.guard(`relocate below ${target}`, { step: 'relocate', data: { target: keyOf(move.target), via: move.via, replicas: move.replicas.map(keyOf) } });
    const ready = await prepareMove(session, move.replicas, move.target, {
      isUpstream: () => move.via === 'source',
      timeoutMs,
      guard: () => run.guard(`drain before the move below ${target}`),
      sourceUnresponsive,
      onRestartError: (error) => restartErrors.push(error instanceof Error ? error.message : String(error)),
    });
    const failedHere = [...ready.failed].map(([instance, error]) => ({ instance, error }));
    trail.step('relocation-target-ready', failedHere.length === 0 ? 'succeeded' : 'failed', move.via === 'source' ? `${target} is upstream of ${move.replicas.map(instanceId).join(', ')}` : `${target} applied what ${ready.ready.map(instanceId).join(', ') || 'none of them'} applied${failedHere.length > 0 ? `; not: ${failedHere.map((f) => `${f.instance} (${f.error})`).join('; ')}` : ''}`, {
      target,
      via: move.via,
      ready: ready.ready.map(instanceId),
      failed: failedHere,
    });
    for (const f of failedHere) {
      const replica = move.replicas.find((r) => instanceId(r) === f.instance) ?? move.target;
      lost.push({ replica: keyOf(replica), kind: 'move-failed', reason: f.error });
      errors.push(`move of ${f.instance} below ${target} failed: ${f.error}`);
    }
    if (ready.ready.length === 0) continue;
    await run.guard(`repoint below ${target}`);
    repointAttempted = true;
    const result = await moveReplicas(session, trail, ready.ready, move.target);
    moved.push(...result.moved.map((replica) => ({ replica, target: move.target })));
    lost.push(...result.lost);
    errors.push(...result.errors);
  }

  // 11. lost replicas named; the ones stopped here and not moved replicate again (from the intermediate if it returns)
  if (lost.length > 0) {
    trail.step('lost-replicas', 'info', `${lost.length} replica(s) of ${id} not relocated: ${lost.map((l) => instanceId(l.replica)).join(', ')}`, {
      lost: lost.map((l) => ({ instance: instanceId(l.replica), kind: l.kind, reason: l.reason })),
    });
  }
  // every replica stopped here and not moved: planned lost, not caught up with, or a repoint that
  // failed half-way (START SLAVE on one already running is harmless)
  const restart = stopped.filter((s) => !moved.some((m) => sameKey(m.replica, s)));
  let stillStopped: InstanceKey[] = [];
  if (restart.length > 0) {
    const restarted = await session.restartReplication(restart);
    stillStopped = restart.filter((_, i) => !restarted[i]?.ok);
    trail.step('replication-restarted', stillStopped.length === 0 ? 'succeeded' : 'failed', `replication restarted on the replicas not relocated: they replicate from ${id} again if it returns`, {
      restarted: restarted.filter((r) => r.ok).map((r) => r.instance),
      failed: restarted.filter((r) => !r.ok).map((r) => ({ instance: r.instance, error: r.ok ? '' : r.error })),
    });
  }
  errors.push(...restartErrors.map((e) => `restarting replication of replicas not relocated failed: ${e}`));

  const toSibling = plan.sibling ? moved.filter((m) => sameKey(m.target, plan.sibling as InstanceKey)) : [];
  const successor = toSibling.length > 0 ? (plan.sibling as InstanceKey) : (moved[0]?.target ?? null);
  const groups = plan.moves
    .map((m) => ({ m, n: moved.filter((x) => sameKey(x.target, m.target)).length }))
    .filter((g) => g.n > 0)
    .map((g) => `${g.n} under ${g.m.via === 'sibling' ? 'the sibling' : 'the source'} ${instanceId(g.m.target)}`);
  const summary = `recovered: ${moved.length} of ${replicas.length} replicas of ${id} relocated (${groups.join(', ')})${lost.length > 0 ? `, ${lost.length} lost` : ''}`;
  return { successor, moved, lost, errors, repointAttempted, stillStopped, replicas: replicas.length, summary };
}
