/**
 * The latest snapshot of each cluster, cached in Redis for the api under keys.snapshot(cluster)
 * (`baton:{<cluster>}:snapshot`) as the ClusterSnapshotV1 payload's JSON, for analyzer.snapshotTtlMs:
 * a key that outlives a few poll intervals without a new snapshot disappears, so the api never shows
 * an old topology as current.
 *
 * With it, in the same MULTI (both keys share the cluster's hash slot), keys.analysisMemory(cluster)
 * holds the memory the snapshot was analysed with, tagged with the snapshot it belongs to
 * (@baton/domain cachedAnalysisMemoryValue). The api pairs the two into an analysis state document
 * (GET /api/analysis-state/:clusterHint).
 */
import type { ClusterSnapshot } from '@baton/contracts';
import { cachedAnalysisMemoryValue, type AnalysisMemory } from '@baton/domain';
import type { createRedis, Keys } from '@baton/state';

export interface SnapshotCache {
  put(snapshot: ClusterSnapshot, memory: AnalysisMemory): Promise<void>;
}

export function createRedisSnapshotCache(redis: ReturnType<typeof createRedis>, keys: Keys, ttlMs: number): SnapshotCache {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`ttlMs must be a positive integer, got ${ttlMs}`);
  return {
    async put(snapshot, memory) {
      const replies = await redis
        .multi()
        .set(keys.snapshot(snapshot.clusterId), JSON.stringify(snapshot), 'PX', ttlMs)
        .set(keys.analysisMemory(snapshot.clusterId), cachedAnalysisMemoryValue(snapshot, memory), 'PX', ttlMs)
        .exec();
      if (replies === null) throw new Error('snapshot cache: MULTI was discarded');
      const failed = replies.find(([error]) => error !== null);
      if (failed) throw failed[0] as Error;
    },
  };
}
