/**
 * Where the replicas of a dead intermediate primary go (orchestrator's RecoverDeadIntermediateMaster,
 * reference §2.7), as data. Pure: observations in, a plan out.
 *
 * Input: every instance of the cluster as the executor's refresh read it, the intermediate's
 * replicas as their drain left them (stopped, relay log applied: their positions stand still).
 *
 * The siblings are the other replicas of the intermediate's source. A sibling may take replicas
 * when it answered, replicates (both threads), logs what it replicates (log_bin and
 * log_slave_updates), is not banned (promotion rule must_not, PromotionIgnoreHostnameFilters), is a
 * binlog server exactly when the intermediate is, and its applied position is known. Ranked, best
 * first:
 *   1. orchestrator's preference: a candidate (promotion rule must or prefer) in the intermediate's
 *      data center and physical environment, a candidate anywhere, a sibling in the same data
 *      center and environment, any sibling;
 *   2. more replicas of its own first (orchestrator's order);
 *   3. the more advanced applied position first — what orchestrator's comment intends (its
 *      comparator sorts the less advanced first: that quirk is not kept);
 *   4. host:port.
 * The best sibling is the first eligible one that can take at least one of the replicas.
 *
 * Each replica of the intermediate, in this order:
 *   - lost `unreachable`: it did not answer the refresh, or its drain failed;
 *   - lost `position-unknown`: it does not replicate by GTID (Baton relocates by GTID only), or its
 *     applied position cannot be read;
 *   - under the best sibling when it can replicate from it (canReplicateFrom) and the sibling has
 *     applied at least what it has (orchestrator's plans A and C: same data center first);
 *   - else up under the intermediate's own source, on the same two conditions (plan D): an errant
 *     transaction of the intermediate is on its replicas and on nobody upstream;
 *   - else lost (`cannot-replicate`, `ahead` when the targets lack transactions it has), with the
 *     reason for each target.
 * Orchestrator's plan B (regroup the replicas under one of them) is not done: a replica of the
 * dead intermediate never becomes the source of the others.
 *
 * Applied position: MariaDB gtid_slave_pos (a root without replication: gtid_binlog_pos), MySQL
 * gtid_executed — what a repoint by GTID asks the new source for.
 */
import { instanceId, type InstanceKey, type InstanceObservation } from '@baton/contracts';
import { hasNoSource, usesMariadbGtid, usesOracleGtid } from '../analysis/instance-health.ts';
import { keyOf } from '../analysis/topology-index.ts';
import { canReplicateFrom } from './can-replicate-from.ts';
import { banReason, compileBanFilters } from './candidate-eligibility.ts';
import { isReplicaReachable } from './plan-promotion.ts';
import type { LostKind, LostReplica, Reachability } from './promotion-plan.ts';
import { resolvePromotionPolicy, type PromotionPolicy, type PromotionPolicyInput } from './promotion-policy.ts';
import { comparePositions, formatPosition, missingFrom, parsePosition, positionContains, type GtidPosition } from './replica-position.ts';

export interface IntermediateRecoveryInput {
  /** the dead intermediate primary */
  readonly failed: InstanceKey;
  /** every instance of the cluster; the intermediate's replicas as their drain left them */
  readonly instances: readonly InstanceObservation[];
  readonly policy: PromotionPolicyInput;
  readonly reachability: Reachability;
}

export type SiblingPreference = 'candidate-same-site' | 'candidate' | 'same-site' | 'other';

export interface RankedSibling {
  readonly sibling: InstanceKey;
  /** it may take replicas (answers, replicates, logs its updates, not banned, position known) */
  readonly eligible: boolean;
  /** why it may not ([] when eligible) */
  readonly reasons: readonly string[];
  readonly preference: SiblingPreference;
  /** its own replicas in the snapshot */
  readonly replicas: number;
  /** how many of the intermediate's replicas it could take */
  readonly takes: number;
  readonly position: string | null;
}

export interface IntermediateMove {
  readonly target: InstanceKey;
  /** the best sibling (plans A, C) or the intermediate's own source (plan D) */
  readonly via: 'sibling' | 'source';
  readonly replicas: readonly InstanceKey[];
}

