/**
 * MariaDB GTID positions (`@@gtid_slave_pos`, `@@gtid_current_pos`, `@@gtid_binlog_pos`,
 * `Gtid_IO_Pos`): a comma-separated list of `domain-server-seq`, at most one GTID per replication
 * domain — the last transaction applied in that domain.
 *
 * Comparing two positions is per domain, by sequence number. MariaDB sequence numbers are ordered
 * within a domain (strictly so under gtid_strict_mode), so the position with the higher seq_no in a
 * domain has everything the other has in that domain. The same seq_no from two different server
 * ids means the two servers committed different transactions at that point: `diverged`.
 * Without gtid_strict_mode a higher seq_no is only a strong hint; positions alone cannot prove more.
 */
import { GtidParseError } from './gtid-parse-error.ts';

export interface MariadbGtid {
  readonly domain: number;
  readonly server: number;
  readonly seq: number;
}

/** domain id → the last GTID of that domain; iteration order is by domain id. */
export type MariadbPosition = ReadonlyMap<number, MariadbGtid>;
export type MariadbPositionInput = MariadbPosition | string;

const GTID = /^(\d+)-(\d+)-(\d+)$/;

function parseNumber(text: string, what: string, input: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new GtidParseError(input, `${what} ${text} is out of range`);
  return n;
}

/** Parse `0-1-7,1-2-9`; '' is the empty position. Throws GtidParseError on bad text or a repeated domain. */
export function parseMariadbPosition(text: string): MariadbPosition {
  const compact = text.replace(/\s+/g, '');
  const out = new Map<number, MariadbGtid>();
  if (compact === '') return out;
  for (const part of compact.split(',')) {
    if (part === '') continue;
    const m = GTID.exec(part);
    if (!m) throw new GtidParseError(text, `bad GTID ${JSON.stringify(part)} (expected domain-server-seq)`);
    const gtid = {
      domain: parseNumber(m[1] as string, 'domain id', text),
      server: parseNumber(m[2] as string, 'server id', text),
      seq: parseNumber(m[3] as string, 'sequence number', text),
    };
    if (out.has(gtid.domain)) throw new GtidParseError(text, `domain ${gtid.domain} appears twice`);
    out.set(gtid.domain, gtid);
  }
  return new Map([...out].sort(([a], [b]) => a - b));
}

export function tryParseMariadbPosition(text: string): MariadbPosition | null {
  try {
    return parseMariadbPosition(text);
  } catch {
    return null;
  }
}

function asPosition(input: MariadbPositionInput): MariadbPosition {
  return typeof input === 'string' ? parseMariadbPosition(input) : input;
}

export function formatMariadbGtid(g: MariadbGtid): string {
  return `${g.domain}-${g.server}-${g.seq}`;
}

/** Canonical text: GTIDs sorted by domain id, `,` between them. */
export function formatMariadbPosition(input: MariadbPositionInput): string {
  return [...asPosition(input).values()]
    .sort((a, b) => a.domain - b.domain)
    .map(formatMariadbGtid)
    .join(',');
}

/**
 * How position a stands to position b:
 * - equal: same GTID in every domain;
 * - ahead: a has everything b has and more (higher seq_no in some domain, or a domain b lacks);
 * - behind: the reverse;
 * - diverged: each has something the other lacks, or some domain has the same seq_no from two servers.
 */
export type MariadbRelation = 'equal' | 'ahead' | 'behind' | 'diverged';

export interface MariadbDomainComparison {
  readonly domain: number;
  readonly relation: MariadbRelation;
  readonly a: MariadbGtid | null;
  readonly b: MariadbGtid | null;
}

export interface MariadbComparison {
  /** overall relation of a to b */
  readonly relation: MariadbRelation;
  /** per domain, sorted by domain id */
  readonly domains: readonly MariadbDomainComparison[];
}

function compareDomain(a: MariadbGtid | undefined, b: MariadbGtid | undefined): MariadbRelation {
  if (!a) return b ? 'behind' : 'equal';
  if (!b) return 'ahead';
  if (a.seq > b.seq) return 'ahead';
  if (a.seq < b.seq) return 'behind';
  return a.server === b.server ? 'equal' : 'diverged';
}

export function compareMariadbPositions(aInput: MariadbPositionInput, bInput: MariadbPositionInput): MariadbComparison {
  const a = asPosition(aInput);
  const b = asPosition(bInput);
  const domains = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => x - y);
  const per = domains.map((domain) => {
    const ga = a.get(domain);
    const gb = b.get(domain);
    return { domain, relation: compareDomain(ga, gb), a: ga ?? null, b: gb ?? null };
  });
  const has = (r: MariadbRelation) => per.some((d) => d.relation === r);
  let relation: MariadbRelation;
  if (has('diverged') || (has('ahead') && has('behind'))) relation = 'diverged';
  else if (has('ahead')) relation = 'ahead';
  else if (has('behind')) relation = 'behind';
  else relation = 'equal';
  return { relation, domains: per };
}

/** true when a contains everything b has (a is equal to or ahead of b): a may replace b as a source. */
export function mariadbPositionContains(a: MariadbPositionInput, b: MariadbPositionInput): boolean {
  const r = compareMariadbPositions(a, b).relation;
  return r === 'equal' || r === 'ahead';
}
