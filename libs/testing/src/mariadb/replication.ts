/**
 * GTID replication wiring (infra-notes §3). Accounts and the test schema are created on the
 * primary only: they replicate, so every future primary has them and no replica gets errant
 * GTIDs. The tree is wired level by level: an intermediate primary must have applied the
 * replication account before its own replicas connect to it (otherwise their first connect
 * fails and MASTER_CONNECT_RETRY costs a second).
 */
import type { Connection } from 'mysql2/promise';
import { waitFor } from '../wait-for.ts';
import type { Account, MariaDbInstance } from './instance.ts';
import { testDatabase, type Credentials, type HeartbeatSpec } from './types.ts';

/** Privileges of the monitoring/orchestration account (infra-notes §7, plus SELECT and SHUTDOWN for fencing). */
export const adminPrivileges = [
  'SELECT', 'PROCESS', 'RELOAD', 'SHUTDOWN',
  'SLAVE MONITOR', 'BINLOG MONITOR', 'BINLOG ADMIN',
  'REPLICATION MASTER ADMIN', 'REPLICATION SLAVE ADMIN', 'READ_ONLY ADMIN', 'CONNECTION ADMIN',
] as const;

/**
 * The same account's privileges on Baton's own schema: promote() creates `baton_meta` and its
 * `promotion_epoch` table on the first promotion and upserts the epoch row on every one. The `_`
 * is escaped: in a database-level GRANT it is a wildcard.
 */
export const adminEpochPrivileges = ['CREATE', 'INSERT', 'UPDATE'] as const;
export const adminEpochGrantTarget = '`baton\\_meta`.*';

export interface WiringOptions {
  credentials: Record<Account, Credentials>;
  semiSync: { timeoutMs: number } | undefined;
  heartbeat?: HeartbeatSpec;
  timeoutMs: number;
}

async function withSocket<T>(instance: MariaDbInstance, fn: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await instance.connection({ via: 'socket', connectTimeoutMs: 5000 });
  try {
    return await fn(conn);
  } finally {
    conn.destroy();
  }
}

/** Accounts and test schema on the primary. */
export async function setUpPrimary(primary: MariaDbInstance, options: WiringOptions): Promise<void> {
  const { admin, app, replication } = options.credentials;
  await withSocket(primary, async (conn) => {
    const run = (sql: string, values?: unknown[]): Promise<unknown> => conn.query({ sql, values, timeout: 10_000 });
    await run(`CREATE USER ?@'127.0.0.1' IDENTIFIED BY ?`, [replication.user, replication.password]);
    await run(`GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO ?@'127.0.0.1'`, [replication.user]);
    await run(`CREATE USER ?@'127.0.0.1' IDENTIFIED BY ?`, [admin.user, admin.password]);
    await run(`GRANT ${adminPrivileges.join(', ')} ON *.* TO ?@'127.0.0.1'`, [admin.user]);
    await run(`GRANT ${adminEpochPrivileges.join(', ')} ON ${adminEpochGrantTarget} TO ?@'127.0.0.1'`, [admin.user]);
    await run(`CREATE DATABASE ${testDatabase}`);
    await run(`CREATE USER ?@'127.0.0.1' IDENTIFIED BY ?`, [app.user, app.password]);
    await run(`GRANT ALL PRIVILEGES ON ${testDatabase}.* TO ?@'127.0.0.1'`, [app.user]);
    await run(
      `CREATE TABLE ${testDatabase}.writes (writer VARCHAR(64) NOT NULL, seq BIGINT NOT NULL,
         at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), PRIMARY KEY (writer, seq)) ENGINE=InnoDB`,
    );
    await run(
      `CREATE TABLE ${testDatabase}.markers (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, note VARCHAR(255) NOT NULL,
         at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB`,
    );
  });
}

/**
 * Points `replica` at `upstream` with GTID (slave_pos) and starts it. Works on a running replica
 * too (STOP SLAVE first), so tests can repoint replicas by hand.
 */
export async function pointReplicaAt(
  replica: MariaDbInstance,
  upstream: MariaDbInstance,
  options: { replication: Credentials; semiSync?: boolean; heartbeat?: HeartbeatSpec },
): Promise<void> {
  const heartbeat = options.heartbeat ?? { netTimeoutSeconds: 2, periodSeconds: 1 };
  await withSocket(replica, async (conn) => {
    const run = (sql: string, values?: unknown[]): Promise<unknown> => conn.query({ sql, values, timeout: 10_000 });
    await run('STOP SLAVE');
    // slave_net_timeout first: MASTER_HEARTBEAT_PERIOD may not exceed it
    await run('SET GLOBAL slave_net_timeout = ?', [heartbeat.netTimeoutSeconds]);
    if (options.semiSync) await run('SET GLOBAL rpl_semi_sync_slave_enabled = ON');
    await run(
      `CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?,
         MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1, MASTER_HEARTBEAT_PERIOD = ?`,
      [upstream.host, upstream.port, options.replication.user, options.replication.password, heartbeat.periodSeconds],
    );
    await run('START SLAVE');
  });
  replica.upstream = upstream;
}

