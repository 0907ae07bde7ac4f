/**
 * The value under keys.maintenance(c, i) (i = "host:port"): orchestrator's maintenance lock of an
 * instance (begin-maintenance/end-maintenance), written by the executor, read by the executor's
 * topology operations (which refuse to touch an instance under maintenance) and by the api (the
 * Instance JSON's IsMaintenance fields). The key's TTL is the lock's duration (orchestrator's
 * MaintenanceExpireMinutes, 10 min, when none is given).
 *
 *   {"owner":"ops","reason":"rebuild","beginAt":"…","endsAt":"…","requestId":"…"}
 *
 * Parsing never throws: a value that does not parse still counts as a maintenance (the key is
 * there: someone meant to lock the instance), with owner and reason empty.
 */
export interface MaintenanceValue {
  owner: string;
  reason: string;
  beginAt: string;
  endsAt: string;
  /** The begin-maintenance request that took it. */
  requestId: string;
}

export function formatMaintenanceValue(value: MaintenanceValue): string {
  return JSON.stringify({ owner: value.owner, reason: value.reason, beginAt: value.beginAt, endsAt: value.endsAt, requestId: value.requestId });
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The maintenance a key holds; null when absent or over at `now`. */
export function parseMaintenanceValue(raw: string | null, now: Date): MaintenanceValue | null {
  if (raw === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = null;
  }
  const o = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const value = { owner: text(o['owner']), reason: text(o['reason']), beginAt: text(o['beginAt']), endsAt: text(o['endsAt']), requestId: text(o['requestId']) };
  const ends = Date.parse(value.endsAt);
  return Number.isFinite(ends) && ends <= now.getTime() ? null : value;
}
