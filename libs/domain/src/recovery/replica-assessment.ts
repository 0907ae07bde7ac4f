/**
 * Per surviving replica (reachable, known GTID position): what promoting it would mean — does it
 * hold everything, can it catch up from the most advanced replica, which replicas would move under
 * it and which would be lost — and its order keys. Pure set arithmetic over the whole input, so the
 * result does not depend on the input order.
 *
 * The most advanced replica: holds every transaction any surviving replica holds. It can serve a
 * catch-up when it has also APPLIED all of it (its binlog must contain it) and the candidate can
 * replicate from it (CanReplicateFrom). A banned or otherwise ineligible replica can still serve.
 */
import { instanceId, type InstanceKey, type InstanceObservation } from '@baton/contracts';
import { majorVersionOf } from '../analysis/instance-health.ts';
import { canReplicateFrom, type CanReplicateOptions } from './can-replicate-from.ts';
import { ineligibilityReasons, type EligibilityContext } from './candidate-eligibility.ts';
import { compareCandidates, type CandidateOrderKeys } from './candidate-order.ts';
import type { LostReplica, LostTransactions, RankedReplica } from './promotion-plan.ts';
import { comparePositions, formatPosition, missingFrom, positionContains, type GtidPosition, type ReplicaPositions } from './replica-position.ts';

export interface KnownReplica {
  readonly obs: InstanceObservation;
  readonly key: InstanceKey;
  readonly id: string;
  readonly positions: ReplicaPositions;
}

export interface Assessment {
  readonly replica: KnownReplica;
  readonly ineligible: readonly string[];
  readonly tier: number;
  readonly holdsAll: boolean;
  readonly catchUp: KnownReplica | null;
  /** why it can neither hold everything nor catch up ([] when loss-free) */
  readonly catchUpBlockers: readonly string[];
  readonly lossFree: boolean;
  /** its position once caught up (or as held) */
  readonly finalPosition: GtidPosition;
  readonly moved: readonly KnownReplica[];
  readonly lost: readonly LostReplica[];
  readonly lostTransactions: readonly LostTransactions[];
  readonly keys: CandidateOrderKeys;
}

export interface AssessmentContext extends CanReplicateOptions {
  readonly eligibility: EligibilityContext;
}

const keyOf = (i: InstanceObservation): InstanceKey => ({ host: i.host, port: i.port });
const byHostPort = (a: KnownReplica, b: KnownReplica) => (a.obs.host < b.obs.host ? -1 : a.obs.host > b.obs.host ? 1 : a.obs.port - b.obs.port);

export function knownReplica(obs: InstanceObservation, positions: ReplicaPositions): KnownReplica {
  return { obs, key: keyOf(obs), id: instanceId(obs), positions };
}

interface Sources {
  /** hold everything and applied everything: can serve a catch-up */
  readonly servers: readonly KnownReplica[];
  readonly notApplied: readonly KnownReplica[];
  readonly anyHoldsAll: boolean;
}

function catchUpFor(x: KnownReplica, sources: Sources, ctx: AssessmentContext): { source: KnownReplica | null; blockers: string[] } {
  const blockers: string[] = [];
  if (!sources.anyHoldsAll) return { source: null, blockers: ['no surviving replica holds every transaction the others hold (their positions diverge)'] };
  for (const m of sources.notApplied) blockers.push(`${m.id} holds every transaction but has not applied all it received`);
  const sameDc = (m: KnownReplica) => (m.obs.dataCenter === x.obs.dataCenter ? 0 : 1);
  const delay = (m: KnownReplica) => m.obs.replication?.sqlDelaySeconds ?? 0;
  const ordered = [...sources.servers].sort((a, b) => sameDc(a) - sameDc(b) || delay(a) - delay(b) || byHostPort(a, b));
  for (const m of ordered) {
    const v = canReplicateFrom(x.obs, m.obs, ctx);
    if (v.ok) return { source: m, blockers: [] };
    blockers.push(`cannot catch up from ${m.id}: ${v.reason}`);
  }
  return { source: null, blockers };
}

