/**
 * Baton's promotion epoch, kept in the promoted primary itself: one row in
 * `baton_meta.promotion_epoch`, written by promote() before the candidate is writable, replicated
 * to its replicas like any other write. When two instances of one cluster are writable roots (an
 * old primary that came back, a replica made writable by hand), the analysis tells the stale one
 * by this epoch: the backend's per-cluster epoch of the recovery that made each one primary.
 *
 * The probe reads it with one primary-key lookup. A server Baton never promoted has no such
 * schema or table: that is not an error, the epoch is simply unknown (null).
 */
import { integerOrNull, pick, type RowLike } from './row-values.ts';

export const promotionEpochSchema = 'baton_meta';
export const promotionEpochTable = `${promotionEpochSchema}.promotion_epoch`;

/** The probe's read: one row (id = 1) or none. */
export const promotionEpochSql = `SELECT epoch FROM ${promotionEpochTable} WHERE id = 1`;

export const createPromotionEpochSchemaSql = `CREATE DATABASE IF NOT EXISTS ${promotionEpochSchema}`;

/** One row (id = 1); `epoch` is the backend's cluster epoch of the recovery that promoted `primary_host:primary_port`. */
export const createPromotionEpochTableSql = `CREATE TABLE IF NOT EXISTS ${promotionEpochTable} (
  id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
  cluster_id VARCHAR(200) NOT NULL,
  epoch BIGINT UNSIGNED NOT NULL,
  primary_host VARCHAR(255) NOT NULL,
  primary_port SMALLINT UNSIGNED NOT NULL,
  recovery_uid VARCHAR(100) NOT NULL,
  promoted_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  CONSTRAINT promotion_epoch_one_row CHECK (id = 1)
) ENGINE=InnoDB`;

/**
 * The write: values cluster_id, epoch, primary_host, primary_port, recovery_uid. The epoch never
 * goes down: a row with a higher epoch (replicated from a newer primary, or left by a backend
 * whose epochs restarted) is kept whole, since a lower epoch on the new primary would make the
 * analysis fence it as the stale one. An equal epoch (a takeover re-promoting the same candidate)
 * rewrites the row. The other columns are assigned before `epoch` (ON DUPLICATE KEY UPDATE
 * assigns left to right, each seeing the columns already updated).
 */
export const upsertPromotionEpochSql = `INSERT INTO ${promotionEpochTable} (id, cluster_id, epoch, primary_host, primary_port, recovery_uid, promoted_at)
VALUES (1, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP(3))
ON DUPLICATE KEY UPDATE
  cluster_id = IF(VALUES(epoch) >= epoch, VALUES(cluster_id), cluster_id),
  primary_host = IF(VALUES(epoch) >= epoch, VALUES(primary_host), primary_host),
  primary_port = IF(VALUES(epoch) >= epoch, VALUES(primary_port), primary_port),
  recovery_uid = IF(VALUES(epoch) >= epoch, VALUES(recovery_uid), recovery_uid),
  promoted_at = IF(VALUES(epoch) >= epoch, VALUES(promoted_at), promoted_at),
  epoch = GREATEST(epoch, VALUES(epoch))`;

/**
 * Server errors that mean "no epoch here", not "the probe failed":
 *   1049 ER_BAD_DB_ERROR        no baton_meta schema (never promoted by Baton)
 *   1146 ER_NO_SUCH_TABLE       the schema without the table
 *   1142 ER_TABLEACCESS_DENIED  an account without SELECT on it: the epoch is unknown, the instance
 *                               is not unreachable (failing the probe would make it look dead)
 */
export const noEpochErrnos: ReadonlySet<number> = new Set([1049, 1146, 1142]);

/** True when `error` (a server error of the epoch read) means the epoch is simply not there. */
export function isNoEpochError(error: unknown): boolean {
  const errno = (error as { errno?: unknown } | null)?.errno;
  return typeof errno === 'number' && noEpochErrnos.has(errno);
}

/** The probe's rows → the epoch; null without rows (no row, or not read) or a value that is not a non-negative integer. */
export function mapPromotionEpoch(rows: readonly RowLike[] | null): number | null {
  const row = rows?.[0];
  if (!row) return null;
  const epoch = integerOrNull(pick(row, 'epoch'));
  return epoch !== null && epoch >= 0 ? epoch : null;
}
