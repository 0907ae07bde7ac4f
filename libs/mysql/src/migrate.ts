/**
 * Brings the backend schema up to date at start. Safe when several processes start at once: a
 * named lock (GET_LOCK) serialises them, and whoever comes second finds nothing left to apply.
 * Creates the database if needed, so `pool` may be opened without a default database.
 *
 * DDL is not transactional in MySQL: a migration that fails half-way is not recorded and runs
 * again next time, so migrations are written to be re-runnable (CREATE TABLE IF NOT EXISTS, ...).
 */
import { createHash } from 'node:crypto';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Logger } from '@baton/logging';
import { BatonError, DependencyUnavailableError } from '@baton/errors';
import { toBatonError } from './errors.ts';
import { defaultMigrationsDir, loadMigrations, type Migration } from './migrations.ts';

export interface MigrateOptions {
  database: string;
  logger?: Logger;
  /** How long to wait for another process that is migrating (default 30 s). */
  lockTimeoutSeconds?: number;
  /** Timeout of one DDL statement (default 10 min: large tables take long to alter). */
  statementTimeoutMs?: number;
  migrationsDir?: string;
}

export interface MigrateResult {
  /** Versions applied by this call, in order (empty when already up to date). */
  applied: number[];
  /** Highest version now recorded. */
  current: number;
}

const databaseName = /^[A-Za-z0-9_]{1,64}$/;

/** GET_LOCK names are limited to 64 characters. */
export function migrationLockName(database: string): string {
  const name = `baton_migrate:${database}`;
  return name.length <= 64 ? name : `baton_migrate:${createHash('sha1').update(database).digest('hex')}`;
}

export async function migrate(pool: Pool, options: MigrateOptions): Promise<MigrateResult> {
  const { database } = options;
  if (!databaseName.test(database)) {
    throw new BatonError('BATON_MIGRATION_INVALID', 'database name must match ^[A-Za-z0-9_]{1,64}$', { database });
  }
  const migrations = loadMigrations(options.migrationsDir ?? defaultMigrationsDir);
  const statementTimeoutMs = options.statementTimeoutMs ?? 600_000;
  const lockTimeoutSeconds = options.lockTimeoutSeconds ?? 30;
  let connection: PoolConnection;
  try {
    connection = await pool.getConnection();
  } catch (error) {
    throw toBatonError(error, { instance: 'backend', operation: 'connect' });
  }
  const run = async (sql: string, values: unknown[] = [], timeout = statementTimeoutMs) => {
    try {
      const [rows] = await connection.query({ sql, values, timeout });
      return rows as RowDataPacket[];
    } catch (error) {
      throw toBatonError(error, { instance: 'backend', operation: 'query', timeoutMs: timeout });
    }
  };
  const lock = migrationLockName(database);
  try {
    const [got] = await run('SELECT GET_LOCK(?, ?) AS got', [lock, lockTimeoutSeconds], (lockTimeoutSeconds + 5) * 1000);
    if (got?.['got'] !== 1) {
      throw new DependencyUnavailableError('another process holds the migration lock', { database, lock, lockTimeoutSeconds });
    }
    await run(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await run(`USE \`${database}\``);
    await run(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
        version INT UNSIGNED NOT NULL PRIMARY KEY,
        name VARCHAR(255) NOT NULL,
        checksum CHAR(64) NOT NULL,
        applied_at DATETIME(3) NOT NULL,
        duration_ms INT UNSIGNED NOT NULL
      ) ENGINE=InnoDB`,
    );
    return await applyPending(run, migrations, options.logger);
  } finally {
    await run('DO RELEASE_LOCK(?)', [lock], 5000).catch(() => undefined);
    // The session's default database was changed by USE; never hand it back to the pool.
    connection.destroy();
  }
}

type Run = (sql: string, values?: unknown[], timeout?: number) => Promise<RowDataPacket[]>;

async function applyPending(run: Run, migrations: Migration[], logger?: Logger): Promise<MigrateResult> {
  const rows = await run('SELECT version, name, checksum FROM schema_migrations ORDER BY version');
  const recorded = new Map(rows.map((r) => [Number(r['version']), r]));
  for (const m of migrations) {
    const row = recorded.get(m.version);
    if (row && row['checksum'] !== m.checksum) {
      throw new BatonError('BATON_MIGRATION_CHECKSUM', 'an applied migration file was changed; add a new migration instead', {
        version: m.version,
        file: m.file,
      });
    }
  }
  const known = new Set(migrations.map((m) => m.version));
  const unknown = [...recorded.keys()].filter((v) => !known.has(v));
  if (unknown.length) logger?.warn({ versions: unknown }, 'backend schema has migrations this build does not know');
  const applied: number[] = [];
  for (const m of migrations) {
    if (recorded.has(m.version)) continue;
    const started = Date.now();
    for (const statement of m.statements) await run(statement);
    const durationMs = Date.now() - started;
    await run('INSERT INTO schema_migrations (version, name, checksum, applied_at, duration_ms) VALUES (?, ?, ?, UTC_TIMESTAMP(3), ?)', [
      m.version,
      m.name,
      m.checksum,
      durationMs,
    ]);
    applied.push(m.version);
    logger?.info({ version: m.version, name: m.name, durationMs }, 'migration applied');
  }
  const current = Math.max(0, ...recorded.keys(), ...applied);
  return { applied, current };
}
