/**
 * MySQL GTID sets (`@@gtid_executed`, `Retrieved_Gtid_Set`): `uuid:1-5:7,uuid2:3`, and MySQL 8.4
 * tagged GTIDs `uuid:1-5:tag_a:1-3` (a tag applies to the intervals after it).
 *
 * A set is an immutable map from a source key (lower-case dashed uuid, or `uuid:tag`) to sorted,
 * merged, inclusive intervals. Every function accepts either the text or a parsed set, so callers can
 * parse once and reuse. Transaction numbers (GNO) are JS numbers: a GNO above 2^53-1 is rejected
 * rather than silently rounded.
 */
import { GtidParseError } from './gtid-parse-error.ts';

export interface GtidInterval {
  /** first transaction number, ≥ 1 */
  readonly start: number;
  /** last transaction number, inclusive, ≥ start */
  readonly end: number;
}

/** key: `uuid` or `uuid:tag`; value: sorted, non-overlapping, non-adjacent intervals (never empty). */
export type GtidSet = ReadonlyMap<string, readonly GtidInterval[]>;
export type GtidSetInput = GtidSet | string;

const EMPTY: GtidSet = new Map();
const UUID_DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_PLAIN = /^[0-9a-f]{32}$/;
const TAG = /^[a-z_][a-z0-9_]{0,31}$/;
const INTERVAL = /^(\d+)(?:-(\d+))?$/;

function normaliseUuid(raw: string, input: string): string {
  const u = raw.trim().toLowerCase().replace(/^\{(.*)\}$/, '$1');
  if (UUID_DASHED.test(u)) return u;
  if (UUID_PLAIN.test(u)) return `${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20)}`;
  throw new GtidParseError(input, `bad uuid ${JSON.stringify(raw.trim())}`);
}

function parseGno(text: string, input: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new GtidParseError(input, `transaction number ${text} is out of range`);
  if (n < 1) throw new GtidParseError(input, 'transaction numbers start at 1');
  return n;
}

/** Sort and merge overlapping or adjacent intervals. */
function mergeIntervals(intervals: GtidInterval[]): GtidInterval[] {
  if (intervals.length <= 1) return intervals;
  const sorted = [...intervals].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: GtidInterval[] = [];
  let cur = sorted[0] as GtidInterval;
  for (let i = 1; i < sorted.length; i++) {
    const next = sorted[i] as GtidInterval;
    if (next.start <= cur.end + 1) {
      if (next.end > cur.end) cur = { start: cur.start, end: next.end };
    } else {
      out.push(cur);
      cur = next;
    }
  }
  out.push(cur);
  return out;
}

function build(entries: Iterable<[string, GtidInterval[]]>): GtidSet {
  const out = new Map<string, readonly GtidInterval[]>();
  for (const [key, intervals] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (intervals.length > 0) out.set(key, intervals);
  }
  return out;
}

/** Parse a GTID set; throws GtidParseError on bad text. Whitespace and newlines are ignored; '' is the empty set. */
export function parseGtidSet(text: string): GtidSet {
  const input = text;
  const compact = text.replace(/\s+/g, '');
  if (compact === '') return EMPTY;
  const acc = new Map<string, GtidInterval[]>();
  for (const part of compact.split(',')) {
    if (part === '') continue; // MySQL tolerates a trailing comma
    const [rawUuid, ...rest] = part.split(':');
    const uuid = normaliseUuid(rawUuid ?? '', input);
    if (rest.length === 0) throw new GtidParseError(input, `uuid ${uuid} has no transaction intervals`);
    let key = uuid;
    let sawInterval = false;
    for (const token of rest) {
      const m = INTERVAL.exec(token);
      if (m) {
        const start = parseGno(m[1] as string, input);
        const end = m[2] === undefined ? start : parseGno(m[2], input);
        if (end < start) throw new GtidParseError(input, `interval ${token} ends before it starts`);
        let list = acc.get(key);
        if (!list) acc.set(key, (list = []));
        list.push({ start, end });
        sawInterval = true;
        continue;
      }
      const tag = token.toLowerCase();
      if (!TAG.test(tag)) throw new GtidParseError(input, `bad interval or tag ${JSON.stringify(token)}`);
      key = `${uuid}:${tag}`;
      sawInterval = false;
    }
    if (!sawInterval) throw new GtidParseError(input, `${key} has no transaction intervals`);
  }
  return build([...acc].map(([k, v]) => [k, mergeIntervals(v)]));
}

