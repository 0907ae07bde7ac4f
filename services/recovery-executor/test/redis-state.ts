/**
 * Real state for the executor's integration tests: its Redis state (a keyspace of its own, removed
 * after the test, a lease manager owned by 'me', RedisRecoveryState over both), and a scratch
 * backend database on the local MariaDB, migrated, dropped after the test.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@baton/config';
import { silentLogger } from '@baton/logging';
import { createBackendPool, openBackend, type BackendDb } from '@baton/mysql';
import { createKeys, createRedis, LeaseManager } from '@baton/state';
import { ensureRedis, uniqueKeyPrefix } from '@baton/testing';
import { RedisRecoveryState } from '../src/registration.ts';

export async function redisState(t: { after(fn: () => unknown): void }, options: { prefix?: string; nowMs?: () => number; recoveryBlockMs?: number; lockTtlMs?: number } = {}) {
  const logger = silentLogger();
  const endpoint = await ensureRedis();
  const redis = createRedis({ url: endpoint.url, connectTimeoutMs: 2000, commandTimeoutMs: 2000, maxRetriesPerRequest: 1 }, logger);
  const keys = createKeys(uniqueKeyPrefix(options.prefix ?? 'executor').replace(/:$/, ''));
  t.after(async () => {
    const found = await redis.keys(`${keys.root}:*`);
    if (found.length > 0) await redis.del(...found);
    await redis.quit();
  });
  const leases = new LeaseManager({ redis, keys, logger, owner: 'me' });
  const state = new RedisRecoveryState({
    redis,
    keys,
    leases,
    logger,
    gracePeriodMs: 5000,
    ioRestartThrottleMs: 30_000,
    detectionPeriodMs: 60_000,
    recoveryBlockMs: options.recoveryBlockMs ?? 60_000,
    lockTtlMs: options.lockTtlMs ?? 1000,
    now: options.nowMs ?? Date.now,
  });
  return { redis, keys, leases, state };
}

const mysqlServer = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };

/** A migrated backend database of the test's own (dropped afterwards). */
export async function scratchBackend(t: { after(fn: () => unknown): void }): Promise<BackendDb> {
  const logger = silentLogger();
  const database = `baton_test_${randomBytes(5).toString('hex')}`;
  const config = loadConfig({ env: { BATON__BACKEND__DATABASE: database, BATON__BACKEND__USER: 'root', BATON__BACKEND__PASSWORD: '' } });
  const { db } = await openBackend({ ...config.backend }, logger);
  t.after(async () => {
    await db.end();
    const pool = createBackendPool({ ...mysqlServer, database, connectionLimit: 1, connectTimeoutMs: 2000, queryTimeoutMs: 5000 }, { logger, database: null });
    await pool.query(`DROP DATABASE IF EXISTS \`${database}\``).finally(() => pool.end());
  });
  return db;
}
