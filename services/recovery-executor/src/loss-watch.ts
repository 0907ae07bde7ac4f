/**
 * The loss watcher completes each failover's lost-transaction report (@baton/domain loss-report.ts)
 * after the recovery ended: the members the recovery could not examine — the old primary (unless
 * it answered and was synced), replicas that did not answer or whose drain failed — are probed
 * until they answer, and each one's own position then replaces its last-seen lower bound.
 *
 * Durable and shared: the reports live in the recoveries row (`loss_report`, migration 009). Every
 * executor loads the reports with members pending at each sweep (so a report is completed after an
 * executor restart, or by another executor), and writes an update only by compare-and-swap on
 * `loss_report_updated_at`: of two executors that read the same member, one records it. Each update
 * is a `loss-report-updated` step of the recovery (audited, published as a recovery event).
 *
 * A member is read once it answers read-only (the fence keeper makes a returning old primary
 * read-only within milliseconds; a position read while it still took writes could miss some), or
 * after `writableGraceMs` of answering writable (the report then says so). Members not answering
 * within `watchForMs` of the recovery's end stay pending: the report says so for good.
 */
import { parseInstanceId, type ReplicationState } from '@baton/contracts';
import { describeLossReport, lossReportComplete, unionPositions, withMember, type LossReport } from '@baton/domain';
import type { Logger } from '@baton/logging';
import { connectInstance, dialectOf, readGtidPosition, readReplicaStatus, type InstanceConnection, type InstanceConnectOptions, type Queryable } from '@baton/mysql';
import type { Audit } from './audit.ts';

export interface LossWatcherOptions {
  db: Queryable;
  audit: Pick<Audit, 'trail'>;
  logger: Logger;
  user: string;
  password: string;
  /** Between two probes of a pending member. Default 1000 ms. */
  intervalMs?: number;
  /** How long after its last update a report's pending members are still probed (recovery.lossReportWatchMs). */
  watchForMs: number;
  /** How long a member may answer writable before its position is read anyway. Default 5000 ms. */
  writableGraceMs?: number;
  connect?: (options: InstanceConnectOptions) => Promise<InstanceConnection>;
}

interface Watched {
  uid: string;
  clusterId: string;
  report: LossReport;
  /** The report's text as stored: the compare-and-swap's expected value. */
  text: string;
  /** member → when it first answered writable */
  writableSince: Map<string, number>;
  busy: boolean;
}