function outcomeFor(x: KnownReplica, final: GtidPosition, known: readonly KnownReplica[], ctx: AssessmentContext) {
  const moved: KnownReplica[] = [];
  const lost: LostReplica[] = [];
  const lostTransactions: LostTransactions[] = [];
  for (const y of known) {
    if (y === x) continue;
    if (!positionContains(final, y.positions.held)) {
      const missing = missingFrom(final, y.positions.held);
      lostTransactions.push({ holder: y.key, missing });
      if (comparePositions(y.positions.held, final) === 'ahead') {
        lost.push({ replica: y.key, kind: 'ahead', reason: `holds ${missing}, which ${x.id} lacks` });
      } else {
        const extra = missingFrom(y.positions.held, final);
        lost.push({ replica: y.key, kind: 'diverged', reason: `diverged from ${x.id}: holds ${missing} that ${x.id} lacks, and lacks ${extra}` });
      }
      continue;
    }
    const v = canReplicateFrom(y.obs, x.obs, ctx);
    if (v.ok) moved.push(y);
    else lost.push({ replica: y.key, kind: 'cannot-replicate', reason: `cannot replicate from ${x.id}: ${v.reason}` });
  }
  return { moved, lost, lostTransactions };
}

/** Assess every known replica and return them in the candidate order, best first. */
export function assessReplicas(known: readonly KnownReplica[], ctx: AssessmentContext): Assessment[] {
  const n = known.length;
  const holds = known.map((a) => known.map((b) => a === b || positionContains(a.positions.held, b.positions.held)));
  const tiers = holds.map((row) => row.filter(Boolean).length - 1);
  const holdsAll = tiers.map((t) => t === n - 1);
  const allHolders = known.filter((_, i) => holdsAll[i]);
  const appliedAll = (m: KnownReplica) => known.every((y) => positionContains(m.positions.executed, y.positions.held));
  const sources: Sources = {
    servers: allHolders.filter(appliedAll),
    notApplied: allHolders.filter((m) => !appliedAll(m)),
    anyHoldsAll: allHolders.length > 0,
  };
  const failedDc = ctx.eligibility.failed.dataCenter;

  const assessed = known.map((x, i): Assessment => {
    const all = holdsAll[i] as boolean;
    const tier = tiers[i] as number;
    const { source, blockers } = all ? { source: null, blockers: [] } : catchUpFor(x, sources, ctx);
    const lossFree = all || source !== null;
    const finalPosition = source ? source.positions.executed : x.positions.held;
    const outcome = outcomeFor(x, finalPosition, known, ctx);
    const keys: CandidateOrderKeys = {
      completeness: lossFree ? n : tier,
      replicasUnableToFollow: outcome.lost.filter((l) => l.kind === 'cannot-replicate').length,
      promotionRule: x.obs.promotionRule,
      tier,
      majorVersion: majorVersionOf(x.obs),
      binlogFormat: x.obs.binlogFormat,
      sqlDelaySeconds: x.obs.replication?.sqlDelaySeconds ?? 0,
      sameDataCenterAsFailed: failedDc !== '' && x.obs.dataCenter === failedDc,
      hasErrantGtids: x.positions.errant !== '',
      host: x.obs.host,
      port: x.obs.port,
    };
    return {
      replica: x,
      ineligible: ineligibilityReasons(x.obs, ctx.eligibility),
      tier,
      holdsAll: all,
      catchUp: source,
      catchUpBlockers: blockers,
      lossFree,
      finalPosition,
      ...outcome,
      keys,
    };
  });
  return assessed.sort((a, b) => compareCandidates(a.keys, b.keys));
}

export function toRankedReplica(a: Assessment): RankedReplica {
  return {
    replica: a.replica.key,
    eligible: a.ineligible.length === 0,
    ineligibleReasons: a.ineligible,
    position: formatPosition(a.replica.positions.held),
    holdsAll: a.holdsAll,
    catchUpFrom: a.catchUp?.key ?? null,
    lossFree: a.lossFree,
    replicasLostIfPromoted: a.lost.length,
    promotionRule: a.keys.promotionRule,
    errantGtids: a.replica.positions.errant,
  };
}
