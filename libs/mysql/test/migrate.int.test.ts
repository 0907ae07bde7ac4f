import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { BatonError } from '@baton/errors';
import { silentLogger } from '@baton/logging';
import { BackendDb, createBackendPool, defaultMigrationsDir, loadMigrations, migrate, openBackend } from '../src/index.ts';
import { backendConfig, serverPool, uniqueDatabase } from './helpers.ts';

const all = loadMigrations().map((m) => m.version);

async function tablesOf(pool: ReturnType<typeof serverPool>, database: string): Promise<string[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name',
    [database],
  );
  return rows.map((r) => String(r['t']));
}

test('migrate creates a fresh database, applies every migration once, and is idempotent', async (t) => {
  const database = uniqueDatabase(t);
  const pool = serverPool(t, database);
  const first = await migrate(pool, { database, logger: silentLogger() });
  assert.deepEqual(first.applied, all);
  assert.equal(first.current, Math.max(...all));
  const second = await migrate(pool, { database, logger: silentLogger() });
  assert.deepEqual(second, { applied: [], current: first.current });
  assert.deepEqual(await tablesOf(pool, database), [
    'analysis_changelog',
    'blocked_recoveries',
    'cluster_epochs',
    'demoted_primaries',
    'failure_detections',
    'global_recovery_switch_history',
    'recoveries',
    'recovery_journal',
    'recovery_steps',
    'schema_migrations',
  ]);
  const [recorded] = await pool.query<RowDataPacket[]>(`SELECT version FROM \`${database}\`.schema_migrations ORDER BY version`);
  assert.deepEqual(recorded.map((r) => Number(r['version'])), all);
});

test('two processes migrating at once: each migration applied exactly once', async (t) => {
  const database = uniqueDatabase(t);
  const a = serverPool(t, database);
  const b = serverPool(t, database);
  const [ra, rb] = await Promise.all([migrate(a, { database }), migrate(b, { database })]);
  assert.deepEqual([...ra.applied, ...rb.applied].sort((x, y) => x - y), all);
  assert.ok(ra.applied.length === 0 || rb.applied.length === 0, 'one of them found nothing to do');
  assert.equal(ra.current, rb.current);
  const [rows] = await a.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${database}\`.schema_migrations`);
  assert.equal(Number(rows[0]?.['n']), all.length);
});

test('a changed applied migration stops start-up; a new file is applied next time', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-migrations-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(defaultMigrationsDir, dir, { recursive: true });
  const database = uniqueDatabase(t);
  const pool = serverPool(t, database);
  await migrate(pool, { database, migrationsDir: dir });
  writeFileSync(join(dir, '900_extra_table.sql'), 'CREATE TABLE IF NOT EXISTS extra_table (id INT PRIMARY KEY);\n');
  assert.deepEqual((await migrate(pool, { database, migrationsDir: dir })).applied, [900]);
  appendFileSync(join(dir, '001_recoveries.sql'), '\n-- edited\n');
  await assert.rejects(migrate(pool, { database, migrationsDir: dir }), (e: unknown) => e instanceof BatonError && e.code === 'BATON_MIGRATION_CHECKSUM');
});

test('openBackend migrates then serves queries in UTC with millisecond timestamps', async (t) => {
  const database = uniqueDatabase(t);
  const { db, migrated } = await openBackend({ ...backendConfig(database), migrationLockTimeoutSeconds: 10 }, silentLogger());
  t.after(() => db.end());
  assert.deepEqual(migrated.applied, all);
  const startedAt = new Date('2025-01-02T03:04:05.678Z');
  await db.exec(
    'INSERT INTO recoveries (uid, cluster_id, failed_host, failed_port, analysis, started_at, lost_replicas) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ['r-1', 'c1', 'db1', 3306, 'DeadMaster', startedAt, JSON.stringify(['db3:3306'])],
  );
  const [row] = await db.query('SELECT started_at, lost_replicas FROM recoveries WHERE uid = ?', ['r-1']);
  assert.equal((row?.['started_at'] as Date).toISOString(), startedAt.toISOString());
  const lost = row?.['lost_replicas'];
  assert.deepEqual(typeof lost === 'string' ? JSON.parse(lost) : lost, ['db3:3306']);
});

test('BackendDb: transactions roll back on error; a timed-out query fails fast and the pool recovers', async (t) => {
  const database = uniqueDatabase(t);
  await migrate(serverPool(t, database), { database });
  const db = new BackendDb(createBackendPool(backendConfig(database), { logger: silentLogger() }), backendConfig(database));
  t.after(() => db.end());
  await assert.rejects(
    db.transaction(async (tx) => {
      await tx.exec('INSERT INTO global_recovery_switch_history (enabled, changed_by, changed_at) VALUES (0, ?, UTC_TIMESTAMP(3))', ['me']);
      throw new Error('abort');
    }),
    /abort/,
  );
  assert.equal((await db.query('SELECT COUNT(*) AS n FROM global_recovery_switch_history'))[0]?.['n'], 0);
  await db.transaction((tx) => tx.exec('INSERT INTO global_recovery_switch_history (enabled, changed_by, changed_at) VALUES (0, ?, UTC_TIMESTAMP(3))', ['me']));
  assert.equal((await db.query('SELECT COUNT(*) AS n FROM global_recovery_switch_history'))[0]?.['n'], 1);
  // A query that returned after its sleep would not reject: the rejection itself is the timeout.
  await assert.rejects(db.query('SELECT SLEEP(3)', [], 200), (e: unknown) => e instanceof BatonError && e.code === 'BATON_PROBE_TIMEOUT' && e.retryable);
  assert.equal((await db.query('SELECT 1 AS one'))[0]?.['one'], 1);
});
