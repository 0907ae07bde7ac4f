/**
 * The executor's Redis state on the real Redis for integration tests: a keyspace of its own
 * (removed after the test), a lease manager owned by 'me', and RedisRecoveryState over both.
 */
import { silentLogger } from '@baton/logging';
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
