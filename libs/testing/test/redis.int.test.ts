import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { ensureRedis, isProcessAlive, pingRedis, startRedisServer, uniqueKeyPrefix, waitFor } from '../src/index.ts';

test('a key set with a TTL in the real Redis has a positive PTTL and then expires', async (t) => {
  const { url } = await ensureRedis();
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  t.after(() => redis.quit());
  const key = `${uniqueKeyPrefix('redis-ttl')}grace`;

  assert.equal(await redis.set(key, 'owner-a', 'PX', 300, 'NX'), 'OK');
  assert.equal(await redis.set(key, 'owner-b', 'PX', 300, 'NX'), null, 'NX refuses while the key lives');
  assert.ok((await redis.pttl(key)) > 0);
  assert.equal(await redis.get(key), 'owner-a');

  await waitFor(async () => (await redis.exists(key)) === 0, { description: `${key} to expire`, timeoutMs: 10_000 });
  assert.equal(await redis.pttl(key), -2, 'PTTL of a missing key');
  assert.equal(await redis.set(key, 'owner-b', 'PX', 300, 'NX'), 'OK', 'the key can be taken again once expired');
});

test('ensureRedis is memoised and unique prefixes differ', async () => {
  const [a, b] = await Promise.all([ensureRedis(), ensureRedis()]);
  assert.deepEqual(a, b);
  assert.notEqual(uniqueKeyPrefix('x'), uniqueKeyPrefix('x'));
});

test('startRedisServer runs a private redis-server that stop() removes', async () => {
  const own = await startRedisServer();
  assert.equal(own.source, 'spawned');
  assert.equal(await pingRedis(own.host, own.port), true);
  const redis = new Redis(own.url, { maxRetriesPerRequest: 1 });
  assert.equal(await redis.set('k', 'v', 'PX', 5000), 'OK');
  redis.disconnect();
  await own.stop();
  await own.stop();
  assert.equal(isProcessAlive(own.pid), false);
  assert.equal(await pingRedis(own.host, own.port), false);
});
