/**
 * The replication vocabulary of the server behind a connection, found once per connection
 * (SELECT @@version, @@version_comment: one round trip, cached in a WeakMap on the connection).
 *
 *   MariaDB            STOP/START SLAVE, RESET SLAVE ALL, SHOW ALL SLAVES STATUS,
 *                      CHANGE MASTER TO ... MASTER_USE_GTID = slave_pos, MASTER_GTID_WAIT
 *   MySQL < 8.0.23     STOP/START SLAVE, RESET SLAVE ALL, SHOW SLAVE STATUS,
 *                      CHANGE MASTER TO ... MASTER_AUTO_POSITION = 1, WAIT_FOR_EXECUTED_GTID_SET
 *   MySQL >= 8.0.23    STOP/START REPLICA, RESET REPLICA ALL, SHOW REPLICA STATUS,
 *                      CHANGE REPLICATION SOURCE TO ... SOURCE_AUTO_POSITION = 1
 * (8.0.22 already has the REPLICA statements; 8.0.23 adds CHANGE REPLICATION SOURCE. One cut at
 * 8.0.23 keeps the table small.) Only MariaDB is exercised by the integration tests.
 *
 * Every replication connection, for a promotion: MariaDB's STOP SLAVE / RESET SLAVE ALL act on
 * one connection only (the default, or @@default_master_connection), so a multi-source replica
 * (`CHANGE MASTER 'name' TO ...`) keeps its named connections; STOP ALL SLAVES stops them all and
 * each is reset by name. MySQL's STOP REPLICA and RESET REPLICA ALL without FOR CHANNEL already
 * act on every channel.
 */
import type { InstanceConnection } from '../instance-connection.ts';
import { flavourOf } from '../probe/map-identity.ts';
import { statementsFor, versionTuple } from '../probe/statements.ts';
import { text } from '../probe/row-values.ts';
import { RecoveryStepError, recoveryErrorCodes, runStatement, type RecoveryStep } from './step-error.ts';

export interface Dialect {
  flavour: 'mariadb' | 'mysql';
  version: string;
  stopReplica: string;
  /** Stops every replication connection: MariaDB STOP ALL SLAVES; MySQL's STOP REPLICA/SLAVE already does. */
  stopAllReplicas: string;
  stopIoThread: string;
  startReplica: string;
  startSqlThread: string;
  resetReplicaAll: string;
  replicaStatus: string;
  /** 'CHANGE MASTER TO' or 'CHANGE REPLICATION SOURCE TO'. */
  changeSource: string;
  /** Option prefix in that statement: 'MASTER' or 'SOURCE'. */
  option: 'MASTER' | 'SOURCE';
  /** MySQL's super_read_only exists; MariaDB has none. */
  hasSuperReadOnly: boolean;
  /**
   * Waits until the SQL thread has applied up to source coordinates (file, position, timeout in
   * seconds): MariaDB and MySQL < 8.0.26 MASTER_POS_WAIT, MySQL >= 8.0.26 SOURCE_POS_WAIT. For
   * replicas on file/position replication, which keep no received-GTID position.
   */
  positionWait: string;
}

export function dialectFor(version: string, versionComment = ''): Dialect | null {
  const flavour = flavourOf(version, versionComment);
  if (flavour === 'mariadb') {
    return {
      flavour,
      version,
      stopReplica: 'STOP SLAVE',
      stopAllReplicas: 'STOP ALL SLAVES',
      stopIoThread: 'STOP SLAVE IO_THREAD',
      startReplica: 'START SLAVE',
      startSqlThread: 'START SLAVE SQL_THREAD',
      resetReplicaAll: 'RESET SLAVE ALL',
      replicaStatus: statementsFor('mariadb', version).replicaStatus,
      changeSource: 'CHANGE MASTER TO',
      option: 'MASTER',
      hasSuperReadOnly: false,
      positionWait: 'SELECT MASTER_POS_WAIT(?, ?, ?) AS r',
    };
  }
  if (flavour !== 'mysql') return null;
  const [major, minor, patch] = versionTuple(version);
  const modern = major > 8 || (major === 8 && (minor > 0 || patch >= 23));
  const word = modern ? 'REPLICA' : 'SLAVE';
  return {
    flavour,
    version,
    stopReplica: `STOP ${word}`,
    stopAllReplicas: `STOP ${word}`,
    stopIoThread: `STOP ${word} IO_THREAD`,
    startReplica: `START ${word}`,
    startSqlThread: `START ${word} SQL_THREAD`,
    resetReplicaAll: `RESET ${word} ALL`,
    replicaStatus: statementsFor('mysql', version).replicaStatus,
    changeSource: modern ? 'CHANGE REPLICATION SOURCE TO' : 'CHANGE MASTER TO',
    option: modern ? 'SOURCE' : 'MASTER',
    hasSuperReadOnly: true,
    positionWait: major > 8 || (major === 8 && (minor > 0 || patch >= 26)) ? 'SELECT SOURCE_POS_WAIT(?, ?, ?) AS r' : 'SELECT MASTER_POS_WAIT(?, ?, ?) AS r',
  };
}