/** Like parseGtidSet, but returns null instead of throwing. */
export function tryParseGtidSet(text: string): GtidSet | null {
  try {
    return parseGtidSet(text);
  } catch {
    return null;
  }
}

function asSet(input: GtidSetInput): GtidSet {
  return typeof input === 'string' ? parseGtidSet(input) : input;
}

function formatIntervals(intervals: readonly GtidInterval[]): string {
  return intervals.map((i) => (i.start === i.end ? `${i.start}` : `${i.start}-${i.end}`)).join(':');
}

/**
 * Canonical text: uuids sorted, lower case, `,` between uuids (no newline); per uuid the untagged
 * intervals first, then each tag in order (`uuid:1-5:tag_a:1-3`).
 */
export function formatGtidSet(input: GtidSetInput): string {
  const set = asSet(input);
  const byUuid = new Map<string, string[]>();
  for (const [key, intervals] of set) {
    const colon = key.indexOf(':');
    const uuid = colon < 0 ? key : key.slice(0, colon);
    const piece = colon < 0 ? formatIntervals(intervals) : `${key.slice(colon + 1)}:${formatIntervals(intervals)}`;
    let parts = byUuid.get(uuid);
    if (!parts) byUuid.set(uuid, (parts = []));
    if (colon < 0) parts.unshift(piece);
    else parts.push(piece);
  }
  return [...byUuid].map(([uuid, parts]) => `${uuid}:${parts.join(':')}`).join(',');
}

/** Parse and re-format: merges intervals, lower-cases uuids, sorts. */
export function normalizeGtidSet(text: string): string {
  return formatGtidSet(parseGtidSet(text));
}

export function gtidUnion(a: GtidSetInput, b: GtidSetInput): GtidSet {
  const x = asSet(a);
  const y = asSet(b);
  const keys = new Set([...x.keys(), ...y.keys()]);
  return build([...keys].map((k) => [k, mergeIntervals([...(x.get(k) ?? []), ...(y.get(k) ?? [])])]));
}

function subtractIntervals(from: readonly GtidInterval[], minus: readonly GtidInterval[]): GtidInterval[] {
  const out: GtidInterval[] = [];
  let j = 0;
  for (const iv of from) {
    let start = iv.start;
    const end = iv.end;
    while (j < minus.length && (minus[j] as GtidInterval).end < start) j++;
    let k = j;
    while (start <= end && k < minus.length && (minus[k] as GtidInterval).start <= end) {
      const m = minus[k] as GtidInterval;
      if (m.start > start) out.push({ start, end: m.start - 1 });
      start = Math.max(start, m.end + 1);
      k++;
    }
    if (start <= end) out.push({ start, end });
  }
  return out;
}

/** a − b: the transactions in a that b does not have. */
export function gtidSubtract(a: GtidSetInput, b: GtidSetInput): GtidSet {
  const x = asSet(a);
  const y = asSet(b);
  return build([...x].map(([k, v]) => [k, y.has(k) ? subtractIntervals(v, y.get(k) ?? []) : [...v]]));
}

export function gtidIsEmpty(a: GtidSetInput): boolean {
  return asSet(a).size === 0;
}

/** true when every transaction of a is also in b. */
export function gtidIsSubset(a: GtidSetInput, b: GtidSetInput): boolean {
  return gtidIsEmpty(gtidSubtract(a, b));
}

export function gtidEquals(a: GtidSetInput, b: GtidSetInput): boolean {
  return formatGtidSet(a) === formatGtidSet(b);
}

/** Number of transactions in the set. */
export function gtidCount(a: GtidSetInput): number {
  let n = 0;
  for (const intervals of asSet(a).values()) for (const i of intervals) n += i.end - i.start + 1;
  return n;
}
