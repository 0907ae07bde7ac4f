/**
 * StateReader over Redis, every key from libs/state createKeys: the analyzer's cached snapshots
 * (`baton:{c}:snapshot`, found with SCAN, never KEYS), the global switch, downtimes, candidates
 * and the recovery block. A cached value that does not parse is skipped, not an error.
 */
import type { Redis } from 'ioredis';
import type { ClusterSnapshot } from '@baton/contracts';
import { exists, type Keys } from '@baton/state';
import type { StateReader } from '../ports.ts';

function parseSnapshot(raw: string | null): ClusterSnapshot | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as ClusterSnapshot;
    return typeof value?.clusterId === 'string' && Array.isArray(value.instances) ? value : null;
  } catch {
    return null;
  }
}

export function redisStateReader(redis: Redis, keys: Keys): StateReader {
  const snapshotPattern = keys.snapshot('*');
  return {
    async snapshots() {
      const found = new Set<string>();
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', snapshotPattern, 'COUNT', 1000);
        cursor = next;
        for (const key of batch) found.add(key);
      } while (cursor !== '0');
      if (found.size === 0) return [];
      // one GET per key: the keys hash to different slots under Redis Cluster
      const values = await Promise.all([...found].map((key) => redis.get(key)));
      return values.map(parseSnapshot).filter((s): s is ClusterSnapshot => s !== null);
    },
    async snapshot(clusterId) {
      return parseSnapshot(await redis.get(keys.snapshot(clusterId)));
    },
    recoveriesDisabled: () => exists(redis, keys.recoveriesDisabled()),
    downtime: (clusterId, instance) => redis.get(keys.downtime(clusterId, instance)),
    candidate: (clusterId, instance) => redis.get(keys.candidate(clusterId, instance)),
    recoveryBlock: (clusterId) => redis.get(keys.recoveryBlock(clusterId)),
    async ping() {
      await redis.ping();
    },
  };
}