export interface IntermediatePlan {
  readonly failed: InstanceKey;
  /** the intermediate's source (null: unknown, or not a member of the snapshot) */
  readonly source: InstanceKey | null;
  readonly sibling: InstanceKey | null;
  /** the non-empty groups, the sibling's first */
  readonly moves: readonly IntermediateMove[];
  readonly lost: readonly LostReplica[];
  /** every sibling, best first */
  readonly siblings: readonly RankedSibling[];
}

const k = (i: InstanceKey): string => keyOf(i.host, i.port);
const toKey = (i: InstanceKey): InstanceKey => ({ host: i.host, port: i.port });
const byKey = (a: InstanceKey, b: InstanceKey): number => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.port - b.port);
const preferenceRank: Readonly<Record<SiblingPreference, number>> = { 'candidate-same-site': 0, candidate: 1, 'same-site': 2, other: 3 };

function sourceKeyOf(i: InstanceObservation): string | null {
  const r = i.replication;
  return r === null || hasNoSource(r) ? null : keyOf(r.sourceHost, r.sourcePort);
}

/** What the instance has applied, as a replica moved under it needs it (see the header). */
export function appliedPosition(i: InstanceObservation): GtidPosition | null {
  if (i.mariadbGtid) return parsePosition('mariadb', hasNoSource(i.replication) ? i.mariadbGtid.binlogPos : i.mariadbGtid.slavePos);
  if (i.mysqlGtid) return parsePosition('mysql', i.mysqlGtid.executed);
  return null;
}

function preferenceOf(s: InstanceObservation, failed: InstanceObservation | undefined): SiblingPreference {
  const candidate = s.promotionRule === 'must' || s.promotionRule === 'prefer';
  const sameSite = failed !== undefined && s.dataCenter === failed.dataCenter && s.physicalEnvironment === failed.physicalEnvironment;
  if (candidate) return sameSite ? 'candidate-same-site' : 'candidate';
  return sameSite ? 'same-site' : 'other';
}

interface Placed {
  readonly obs: InstanceObservation;
  readonly position: GtidPosition;
}

/** Why `replica` may not replicate from `target` (null: it may). */
function refusal(replica: Placed, target: InstanceObservation, targetPosition: GtidPosition | null, policy: PromotionPolicy): { kind: LostKind; reason: string } | null {
  const t = instanceId(target);
  const can = canReplicateFrom(replica.obs, target, policy);
  if (!can.ok) return { kind: 'cannot-replicate', reason: `cannot replicate from ${t}: ${can.reason}` };
  if (targetPosition === null) return { kind: 'position-unknown', reason: `the applied position of ${t} is unknown` };
  if (!positionContains(targetPosition, replica.position)) return { kind: 'ahead', reason: `${t} has not applied ${missingFrom(targetPosition, replica.position)}` };
  return null;
}

function siblingProblems(s: InstanceObservation, failed: InstanceObservation | undefined, input: IntermediateRecoveryInput, policy: PromotionPolicy): string[] {
  const reasons: string[] = [];
  if (!isReplicaReachable(s, input.reachability)) reasons.push(`does not answer${s.lastError ? ` (${s.lastError})` : ''}`);
  const r = s.replication;
  if (!r || r.ioThread !== 'Yes' || r.sqlThread !== 'Yes') reasons.push(`not replicating (IO ${r?.ioThread ?? '-'}, SQL ${r?.sqlThread ?? '-'})`);
  if (s.logBin !== true || s.logSlaveUpdates !== true) reasons.push('does not log what it replicates (log_bin, log_slave_updates)');
  const ban = banReason(s, compileBanFilters(policy.promotionIgnoreHostnameFilters));
  if (ban) reasons.push(`banned: ${ban}`);
  if (failed && s.isBinlogServer !== failed.isBinlogServer) reasons.push(s.isBinlogServer ? 'a binlog server' : 'not a binlog server, as the intermediate is');
  if (appliedPosition(s) === null) reasons.push('its applied GTID position is unknown');
  return reasons;
}

