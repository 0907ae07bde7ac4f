/**
 * The backend rows of the protocol (migrations 001–003, 005): failure_detections, recoveries,
 * recovery_steps, blocked_recoveries, global_recovery_switch_history, and acknowledgements.
 * Timestamps are UTC DATETIME(3) (the pool's session time zone); JSON columns get JSON text.
 */
import type { InstanceKey } from '@baton/contracts';
import { ackScopeWhere, type AckScope, type BackendDb, type Queryable } from '@baton/mysql';
import type { BlockedRow, DetectionRow, RecoveryResolution, RecoveryRow, RecoveryStore, StepRow } from './ports.ts';

const json = (value: unknown): string => JSON.stringify(value);

export type { AckScope };

export interface AckResult {
  /** Recoveries acknowledged now, with their cluster. */
  recoveries: Array<{ uid: string; clusterId: string }>;
  /** Detections ended now, with their instance. */
  detections: Array<{ clusterId: string; host: string; port: number }>;
}


function detectionWhere(s: AckScope, uids: readonly string[]): { sql: string; values: unknown[] } {
  switch (s.scope) {
    case 'cluster':
      return { sql: '(cluster_id = ? OR cluster_alias = ?)', values: [s.clusterId, s.clusterId] };
    case 'instance':
      return { sql: 'host = ? AND port = ?', values: [s.instance.host, s.instance.port] };
    case 'uid':
      // the detections the acknowledged recovery closed or was about
      return uids.length === 0 ? { sql: '1 = 0', values: [] } : { sql: `related_recovery_uid IN (${uids.map(() => '?').join(', ')})`, values: [...uids] };
    case 'all':
      return { sql: '1 = 1', values: [] };
  }
}

