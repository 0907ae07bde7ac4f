/**
 * Steps 10–11 after the promotion took effect: move every planned replica under the new primary
 * in parallel (MaxConcurrentReplicaOperations, each until both threads run), then the lost
 * replicas — named with their reason, detached when DetachLostReplicasAfterMasterFailover (so a
 * returning old primary cannot feed them transactions nobody else has), downtimed for
 * lostReplicasDowntimeSeconds — the failed primary downtimed, the successor's downtime ended.
 */
import { instanceId, parseInstanceId, type InstanceKey } from '@baton/contracts';
import type { LostReplica } from '@baton/domain';
import type { RecoveryTrail } from '../audit.ts';
import type { RecoveryState, TopologySession } from '../ports.ts';

export interface LostEntry {
  replica: InstanceKey;
  kind: LostReplica['kind'] | 'move-failed';
  reason: string;
}

export interface RelocateResult {
  moved: InstanceKey[];
  lost: LostEntry[];
  errors: string[];
}

export async function moveReplicas(
  session: TopologySession,
  trail: RecoveryTrail,
  moves: readonly InstanceKey[],
  successor: InstanceKey,
  onRepointed?: (instance: string) => void,
): Promise<RelocateResult> {
  const result: RelocateResult = { moved: [], lost: [], errors: [] };
  if (moves.length === 0) return result;
  const entries = await session.repoint(moves, successor, { semiSyncReplica: undefined, ...(onRepointed ? { onRepointed } : {}) });
  for (const e of entries) {
    const key = moves.find((k) => instanceId(k) === e.instance) ?? parseInstanceId(e.instance);
    if (e.ok && e.result.running) {
      result.moved.push(key);
      trail.step('replica-moved', 'succeeded', `${e.instance} replicates from ${instanceId(successor)}`, { instance: e.instance, elapsedMs: Math.round(e.result.elapsedMs) });
    } else {
      const reason = e.ok ? `moved but replication is not running (${e.result.outcome})` : e.error.message;
      result.lost.push({ replica: key, kind: 'move-failed', reason });
      result.errors.push(`move of ${e.instance} failed: ${reason}`);
      trail.step('replica-moved', 'failed', `${e.instance} could not be moved: ${reason}`, { instance: e.instance });
    }
  }
  trail.step('replicas-moved', result.lost.length === 0 ? 'succeeded' : 'failed', `${result.moved.length} of ${moves.length} replicas moved`, {
    moved: result.moved.map(instanceId),
    failed: result.lost.map((l) => instanceId(l.replica)),
  });
  return result;
}


export interface AftermathInput {
  clusterId: string;
  failed: InstanceKey;
  successor: InstanceKey | null;
  lost: readonly LostEntry[];
  detachLost: boolean;
  downtimeMs: number;
  /** The failed primary is downtimed too (default); a switchover re-attaches it instead. */
  downtimeFailed?: boolean;
  now: Date;
}

/** Lost replicas, downtimes. Every failure is recorded and returned; none stops the rest. */
export async function handleAftermath(session: TopologySession, state: RecoveryState, trail: RecoveryTrail, input: AftermathInput): Promise<string[]> {
  const errors: string[] = [];
  const { clusterId, lost } = input;
  if (lost.length > 0) {
    trail.step('lost-replicas', 'info', `${lost.length} replica(s) lost: ${lost.map((l) => instanceId(l.replica)).join(', ')}`, {
      lost: lost.map((l) => ({ instance: instanceId(l.replica), kind: l.kind, reason: l.reason })),
    });
    if (input.detachLost) {
      const detached = await session.detach(lost.map((l) => l.replica));
      for (const d of detached) if (!d.ok) errors.push(`detach of lost replica ${d.instance} failed: ${d.error}`);
      trail.step('lost-replicas-detached', detached.every((d) => d.ok) ? 'succeeded' : 'failed', 'lost replicas detached (source host prefixed with //)', {
        detached: detached.filter((d) => d.ok).map((d) => d.instance),
        failed: detached.filter((d) => !d.ok).map((d) => ({ instance: d.instance, error: d.ok ? '' : d.error })),
      });
    }
  }
  if (input.downtimeMs > 0) {
    const endsAt = new Date(input.now.getTime() + input.downtimeMs).toISOString();
    const targets = [...lost.map((l) => l.replica), ...(input.successor && input.downtimeFailed !== false ? [input.failed] : [])];
    const results = await Promise.allSettled(
      targets.map((k) => state.setDowntime(clusterId, instanceId(k), { owner: 'baton', reason: 'lost-in-recovery', endsAt }, input.downtimeMs)),
    );
    results.forEach((r, i) => {
      if (r.status === 'rejected') errors.push(`downtime of ${instanceId(targets[i] as InstanceKey)} failed: ${(r.reason as Error).message}`);
    });
    if (targets.length > 0) trail.step('downtimed', 'info', `downtimed until ${endsAt}: ${targets.map(instanceId).join(', ')}`, { instances: targets.map(instanceId), endsAt });
  }
  if (input.successor) {
    try {
      await state.endDowntime(clusterId, instanceId(input.successor));
      trail.step('successor-downtime-ended', 'info', `downtime of ${instanceId(input.successor)} ended`, {});
    } catch (error) {
      errors.push(`ending the successor's downtime failed: ${(error as Error).message}`);
    }
  }
  return errors;
}
