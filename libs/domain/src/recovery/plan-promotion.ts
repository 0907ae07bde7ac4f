/**
 * Dead-primary candidate choice as a pure plan (reference §2.4 step 5, §2.5, §3; fixes W4, W6, W9,
 * W10, W11). The executor stops the failed primary's direct replicas, lets each apply what it
 * received (bounded wait), reads them, and calls planPromotion BEFORE changing anything else. The
 * plan either names the whole outcome — the candidate, an optional catch-up, every replica moved
 * under it, every replica lost with its reason — or fails without a single topology change.
 *
 * Steps:
 *  1. Reachability: a replica whose observation is not fresh (isReplicaReachable) is lost
 *     ('unreachable'); one without a usable GTID position is lost ('position-unknown'). GTID only:
 *     no Pseudo-GTID / file-position fallback (W9).
 *  2. Every other replica is assessed (replica-assessment.ts) and ordered (candidate-order.ts).
 *  3. The candidate: the requested one (forced recovery) if it is eligible, else the first eligible
 *     replica in the order (candidate-eligibility.ts; geography is a filter, so the best replica in
 *     the failed primary's DC/region is chosen and no cross-DC choice is cancelled afterwards).
 *  4. Loss: a candidate that lacks transactions another surviving replica holds, and cannot catch up
 *     from the most advanced replica, fails the plan — naming who holds what it lacks — unless
 *     allowLossOfTransactions (then the loss is listed in lostTransactions and warnings).
 *  5. Override checks on the candidate, still before any change (W4):
 *     lag — FailMasterPromotionOnLagMinutes against the lag of the replica whose data gets promoted
 *       (the catch-up source when there is one, else the candidate); unknown lag passes with a warning
 *       (orchestrator reads NULL as 0);
 *     SQL thread — the candidate has received GTIDs it has not applied (or, without GTIDs, read ≠ exec
 *       coordinates; unknown counts as not up to date): FailMasterPromotionIfSQLThreadNotUpToDate fails
 *       the plan; otherwise waitForSqlThread is set when DelayMasterPromotionIfSQLThreadNotUpToDate is
 *       on, or when allowLossOfTransactions is off (promoting discards an unapplied relay log).
 *       Skipped with a catch-up: the candidate ends at the source's applied position anyway.
 *     relay logs — a file/position replica's unapplied relay log (no GTID names it) must be held by
 *       another replica that applied past it, or by the candidate applying its own (relay-backlog.ts);
 *       else the plan fails, or with allowLossOfTransactions reports it lost.
 *  6. Moves: every other ranked replica whose transactions the candidate (after its catch-up) holds
 *     and that CanReplicateFrom the candidate; the rest are lost ('ahead', 'diverged',
 *     'cannot-replicate'). Every input replica ends as exactly one of candidate / moved / lost.
 */
import { instanceId, type InstanceKey, type InstanceObservation } from '@baton/contracts';
import { isObservationValid } from '../analysis/instance-health.ts';
import { compileBanFilters, geographyReasons, majoritiesOf } from './candidate-eligibility.ts';
import type {
  LostReplica,
  PromotionFailureDetails,
  PromotionInput,
  PromotionPlan,
  PromotionPlanFailed,
  Reachability,
  RankedReplica,
} from './promotion-plan.ts';
import { resolvePromotionPolicy, type PromotionPolicy } from './promotion-policy.ts';
import { assessReplicas, knownReplica, toRankedReplica, type Assessment, type KnownReplica } from './replica-assessment.ts';
import { describeUncovered, uncoveredRelayLogs } from './relay-backlog.ts';
import { formatPosition, lastKnownPrimaryPosition, missingFrom, positionContains, rawExecutedSet, readReplicaPositions } from './replica-position.ts';

/** The observation is fresh at nowMs: the last probe succeeded and is not older than windowMs (same clauses as LastCheckValid). */
export function isReplicaReachable(i: InstanceObservation, r: Reachability): boolean {
  return isObservationValid(i, { windowMs: r.windowMs, observedAtMs: r.nowMs });
}

const sameKey = (a: InstanceKey, b: InstanceKey) => a.host === b.host && a.port === b.port;
const byKey = (a: InstanceKey, b: InstanceKey) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.port - b.port);

interface Context {
  readonly policy: PromotionPolicy;
  readonly ranked: readonly Assessment[];
  readonly ranking: readonly RankedReplica[];
  readonly unranked: readonly LostReplica[];
  readonly warnings: string[];
}

function fail(ctx: Pick<Context, 'ranking' | 'unranked' | 'warnings'>, reason: string, lacking: PromotionFailureDetails['lacking'] = []): PromotionPlanFailed {
  return { ok: false, reason, details: { ranking: ctx.ranking, unranked: ctx.unranked, lacking, warnings: ctx.warnings } };
}

