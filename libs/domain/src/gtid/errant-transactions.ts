/**
 * Errant transactions: transactions a replica has that did not come from its replication source.
 * A replica with errant transactions cannot safely become a primary (its extra transactions would be
 * replayed on, or requested from, the others) and breaks when it is moved under another server.
 *
 * Every function returns the errant GTIDs as text in canonical form; '' means none found (or not
 * decidable from what was observed — unparseable text is never reported as errant).
 *
 * MySQL: errant = replica.gtid_executed − source.gtid_executed, nothing else subtracted (no purged
 * set, no uuid redaction). Works at any depth: each replica is compared with its own source. When
 * the source's executed set is unknown, the nearest upstream instance with a known set stands in.
 * Caveat (read race): if the detector reads the replica after its source while the primary
 * writes, the replica can hold transactions the source's older reading lacks. Reading replicas
 * before their sources (or in one pass per tick, sources last) removes the race.
 *
 * MariaDB (cheap check, no set arithmetic is possible on positions): for each replication domain d,
 * the replica's @@gtid_current_pos[d] is errant when
 *   1. it differs from @@gtid_slave_pos[d] (missing there, or another GTID), and
 *   2. its server id is not the server id of any upstream instance (source, source's source, …).
 * Why: gtid_current_pos takes a domain's GTID from gtid_binlog_pos when that GTID carries the
 * server's own server_id with a higher seq_no than gtid_slave_pos, i.e. when the server itself
 * logged a transaction the replication stream did not bring. A write on a read-only replica (root
 * has READ_ONLY ADMIN) inflates gtid_current_pos/gtid_binlog_pos while gtid_slave_pos stays
 * (infra-notes §4). Condition 2 keeps a GTID that came down the chain from being blamed on the
 * replica (e.g. a replica sharing its server_id with an upstream server, or a co-master pair: in a
 * replication ring every member is upstream of itself, so the active co-master's own writes are not errant).
 *   3. and no upstream instance holds that very GTID as its own last one in the domain
 *      (@@gtid_binlog_pos or @@gtid_current_pos). A former primary re-attached under its successor
 *      has an empty gtid_slave_pos and its own writes in gtid_current_pos, all of which the
 *      successor replicated before its promotion: until the successor writes, the two name the same
 *      GTID, and it is not errant. Writes the successor never received still are.
 * Limits: an errant write hidden by a later replicated transaction with a higher seq_no in the same
 * domain is no longer visible in the positions (with gtid_strict_mode such a replica stops with
 * error 1950 instead, which the SQL-thread state shows).
 */
import type { InstanceObservation } from '@baton/contracts';
import { formatGtidSet, gtidSubtract, tryParseGtidSet, type GtidSetInput } from './mysql-gtid-set.ts';
import { formatMariadbGtid, tryParseMariadbPosition, type MariadbGtid, type MariadbPosition } from './mariadb-gtid-position.ts';

/** MySQL: replica.executed − source.executed, as canonical text ('' = none, or unparseable input). */
export function mysqlErrantGtids(replicaExecuted: GtidSetInput, sourceExecuted: GtidSetInput): string {
  const r = typeof replicaExecuted === 'string' ? tryParseGtidSet(replicaExecuted) : replicaExecuted;
  const s = typeof sourceExecuted === 'string' ? tryParseGtidSet(sourceExecuted) : sourceExecuted;
  if (!r || !s) return '';
  return formatGtidSet(gtidSubtract(r, s));
}

export interface MariadbReplicaPositions {
  /** @@gtid_current_pos */
  readonly currentPos: string;
  /** @@gtid_slave_pos */
  readonly slavePos: string;
}

/**
 * MariaDB cheap check (see the module comment): the errant GTIDs of gtid_current_pos, canonical text.
 * `upstreamPositions`: the upstream instances' gtid_binlog_pos / gtid_current_pos texts (rule 3).
 */
export function mariadbErrantGtids(replica: MariadbReplicaPositions, upstreamServerIds: Iterable<number>, upstreamPositions: Iterable<string> = []): string {
  const current = tryParseMariadbPosition(replica.currentPos);
  const slave = tryParseMariadbPosition(replica.slavePos);
  if (!current || !slave) return '';
  const upstream = new Set(upstreamServerIds);
  // parsed only when a GTID is not excused by the two cheaper rules (the common case parses nothing)
  let parsedHeld: MariadbPosition[] | undefined;
  const held = (): MariadbPosition[] =>
    (parsedHeld ??= [...upstreamPositions].flatMap((text) => {
      const parsed = tryParseMariadbPosition(text);
      return parsed ? [parsed] : [];
    }));
  const sameGtid = (a: MariadbGtid | undefined, b: MariadbGtid): boolean => a !== undefined && a.server === b.server && a.seq === b.seq;
  const errant: MariadbGtid[] = [];
  for (const [domain, gtid] of current) {
    if (sameGtid(slave.get(domain), gtid) || upstream.has(gtid.server)) continue;
    if (held().some((position) => sameGtid(position.get(domain), gtid))) continue;
    errant.push(gtid);
  }
  return errant.map(formatMariadbGtid).join(',');
}

function hasSource(i: InstanceObservation): boolean {
  const r = i.replication;
  return r !== null && r.sourceHost !== '' && r.sourceHost !== '_' && !r.sourceHost.startsWith('//') && r.sourcePort !== 0;
}

/**
 * The errant GTIDs of one instance given its upstream chain (nearest first: its source, then the
 * source's source, …). '' for an instance that does not replicate.
 */
export function errantGtidsOf(instance: InstanceObservation, upstream: readonly InstanceObservation[]): string {
  if (!hasSource(instance)) return '';
  if (instance.mariadbGtid) {
    const ids: number[] = [];
    const positions: string[] = [];
    for (const u of upstream) {
      if (u.serverId !== null) ids.push(u.serverId);
      if (u.mariadbGtid) positions.push(u.mariadbGtid.binlogPos, u.mariadbGtid.currentPos);
    }
    return mariadbErrantGtids(instance.mariadbGtid, ids, positions);
  }
  if (instance.mysqlGtid) {
    const source = upstream.find((u) => u.mysqlGtid !== null);
    if (!source?.mysqlGtid) return '';
    return mysqlErrantGtids(instance.mysqlGtid.executed, source.mysqlGtid.executed);
  }
  return '';
}
