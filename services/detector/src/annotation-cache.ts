/**
 * Promotion rules and downtimes of one cluster's instances, read from Redis once per run: one
 * MGET of every candidate and downtime key (one hash slot: the cluster id is the hash tag),
 * started with the run so it is done before the probes finish. The prober asks for an instance's
 * annotations when its probe ends; it waits at most `waitMs` for the read. When Redis is slow or
 * down the prober gets nothing and keeps the previous values — a Redis hiccup never delays a
 * snapshot nor flips a `must_not` instance back to `neutral`.
 */
import type { InstanceKey } from '@baton/contracts';
import type { Logger } from '@baton/logging';
import type { InstanceAnnotations } from '@baton/mysql';
import type { createRedis, Keys } from '@baton/state';
import { parseCandidateValue, parseDowntimeValue } from '@baton/state';
import { keyId } from './instance-set.ts';

type Redis = ReturnType<typeof createRedis>;

export interface AnnotationSource {
  /** Starts reading the annotations of these instances. */
  refresh(instances: readonly InstanceKey[]): void;
  /** The annotations of the latest read, or undefined (keep the previous ones). */
  annotate(key: InstanceKey): Promise<InstanceAnnotations | undefined>;
}

export interface RedisAnnotationsOptions {
  redis: Redis;
  keys: Keys;
  clusterId: string;
  logger: Logger;
  /** Longest wait for the read once a probe has finished (default 100 ms). */
  waitMs?: number;
  now?: () => Date;
}

const errorLogIntervalMs = 30_000;

export function createRedisAnnotations(options: RedisAnnotationsOptions): AnnotationSource {
  const { redis, keys, clusterId, logger } = options;
  const waitMs = options.waitMs ?? 100;
  const now = options.now ?? (() => new Date());
  const problems = new Map<string, string>();
  let current: Promise<Map<string, InstanceAnnotations> | undefined> | undefined;
  let deadline: Promise<undefined> = Promise.resolve(undefined);
  let lastErrorLog = Number.NEGATIVE_INFINITY;

  const noteProblem = (id: string, problem: string | undefined): void => {
    if (problem === problems.get(id)) return;
    if (problem === undefined) problems.delete(id);
    else {
      problems.set(id, problem);
      logger.warn({ clusterId, instance: id, problem }, 'bad annotation value in redis; read as none');
    }
  };

  async function read(ids: readonly string[]): Promise<Map<string, InstanceAnnotations> | undefined> {
    try {
      const redisKeys = ids.flatMap((id) => [keys.candidate(clusterId, id), keys.downtime(clusterId, id)]);
      const values = redisKeys.length === 0 ? [] : await redis.mget(...redisKeys);
      const at = now();
      const out = new Map<string, InstanceAnnotations>();
      ids.forEach((id, i) => {
        const candidate = parseCandidateValue(values[2 * i] ?? null);
        const downtime = parseDowntimeValue(values[2 * i + 1] ?? null, at);
        noteProblem(id, candidate.problem ?? downtime.problem);
        out.set(id, { promotionRule: candidate.promotionRule, downtime: downtime.downtime });
      });
      return out;
    } catch (error) {
      const t = Date.now();
      if (t - lastErrorLog >= errorLogIntervalMs) {
        lastErrorLog = t;
        logger.warn({ err: error, clusterId }, 'reading promotion rules and downtimes failed; previous values kept');
      }
      return undefined;
    }
  }

  return {
    refresh(instances) {
      current = read(instances.map(keyId));
      deadline = new Promise((resolve) => setTimeout(() => resolve(undefined), waitMs).unref());
    },
    async annotate(key) {
      if (!current) return undefined;
      const result = await Promise.race([current, deadline]);
      return result?.get(keyId(key));
    },
  };
}
