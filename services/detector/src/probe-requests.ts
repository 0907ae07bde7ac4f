/**
 * Emergent re-reads (baton.probe-requests). Every detector reads every request — each in a
 * consumer group of its own, starting at the newest offset, so the topic is a broadcast — and acts
 * only for the clusters it owns: it probes the requested instances (the whole cluster when none
 * are named) right away and publishes a snapshot with reason 'probe-request' carrying the
 * request's correlation id. The handler only queues the run, so one slow cluster never holds up
 * another's requests; per-instance throttling is the cluster monitor's.
 */
import { MessageValidationError } from '@baton/errors';
import { runConsumer, type MessageSigner, type RunningConsumer, type TopicNames } from '@baton/kafka';
import { topics } from '@baton/contracts';
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from '@baton/logging';
import { keyId } from './instance-set.ts';
import type { RunRequest } from './run-queue.ts';

export interface ProbeRequestConsumerOptions {
  kafka: Kafka;
  names: TopicNames;
  /** Unique per detector process (broadcast). */
  groupId: string;
  logger: Logger;
  deadLetterProducer: Producer;
  signer: MessageSigner;
  /** Queues a run for an owned cluster; false when this detector does not own it. */
  request: (clusterId: string, request: RunRequest) => boolean;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

export function consumeProbeRequests(options: ProbeRequestConsumerOptions): Promise<RunningConsumer> {
  const { logger } = options;
  return runConsumer({
    kafka: options.kafka,
    names: options.names,
    groupId: options.groupId,
    topics: [topics.probeRequests],
    logger,
    deadLetterProducer: options.deadLetterProducer,
    signer: options.signer,
    fromBeginning: false,
    maxWaitTimeMs: 200,
    sessionTimeoutMs: options.sessionTimeoutMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    handler: async ({ envelope }) => {
      if (envelope.type !== 'probe-request') throw new MessageValidationError(`expected a probe-request, got ${envelope.type}`);
      const { clusterId, instances, reason, requestedBy } = envelope.payload;
      const queued = options.request(clusterId, {
        reason: 'probe-request',
        instances: instances.map(keyId),
        ...(envelope.correlationId === undefined ? {} : { correlationId: envelope.correlationId }),
      });
      if (queued) logger.debug({ clusterId, instances: instances.map(keyId), reason, requestedBy }, 'probe request queued');
    },
  });
}
