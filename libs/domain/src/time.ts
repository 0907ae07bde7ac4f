/** Milliseconds since the epoch for a Date, a number or an ISO timestamp; NaN for null or bad text. */
export function toMillis(t: Date | number | string | null | undefined): number {
  if (t === null || t === undefined) return Number.NaN;
  if (typeof t === 'number') return t;
  if (typeof t === 'string') return Date.parse(t);
  return t.getTime();
}
