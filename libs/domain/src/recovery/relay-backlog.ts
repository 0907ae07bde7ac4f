/**
 * Relay logs no GTID names (file/position replication, MariaDB Using_Gtid=No): a replica whose SQL
 * thread had not applied everything its IO thread received holds transactions that appear in no
 * GTID position — its gtid_slave_pos stops where the SQL thread stopped, and its Gtid_IO_Pos is
 * stale in that mode. Comparing positions alone would call such a replica "behind" and promote a
 * candidate that lacks them, and the candidate's RESET SLAVE ALL (or the replica's own CHANGE MASTER)
 * would then delete them.
 *
 * They are compared by the source's coordinates instead, which every direct replica of the failed
 * primary shares: the transactions between a replica's applied and received coordinates are also
 * held by any replica that APPLIED at least up to its received coordinates (they are in that one's
 * GTID position, which the planner's GTID comparison then requires of the candidate), or by the
 * candidate itself when it will apply its own relay log before the promotion (waitForSqlThread) and
 * received at least as much (a candidate that catches up from another replica instead loses its own
 * relay log to the CHANGE MASTER, so its backlog must be covered too). A backlog held by nobody else is uncovered: the plan fails (or, with
 * allowLossOfTransactions, reports it as lost).
 */
import { instanceId, type BinlogCoordinates, type InstanceKey, type InstanceObservation } from '@baton/contracts';

export interface UncoveredRelayLog {
  readonly replica: InstanceKey;
  readonly received: BinlogCoordinates;
  readonly applied: BinlogCoordinates;
}

/** a before b (-1), equal (0), after (1); binlog files by their numeric extension when both have one. */
export function compareCoordinates(a: BinlogCoordinates, b: BinlogCoordinates): number {
  if (a.file !== b.file) {
    const na = /\.(\d+)$/.exec(a.file);
    const nb = /\.(\d+)$/.exec(b.file);
    const base = (f: string) => f.replace(/\.\d+$/, '');
    if (na && nb && base(a.file) === base(b.file)) return Math.sign(Number(na[1]) - Number(nb[1]));
    return a.file < b.file ? -1 : 1;
  }
  return Math.sign(a.pos - b.pos);
}

/** A MariaDB replica on file/position replication whose relay log is not applied: received and applied coordinates. */
export function unappliedRelayLog(i: InstanceObservation): { received: BinlogCoordinates; applied: BinlogCoordinates } | null {
  const r = i.replication;
  if (!r || !i.mariadbGtid || r.usingGtid.toLowerCase() !== 'no' || !r.readCoordinates || !r.execCoordinates) return null;
  return compareCoordinates(r.execCoordinates, r.readCoordinates) < 0 ? { received: r.readCoordinates, applied: r.execCoordinates } : null;
}

const sameKey = (a: InstanceKey, b: InstanceKey) => a.host === b.host && a.port === b.port;

/**
 * The file/position relay-log backlogs that neither another examined replica applied nor the
 * candidate will apply before its promotion (see the module comment). `replicas`: the examined
 * direct replicas of one failed primary, as their drain left them.
 */
export function uncoveredRelayLogs(replicas: readonly InstanceObservation[], candidate: InstanceKey, candidateAppliesRelayLog: boolean): UncoveredRelayLog[] {
  const out: UncoveredRelayLog[] = [];
  for (const r of replicas) {
    // the candidate's own backlog is applied before it is promoted, unless a catch-up replaces its relay log
    if (sameKey(r, candidate) && candidateAppliesRelayLog) continue;
    const backlog = unappliedRelayLog(r);
    if (!backlog) continue;
    const covered = replicas.some((o) => {
      if (o === r || !o.replication) return false;
      const reach = sameKey(o, candidate) && candidateAppliesRelayLog ? o.replication.readCoordinates : o.replication.execCoordinates;
      return reach !== null && compareCoordinates(reach, backlog.received) >= 0;
    });
    if (!covered) out.push({ replica: { host: r.host, port: r.port }, ...backlog });
  }
  return out;
}

export function describeUncovered(u: UncoveredRelayLog): string {
  return `${instanceId(u.replica)} received up to ${u.received.file}:${u.received.pos} and applied only up to ${u.applied.file}:${u.applied.pos} (file/position replication: no GTID names those transactions)`;
}
