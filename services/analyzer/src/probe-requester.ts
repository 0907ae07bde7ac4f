import { createEnvelope, instanceId, topics, type InstanceKey } from '@baton/contracts';
import type { Publisher } from '@baton/kafka';
import { setFlag, type Keys } from '@baton/state';
import type { Redis } from 'ioredis';
import type { ProbeRequester } from './analyze-and-publish.ts';

/**
 * Publishes probe requests for emergent re-reads, at most one per instance per `throttleMs`
 * (orchestrator re-reads an instance at most once a second): the Redis emergent-read key is set
 * NX with that TTL, and only instances whose key was free are asked for.
 */
export function kafkaProbeRequester(options: { publisher: Publisher; redis: Redis; keys: Keys; throttleMs?: number; producer?: string }): ProbeRequester {
  const throttleMs = options.throttleMs ?? 1000;
  return {
    async request(clusterId, instances, reason, correlationId) {
      const due: InstanceKey[] = [];
      for (const instance of instances) {
        if (await setFlag(options.redis, options.keys.emergentRead(clusterId, instanceId(instance)), throttleMs, { nx: true })) due.push(instance);
      }
      if (due.length === 0) return;
      const envelope = createEnvelope(
        'probe-request',
        { clusterId, instances: due, reason, requestedBy: options.producer ?? 'analyzer' },
        { producer: options.producer ?? 'analyzer', ...(correlationId ? { correlationId } : {}) },
      );
      await options.publisher.publish(topics.probeRequests, clusterId, envelope);
    },
  };
}