export function planIntermediateRecovery(input: IntermediateRecoveryInput): IntermediatePlan {
  const policy = resolvePromotionPolicy(input.policy);
  const byId = new Map(input.instances.map((i) => [k(i), i]));
  const failedId = k(input.failed);
  const failedObs = byId.get(failedId);
  const sourceId = failedObs ? sourceKeyOf(failedObs) : null;
  const sourceObs = sourceId === null ? undefined : byId.get(sourceId);
  const members = [...byId.values()];
  const replicasOfId = (id: string) => members.filter((i) => sourceKeyOf(i) === id).sort(byKey);

  // the intermediate's replicas: where they stand
  const lost: LostReplica[] = [];
  const placeable: Placed[] = [];
  for (const r of replicasOfId(failedId)) {
    const replica = toKey(r);
    const position = appliedPosition(r);
    if (!isReplicaReachable(r, input.reachability)) lost.push({ replica, kind: 'unreachable', reason: `did not answer or could not be stopped${r.lastError ? `: ${r.lastError}` : ''}` });
    else if (!usesMariadbGtid(r) && !usesOracleGtid(r)) lost.push({ replica, kind: 'position-unknown', reason: 'replicates by file/position: Baton relocates by GTID only' });
    else if (position === null) lost.push({ replica, kind: 'position-unknown', reason: 'its applied GTID position cannot be read' });
    else placeable.push({ obs: r, position });
  }

  // the siblings, best first
  const siblingObs = sourceId === null ? [] : replicasOfId(sourceId).filter((s) => k(s) !== failedId);
  const ranked = siblingObs
    .map((s) => {
      const reasons = siblingProblems(s, failedObs, input, policy);
      const position = appliedPosition(s);
      const takes = reasons.length === 0 ? placeable.filter((p) => refusal(p, s, position, policy) === null).length : 0;
      return { obs: s, position, reasons, preference: preferenceOf(s, failedObs), replicas: replicasOfId(k(s)).length, takes };
    })
    .sort((a, b) => {
      const byPreference = preferenceRank[a.preference] - preferenceRank[b.preference];
      if (byPreference !== 0) return byPreference;
      if (a.replicas !== b.replicas) return b.replicas - a.replicas;
      const relation = a.position && b.position ? comparePositions(a.position, b.position) : 'equal';
      if (relation === 'ahead') return -1;
      if (relation === 'behind') return 1;
      return byKey(a.obs, b.obs);
    });
  const best = ranked.find((s) => s.reasons.length === 0 && s.takes > 0);
  const sourcePosition = sourceObs ? appliedPosition(sourceObs) : null;
  const sourceAnswers = sourceObs !== undefined && isReplicaReachable(sourceObs, input.reachability);

  const toSibling: InstanceKey[] = [];
  const toSource: InstanceKey[] = [];
  for (const p of placeable) {
    const why: string[] = [];
    let kind: LostKind = 'cannot-replicate';
    if (best) {
      const no = refusal(p, best.obs, best.position, policy);
      if (no === null) {
        toSibling.push(toKey(p.obs));
        continue;
      }
      why.push(no.reason);
      kind = no.kind;
    } else {
      why.push(siblingObs.length === 0 ? 'no sibling' : 'no sibling can take it');
    }
    if (!sourceObs) why.push(`the source of ${instanceId(input.failed)} is not known`);
    else if (!sourceAnswers) why.push(`its source ${instanceId(sourceObs)} does not answer`);
    else {
      const no = refusal(p, sourceObs, sourcePosition, policy);
      if (no === null) {
        toSource.push(toKey(p.obs));
        continue;
      }
      why.push(no.reason);
      kind = no.kind;
    }
    lost.push({ replica: toKey(p.obs), kind, reason: why.join('; ') });
  }

  const moves: IntermediateMove[] = [];
  if (best && toSibling.length > 0) moves.push({ target: toKey(best.obs), via: 'sibling', replicas: toSibling });
  if (sourceObs && toSource.length > 0) moves.push({ target: toKey(sourceObs), via: 'source', replicas: toSource });
  return {
    failed: toKey(input.failed),
    source: sourceObs ? toKey(sourceObs) : null,
    sibling: best ? toKey(best.obs) : null,
    moves,
    lost: lost.sort((a, b) => byKey(a.replica, b.replica)),
    siblings: ranked.map((s) => ({
      sibling: toKey(s.obs),
      eligible: s.reasons.length === 0,
      reasons: s.reasons,
      preference: s.preference,
      replicas: s.replicas,
      takes: s.takes,
      position: s.position ? formatPosition(s.position) : null,
    })),
  };
}
