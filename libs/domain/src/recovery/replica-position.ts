/**
 * What a surviving replica holds, as GTIDs, for candidate choice (reference §3.1; infra-notes §4).
 *
 * executed — what the SQL thread applied from replication:
 *   MariaDB: @@gtid_slave_pos. NOT gtid_current_pos: an errant write on the replica inflates
 *            current_pos/binlog_pos while slave_pos stays.
 *   MySQL:   @@gtid_executed minus the replica's own errant GTIDs (below), so an errant write does
 *            not make a replica look "more advanced".
 * held — executed plus what the IO thread received and the SQL thread has not applied yet
 *   (MariaDB Gtid_IO_Pos, per domain the higher seq_no; MySQL Retrieved_Gtid_Set; a MariaDB replica on
 *   file/position replication, Using_Gtid=No, keeps no such position: held = executed, and what its
 *   relay log holds beyond is judged by coordinates, relay-backlog.ts). This is what the
 *   replica can still give: candidate choice and loss accounting compare `held`, so transactions
 *   sitting in a relay log are never silently discarded.
 * errant — MariaDB: errantGtidsOf's cheap check (current_pos vs slave_pos, the failed primary's
 *   server id as upstream). MySQL: GTIDs under the replica's own server_uuid that neither the failed
 *   primary's last reading nor any other surviving replica has (a replica's own uuid only reaches the
 *   others when it was a primary once). Not `executed − failed.executed`: the failed primary's reading
 *   is stale, and everything replicated after it would look errant.
 * sqlThreadUpToDate — held == executed by GTID (Gtid_IO_Pos ⊆ gtid_slave_pos; Retrieved ⊆ executed);
 *   without received GTIDs, read == exec coordinates; null when neither is known. Caveat: MySQL's
 *   Retrieved_Gtid_Set includes a transaction whose GTID event arrived even if its body did not.
 */
import type { InstanceObservation } from '@baton/contracts';
import { mariadbErrantGtids } from '../gtid/errant-transactions.ts';
import {
  compareMariadbPositions,
  formatMariadbGtid,
  formatMariadbPosition,
  tryParseMariadbPosition,
  type MariadbPosition,
} from '../gtid/mariadb-gtid-position.ts';
import { formatGtidSet, gtidIsEmpty, gtidIsSubset, gtidSubtract, gtidUnion, tryParseGtidSet, type GtidSet } from '../gtid/mysql-gtid-set.ts';

export type GtidPosition =
  | { readonly flavour: 'mariadb'; readonly value: MariadbPosition }
  | { readonly flavour: 'mysql'; readonly value: GtidSet };

/** a relative to b; different flavours are `diverged` (nothing can be compared). */
export type PositionRelation = 'equal' | 'ahead' | 'behind' | 'diverged';

export interface ReplicaPositions {
  readonly executed: GtidPosition;
  readonly held: GtidPosition;
  /** canonical text, '' = none */
  readonly errant: string;
  readonly sqlThreadUpToDate: boolean | null;
}

export type PositionReading = { readonly ok: true; readonly positions: ReplicaPositions } | { readonly ok: false; readonly reason: string };

const EMPTY_SET: GtidSet = new Map();

export function formatPosition(p: GtidPosition): string {
  return p.flavour === 'mariadb' ? formatMariadbPosition(p.value) : formatGtidSet(p.value);
}

export function comparePositions(a: GtidPosition, b: GtidPosition): PositionRelation {
  if (a.flavour === 'mariadb' && b.flavour === 'mariadb') return compareMariadbPositions(a.value, b.value).relation;
  if (a.flavour === 'mysql' && b.flavour === 'mysql') {
    const aInB = gtidIsSubset(a.value, b.value);
    const bInA = gtidIsSubset(b.value, a.value);
    if (aInB && bInA) return 'equal';
    if (bInA) return 'ahead';
    if (aInB) return 'behind';
  }
  return 'diverged';
}

/** a has every transaction of b. */
export function positionContains(a: GtidPosition, b: GtidPosition): boolean {
  const r = comparePositions(a, b);
  return r === 'equal' || r === 'ahead';
}

/** A GTID position text of the given flavour (MariaDB domain-server-seq list, MySQL GTID set); null when it does not parse. */
export function parsePosition(flavour: 'mariadb' | 'mysql', text: string): GtidPosition | null {
  if (flavour === 'mariadb') {
    const value = tryParseMariadbPosition(text);
    return value ? { flavour, value } : null;
  }
  const value = tryParseGtidSet(text);
  return value ? { flavour, value } : null;
}

/**
 * `have` holds every transaction of `need`, both position texts of one flavour (a candidate's own
 * position against the one it was chosen for); false when either does not parse, so text that
 * cannot be checked never passes as held.
 */
export function positionHolds(flavour: 'mariadb' | 'mysql', have: string, need: string): boolean {
  const a = parsePosition(flavour, have);
  const b = parsePosition(flavour, need);
  return a !== null && b !== null && positionContains(a, b);
}

/** What b has that a lacks, as text ('' = nothing). MariaDB: b's GTID in each domain where a is behind or diverged. */
export function missingFrom(a: GtidPosition, b: GtidPosition): string {
  if (a.flavour === 'mariadb' && b.flavour === 'mariadb') {
    return compareMariadbPositions(a.value, b.value)
      .domains.filter((d) => d.b !== null && (d.relation === 'behind' || d.relation === 'diverged'))
      .map((d) => formatMariadbGtid(d.b as NonNullable<typeof d.b>))
      .join(',');
  }
  if (a.flavour === 'mysql' && b.flavour === 'mysql') return formatGtidSet(gtidSubtract(b.value, a.value));
  return `${formatPosition(b)} (${b.flavour} GTIDs, not comparable with ${a.flavour})`;
}

