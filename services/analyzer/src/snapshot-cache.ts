/**
 * The latest snapshot of each cluster, cached in Redis for the api under keys.snapshot(cluster)
 * (`baton:{<cluster>}:snapshot`) as the ClusterSnapshotV1 payload's JSON, for analyzer.snapshotTtlMs:
 * a key that outlives a few poll intervals without a new snapshot disappears, so the api never shows
 * an old topology as current.
 */
import type { ClusterSnapshot } from '@baton/contracts';
import { setFlag, type createRedis, type Keys } from '@baton/state';

export interface SnapshotCache {
  put(snapshot: ClusterSnapshot): Promise<void>;
}

export function createRedisSnapshotCache(redis: ReturnType<typeof createRedis>, keys: Keys, ttlMs: number): SnapshotCache {
  return {
    async put(snapshot) {
      await setFlag(redis, keys.snapshot(snapshot.clusterId), ttlMs, { value: JSON.stringify(snapshot) });
    },
  };
}
