/**
 * The snapshot cache on real Redis (a key prefix of its own): the snapshot and the memory it was
 * analysed with, written in one MULTI with the same TTL; the memory is tagged with its snapshot
 * (@baton/domain pairCachedAnalysisMemory pairs them back, as the api does).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@baton/config';
import { pairCachedAnalysisMemory, type AnalysisMemory } from '@baton/domain';
import { silentLogger } from '@baton/logging';
import { createKeys, createRedis } from '@baton/state';
import { ensureRedis, uniqueKeyPrefix } from '@baton/testing';
import { createRedisSnapshotCache } from '../src/index.ts';
import { lockedSemiSyncCluster } from './snapshots.ts';

const memory: AnalysisMemory = { staleCoordinates: { 'db1:3306': { coordinates: { file: 'mysql-bin.000001', pos: 1680 }, firstSeenAt: '2026-11-26T19:29:00.000Z' } } };

test('put writes the snapshot and its memory together, tagged with the snapshot', async (t) => {
  const { url } = await ensureRedis();
  const redis = createRedis({ ...loadConfig({ defaultsOnly: true }).redis, url }, silentLogger(), 'snapshot-cache-test');
  const keys = createKeys(uniqueKeyPrefix('snapshot-cache'));
  t.after(async () => {
    await redis.del(keys.snapshot('c1'), keys.analysisMemory('c1'));
    await redis.quit();
  });
  const cache = createRedisSnapshotCache(redis, keys, 60_000);
  const snapshot = lockedSemiSyncCluster();
  await cache.put(snapshot, memory);

  assert.deepEqual(JSON.parse((await redis.get(keys.snapshot('c1'))) ?? 'null'), snapshot, 'the snapshot key keeps its format');
  const raw = await redis.get(keys.analysisMemory('c1'));
  assert.deepEqual(pairCachedAnalysisMemory(snapshot, raw), memory);
  assert.equal(pairCachedAnalysisMemory({ ...snapshot, sequence: snapshot.sequence + 1 }, raw), null, 'not the memory of another snapshot');
  for (const key of [keys.snapshot('c1'), keys.analysisMemory('c1')]) {
    const ttl = await redis.pttl(key);
    assert.ok(ttl > 0 && ttl <= 60_000, `${key} TTL ${ttl}`);
  }
});