function mariadbUnion(a: MariadbPosition, b: MariadbPosition): MariadbPosition {
  const out = new Map(a);
  for (const [domain, g] of b) {
    const mine = out.get(domain);
    if (!mine || g.seq > mine.seq) out.set(domain, g);
  }
  return new Map([...out].sort(([x], [y]) => x - y));
}

function coordinatesUpToDate(i: InstanceObservation): boolean | null {
  const r = i.replication;
  if (!r?.readCoordinates || !r.execCoordinates) return null;
  return r.readCoordinates.file === r.execCoordinates.file && r.readCoordinates.pos === r.execCoordinates.pos;
}

function readMariadb(i: InstanceObservation, failed: InstanceObservation): PositionReading {
  const g = i.mariadbGtid;
  if (!g) return { ok: false, reason: 'no MariaDB GTID state observed' };
  const executed = tryParseMariadbPosition(g.slavePos);
  if (!executed) return { ok: false, reason: `gtid_slave_pos ${JSON.stringify(g.slavePos)} does not parse` };
  // file/position replication (Using_Gtid=No) leaves Gtid_IO_Pos stale: its relay log is judged by coordinates
  const byCoordinates = i.replication?.usingGtid.toLowerCase() === 'no';
  const received = byCoordinates ? null : tryParseMariadbPosition(i.replication?.gtidIoPos ?? '');
  const held = received ? mariadbUnion(executed, received) : executed;
  const byGtid = received && received.size > 0 ? compareMariadbPositions(executed, received).relation : null;
  const sqlThreadUpToDate = byGtid === null ? coordinatesUpToDate(i) : byGtid === 'equal' || byGtid === 'ahead';
  const errant = mariadbErrantGtids(g, failed.serverId === null ? [] : [failed.serverId]);
  return {
    ok: true,
    positions: { executed: { flavour: 'mariadb', value: executed }, held: { flavour: 'mariadb', value: held }, errant, sqlThreadUpToDate },
  };
}

function ownTransactions(set: GtidSet, uuid: string): GtidSet {
  const u = uuid.trim().toLowerCase();
  return new Map([...set].filter(([key]) => key === u || key.startsWith(`${u}:`)));
}

/** MySQL: `others` are the raw gtid_executed sets of the other surviving replicas. */
function readMysql(i: InstanceObservation, failed: InstanceObservation, others: readonly GtidSet[]): PositionReading {
  const g = i.mysqlGtid;
  if (!g) return { ok: false, reason: 'no MySQL GTID state observed' };
  if (g.mode.toUpperCase() !== 'ON') return { ok: false, reason: `gtid_mode is ${g.mode}: GTID auto-positioning needs ON` };
  const raw = tryParseGtidSet(g.executed);
  if (!raw) return { ok: false, reason: `gtid_executed ${JSON.stringify(g.executed)} does not parse` };
  let errantSet: GtidSet = EMPTY_SET;
  if (i.serverUuid) {
    errantSet = gtidSubtract(ownTransactions(raw, i.serverUuid), tryParseGtidSet(failed.mysqlGtid?.executed ?? '') ?? EMPTY_SET);
    for (const o of others) errantSet = gtidSubtract(errantSet, o);
  }
  const executed = gtidSubtract(raw, errantSet);
  let received: GtidSet = EMPTY_SET;
  for (const text of [g.retrieved, i.replication?.gtidIoPos ?? '']) received = gtidUnion(received, tryParseGtidSet(text) ?? EMPTY_SET);
  const sqlThreadUpToDate = gtidIsEmpty(received) ? coordinatesUpToDate(i) : gtidIsSubset(received, raw);
  return {
    ok: true,
    positions: {
      executed: { flavour: 'mysql', value: executed },
      held: { flavour: 'mysql', value: gtidUnion(executed, received) },
      errant: formatGtidSet(errantSet),
      sqlThreadUpToDate,
    },
  };
}

/** The raw gtid_executed of a MySQL replica (for the errant check of the others); null otherwise. */
export function rawExecutedSet(i: InstanceObservation): GtidSet | null {
  return i.mysqlGtid ? tryParseGtidSet(i.mysqlGtid.executed) : null;
}

/**
 * Read one replica's positions. MariaDB when it reports MariaDB GTID state, MySQL when it reports a
 * GTID set; a replica with neither (or unparseable text) has an unknown position.
 */
export function readReplicaPositions(i: InstanceObservation, failed: InstanceObservation, otherExecutedSets: readonly GtidSet[]): PositionReading {
  if (i.mariadbGtid) return readMariadb(i, failed);
  if (i.mysqlGtid) return readMysql(i, failed, otherExecutedSets);
  return { ok: false, reason: 'no GTID state observed' };
}

/** The failed primary's last-known position (MariaDB gtid_binlog_pos, MySQL gtid_executed), if readable. */
export function lastKnownPrimaryPosition(failed: InstanceObservation): GtidPosition | null {
  if (failed.mariadbGtid) {
    const p = tryParseMariadbPosition(failed.mariadbGtid.binlogPos);
    return p && p.size > 0 ? { flavour: 'mariadb', value: p } : null;
  }
  if (failed.mysqlGtid) {
    const s = tryParseGtidSet(failed.mysqlGtid.executed);
    return s && !gtidIsEmpty(s) ? { flavour: 'mysql', value: s } : null;
  }
  return null;
}