function noCandidateReason(ctx: Context, failed: InstanceObservation): string {
  const lines = ctx.ranked.map((a) => `${a.replica.id}: ${a.ineligible.join('; ')}`);
  for (const u of ctx.unranked) lines.push(`${instanceId(u.replica)}: ${u.reason}`);
  // geography is the headline when it alone keeps some replica from being promoted
  const geo = ctx.ranked.some((a) => geographyReasons(a.replica.obs, failed, ctx.policy).length === a.ineligible.length);
  const where = [
    ctx.policy.preventCrossDataCenter ? `data center ${JSON.stringify(failed.dataCenter)}` : null,
    ctx.policy.preventCrossRegion ? `region ${JSON.stringify(failed.region)}` : null,
  ].filter((x): x is string => x !== null);
  const head = geo ? `no replica qualifies in the failed primary's ${where.join(' and ')}` : 'no replica can be promoted';
  return `${head} — ${lines.join(' | ')}`;
}

function lackReason(a: Assessment, requested: boolean): string {
  const who = requested ? `requested candidate ${a.replica.id}` : `${a.replica.id} (the best eligible candidate)`;
  const holders = a.lostTransactions.map((t) => `${instanceId(t.holder)} holds ${t.missing}`).join('; ');
  return `${who} lacks transactions other surviving replicas hold: ${holders}; ${a.catchUpBlockers.join('; ')}; allowLossOfTransactions is off`;
}

function readKnown(input: PromotionInput, reachable: readonly InstanceObservation[], unranked: LostReplica[]): KnownReplica[] {
  const sets = reachable.map(rawExecutedSet);
  const known: KnownReplica[] = [];
  reachable.forEach((r, i) => {
    const others = sets.filter((s, j): s is NonNullable<typeof s> => j !== i && s !== null);
    const reading = readReplicaPositions(r, input.failed, others);
    if (reading.ok) known.push(knownReplica(r, reading.positions));
    else unranked.push({ replica: { host: r.host, port: r.port }, kind: 'position-unknown', reason: reading.reason });
  });
  return known;
}

function lagOf(input: PromotionInput, i: InstanceObservation): number | null {
  const id = instanceId(i);
  if (input.lagSeconds && Object.hasOwn(input.lagSeconds, id)) return input.lagSeconds[id] ?? null;
  return i.replication?.secondsBehindSource ?? null;
}

