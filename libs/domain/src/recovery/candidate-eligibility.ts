/**
 * Which replicas may be promoted (reference §3.1.5–6 chooseCandidateReplica, IsBannedFromBeingCandidateReplica,
 * and §2.4.5a geography — Baton applies the geographic rules as a filter BEFORE choosing, so the best
 * replica that satisfies them is chosen and nothing moves when none does; fix W4).
 *
 * Eligible = every one of:
 *   reachable (fresh observation) and a known GTID position (checked by the caller);
 *   log_bin and log_slave_updates; not a binlog server;
 *   not banned: promotion rule must_not, or the host matches PromotionIgnoreHostnameFilters
 *     (IP literals exactly, other filters as regexps searched in the host);
 *   major version ≤ the majority major version; binlog format ≤ the majority binlog format
 *     (majorities over the reachable replicas; a tie goes to the smaller version / format);
 *   PreventCrossDataCenter: same data center as the failed primary; PreventCrossRegion: same region
 *     (an unknown — empty — data center or region of the failed primary matches nothing).
 */
import type { InstanceObservation } from '@baton/contracts';
import { majorVersionOf } from '../analysis/instance-health.ts';
import { binlogFormatRank, compareMajorVersions, type BinlogFormatName } from './can-replicate-from.ts';
import type { PromotionPolicy } from './promotion-policy.ts';
import { compileSearchPattern, isIpLiteral } from './search-pattern.ts';

export interface Majorities {
  readonly majorVersion: string | null;
  readonly binlogFormat: BinlogFormatName | null;
}

function mostFrequent<T>(values: readonly T[], smaller: (a: T, b: T) => number): T | null {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | null = null;
  let bestCount = 0;
  for (const [v, n] of counts) {
    if (n > bestCount || (n === bestCount && best !== null && smaller(v, best) < 0)) {
      best = v;
      bestCount = n;
    }
  }
  return best;
}

/** orchestrator's priorityMajorVersion / priorityBinlogFormat (ties → the smallest). */
export function majoritiesOf(replicas: readonly InstanceObservation[]): Majorities {
  const versions = replicas.map(majorVersionOf).filter((v): v is string => v !== null);
  const formats = replicas.map((r) => r.binlogFormat).filter((f): f is BinlogFormatName => f !== null);
  return {
    majorVersion: mostFrequent(versions, compareMajorVersions),
    binlogFormat: mostFrequent(formats, (a, b) => binlogFormatRank[a] - binlogFormatRank[b]),
  };
}

export interface BanFilters {
  readonly exact: ReadonlySet<string>;
  readonly patterns: readonly RegExp[];
  /** entries that are neither an IP literal nor a valid regexp (they ban nothing) */
  readonly invalid: readonly string[];
}

export function compileBanFilters(filters: readonly string[]): BanFilters {
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  const invalid: string[] = [];
  for (const f of filters) {
    if (f === '') continue;
    if (isIpLiteral(f)) {
      exact.add(f);
      continue;
    }
    const re = compileSearchPattern(f);
    if (re) patterns.push(re);
    else invalid.push(f);
  }
  return { exact, patterns, invalid };
}

/** Why the replica is banned from promotion, or null. */
export function banReason(i: InstanceObservation, filters: BanFilters): string | null {
  if (i.promotionRule === 'must_not') return 'promotion rule must_not';
  if (filters.exact.has(i.host)) return `host matches PromotionIgnoreHostnameFilters entry ${i.host}`;
  const hit = filters.patterns.find((re) => re.test(i.host));
  return hit ? `host matches PromotionIgnoreHostnameFilters /${hit.source}/` : null;
}

export interface EligibilityContext {
  readonly failed: InstanceObservation;
  readonly policy: PromotionPolicy;
  readonly bans: BanFilters;
  readonly majorities: Majorities;
}

/** The geographic rules alone (also used to explain a failed plan). */
export function geographyReasons(i: InstanceObservation, failed: InstanceObservation, policy: PromotionPolicy): string[] {
  const out: string[] = [];
  if (policy.preventCrossDataCenter && (failed.dataCenter === '' || i.dataCenter !== failed.dataCenter)) {
    out.push(
      failed.dataCenter === ''
        ? "the failed primary's data center is unknown (PreventCrossDataCenterMasterFailover)"
        : `in data center ${JSON.stringify(i.dataCenter)}, not the failed primary's ${JSON.stringify(failed.dataCenter)} (PreventCrossDataCenterMasterFailover)`,
    );
  }
  if (policy.preventCrossRegion && (failed.region === '' || i.region !== failed.region)) {
    out.push(
      failed.region === ''
        ? "the failed primary's region is unknown (PreventCrossRegionMasterFailover)"
        : `in region ${JSON.stringify(i.region)}, not the failed primary's ${JSON.stringify(failed.region)} (PreventCrossRegionMasterFailover)`,
    );
  }
  return out;
}

/** Every reason the replica may not be promoted ([] = eligible). Reachability and position are the caller's. */
export function ineligibilityReasons(i: InstanceObservation, ctx: EligibilityContext): string[] {
  const out: string[] = [];
  if (i.logBin !== true) out.push('no binary log (log_bin)');
  if (i.logSlaveUpdates !== true) out.push('log_slave_updates off');
  if (i.isBinlogServer) out.push('binlog server');
  const banned = banReason(i, ctx.bans);
  if (banned) out.push(`banned: ${banned}`);
  const v = majorVersionOf(i);
  const { majorVersion, binlogFormat } = ctx.majorities;
  if (v === null) out.push('major version unknown');
  else if (majorVersion !== null && compareMajorVersions(v, majorVersion) > 0) out.push(`major version ${v} is above the majority ${majorVersion}`);
  if (i.binlogFormat === null) out.push('binlog format unknown');
  else if (binlogFormat !== null && binlogFormatRank[i.binlogFormat] > binlogFormatRank[binlogFormat]) {
    out.push(`binlog format ${i.binlogFormat} is above the majority ${binlogFormat}`);
  }
  out.push(...geographyReasons(i, ctx.failed, ctx.policy));
  return out;
}