export class LossWatcher {
  readonly #o: LossWatcherOptions;
  readonly #watched = new Map<string, Watched>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: LossWatcherOptions) {
    this.#o = options;
  }

  start(): void {
    this.#timer = setInterval(() => this.#tick(), this.#o.intervalMs ?? 1000);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  /** Loads every report with pending members updated within watchForMs (the sweep calls it). */
  async sync(): Promise<void> {
    const rows = await this.#o.db.query(
      `SELECT uid, cluster_id, loss_report, loss_report_updated_at FROM recoveries
       WHERE loss_report_updated_at > NOW(3) - INTERVAL ? SECOND AND JSON_LENGTH(loss_report, '$.pending') > 0`,
      [Math.ceil(this.#o.watchForMs / 1000)],
    );
    const seen = new Set<string>();
    for (const r of rows) {
      const uid = String(r['uid']);
      seen.add(uid);
      if (this.#watched.has(uid)) continue;
      const report = parseReport(r['loss_report']);
      if (!report) continue;
      this.#watched.set(uid, { uid, clusterId: String(r['cluster_id']), report, text: String(r['loss_report']), writableSince: new Map(), busy: false });
    }
    for (const [uid, w] of this.#watched) if (!seen.has(uid) && !w.busy) this.#watched.delete(uid);
  }

  watching(): string[] {
    return [...this.#watched.keys()];
  }

  #tick(): void {
    if (this.#stopped) return;
    for (const w of this.#watched.values()) {
      if (w.busy) continue;
      w.busy = true;
      this.#probeAll(w)
        .catch((err: unknown) => this.#o.logger.warn({ err, recoveryUid: w.uid }, 'loss report: probing the pending members failed'))
        .finally(() => {
          w.busy = false;
          if (lossReportComplete(w.report)) this.#watched.delete(w.uid);
        });
    }
  }

  async #probeAll(w: Watched): Promise<void> {
    for (const member of [...w.report.pending]) {
      if (this.#stopped) return;
      const read = await this.#read(member).catch(() => null);
      if (!read) continue;
      if (!read.readOnly) {
        const since = w.writableSince.get(member) ?? Date.now();
        w.writableSince.set(member, since);
        if (Date.now() - since < (this.#o.writableGraceMs ?? 5000)) continue;
      }
      await this.#record(w, member, read.position, read.readOnly);
    }
  }

  async #read(member: string): Promise<{ readOnly: boolean; position: string | null } | null> {
    const { host, port } = parseInstanceId(member);
    const conn = await (this.#o.connect ?? connectInstance)({ host, port, user: this.#o.user, password: this.#o.password, connectTimeoutMs: 500, queryTimeoutMs: 2000 });
    try {
      return await readHolding(conn);
    } finally {
      conn.destroy();
    }
  }

  /**
   * The report of recovery `uid` once `member` was examined at `position` on a connection of the
   * caller's (the old primary's rejoin, rejoin.ts, reads it on the fence keeper's): recorded as the
   * sweep records a member, by the same compare-and-swap and step, when it is still pending. Null
   * when the recovery has no report; a null position records nothing (the member stays pending).
   */
  async examine(uid: string, member: string, position: string | null, readOnly: boolean): Promise<LossReport | null> {
    for (let attempt = 0; ; attempt += 1) {
      const [row] = await this.#o.db.query('SELECT cluster_id, loss_report FROM recoveries WHERE uid = ?', [uid]);
      const report = row ? parseReport(row['loss_report']) : null;
      if (!row || !report) return null;
      if (position === null || !report.pending.includes(member) || attempt >= 3) return report;
      const w: Watched = { uid, clusterId: String(row['cluster_id']), report, text: String(row['loss_report']), writableSince: new Map(), busy: true };
      if (await this.#record(w, member, position, readOnly)) {
        const mine = this.#watched.get(uid);
        if (!mine?.busy) {
          if (lossReportComplete(w.report)) this.#watched.delete(uid);
          else this.#watched.set(uid, { ...w, busy: false });
        }
        return w.report;
      }
    }
  }

  /** The member's position into the report, by compare-and-swap; then its step on the recovery's trail. False: another executor wrote first. */
  async #record(w: Watched, member: string, position: string | null, readOnly: boolean): Promise<boolean> {
    const role = w.report.entries.find((e) => e.member === member)?.role ?? (member === w.report.oldPrimary ? 'old-primary' : 'replica');
    const next = withMember(w.report, { member, role, position });
    const text = JSON.stringify(next);
    const result = await this.#o.db.exec('UPDATE recoveries SET loss_report = ?, loss_report_updated_at = NOW(3) WHERE uid = ? AND loss_report = ?', [text, w.uid, w.text]);
    if (result.affectedRows !== 1) {
      // another executor recorded something first: start again from its report
      this.#watched.delete(w.uid);
      await this.sync();
      return false;
    }
    const [row] = await this.#o.db.query('SELECT COALESCE(MAX(seq), 0) AS seq FROM recovery_steps WHERE recovery_uid = ?', [w.uid]);
    w.report = next;
    w.text = text;
    const entry = next.entries.find((e) => e.member === member);
    const status = entry ? 'failed' : 'succeeded';
    const what = entry ? `${member} answered again and had ${entry.missing} (${entry.count ?? 'an unknown number of'} transaction(s)) the successor lacks` : `${member} answered again: it had nothing the successor lacks`;
    const trail = this.#o.audit.trail(w.clusterId, undefined, w.uid, Number(row?.['seq'] ?? 0));
    trail.step('loss-report-updated', status, `${what}${readOnly ? '' : ' (read while it answered writable)'}; ${describeLossReport(next)}`, { member, position, readOnly, complete: lossReportComplete(next), report: next });
    this.#o.logger.info({ recoveryUid: w.uid, member, position, lost: entry?.missing ?? '', complete: lossReportComplete(next) }, 'loss report updated');
    return true;
  }
}

/**
 * What a member holds, read on `conn`: MariaDB gtid_binlog_pos, gtid_slave_pos and, on GTID
 * replication, Gtid_IO_Pos; MySQL gtid_executed and Retrieved_Gtid_Set (unionPositions), with its
 * read_only and replication state.
 */
export async function readHolding(conn: InstanceConnection): Promise<{ readOnly: boolean; flavour: 'mariadb' | 'mysql'; position: string | null; replication: ReplicationState | null }> {
  const [row] = await conn.query('SELECT @@GLOBAL.read_only AS ro');
  const gtid = await readGtidPosition(conn, 'read-position');
  const d = await dialectOf(conn, 'read-position');
  const status = await readReplicaStatus(conn, d, 'read-position');
  const received = status.state && status.state.usingGtid.toLowerCase() !== 'no' ? status.state.gtidIoPos : '';
  const texts = gtid.mariadb ? [gtid.mariadb.binlogPos, gtid.mariadb.slavePos, received] : [gtid.ownPosition, status.retrievedGtidSet];
  return { readOnly: Number(row?.['ro']) === 1, flavour: gtid.flavour, position: unionPositions(gtid.flavour, texts), replication: status.state };
}

export function parseReport(value: unknown): LossReport | null {
  if (value === null || value === undefined) return null;
  try {
    const r = (typeof value === 'string' ? JSON.parse(value) : value) as LossReport;
    return Array.isArray(r.entries) && Array.isArray(r.pending) ? r : null;
  } catch {
    return null;
  }
}