/**
 * Wires the whole tree (each instance's `upstream` must be set) and verifies it: a marker row is
 * written on the primary and every replica must apply it with both threads running.
 */
export async function wireReplication(instances: readonly MariaDbInstance[], options: WiringOptions): Promise<void> {
  const primary = instances.find((i) => i.upstream === null);
  if (!primary) throw new Error('a topology needs a primary (an instance without upstream)');
  await setUpPrimary(primary, options);
  const setupGtid = await primary.gtidBinlogPos();

  let level = instances.filter((i) => i.upstream === primary);
  while (level.length > 0) {
    await Promise.all(
      level.map(async (replica) => {
        await pointReplicaAt(replica, replica.upstream as MariaDbInstance, {
          replication: options.credentials.replication,
          semiSync: options.semiSync !== undefined,
          ...(options.heartbeat ? { heartbeat: options.heartbeat } : {}),
        });
        // Only needed before this replica serves replicas of its own.
        if (instances.some((i) => i.upstream === replica)) await replica.waitForGtid(setupGtid, options.timeoutMs);
      }),
    );
    const parents = new Set(level);
    level = instances.filter((i) => i.upstream !== null && parents.has(i.upstream));
  }

  if (options.semiSync) {
    // Enabled only now: with no semi-sync replica connected yet, every setup commit above would
    // have waited for the full timeout (rpl_semi_sync_master_wait_no_slave is ON by default).
    await primary.query('SET GLOBAL rpl_semi_sync_master_timeout = ?', [options.semiSync.timeoutMs]);
    await primary.query('SET GLOBAL rpl_semi_sync_master_enabled = ON');
    const direct = instances.filter((i) => i.upstream === primary).length;
    await waitFor(
      async () => {
        const rows = await primary.query<{ Variable_name: string; Value: string }>(
          `SHOW GLOBAL STATUS WHERE Variable_name IN ('Rpl_semi_sync_master_clients', 'Rpl_semi_sync_master_status')`,
        );
        const status = Object.fromEntries(rows.map((r) => [r.Variable_name, r.Value]));
        return status['Rpl_semi_sync_master_status'] === 'ON' && Number(status['Rpl_semi_sync_master_clients']) >= direct;
      },
      { description: `${direct} semi-sync replicas connected to ${primary.name}`, timeoutMs: options.timeoutMs },
    );
  }

  await primary.query(`INSERT INTO ${testDatabase}.markers (note) VALUES ('replication verified')`);
  const gtid = await primary.gtidBinlogPos();
  await Promise.all(
    instances
      .filter((i) => i !== primary)
      .map(async (replica) => {
        await replica.waitForGtid(gtid, options.timeoutMs);
        const status = await replica.slaveStatus();
        if (status?.Slave_IO_Running !== 'Yes' || status.Slave_SQL_Running !== 'Yes') {
          throw new Error(`${replica.name}: replication threads not running (IO ${status?.Slave_IO_Running}, SQL ${status?.Slave_SQL_Running})`);
        }
      }),
  );
}

/**
 * Switches a running GTID replica to file/position replication (MASTER_USE_GTID = no) at the
 * source coordinates it has applied, so it misses and repeats nothing. Its gtid_slave_pos is still
 * maintained by the SQL thread; its Gtid_IO_Pos is not (MariaDB leaves it as it was).
 */
export async function useFilePosition(replica: MariaDbInstance): Promise<void> {
  await withSocket(replica, async (conn) => {
    await conn.query({ sql: 'STOP SLAVE', timeout: 10_000 });
    const [rows] = await conn.query({ sql: 'SHOW SLAVE STATUS', timeout: 10_000 });
    const status = (rows as Array<Record<string, unknown>>)[0];
    if (!status) throw new Error(`${replica.name} has no replication to switch`);
    await conn.query({
      sql: 'CHANGE MASTER TO MASTER_USE_GTID = no, MASTER_LOG_FILE = ?, MASTER_LOG_POS = ?',
      values: [status['Relay_Master_Log_File'], Number(status['Exec_Master_Log_Pos'])],
      timeout: 10_000,
    });
    await conn.query({ sql: 'START SLAVE', timeout: 10_000 });
  });
}
