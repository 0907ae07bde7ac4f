/**
 * The lost-transaction report of a failover: the GTIDs some member of the cluster had and the new
 * primary does not. Its base is the successor's own position at its promotion, before anything of
 * its own was written (MariaDB gtid_binlog_pos, MySQL gtid_executed): every transaction of the old
 * primary's history beyond it is lost for good, even once the successor has taken writes of its
 * own (which is why the base is not the successor's position today).
 *
 * Members and how they are known:
 *   examined  — a replica the recovery drained, or the old primary when it answered (forced failover
 *               of a live primary): its position as the recovery read it; exact.
 *   last-seen — a member that could not be examined, by its last snapshot (up to a poll interval
 *               old): a lower bound of what it had, kept as the member's entry until it answers.
 *   returned  — a member examined after the recovery, once it answered again (the old primary
 *               restarted or thawed, a replica reconnected): exact; it leaves `pending`.
 * The report is complete when nothing is pending. An empty complete report says nothing was lost.
 *
 * MariaDB positions hold the last GTID per domain, so what a member has beyond the base is a range
 * of sequence numbers: `d-s-(b+1)..d-s-h` (h − b transactions, written by server s, the member's
 * last writer in domain d). When the member's last GTID has the base's sequence number or a lower
 * one from another server, the histories diverged and the count is unknown (null). MySQL: the set
 * difference, exactly.
 */
import type { InstanceObservation } from '@baton/contracts';
import { compareMariadbPositions, formatMariadbGtid, formatMariadbPosition, tryParseMariadbPosition, type MariadbGtid } from '../gtid/mariadb-gtid-position.ts';
import { formatGtidSet, gtidCount, gtidSubtract, gtidUnion, tryParseGtidSet } from '../gtid/mysql-gtid-set.ts';

export type LossSource = 'examined' | 'last-seen' | 'returned';

export interface LossEntry {
  /** host:port */
  readonly member: string;
  readonly role: 'old-primary' | 'replica';
  readonly source: LossSource;
  /** the member's position the entry was computed from */
  readonly position: string;
  /** GTIDs beyond the base ('' = none) */
  readonly missing: string;
  /** how many transactions (null: not countable, diverged histories or unparseable text) */
  readonly count: number | null;
}

export interface LossReport {
  readonly flavour: 'mariadb' | 'mysql';
  /** the successor's position at its promotion */
  readonly base: string;
  /** host:port of the failed primary */
  readonly oldPrimary: string;
  /** one entry per member with something the successor lacks (members that lack nothing are left out) */
  readonly entries: readonly LossEntry[];
  /** members whose exact position is not known yet: their `last-seen` entry, if any, is a lower bound */
  readonly pending: readonly string[];
  /** members examined with nothing missing (or a returned member now known to lack nothing) */
  readonly clean: readonly string[];
}

/** What `holder` has beyond `base` (both position texts of `flavour`). */
export function gtidsBeyond(flavour: 'mariadb' | 'mysql', base: string, holder: string): { missing: string; count: number | null } {
  if (flavour === 'mysql') {
    const b = tryParseGtidSet(base);
    const h = tryParseGtidSet(holder);
    if (!b || !h) return { missing: holder, count: null };
    const d = gtidSubtract(h, b);
    return { missing: formatGtidSet(d), count: gtidCount(d) };
  }
  const b = tryParseMariadbPosition(base);
  const h = tryParseMariadbPosition(holder);
  if (!b || !h) return { missing: holder, count: null };
  const parts: string[] = [];
  let count: number | null = 0;
  for (const d of compareMariadbPositions(h, b).domains) {
    const mine = d.a;
    if (!mine || d.relation === 'equal' || d.relation === 'behind') continue;
    if (d.relation === 'diverged') {
      parts.push(`${formatMariadbGtid(mine)} (diverged from ${d.b ? formatMariadbGtid(d.b) : 'nothing'})`);
      count = null;
      continue;
    }
    const from = (d.b?.seq ?? 0) + 1;
    const first = { ...mine, seq: from };
    parts.push(from === mine.seq ? formatMariadbGtid(mine) : `${formatMariadbGtid(first)}..${formatMariadbGtid(mine)}`);
    if (count !== null) count += mine.seq - from + 1;
  }
  return { missing: parts.join(','), count };
}

export interface MemberPosition {
  readonly member: string;
  readonly role: 'old-primary' | 'replica';
  readonly position: string | null;
}

/**
 * The report as the recovery knows it at the promotion: `examined` members exactly, `unexamined`
 * ones by their last-seen position (pending).
 */
