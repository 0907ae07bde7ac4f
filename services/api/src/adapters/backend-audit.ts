/**
 * AuditReader over the backend tables (migrations 001, 002, 005): recoveries, recovery_steps,
 * failure_detections, blocked_recoveries. Read only — the executor writes them. Pages are 20 rows,
 * newest first (orchestrator's AuditPageSize). JSON columns arrive parsed from MySQL and as text from
 * MariaDB; both are read.
 */
import type { RowDataPacket } from 'mysql2';
import { ackScopeWhere, type Queryable } from '@baton/mysql';
import type { AuditReader, BlockedRecord, DetectionQuery, DetectionRecord, RecoveryQuery, RecoveryRecord, RecoveryStepRecord } from '../ports.ts';

export const auditPageSize = 20;

type Row = RowDataPacket & Record<string, unknown>;

function jsonValue(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? null;
  try {
    return JSON.parse(v);
  } catch {
    return null;
  }
}
const strings = (v: unknown): string[] => {
  const parsed = jsonValue(v);
  return Array.isArray(parsed) ? parsed.map(String) : [];
};
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(`${String(v).replace(' ', 'T')}Z`));
const json = (v: unknown): unknown => {
  if (v === null || v === undefined) return null;
  try {
    return typeof v === 'string' ? JSON.parse(v) : v;
  } catch {
    return null;
  }
};
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const key = (host: unknown, port: unknown) => (host === null || host === undefined ? null : { host: String(host), port: Number(port) });

export function recoveryFromRow(r: Row): RecoveryRecord {
  return {
    id: Number(r['id']),
    uid: String(r['uid']),
    clusterId: String(r['cluster_id']),
    clusterAlias: String(r['cluster_alias'] ?? ''),
    failed: { host: String(r['failed_host']), port: Number(r['failed_port']) },
    analysis: String(r['analysis']),
    recoveryType: String(r['recovery_type'] ?? ''),
    commandHint: String(r['command_hint'] ?? ''),
    countReplicas: Number(r['count_affected_replicas'] ?? 0),
    replicaHosts: strings(r['replica_hosts']),
    detectionUid: str(r['detection_uid']),
    forced: Number(r['forced']) === 1,
    requestId: str(r['request_id']),
    processingNode: String(r['processing_node'] ?? ''),
    successor: key(r['successor_host'], r['successor_port']),
    successorAlias: str(r['successor_alias']),
    successorPosition: str(r['successor_binlog_coordinates']),
    isSuccessful: Number(r['is_successful']) === 1,
    outcome: str(r['outcome']),
    lostReplicas: strings(r['lost_replicas']),
    participants: strings(r['participating_instances']),
    errors: strings(r['all_errors']),
    fencingResult: str(r['fencing_result']),
    lossReport: json(r['loss_report']),
    startedAt: date(r['started_at']) as Date,
    endedAt: date(r['ended_at']),
    acknowledged: Number(r['acknowledged']) === 1,
    acknowledgedBy: str(r['acknowledged_by']),
    acknowledgedAt: date(r['acknowledged_at']),
    acknowledgedComment: str(r['acknowledged_comment']),
  };
}

function detectionFromRow(r: Row): DetectionRecord {
  return {
    id: Number(r['id']),
    uid: String(r['uid']),
    clusterId: String(r['cluster_id']),
    clusterAlias: String(r['cluster_alias'] ?? ''),
    instance: { host: String(r['host']), port: Number(r['port']) },
    analysis: String(r['analysis']),
    isActionable: Number(r['is_actionable']) === 1,
    countReplicas: Number(r['count_affected_replicas'] ?? 0),
    replicaHosts: strings(r['replica_hosts']),
    processingNode: String(r['processing_node'] ?? ''),
    inActivePeriod: Number(r['in_active_period']) === 1,
    startedAt: date(r['start_active_period']) as Date,
    endedAt: date(r['end_active_period']),
    relatedRecoveryUid: str(r['related_recovery_uid']),
    acknowledged: Number(r['acknowledged']) === 1,
    acknowledgedBy: str(r['acknowledged_by']),
    acknowledgedAt: date(r['acknowledged_at']),
    acknowledgedComment: str(r['acknowledged_comment']),
  };
}

