/**
 * The recovery journal's SQL (journal.ts; migrations 006–007). Every time comparison uses the
 * backend's own clock (NOW(3)), so executors on hosts with skewed clocks agree on who is stale.
 * Every write after the claim is conditioned on the epoch in the same statement:
 *
 *   INSERT INTO recovery_journal … SELECT … FROM cluster_epochs
 *   WHERE cluster_id = ? AND epoch = ? AND recovery_uid = ?
 *
 * so a holder whose term has passed writes nothing, and learns it from the row count.
 */
import type { BackendDb, Queryable } from '@baton/mysql';
import { StaleEpochError, type ClaimOutcome, type JournalEntry, type JournalState, type OrphanedRecovery, type RecoveryJournal, type StoredRecovery, type Takeover, type Term } from './journal.ts';
import { recoveryInsert, resolutionSet } from './backend-store.ts';
import type { RecoveryResolution, RecoveryRow } from './ports.ts';

type Row = Awaited<ReturnType<Queryable['query']>>[number];

const json = (value: unknown): string => JSON.stringify(value);
const parsed = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);
const idleMsSql = 'TIMESTAMPDIFF(MICROSECOND, e.renewed_at, NOW(3)) DIV 1000';

function entryOf(r: Row): JournalEntry {
  return {
    step: String(r['step']),
    state: String(r['state']) as JournalState,
    epoch: Number(r['epoch']),
    attempt: Number(r['attempt']),
    executor: String(r['executor']),
    data: (parsed(r['data']) as Record<string, unknown> | null) ?? {},
    at: r['at'] as Date,
  };
}

export class BackendRecoveryJournal implements RecoveryJournal {
  readonly #db: Queryable & Pick<BackendDb, 'transaction'>;

  constructor(db: Queryable & Pick<BackendDb, 'transaction'>) {
    this.#db = db;
  }

