import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { Redis } from 'ioredis';
import { silentLogger } from '@baton/logging';
import { createKeys, createRedis, waitForRedis, type Keys } from '../src/index.ts';

export const redisUrl = process.env['BATON_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export interface RedisFixture {
  redis: Redis;
  keys: Keys;
}

/** A client and a keyspace unique to this test; both cleaned up when it ends. */
export async function redisFixture(t: TestContext): Promise<RedisFixture> {
  const redis = createRedis({ url: redisUrl, connectTimeoutMs: 2000, commandTimeoutMs: 2000, maxRetriesPerRequest: 1 }, silentLogger());
  const keys = createKeys(`test:${randomUUID()}`);
  t.after(async () => {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${keys.root}:*`, 'COUNT', 500);
      if (found.length) await redis.del(...found);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  });
  await waitForRedis(redis, 5000);
  return { redis, keys };
}

/** Polls `check` every 20 ms until it holds; fails after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not true within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