export function planPromotion(input: PromotionInput): PromotionPlan {
  const policy = resolvePromotionPolicy(input.policy);
  const warnings: string[] = [];
  const bans = compileBanFilters(policy.promotionIgnoreHostnameFilters);
  for (const f of bans.invalid) warnings.push(`PromotionIgnoreHostnameFilters entry ${JSON.stringify(f)} is not a valid regexp: it bans nothing`);
  const empty = { ranking: [], unranked: [], warnings };

  const seen = new Set<string>();
  for (const r of input.replicas) {
    const id = instanceId(r);
    if (seen.has(id)) return fail(empty, `replica ${id} appears twice in the input`);
    if (sameKey(r, input.failed)) return fail(empty, `the failed primary ${id} is listed among its own replicas`);
    seen.add(id);
  }
  if (input.replicas.length === 0) return fail(empty, `the failed primary ${instanceId(input.failed)} has no replica to promote`);

  const unranked: LostReplica[] = [];
  const reachable = input.replicas.filter((r) => {
    if (isReplicaReachable(r, input.reachability)) return true;
    unranked.push({ replica: { host: r.host, port: r.port }, kind: 'unreachable', reason: `not reachable (last seen ${r.lastSeenAt ?? 'never'})` });
    return false;
  });
  // canonical order from here on: nothing downstream depends on the input order
  const known = readKnown(input, reachable, unranked).sort((a, b) => byKey(a.key, b.key));
  unranked.sort((a, b) => byKey(a.replica, b.replica));
  if (known.length === 0) return fail({ ...empty, unranked }, 'no reachable replica with a usable GTID position');

  const ranked = assessReplicas(known, {
    reasonableMaintenanceReplicationLagSeconds: policy.reasonableMaintenanceReplicationLagSeconds,
    eligibility: { failed: input.failed, policy, bans, majorities: majoritiesOf(reachable) },
  });
  const ctx: Context = { policy, ranked, ranking: ranked.map(toRankedReplica), unranked, warnings };

  // 3. the candidate
  let chosen: Assessment | undefined;
  const requested = input.requestedCandidate;
  if (requested) {
    const id = instanceId(requested);
    chosen = ranked.find((a) => sameKey(a.replica.key, requested));
    if (!chosen) {
      const u = unranked.find((x) => sameKey(x.replica, requested));
      return fail(ctx, u ? `requested candidate ${id}: ${u.reason}` : `requested candidate ${id} is not a direct replica of the failed primary`);
    }
    if (chosen.ineligible.length > 0) return fail(ctx, `requested candidate ${id} cannot be promoted: ${chosen.ineligible.join('; ')}`);
  } else {
    chosen = ranked.find((a) => a.ineligible.length === 0);
    if (!chosen) return fail(ctx, noCandidateReason(ctx, input.failed));
  }
  const c = chosen;

  // 4. lost transactions
  if (!c.lossFree) {
    if (!policy.allowLossOfTransactions) return fail(ctx, lackReason(c, requested !== undefined), c.lostTransactions);
    for (const t of c.lostTransactions) warnings.push(`transactions lost (allowLossOfTransactions): ${instanceId(t.holder)} holds ${t.missing}, which ${c.replica.id} lacks`);
  }

  // 5. override checks, before any change
  if (policy.failOnLagSeconds > 0) {
    const promoted = c.catchUp ?? c.replica;
    const lag = lagOf(input, promoted.obs);
    if (lag === null) warnings.push(`lag of ${promoted.id} unknown: FailMasterPromotionOnLagMinutes not applied`);
    else if (lag >= policy.failOnLagSeconds) {
      return fail(ctx, `${promoted.id} lags ${lag} s, at least the ${policy.failOnLagSeconds} s of FailMasterPromotionOnLagMinutes`);
    }
  }
  let waitForSqlThread = false;
  const upToDate = c.replica.positions.sqlThreadUpToDate;
  if (c.catchUp === null && upToDate !== true) {
    const what =
      upToDate === null
        ? `cannot tell whether ${c.replica.id} applied its relay log (no received GTIDs, no coordinates)`
        : `${c.replica.id} has not applied all it received (executed ${formatPosition(c.replica.positions.executed)}, holds ${formatPosition(c.replica.positions.held)})`;
    if (policy.failIfSqlThreadNotUpToDate) return fail(ctx, `${what} (FailMasterPromotionIfSQLThreadNotUpToDate)`);
    waitForSqlThread = policy.delayIfSqlThreadNotUpToDate || !policy.allowLossOfTransactions;
    if (!waitForSqlThread) warnings.push(`${what}; promoting without waiting (allowLossOfTransactions, no SQL-thread option)`);
  }
  // relay logs no GTID names (file/position replication): held by another replica, or not discarded
  const uncovered = uncoveredRelayLogs(
    known.map((k) => k.obs),
    c.replica.key,
    c.catchUp === null && waitForSqlThread,
  );
  const relayLost = uncovered.map((u) => ({ holder: u.replica, missing: `relay log ${u.applied.file}:${u.applied.pos}..${u.received.file}:${u.received.pos} (no GTIDs)` }));
  if (uncovered.length > 0) {
    const what = `unapplied relay logs no other replica holds: ${uncovered.map(describeUncovered).join('; ')}`;
    if (!policy.allowLossOfTransactions) return fail(ctx, `${what}; promoting ${c.replica.id} would discard them (allowLossOfTransactions is off)`, relayLost);
    warnings.push(`transactions lost (allowLossOfTransactions): ${what}`);
  }

  // 6. the outcome
  addWarnings(c, input.failed, warnings);
  const lost = [...c.lost, ...unranked].sort((a, b) => byKey(a.replica, b.replica));
  return {
    ok: true,
    candidate: c.replica.key,
    ...(c.catchUp
      ? {
          catchUpFrom: {
            source: c.catchUp.key,
            untilPosition: formatPosition(c.catchUp.positions.executed),
            missing: missingFrom(c.replica.positions.held, c.catchUp.positions.executed),
          },
        }
      : {}),
    moves: c.moved.map((m) => m.key).sort(byKey),
    lost,
    lostTransactions: [...c.lostTransactions, ...relayLost],
    waitForSqlThread,
    expectedPosition: formatPosition(c.finalPosition),
    warnings,
    ranking: ctx.ranking,
  };
}

function addWarnings(c: Assessment, failed: InstanceObservation, warnings: string[]): void {
  if (c.replica.positions.errant !== '') {
    warnings.push(`${c.replica.id} has errant GTIDs ${c.replica.positions.errant}: the moved replicas will replicate them`);
  }
  for (const m of c.moved) {
    if (m.positions.errant !== '') warnings.push(`${m.id} has errant GTIDs ${m.positions.errant}; they stay on it (MariaDB gtid_strict_mode may stop it)`);
  }
  if (c.keys.promotionRule === 'prefer_not') warnings.push(`${c.replica.id} has promotion rule prefer_not: no better replica qualifies`);
  const last = lastKnownPrimaryPosition(failed);
  if (last && last.flavour === c.finalPosition.flavour && !positionContains(c.finalPosition, last)) {
    warnings.push(
      `the failed primary was last seen (${failed.lastSeenAt ?? 'never'}) with ${missingFrom(c.finalPosition, last)}, which ${c.replica.id} will not have`,
    );
  }
}
