/**
 * The candidate order: a lexicographic comparison of keys computed once per replica from the whole
 * input, ending with host then port — a strict total order, so the choice never depends on the order
 * of the input (fix W10: orchestrator's pairwise comparator is not a strict weak order and its sort
 * is unstable).
 *
 * Best first:
 *   1. completeness, higher first: a replica that holds every transaction any surviving replica holds,
 *      or can get them by catching up from the most advanced replica, scores n (the number of ranked
 *      replicas); any other scores the number of other replicas whose transactions it holds. (If A
 *      holds strictly more than B, A scores higher: containment is never reversed.)
 *   2. fewer surviving replicas that could not replicate from it if it is promoted (CanReplicateFrom).
 *      Replicas left behind because they hold transactions it lacks are key 1's alone: for a replica
 *      that is not loss-free they are exactly the n − 1 − completeness it does not contain, and a
 *      loss-free one leaves none. Each key decides something of its own (a mutant that drops key 1
 *      is not rescued by key 2).
 *   3. promotion rule: must, prefer, neutral, prefer_not, must_not.
 *   4. position: more other replicas' transactions already held (no catch-up needed first).
 *   5. lower major version (numeric; unknown last).
 *   6. lower binlog format, STATEMENT < MIXED < ROW (unknown last).
 *   7. lower SQL delay.
 *   8. same data center as the failed primary (an unknown data center matches nothing).
 *   9. no errant GTID.
 *  10. host, then port (code-unit order).
 *
 * Against orchestrator's order (position, log_slave_updates, version, format, DC, errant, rule):
 * keys 1–4 replace "position first" plus replacePromotedReplicaWithCandidate's swap. A must/prefer
 * replica wins whenever promoting it loses no transaction and leaves no more replicas behind —
 * whatever DC, errant or host tie-breakers say, and even when it is behind (it catches up first,
 * by GTID, instead of orchestrator's take-master swap). It does not win when the others could not
 * replicate from it (orchestrator's swap needs CanReplicateFrom too). log_slave_updates is not a
 * key: every eligible replica has it (candidate-eligibility.ts), so it could only order replicas
 * that are never chosen. SQL delay (7) is Baton's: with equal positions a delayed replica loses to
 * a non-delayed one.
 */
import type { PromotionRule } from '@baton/contracts';
import { binlogFormatRank, compareMajorVersions, type BinlogFormatName } from './can-replicate-from.ts';

export interface CandidateOrderKeys {
  readonly completeness: number;
  /** replicas that could not replicate from it (lost as 'cannot-replicate') */
  readonly replicasUnableToFollow: number;
  readonly promotionRule: PromotionRule;
  readonly tier: number;
  readonly majorVersion: string | null;
  readonly binlogFormat: BinlogFormatName | null;
  readonly sqlDelaySeconds: number;
  readonly sameDataCenterAsFailed: boolean;
  readonly hasErrantGtids: boolean;
  readonly host: string;
  readonly port: number;
}

export const promotionRuleRank: Readonly<Record<PromotionRule, number>> = Object.freeze({
  must: 0,
  prefer: 1,
  neutral: 2,
  prefer_not: 3,
  must_not: 4,
});

const byBool = (a: boolean, b: boolean) => (a === b ? 0 : a ? -1 : 1); // true first
const unknownLast = <T>(a: T | null, b: T | null, cmp: (x: T, y: T) => number) =>
  a === null ? (b === null ? 0 : 1) : b === null ? -1 : cmp(a, b);
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** < 0 when a ranks before (is a better candidate than) b. */
export function compareCandidates(a: CandidateOrderKeys, b: CandidateOrderKeys): number {
  return (
    b.completeness - a.completeness ||
    a.replicasUnableToFollow - b.replicasUnableToFollow ||
    promotionRuleRank[a.promotionRule] - promotionRuleRank[b.promotionRule] ||
    b.tier - a.tier ||
    unknownLast(a.majorVersion, b.majorVersion, compareMajorVersions) ||
    unknownLast(a.binlogFormat, b.binlogFormat, (x, y) => binlogFormatRank[x] - binlogFormatRank[y]) ||
    a.sqlDelaySeconds - b.sqlDelaySeconds ||
    byBool(a.sameDataCenterAsFailed, b.sameDataCenterAsFailed) ||
    byBool(!a.hasErrantGtids, !b.hasErrantGtids) ||
    byText(a.host, b.host) ||
    a.port - b.port
  );
}