/** The recoveries row's INSERT (the journal's claim adds the epoch it was claimed under). */
export function recoveryInsert(r: RecoveryRow, epoch: number | null = null): { sql: string; values: unknown[] } {
  return {
    sql: `INSERT INTO recoveries (uid, cluster_id, cluster_alias, failed_host, failed_port, analysis, recovery_type, command_hint,
         count_affected_replicas, replica_hosts, detection_uid, forced, request_id, candidate_requested_host, candidate_requested_port,
         processing_node, lock_token, epoch, attempt, started_at)
       VALUES (?, ?, ?, ?, ?, ?, 'MasterRecoveryGTID', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
    values: [
      r.uid,
      r.clusterId,
      r.clusterAlias,
      r.failed.host,
      r.failed.port,
      r.analysis,
      r.commandHint,
      r.countReplicas,
      json(r.replicaHosts),
      r.detectionUid,
      r.forced ? 1 : 0,
      r.requestId,
      r.requestedCandidate?.host ?? null,
      r.requestedCandidate?.port ?? null,
      r.processingNode,
      epoch,
      epoch,
      r.startedAt,
    ],
  };
}

/** The SET list of a recovery's resolution (the journal's resolve adds its epoch condition). */
export function resolutionSet(r: RecoveryResolution): { sql: string; values: unknown[] } {
  return {
    sql: `is_successful = ?, outcome = ?, successor_host = ?, successor_port = ?, successor_binlog_coordinates = ?,
         lost_replicas = ?, participating_instances = ?, all_errors = ?, fencing_result = ?, lock_token = ?, ended_at = ?,
         loss_report = COALESCE(?, loss_report), loss_report_updated_at = IF(? IS NULL, loss_report_updated_at, NOW(3))`,
    values: [
      r.outcome === 'successful' ? 1 : 0,
      r.outcome,
      r.successor?.host ?? null,
      r.successor?.port ?? null,
      r.successorPosition,
      json(r.lostReplicas),
      json(r.participants),
      json(r.errors),
      r.fencingResult,
      r.lockToken,
      r.endedAt,
      r.lossReport ? JSON.stringify(r.lossReport) : null,
      r.lossReport ? 1 : null,
    ],
  };
}

export class BackendRecoveryStore implements RecoveryStore {
  readonly #db: Queryable & Pick<BackendDb, 'transaction'>;

  constructor(db: Queryable & Pick<BackendDb, 'transaction'>) {
    this.#db = db;
  }

  async insertDetection(r: DetectionRow): Promise<void> {
    await this.#db.exec(
      `INSERT INTO failure_detections (uid, cluster_id, cluster_alias, host, port, analysis, is_actionable, count_affected_replicas,
         replica_hosts, processing_node, in_active_period, start_active_period)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
       ON DUPLICATE KEY UPDATE in_active_period = 1, start_active_period = VALUES(start_active_period), end_active_period = NULL,
         analysis = VALUES(analysis), acknowledged = 0`,
      [r.uid, r.clusterId, r.clusterAlias, r.instance.host, r.instance.port, r.analysis, r.isActionable ? 1 : 0, r.countReplicas, json(r.replicaHosts), r.processingNode, r.startedAt],
    );
  }

  async closeDetections(clusterId: string, instance: InstanceKey, recoveryUid: string, at: Date): Promise<void> {
    await this.#db.exec(
      `UPDATE failure_detections SET in_active_period = 0, end_active_period = ?, related_recovery_uid = ?
       WHERE cluster_id = ? AND host = ? AND port = ? AND in_active_period = 1`,
      [at, recoveryUid, clusterId, instance.host, instance.port],
    );
  }

  async insertRecovery(r: RecoveryRow): Promise<void> {
    const insert = recoveryInsert(r);
    await this.#db.exec(insert.sql, insert.values);
  }

  async resolveRecovery(uid: string, r: RecoveryResolution): Promise<void> {
    const set = resolutionSet(r);
    await this.#db.exec(`UPDATE recoveries SET ${set.sql} WHERE uid = ?`, [...set.values, uid]);
  }

  async recordBlocked(r: BlockedRow): Promise<void> {
    await this.#db.exec(
      `INSERT INTO blocked_recoveries (cluster_id, cluster_alias, host, port, analysis, reason, blocking_recovery_uid, first_blocked_at, last_blocked_at, times_blocked)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
       ON DUPLICATE KEY UPDATE analysis = VALUES(analysis), reason = VALUES(reason), blocking_recovery_uid = VALUES(blocking_recovery_uid),
         last_blocked_at = VALUES(last_blocked_at), times_blocked = times_blocked + 1`,
      [r.clusterId, r.clusterAlias, r.instance.host, r.instance.port, r.analysis, r.reason, r.blockingUid, r.at, r.at],
    );
  }

  async insertStep(r: StepRow): Promise<void> {
    await this.#db.exec(
      'INSERT IGNORE INTO recovery_steps (recovery_uid, seq, ts, step, message, ok, details) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [r.recoveryUid, r.seq, r.at, r.step, r.message, r.ok === null ? null : r.ok ? 1 : 0, json(r.details)],
    );
  }

  async recordSwitch(enabled: boolean, changedBy: string, source: string, at: Date): Promise<void> {
    await this.#db.exec('INSERT INTO global_recovery_switch_history (enabled, changed_by, reason, source, changed_at) VALUES (?, ?, NULL, ?, ?)', [
      enabled ? 1 : 0,
      changedBy,
      source,
      at,
    ]);
  }

  /**
   * Acknowledges the unacknowledged resolved recoveries in scope and ends their detections
   * (orchestrator's ack-recovery routes: in_active_period = 0, acknowledged = 1, by, at, comment).
   * A recovery still running (not ended yet) is not acknowledged: there is nothing to review yet,
   * and its block stays until it resolved (commands.ts), so it is acknowledged by a later ack.
   */
  async acknowledge(scope: AckScope, by: string, comment: string, at: Date): Promise<AckResult> {
    return this.#db.transaction(async (tx) => {
      const rw = ackScopeWhere(scope);
      const rows = await tx.query(`SELECT uid, cluster_id FROM recoveries WHERE acknowledged = 0 AND ended_at IS NOT NULL AND ${rw.sql} FOR UPDATE`, rw.values);
      const recoveries = rows.map((r) => ({ uid: String(r['uid']), clusterId: String(r['cluster_id']) }));
      if (recoveries.length > 0) {
        await tx.exec(
          `UPDATE recoveries SET acknowledged = 1, acknowledged_by = ?, acknowledged_at = ?, acknowledged_comment = ?
           WHERE acknowledged = 0 AND uid IN (${recoveries.map(() => '?').join(', ')})`,
          [by, at, comment, ...recoveries.map((r) => r.uid)],
        );
      }
      const dw = detectionWhere(scope, recoveries.map((r) => r.uid));
      const found = await tx.query(`SELECT id, cluster_id, host, port FROM failure_detections WHERE acknowledged = 0 AND ${dw.sql} FOR UPDATE`, dw.values);
      if (found.length > 0) {
        await tx.exec(
          `UPDATE failure_detections SET in_active_period = 0, end_active_period = COALESCE(end_active_period, ?), acknowledged = 1,
             acknowledged_by = ?, acknowledged_at = ?, acknowledged_comment = ?
           WHERE id IN (${found.map(() => '?').join(', ')})`,
          [at, by, at, comment, ...found.map((r) => Number(r['id']))],
        );
      }
      const detections = found.map((r) => ({ clusterId: String(r['cluster_id']), host: String(r['host']), port: Number(r['port']) }));
      return { recoveries, detections };
    });
  }
}
