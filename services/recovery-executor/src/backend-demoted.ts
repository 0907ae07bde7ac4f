/**
 * demoted_primaries (migration 008): the old primaries the fence keepers hold fenced. One row per
 * (cluster, instance); a new demotion of the same instance restarts its row. Timestamps are the
 * backend's UTC DATETIME(3).
 */
import type { Queryable } from '@baton/mysql';
import type { DemotedPrimary, DemotedPrimaryStore } from './fence-keeper.ts';

export class BackendDemotedPrimaries implements DemotedPrimaryStore {
  readonly #db: Queryable;

  constructor(db: Queryable) {
    this.#db = db;
  }

  async add(d: DemotedPrimary): Promise<void> {
    await this.#db.exec(
      `INSERT INTO demoted_primaries (cluster_id, host, port, recovery_uid, epoch, since)
       VALUES (?, ?, ?, ?, ?, NOW(3))
       ON DUPLICATE KEY UPDATE recovery_uid = VALUES(recovery_uid), epoch = VALUES(epoch), since = NOW(3),
         returned_writable = 0, last_fenced_at = NULL, ended_at = NULL, end_reason = NULL`,
      [d.clusterId, d.instance.host, d.instance.port, d.recoveryUid, d.epoch],
    );
  }

  async active(): Promise<DemotedPrimary[]> {
    const rows = await this.#db.query('SELECT cluster_id, host, port, recovery_uid, epoch FROM demoted_primaries WHERE ended_at IS NULL');
    return rows.map((r) => ({
      clusterId: String(r['cluster_id']),
      instance: { host: String(r['host']), port: Number(r['port']) },
      recoveryUid: String(r['recovery_uid']),
      epoch: r['epoch'] === null ? null : Number(r['epoch']),
    }));
  }

  async fencedAgain(clusterId: string, instance: { host: string; port: number }): Promise<void> {
    await this.#db.exec(
      'UPDATE demoted_primaries SET returned_writable = returned_writable + 1, last_fenced_at = NOW(3) WHERE cluster_id = ? AND host = ? AND port = ? AND ended_at IS NULL',
      [clusterId, instance.host, instance.port],
    );
  }

  async end(clusterId: string, instance: { host: string; port: number }, reason: string): Promise<void> {
    await this.#db.exec('UPDATE demoted_primaries SET ended_at = NOW(3), end_reason = ? WHERE cluster_id = ? AND host = ? AND port = ? AND ended_at IS NULL', [
      reason.slice(0, 255),
      clusterId,
      instance.host,
      instance.port,
    ]);
  }
}