export function initialLossReport(input: { flavour: 'mariadb' | 'mysql'; base: string; oldPrimary: string; examined: readonly MemberPosition[]; unexamined: readonly MemberPosition[] }): LossReport {
  let report: LossReport = { flavour: input.flavour, base: input.base, oldPrimary: input.oldPrimary, entries: [], pending: input.unexamined.map((m) => m.member), clean: [] };
  for (const m of input.unexamined) {
    if (m.position === null || m.position === '') continue;
    const beyond = gtidsBeyond(input.flavour, input.base, m.position);
    if (beyond.missing !== '') report = { ...report, entries: [...report.entries, { member: m.member, role: m.role, source: 'last-seen', position: m.position, ...beyond }] };
  }
  for (const m of input.examined) report = withMember(report, m, 'examined');
  return report;
}

/** The report once `m` answered (source `returned`) or was examined: its entry replaced, no longer pending. */
export function withMember(report: LossReport, m: MemberPosition, source: LossSource = 'returned'): LossReport {
  const beyond = m.position === null ? { missing: '', count: 0 } : gtidsBeyond(report.flavour, report.base, m.position);
  const entries = report.entries.filter((e) => e.member !== m.member);
  const lost = beyond.missing !== '';
  return {
    ...report,
    entries: lost ? [...entries, { member: m.member, role: m.role, source, position: m.position ?? '', ...beyond }] : entries,
    pending: report.pending.filter((p) => p !== m.member),
    clean: lost ? report.clean.filter((c) => c !== m.member) : [...new Set([...report.clean, m.member])],
  };
}

export function lossReportComplete(r: LossReport): boolean {
  return r.pending.length === 0;
}

/** One line: "nothing lost", or what was lost by whom, and what is still pending. */
export function describeLossReport(r: LossReport): string {
  const lost = r.entries.map((e) => `${e.member} (${e.role}, ${e.source}) had ${e.missing}${e.count === null ? '' : ` (${e.count} transaction${e.count === 1 ? '' : 's'})`}`);
  const head = lost.length === 0 ? (r.pending.length === 0 ? `no transaction lost: every member's position is within ${r.base || 'the empty position'}` : 'no transaction known to be lost') : `lost beyond ${r.base || 'the empty position'}: ${lost.join('; ')}`;
  return r.pending.length === 0 ? head : `${head}; not examined yet: ${r.pending.join(', ')}`;
}

/**
 * Every transaction a member holds, from the position texts it reports (MariaDB: gtid_binlog_pos,
 * gtid_slave_pos and, on GTID replication, Gtid_IO_Pos — per domain the furthest; MySQL: the union
 * of gtid_executed and Retrieved_Gtid_Set). Texts that do not parse are left out; null if none does.
 */
export function unionPositions(flavour: 'mariadb' | 'mysql', texts: readonly string[]): string | null {
  if (flavour === 'mysql') {
    const sets = texts.map((t) => tryParseGtidSet(t)).filter((s): s is NonNullable<typeof s> => s !== null);
    return sets.length === 0 ? null : formatGtidSet(sets.reduce((a, b) => gtidUnion(a, b)));
  }
  const positions = texts.map((t) => tryParseMariadbPosition(t)).filter((p): p is NonNullable<typeof p> => p !== null);
  if (positions.length === 0) return null;
  const out = new Map<number, MariadbGtid>();
  for (const p of positions) {
    for (const [domain, g] of p) {
      const mine = out.get(domain);
      if (!mine || g.seq > mine.seq) out.set(domain, g);
    }
  }
  return formatMariadbPosition(new Map([...out].sort(([a], [b]) => a - b)));
}

/**
 * How many transactions the report says are lost in all: the union of what its members hold beyond
 * the base, counted once (an old primary and a lagging replica often hold the same ones). Null when
 * a member's entry is not countable (diverged histories, text that does not parse); 0 with no entry.
 */
export function lostTransactionCount(report: LossReport): number | null {
  if (report.entries.length === 0) return 0;
  if (report.entries.some((e) => e.count === null)) return null;
  const held = unionPositions(report.flavour, report.entries.map((e) => e.position));
  return held === null ? null : gtidsBeyond(report.flavour, report.base, held).count;
}

/** What a replica observation holds, for the report: its executed and received positions. */
export function observedHolding(i: InstanceObservation): { flavour: 'mariadb' | 'mysql'; position: string | null } | null {
  if (i.mariadbGtid) {
    const byGtid = i.replication !== null && i.replication.usingGtid.toLowerCase() !== 'no';
    return { flavour: 'mariadb', position: unionPositions('mariadb', [i.mariadbGtid.slavePos, i.mariadbGtid.binlogPos, ...(byGtid ? [i.replication?.gtidIoPos ?? ''] : [])]) };
  }
  if (i.mysqlGtid) return { flavour: 'mysql', position: unionPositions('mysql', [i.mysqlGtid.executed, i.mysqlGtid.retrieved]) };
  return null;
}