const cache = new WeakMap<InstanceConnection, Promise<Dialect>>();

/** The connection's dialect; throws BATON_RECOVERY_UNSUPPORTED for a server that is neither flavour. */
export function dialectOf(conn: InstanceConnection, step: RecoveryStep): Promise<Dialect> {
  let found = cache.get(conn);
  if (!found) {
    found = (async () => {
      const [row] = await runStatement(conn, step, 'SELECT @@version', () =>
        conn.query('SELECT @@GLOBAL.version AS version, @@GLOBAL.version_comment AS comment'),
      );
      const version = text(row?.['version']);
      const dialect = dialectFor(version, text(row?.['comment']));
      if (!dialect) {
        throw new RecoveryStepError(recoveryErrorCodes.unsupported, `unsupported server version '${version}'`, { step, instance: conn.instance });
      }
      return dialect;
    })();
    found.catch(() => cache.delete(conn));
    cache.set(conn, found);
  }
  return found;
}

/** CHANGE MASTER/REPLICATION SOURCE to a GTID source: the statement with placeholders, and its values. */
export function changeSourceSql(
  d: Dialect,
  source: { host: string; port: number; user: string; password: string; connectRetrySeconds: number; mariadbUseGtid?: 'slave_pos' | 'current_pos' },
): { sql: string; values: unknown[] } {
  const o = d.option;
  const use = source.mariadbUseGtid === 'current_pos' ? 'current_pos' : 'slave_pos';
  const gtid = d.flavour === 'mariadb' ? `MASTER_USE_GTID = ${use}` : `${o}_AUTO_POSITION = 1`;
  return {
    sql: `${d.changeSource} ${o}_HOST = ?, ${o}_PORT = ?, ${o}_USER = ?, ${o}_PASSWORD = ?, ${gtid}, ${o}_CONNECT_RETRY = ?`,
    values: [source.host, source.port, source.user, source.password, source.connectRetrySeconds],
  };
}

/** One statement with its values, and the fixed label errors name it by (never the values). */
export interface LabelledStatement {
  label: string;
  sql: string;
  values: unknown[];
}

/**
 * The statements that remove every replication connection of a stopped replica, given the
 * connection names SHOW ALL SLAVES STATUS listed ('' is the default connection). MariaDB: one
 * RESET SLAVE ['name'] ALL per connection (the name is a bound string value); MySQL: one
 * RESET REPLICA/SLAVE ALL, which clears every channel. Nothing to run without connections.
 */
export function resetAllConnectionsSql(d: Dialect, connectionNames: readonly string[]): LabelledStatement[] {
  if (connectionNames.length === 0) return [];
  if (d.flavour !== 'mariadb') return [{ label: d.resetReplicaAll, sql: d.resetReplicaAll, values: [] }];
  return [...new Set(connectionNames)].map((name) =>
    name === '' ? { label: d.resetReplicaAll, sql: d.resetReplicaAll, values: [] } : { label: "RESET SLAVE 'name' ALL", sql: 'RESET SLAVE ? ALL', values: [name] },
  );
}

/** CHANGE MASTER TO MASTER_HOST = ? (detach/reattach: only the host changes). */
export function changeHostSql(d: Dialect): string {
  return `${d.changeSource} ${d.option}_HOST = ?`;
}
