/**
 * Which replicas acknowledge a semi-sync primary (orchestrator's checkAndRecoverLockedSemiSyncMaster
 * and checkAndRecoverMasterWithTooManySemiSyncReplicas, reference §2.7), as data:
 *
 *   - the primary waits for `masterWaitForReplicaCount` acknowledgements (MariaDB: 1);
 *   - the replicas that can acknowledge are the healthy ones: answering, both threads running;
 *     they are taken in promotion order (the dry-run candidate choice of a takeover: promotion
 *     rule, bans, data center, … the replicas judged as caught up), eligible ones first;
 *   - RecoverLockedSemiSyncMaster: enable the replica side on the first healthy replicas that do
 *     not acknowledge yet until there are enough; nothing is switched off;
 *   - EnforceExactSemiSyncReplicas: exactly the first `wait count` healthy replicas acknowledge:
 *     those enabled, every other answering replica with the replica side on switched off (enables
 *     first, so the primary never has fewer acknowledgers than it had).
 *
 * Too few healthy replicas is reported (`short`), not hidden: the remedy enables what there is.
 * Pure.
 */
import { instanceId, type InstanceKey, type InstanceObservation } from '@baton/contracts';
import { isReplicaReachable, planPromotion } from './plan-promotion.ts';
import type { Reachability } from './promotion-plan.ts';
import type { PromotionPolicyInput } from './promotion-policy.ts';
import { caughtUp } from './takeover-target.ts';

export interface SemiSyncReplicasInput {
  readonly primary: InstanceObservation;
  /** Its direct replicas as observed now. */
  readonly replicas: readonly InstanceObservation[];
  /** EnforceExactSemiSyncReplicas (else RecoverLockedSemiSyncMaster: only enable). */
  readonly exact: boolean;
  readonly policy: PromotionPolicyInput;
  readonly reachability: Reachability;
}

export interface SemiSyncReplicasPlan {
  readonly waitCount: number;
  /** Healthy replicas in promotion order (host:port). */
  readonly order: readonly string[];
  /** Healthy replicas acknowledging now. */
  readonly acknowledging: readonly string[];
  readonly enable: readonly InstanceKey[];
  readonly disable: readonly InstanceKey[];
  /** Acknowledgers still missing once the plan ran (too few healthy replicas). */
  readonly short: number;
}

const keyOf = (i: InstanceKey): InstanceKey => ({ host: i.host, port: i.port });

/** Its replica side is on and its IO thread connected as a semi-sync replica (switched on but not reconnected: it does not acknowledge yet). */
const acknowledges = (r: InstanceObservation): boolean => r.semiSync?.replicaEnabled === true && r.semiSync.replicaStatus;

export function planSemiSyncReplicas(input: SemiSyncReplicasInput): SemiSyncReplicasPlan {
  const waitCount = Math.max(1, input.primary.semiSync?.masterWaitForReplicaCount ?? 1);
  const answering = (r: InstanceObservation): boolean => r.lastError === null && isReplicaReachable(r, input.reachability);
  const candidates = input.replicas.filter((r) => answering(r) && r.replication?.ioThread === 'Yes' && r.replication.sqlThread === 'Yes');
  const dry = candidates.length === 0 ? null : planPromotion({ failed: input.primary, replicas: candidates.map((r) => caughtUp(r, input.primary)), policy: input.policy, reachability: input.reachability });
  const ranking = dry ? (dry.ok ? dry.ranking : dry.details.ranking) : [];
  const ranked = ranking.map((x) => instanceId(x.replica));
  // eligible first, in the choice's order; replicas the choice did not rank after them, by host:port
  const eligible = new Set(ranking.filter((x) => x.eligible).map((x) => instanceId(x.replica)));
  const byId = new Map(candidates.map((r) => [instanceId(r), r]));
  const rest = [...byId.keys()].filter((id) => !ranked.includes(id)).sort();
  const order = [...ranked.filter((id) => eligible.has(id)), ...ranked.filter((id) => !eligible.has(id)), ...rest].filter((id) => byId.has(id));
  const acknowledging = order.filter((id) => acknowledges(byId.get(id) as InstanceObservation));

  if (!input.exact) {
    const missing = Math.max(0, waitCount - acknowledging.length);
    const enable = order.filter((id) => !acknowledging.includes(id)).slice(0, missing);
    return { waitCount, order, acknowledging, enable: enable.map((id) => keyOf(byId.get(id) as InstanceObservation)), disable: [], short: missing - enable.length };
  }
  const wanted = order.slice(0, waitCount);
  const enable = wanted.filter((id) => !acknowledging.includes(id));
  const disable = input.replicas.filter((r) => answering(r) && r.semiSync?.replicaEnabled === true && !wanted.includes(instanceId(r))).map(keyOf);
  return { waitCount, order, acknowledging, enable: enable.map((id) => keyOf(byId.get(id) as InstanceObservation)), disable, short: waitCount - wanted.length };
}
