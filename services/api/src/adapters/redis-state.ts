/**
 * StateReader over Redis, every key from libs/state createKeys: the analyzer's cached snapshots
 * (`baton:{c}:snapshot`, found with SCAN, never KEYS) and the memory cached with each
 * (`baton:{c}:analysis-memory`), the global switch, downtimes, candidates and the recovery block.
 * A cached value that does not parse is skipped, not an error.
 */
import type { Redis } from 'ioredis';
import type { ClusterSnapshot } from '@baton/contracts';
import { pairCachedAnalysisMemory } from '@baton/domain';
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
    async analysisState(clusterId) {
      // one MULTI: the analyzer writes both keys in one, so they are read as one
      const replies = await redis.multi().get(keys.snapshot(clusterId)).get(keys.analysisMemory(clusterId)).exec();
      const [snapshotReply, memoryReply] = replies ?? [];
      const snapshot = parseSnapshot(snapshotReply && snapshotReply[0] === null ? (snapshotReply[1] as string | null) : null);
      if (!snapshot) return null;
      return { snapshot, memory: pairCachedAnalysisMemory(snapshot, memoryReply && memoryReply[0] === null ? (memoryReply[1] as string | null) : null) };
    },
    recoveriesDisabled: () => exists(redis, keys.recoveriesDisabled()),
    downtime: (clusterId, instance) => redis.get(keys.downtime(clusterId, instance)),
    candidate: (clusterId, instance) => redis.get(keys.candidate(clusterId, instance)),
    recoveryBlock: (clusterId) => redis.get(keys.recoveryBlock(clusterId)),
    // one MGET: every key of a cluster hashes to its slot
    maintenance: async (clusterId, instances) => (instances.length === 0 ? [] : redis.mget(...instances.map((i) => keys.maintenance(clusterId, i)))),
    async ping() {
      await redis.ping();
    },
  };
}
