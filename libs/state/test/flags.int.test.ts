import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearFlag, exists, markProcessed, pttl, runScript, scripts, setFlag } from '../src/index.ts';
import { eventually, redisFixture } from './helpers.ts';

test('a TTL flag is set once with NX, reports its TTL, then expires (bounded wait)', async (t) => {
  const { redis, keys } = await redisFixture(t);
  const key = keys.grace('c1', 'db1:3306');
  assert.equal(await pttl(redis, key), null);
  // long enough for the next three round trips even across a stall, short enough to wait out
  assert.equal(await setFlag(redis, key, 1000, { nx: true }), true);
  assert.equal(await setFlag(redis, key, 1000, { nx: true }), false, 'second NX set loses');
  assert.equal(await exists(redis, key), true);
  const left = await pttl(redis, key);
  assert.ok(left !== null && left > 0 && left <= 1000, `pttl ${left}`);
  await eventually(async () => !(await exists(redis, key)), 10_000, 'flag expires');
});

test('setFlag without NX overwrites value and TTL; clearFlag deletes', async (t) => {
  const { redis, keys } = await redisFixture(t);
  const key = keys.detection('c1', 'db1:3306');
  await setFlag(redis, key, 10_000, { value: 'detection-1' });
  assert.equal(await setFlag(redis, key, 60_000, { value: 'detection-2' }), true);
  assert.equal(await redis.get(key), 'detection-2');
  assert.ok(((await pttl(redis, key)) ?? 0) > 10_000);
  assert.equal(await clearFlag(redis, key), true);
  assert.equal(await clearFlag(redis, key), false);
  await redis.set(keys.recoveriesDisabled(), '1');
  assert.equal(await pttl(redis, keys.recoveriesDisabled()), Number.POSITIVE_INFINITY);
  await assert.rejects(setFlag(redis, key, 0), RangeError);
});

test('markProcessed is true only the first time a message id is seen', async (t) => {
  const { redis, keys } = await redisFixture(t);
  assert.equal(await markProcessed(redis, keys, 'm-1', 10_000), true);
  assert.equal(await markProcessed(redis, keys, 'm-1', 10_000), false);
  assert.equal(await markProcessed(redis, keys, 'm-2', 10_000), true);
  const both = await Promise.all([markProcessed(redis, keys, 'm-3', 10_000), markProcessed(redis, keys, 'm-3', 10_000)]);
  assert.deepEqual(both.sort(), [false, true], 'concurrent deliveries: exactly one wins');
});

test('scripts load on demand after SCRIPT FLUSH (NOSCRIPT fallback)', async (t) => {
  const { redis, keys } = await redisFixture(t);
  await redis.script('FLUSH');
  const reply = await runScript(redis, scripts.releaseLock, [keys.recoveryLock('c1')], ['1|nobody']);
  assert.equal(reply, 0);
  await assert.rejects(runScript(redis, scripts.releaseLock, [], ['x']), /takes 1 keys/);
});
