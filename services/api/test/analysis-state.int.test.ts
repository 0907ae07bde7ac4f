/**
 * The api's reader of the analysis state on real Redis (a key prefix of its own): the snapshot and
 * the memory cached with it (written here as the analyzer writes them, @baton/domain
 * cachedAnalysisMemoryValue) come back as a pair; a memory of another snapshot is none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@baton/config';
import { cachedAnalysisMemoryValue, type AnalysisMemory } from '@baton/domain';
import { silentLogger } from '@baton/logging';
import { createKeys, createRedis } from '@baton/state';
import { ensureRedis, uniqueKeyPrefix } from '@baton/testing';
import { redisStateReader } from '../src/index.ts';
import { ordersSnapshot } from './harness.ts';

const memory: AnalysisMemory = { staleCoordinates: { 'db1:3306': { coordinates: { file: 'mysql-bin.000001', pos: 1680 }, firstSeenAt: '2026-11-26T19:29:00.000Z' } } };

test('analysisState reads the cached snapshot and its memory as a pair', async (t) => {
  const { url } = await ensureRedis();
  const redis = createRedis({ ...loadConfig({ defaultsOnly: true }).redis, url }, silentLogger(), 'analysis-state-test');
  const keys = createKeys(uniqueKeyPrefix('analysis-state'));
  t.after(async () => {
    await redis.del(keys.snapshot('orders'), keys.analysisMemory('orders'));
    await redis.quit();
  });
  const reader = redisStateReader(redis, keys);
  const snapshot = ordersSnapshot();
  assert.equal(await reader.analysisState('orders'), null);

  await redis.multi().set(keys.snapshot('orders'), JSON.stringify(snapshot), 'PX', 60_000).set(keys.analysisMemory('orders'), cachedAnalysisMemoryValue(snapshot, memory), 'PX', 60_000).exec();
  assert.deepEqual(await reader.analysisState('orders'), { snapshot, memory });

  // a newer snapshot cached without its memory (an older analyzer): the pair has none
  const newer = { ...snapshot, sequence: snapshot.sequence + 1 };
  await redis.set(keys.snapshot('orders'), JSON.stringify(newer), 'PX', 60_000);
  assert.deepEqual(await reader.analysisState('orders'), { snapshot: newer, memory: null });
});
