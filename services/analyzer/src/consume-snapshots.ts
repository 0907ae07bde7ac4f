/**
 * Kafka wiring: snapshots in (consumer group, dead letters and retries by @baton/kafka's runner),
 * analyses out. A snapshot that fails its schema never reaches the analyzer: the runner sends it
 * to the dead-letter topic with the bad field named. A publish that fails is retryable (the runner
 * backs off and tries the same snapshot again); an analysis that fails its own schema is our bug
 * and dead-letters the snapshot.
 */
import { topics } from '@baton/contracts';
import { DependencyUnavailableError, MessageValidationError } from '@baton/errors';
import { runConsumer, type createKafka, type MessageSigner, type Publisher, type RunningConsumer, type TopicNames } from '@baton/kafka';
import type { Logger } from '@baton/logging';
import type { AnalysisPublisher, SnapshotAnalyzer } from './analyze-and-publish.ts';

export function kafkaAnalysisPublisher(publisher: Publisher): AnalysisPublisher {
  return {
    async publish(clusterId, envelope) {
      try {
        await publisher.publish(topics.analyses, clusterId, envelope);
      } catch (error) {
        if (error instanceof MessageValidationError) throw error;
        throw new DependencyUnavailableError('analysis publish failed', { cause: error, clusterId });
      }
    },
  };
}

export interface ConsumeSnapshotsOptions {
  kafka: ReturnType<typeof createKafka>;
  names: TopicNames;
  groupId: string;
  analyzer: SnapshotAnalyzer;
  logger: Logger;
  signer: MessageSigner;
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Where a group without committed offsets starts (default false: only new snapshots). */
  fromBeginning?: boolean;
  /** Called once a snapshot was analysed, with the ms since its Kafka timestamp (consume-to-process latency). */
  onAnalysed?: (delayMs: number) => void;
}

export function consumeSnapshots(options: ConsumeSnapshotsOptions): Promise<RunningConsumer> {
  const { analyzer, logger } = options;
  return runConsumer({
    kafka: options.kafka,
    names: options.names,
    groupId: options.groupId,
    topics: [topics.clusterSnapshots],
    logger,
    signer: options.signer,
    fromBeginning: options.fromBeginning ?? false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
    sessionTimeoutMs: options.sessionTimeoutMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    handler: async ({ envelope, key, partition, offset, timestamp }) => {
      if (envelope.type !== 'cluster-snapshot') {
        throw new MessageValidationError(`expected a cluster-snapshot, got ${envelope.type}`);
      }
      const snapshot = envelope.payload;
      if (key !== snapshot.clusterId) {
        logger.warn({ key, clusterId: snapshot.clusterId, partition, offset }, 'snapshot key is not its cluster id');
      }
      await analyzer.handle(snapshot, { messageId: envelope.messageId });
      const appendedAt = Number(timestamp);
      if (options.onAnalysed && Number.isFinite(appendedAt)) options.onAnalysed(Math.max(0, Date.now() - appendedAt));
    },
  });
}
