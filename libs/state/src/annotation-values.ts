/**
 * The values the detector reads from Redis under keys.candidate(c, i) and keys.downtime(c, i)
 * (i = "host:port"). Whoever writes them (the api, the executor for lost replicas) writes these
 * JSON documents; the key's TTL is the registration's or the downtime's duration.
 *
 *   candidate: {"promotionRule":"prefer"}            (a bare rule, `prefer`, is accepted too)
 *   downtime:  {"owner":"ops","reason":"kernel upgrade","endsAt":"2026-11-27T10:00:00.000Z"}
 *              endsAt null = until someone ends it; a past endsAt counts as no downtime.
 *
 * Parsing never throws: a value that does not parse reads as "none" plus a problem to log, so a
 * bad write cannot stop an instance from being probed.
 */
import { promotionRules, type InstanceObservation, type PromotionRule } from '@baton/contracts';

export interface CandidateValue {
  promotionRule: PromotionRule;
}

export interface DowntimeValue {
  owner: string;
  reason: string;
  endsAt: string | null;
}

export type Downtime = NonNullable<InstanceObservation['downtime']>;

export function formatCandidateValue(value: CandidateValue): string {
  return JSON.stringify({ promotionRule: value.promotionRule });
}

export function formatDowntimeValue(value: DowntimeValue): string {
  return JSON.stringify({ owner: value.owner, reason: value.reason, endsAt: value.endsAt });
}

const isRule = (v: unknown): v is PromotionRule => typeof v === 'string' && (promotionRules as readonly string[]).includes(v);

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** The promotion rule a candidate key holds; 'neutral' (orchestrator's default) when absent or bad. */
export function parseCandidateValue(raw: string | null): { promotionRule: PromotionRule; problem?: string } {
  if (raw === null) return { promotionRule: 'neutral' };
  const trimmed = raw.trim();
  if (isRule(trimmed)) return { promotionRule: trimmed };
  const parsed = parseJson(trimmed);
  const rule = typeof parsed === 'object' && parsed !== null ? (parsed as { promotionRule?: unknown }).promotionRule : undefined;
  if (isRule(rule)) return { promotionRule: rule };
  return { promotionRule: 'neutral', problem: `candidate value is not {"promotionRule": one of ${promotionRules.join('|')}}` };
}

/** The downtime a downtime key holds at `now`; null when absent, over, or bad. */
export function parseDowntimeValue(raw: string | null, now: Date): { downtime: Downtime | null; problem?: string } {
  if (raw === null) return { downtime: null };
  const parsed = parseJson(raw);
  if (typeof parsed !== 'object' || parsed === null) return { downtime: null, problem: 'downtime value is not a JSON object' };
  const { owner, reason, endsAt } = parsed as Record<string, unknown>;
  if (typeof owner !== 'string' || typeof reason !== 'string') {
    return { downtime: null, problem: 'downtime value needs string owner and reason' };
  }
  if (endsAt === null || endsAt === undefined) return { downtime: { owner, reason, endsAt: null } };
  const endsAtMs = typeof endsAt === 'string' ? Date.parse(endsAt) : Number.NaN;
  if (Number.isNaN(endsAtMs)) return { downtime: null, problem: 'downtime endsAt is not an ISO timestamp' };
  if (endsAtMs <= now.getTime()) return { downtime: null };
  return { downtime: { owner, reason, endsAt: new Date(endsAtMs).toISOString() } };
}
