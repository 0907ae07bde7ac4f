import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { Pool } from 'mysql2/promise';
import { silentLogger } from '@baton/logging';
import { createBackendPool, type BackendPoolConfig } from '../src/index.ts';

/** The MariaDB tests use (root without a password on the local machine unless overridden). */
export const server = {
  host: process.env['BATON_TEST_MYSQL_HOST'] ?? '127.0.0.1',
  port: Number(process.env['BATON_TEST_MYSQL_PORT'] ?? 3306),
  user: process.env['BATON_TEST_MYSQL_USER'] ?? 'root',
  password: process.env['BATON_TEST_MYSQL_PASSWORD'] ?? '',
};

export function backendConfig(database: string): BackendPoolConfig {
  return { ...server, database, connectionLimit: 4, connectTimeoutMs: 2000, queryTimeoutMs: 5000 };
}

/** A database name unique to this test, dropped when it ends. */
export function uniqueDatabase(t: TestContext): string {
  const database = `baton_test_${randomBytes(6).toString('hex')}`;
  t.after(async () => {
    const admin = createBackendPool(backendConfig(database), { logger: silentLogger(), database: null });
    try {
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    } finally {
      await admin.end();
    }
  });
  return database;
}

/** A pool without a default database, closed when the test ends. */
export function serverPool(t: TestContext, database: string): Pool {
  const pool = createBackendPool(backendConfig(database), { logger: silentLogger(), database: null });
  t.after(() => pool.end());
  return pool;
}
