import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DependencyUnavailableError } from '@baton/errors';
import { silentLogger } from '@baton/logging';
import { createRedis, reconnectDelayMs, waitForRedis } from '../src/index.ts';
import { redisUrl } from './helpers.ts';

test('createRedis applies the configured timeouts and retry bound', async (t) => {
  const redis = createRedis({ url: redisUrl, connectTimeoutMs: 1234, commandTimeoutMs: 567, maxRetriesPerRequest: 2 }, silentLogger(), 'baton-test');
  t.after(() => redis.quit());
  assert.equal(redis.options.connectTimeout, 1234);
  assert.equal(redis.options.commandTimeout, 567);
  assert.equal(redis.options.maxRetriesPerRequest, 2);
  await waitForRedis(redis, 5000);
  assert.equal(await redis.client('GETNAME'), 'baton-test');
  assert.deepEqual([1, 5, 100].map(reconnectDelayMs), [100, 500, 2000]);
});

test('waitForRedis gives up with DependencyUnavailableError when nothing listens', async (t) => {
  const redis = createRedis({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 100, commandTimeoutMs: 100, maxRetriesPerRequest: 0 }, silentLogger());
  t.after(() => redis.disconnect());
  await assert.rejects(waitForRedis(redis, 300), DependencyUnavailableError);
  await assert.rejects(redis.get('x'));
});