  async claim(row: RecoveryRow, executor: string, takeoverAfterMs: number): Promise<ClaimOutcome> {
    // The cluster's row exists before the transaction, so SELECT … FOR UPDATE serialises claims.
    await this.#db.exec(`INSERT IGNORE INTO cluster_epochs (cluster_id, epoch, recovery_uid, executor, renewed_at, updated_at) VALUES (?, 0, NULL, '', NOW(3), NOW(3))`, [row.clusterId]);
    return this.#db.transaction(async (tx): Promise<ClaimOutcome> => {
      const [held] = await tx.query(
        `SELECT e.epoch, e.recovery_uid, ${idleMsSql} AS idle_ms, r.uid AS running_uid
         FROM cluster_epochs e LEFT JOIN recoveries r ON r.uid = e.recovery_uid AND r.outcome IS NULL
         WHERE e.cluster_id = ? FOR UPDATE`,
        [row.clusterId],
      );
      if (held?.['running_uid']) return { claimed: false, runningUid: String(held['running_uid']), stale: Number(held['idle_ms']) > takeoverAfterMs };
      const epoch = Number(held?.['epoch'] ?? 0) + 1;
      await tx.exec(`UPDATE cluster_epochs SET epoch = ?, recovery_uid = ?, executor = ?, renewed_at = NOW(3), updated_at = NOW(3) WHERE cluster_id = ?`, [epoch, row.uid, executor, row.clusterId]);
      const insert = recoveryInsert(row, epoch);
      await tx.exec(insert.sql, insert.values);
      await this.#append(tx, row.uid, row.clusterId, epoch, 1, 'claim', 'done', executor, { failed: row.failed, analysis: row.analysis });
      return { claimed: true, term: { clusterId: row.clusterId, uid: row.uid, epoch, attempt: 1 } };
    });
  }

  async takeOver(clusterId: string, uid: string, executor: string, takeoverAfterMs: number): Promise<Takeover | null> {
    const taken = await this.#db.transaction(async (tx) => {
      const [held] = await tx.query(
        `SELECT e.epoch, e.executor, ${idleMsSql} AS idle_ms, r.attempt
         FROM cluster_epochs e JOIN recoveries r ON r.uid = e.recovery_uid AND r.outcome IS NULL
         WHERE e.cluster_id = ? AND e.recovery_uid = ? FOR UPDATE`,
        [clusterId, uid],
      );
      if (!held || Number(held['idle_ms']) <= takeoverAfterMs) return null;
      const previousEpoch = Number(held['epoch']);
      const epoch = previousEpoch + 1;
      const attempt = Number(held['attempt']) + 1;
      const previousExecutor = String(held['executor']);
      await tx.exec(`UPDATE cluster_epochs SET epoch = ?, executor = ?, renewed_at = NOW(3), updated_at = NOW(3) WHERE cluster_id = ?`, [epoch, executor, clusterId]);
      await tx.exec(`UPDATE recoveries SET epoch = ?, lock_token = ?, attempt = ?, processing_node = ? WHERE uid = ?`, [epoch, epoch, attempt, executor, uid]);
      await this.#append(tx, uid, clusterId, epoch, attempt, 'takeover', 'done', executor, { previousEpoch, previousExecutor, idleMs: Number(held['idle_ms']) });
      return { term: { clusterId, uid, epoch, attempt }, previousEpoch, previousExecutor };
    });
    if (!taken) return null;
    const rows = await this.#db.query(`SELECT step, state, epoch, attempt, executor, data, at FROM recovery_journal WHERE recovery_uid = ? ORDER BY id`, [uid]);
    return { ...taken, entries: rows.map(entryOf) };
  }

  async record(term: Term, executor: string, step: string, state: JournalState, data: Record<string, unknown> = {}): Promise<void> {
    if (!(await this.#append(this.#db, term.uid, term.clusterId, term.epoch, term.attempt, step, state, executor, data))) throw new StaleEpochError(term, `journal entry ${step}/${state}`);
  }

  async heartbeat(term: Term): Promise<boolean> {
    const r = await this.#db.exec(`UPDATE cluster_epochs SET renewed_at = NOW(3) WHERE cluster_id = ? AND epoch = ? AND recovery_uid = ?`, [term.clusterId, term.epoch, term.uid]);
    return r.affectedRows === 1;
  }

  async check(term: Term): Promise<void> {
    const [row] = await this.#db.query(`SELECT 1 AS held FROM cluster_epochs WHERE cluster_id = ? AND epoch = ? AND recovery_uid = ?`, [term.clusterId, term.epoch, term.uid]);
    if (!row) throw new StaleEpochError(term, 'the next step');
  }

  async resolve(term: Term, executor: string, r: RecoveryResolution): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const set = resolutionSet({ ...r, lockToken: term.epoch });
      const updated = await tx.exec(
        `UPDATE recoveries SET ${set.sql}, epoch = ?
         WHERE uid = ? AND EXISTS (SELECT 1 FROM cluster_epochs e WHERE e.cluster_id = ? AND e.epoch = ? AND e.recovery_uid = ?)`,
        [...set.values, term.epoch, term.uid, term.clusterId, term.epoch, term.uid],
      );
      if (updated.affectedRows !== 1) return false;
      await this.#append(tx, term.uid, term.clusterId, term.epoch, term.attempt, 'resolved', 'done', executor, { outcome: r.outcome, successor: r.successor });
      return true;
    });
  }

  async orphans(takeoverAfterMs: number): Promise<OrphanedRecovery[]> {
    const rows = await this.#db.query(
      `SELECT e.cluster_id, e.recovery_uid, e.epoch, e.executor, ${idleMsSql} AS idle_ms
       FROM cluster_epochs e JOIN recoveries r ON r.uid = e.recovery_uid AND r.outcome IS NULL
       WHERE TIMESTAMPDIFF(MICROSECOND, e.renewed_at, NOW(3)) > ? * 1000`,
      [takeoverAfterMs],
    );
    return rows.map((r) => ({ clusterId: String(r['cluster_id']), uid: String(r['recovery_uid']), epoch: Number(r['epoch']), executor: String(r['executor']), idleMs: Number(r['idle_ms']) }));
  }

  async recovery(uid: string): Promise<StoredRecovery | null> {
    const [r] = await this.#db.query(
      `SELECT uid, cluster_id, cluster_alias, failed_host, failed_port, analysis, command_hint, forced, request_id, candidate_requested_host,
         candidate_requested_port, detection_uid, replica_hosts, started_at FROM recoveries WHERE uid = ?`,
      [uid],
    );
    if (!r) return null;
    const candidateHost = r['candidate_requested_host'] as string | null;
    return {
      uid: String(r['uid']),
      clusterId: String(r['cluster_id']),
      clusterAlias: String(r['cluster_alias']),
      failed: { host: String(r['failed_host']), port: Number(r['failed_port']) },
      analysis: String(r['analysis']),
      commandHint: String(r['command_hint']),
      forced: Number(r['forced']) === 1,
      requestId: (r['request_id'] as string | null) ?? null,
      requestedCandidate: candidateHost ? { host: candidateHost, port: Number(r['candidate_requested_port']) } : null,
      detectionUid: (r['detection_uid'] as string | null) ?? null,
      replicaHosts: (parsed(r['replica_hosts']) as string[] | null) ?? [],
      startedAt: r['started_at'] as Date,
    };
  }

  async lastStepSeq(uid: string): Promise<number> {
    const [r] = await this.#db.query('SELECT COALESCE(MAX(seq), 0) AS seq FROM recovery_steps WHERE recovery_uid = ?', [uid]);
    return Number(r?.['seq'] ?? 0);
  }

  async #append(q: Queryable, uid: string, clusterId: string, epoch: number, attempt: number, step: string, state: JournalState, executor: string, data: Record<string, unknown>): Promise<boolean> {
    const r = await q.exec(
      `INSERT INTO recovery_journal (recovery_uid, cluster_id, epoch, attempt, step, state, executor, data, at)
       SELECT ?, cluster_id, epoch, ?, ?, ?, ?, ?, NOW(3) FROM cluster_epochs WHERE cluster_id = ? AND epoch = ? AND recovery_uid = ?`,
      [uid, attempt, step, state, executor, json(data), clusterId, epoch, uid],
    );
    return r.affectedRows === 1;
  }
}