function recoveryWhere(q: RecoveryQuery): { where: string; values: unknown[]; page: number | null } {
  switch (q.by) {
    case 'recent': {
      const parts = [...(q.clusterId === undefined ? [] : ['cluster_id = ?']), ...(q.unacknowledgedOnly ? ['acknowledged = 0'] : [])];
      return { where: parts.length ? parts.join(' AND ') : '1 = 1', values: q.clusterId === undefined ? [] : [q.clusterId], page: q.page };
    }
    case 'alias':
      return { where: 'cluster_alias = ?', values: [q.alias], page: q.page };
    case 'id':
      return { where: 'id = ?', values: [q.id], page: null };
    case 'uid':
      return { where: 'uid = ?', values: [q.uid], page: null };
    case 'request':
      return { where: 'request_id = ?', values: [q.requestId], page: null };
    case 'active':
      return { where: 'cluster_id = ? AND ended_at IS NULL', values: [q.clusterId], page: null };
  }
}


export function backendAuditReader(db: Queryable): AuditReader {
  const paged = (page: number | null) => (page === null ? '' : ` LIMIT ${auditPageSize} OFFSET ${page * auditPageSize}`);
  return {
    async recoveries(q) {
      const { where, values, page } = recoveryWhere(q);
      const rows = await db.query<Row>(`SELECT * FROM recoveries WHERE ${where} ORDER BY id DESC${paged(page)}`, values);
      return rows.map(recoveryFromRow);
    },
    async steps(uid) {
      const rows = await db.query<Row>('SELECT * FROM recovery_steps WHERE recovery_uid = ? ORDER BY seq, id', [uid]);
      return rows.map(
        (r): RecoveryStepRecord => ({
          id: Number(r['id']),
          recoveryUid: String(r['recovery_uid']),
          seq: Number(r['seq']),
          at: date(r['ts']) as Date,
          step: String(r['step']),
          message: String(r['message']),
          ok: r['ok'] === null || r['ok'] === undefined ? null : Number(r['ok']) === 1,
          details: (jsonValue(r['details']) as Record<string, unknown> | null) ?? null,
        }),
      );
    },
    async detections(q: DetectionQuery) {
      const [where, values, page] = q.by === 'id' ? ['id = ?', [q.id], null] : q.by === 'alias' ? ['cluster_alias = ?', [q.alias], q.page] : ['1 = 1', [], q.page];
      const rows = await db.query<Row>(`SELECT * FROM failure_detections WHERE ${where} ORDER BY id DESC${paged(page)}`, values);
      return rows.map(detectionFromRow);
    },
    async blocked(clusterId) {
      const rows = await db.query<Row>(
        `SELECT * FROM blocked_recoveries ${clusterId === undefined ? '' : 'WHERE cluster_id = ?'} ORDER BY last_blocked_at DESC, id DESC`,
        clusterId === undefined ? [] : [clusterId],
      );
      return rows.map(
        (r): BlockedRecord => ({
          id: Number(r['id']),
          clusterId: String(r['cluster_id']),
          clusterAlias: String(r['cluster_alias'] ?? ''),
          instance: { host: String(r['host']), port: Number(r['port']) },
          analysis: String(r['analysis']),
          reason: String(r['reason']),
          blockingUid: str(r['blocking_recovery_uid']),
          firstBlockedAt: date(r['first_blocked_at']) as Date,
          lastBlockedAt: date(r['last_blocked_at']) as Date,
          timesBlocked: Number(r['times_blocked']),
        }),
      );
    },
    async unacknowledged(scope) {
      const w = ackScopeWhere(scope);
      const rows = await db.query<Row>(`SELECT uid, cluster_id, ended_at IS NULL AS running FROM recoveries WHERE acknowledged = 0 AND ${w.sql}`, w.values);
      return rows.map((r) => ({ uid: String(r['uid']), clusterId: String(r['cluster_id']), running: Number(r['running']) === 1 }));
    },
    async acknowledged(uids) {
      if (uids.length === 0) return [];
      const rows = await db.query<Row>(`SELECT uid FROM recoveries WHERE acknowledged = 1 AND uid IN (${uids.map(() => '?').join(', ')})`, [...uids]);
      return rows.map((r) => String(r['uid']));
    },
    async ping() {
      await db.query('SELECT 1');
    },
  };
}
