/**
 * Cluster ownership: a kafkajs consumer in the detectors' group over the compacted registry. The
 * partitions assigned to this member decide the clusters it probes; another member takes them
 * over after a rebalance when this one stops or dies (session timeout).
 *
 * The registry is a state table, not a work queue, so offsets are never committed: every
 * assignment (a new generation) re-reads its partitions from the beginning, and the table skips
 * records it already applied. A partition's clusters count as owned once it has been read to the
 * end seen at that time (offsetLag 0), so a replay never briefly starts a cluster that a later
 * record forgot. Partitions no longer assigned are dropped at the GROUP_JOIN that says so.
 *
 * A record that does not decode goes to the dead-letter topic with the reason (libs/kafka's
 * headers), once per process; a tombstone (null value) with a key retires that cluster.
 */
import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { decodeMessage, topics, type ClusterRegistration } from '@baton/contracts';
import { authenticateMessage, buildDeadLetterHeaders, errorMessage, restartWhenBrokerReturns, watchConsumer, type MessageSigner, type TopicNames } from '@baton/kafka';
import type { Logger } from '@baton/logging';
import { RegistryTable } from './registry-table.ts';

export interface RegistryConsumerOptions {
  kafka: Kafka;
  names: TopicNames;
  groupId: string;
  logger: Logger;
  /** A connected producer for dead letters. */
  deadLetterProducer: Producer;
  /** Records without a valid signature are dead-lettered and own nothing. */
  signer: MessageSigner;
  /** Called with the clusters owned now, after every change. */
  onOwnership: (owned: Map<string, ClusterRegistration>) => void;
  /** kafkajs gave up on the consumer: this member owns nothing any more. */
  onCrash?: (error: Error) => void;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
}

export interface RegistryConsumer {
  /** Resolves at the first assignment. */
  ready: Promise<void>;
  assignment(): number[];
  owned(): Map<string, ClusterRegistration>;
  /** null while the member is in its group; otherwise why not (a readiness check). */
  health(): string | null;
  stop(): Promise<void>;
  consumer: Consumer;
}

export async function startRegistryConsumer(options: RegistryConsumerOptions): Promise<RegistryConsumer> {
  const { names, groupId } = options;
  const topic = names[topics.clusterRegistry];
  const deadLetterTopic = names[topics.deadLetters];
  const logger = options.logger.child({ groupId, topic });
  const table = new RegistryTable();
  const deadLettered = new Set<string>();
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 1000;
  let stopped = false;

  let resolveReady!: () => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => undefined);

  const emit = (): void => {
    if (!stopped) options.onOwnership(table.owned());
  };

  const consumer = options.kafka.consumer({
    groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 10_000,
    heartbeatInterval: heartbeatIntervalMs,
    rebalanceTimeout: options.rebalanceTimeoutMs ?? 30_000,
    // heartbeats (and so rebalances) are only noticed between fetches: keep the long poll short
    maxWaitTimeInMs: Math.min(1000, Math.max(100, heartbeatIntervalMs)),
    allowAutoTopicCreation: false,
  });

  const watch = watchConsumer(consumer, `registry consumer ${groupId}`);
  let runConfig: Parameters<Consumer['run']>[0];
  const restarter = restartWhenBrokerReturns({ consumer, run: () => consumer.run(runConfig), logger, stopping: () => stopped });
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    restarter.joined();
    const partitions = event.payload.memberAssignment[topic] ?? [];
    const { added, dropped } = table.assign(partitions);
    logger.info({ memberId: event.payload.memberId, partitions, added, dropped }, 'registry partitions assigned');
    resolveReady();
    if (dropped.length > 0) emit();
  });
  // a partition is loaded once read to its end (also when the tail was only filtered records)
  consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
    if (event.payload.topic !== topic || Number(event.payload.offsetLag) > 0) return;
    if (table.markLoaded(event.payload.partition)) {
      logger.debug({ partition: event.payload.partition }, 'registry partition loaded');
      emit();
    }
  });
  consumer.on(consumer.events.CRASH, (event) => {
    const { error, restart } = event.payload;
    if (restart) {
      logger.warn({ err: error }, 'registry consumer crashed, restarting');
      return;
    }
    // owns nothing until it is back in the group
    table.assign([]);
    emit();
    if (restarter.crashed(error)) return;
    logger.error({ err: error }, 'registry consumer crashed');
    rejectReady(error);
    options.onCrash?.(error);
  });

  async function deadLetter(partition: number, message: KafkaMessage, error: unknown): Promise<void> {
    const id = `${partition}:${message.offset}`;
    if (deadLettered.has(id)) return;
    const headers = {
      ...message.headers,
      ...buildDeadLetterHeaders({ error, topic, partition, offset: message.offset, key: message.key, groupId, attempts: 0, failedAt: new Date() }),
    };
    try {
      await options.deadLetterProducer.send({ topic: deadLetterTopic, acks: -1, messages: [{ key: message.key, value: message.value, headers }] });
      deadLettered.add(id);
      logger.warn({ partition, offset: message.offset, reason: errorMessage(error) }, 'registry record dead-lettered');
    } catch (sendError) {
      // the record is skipped for ownership either way; the next read tries the dead letter again
      logger.error({ err: sendError, partition, offset: message.offset }, 'registry dead-letter publish failed');
    }
  }

  function decode(message: KafkaMessage): ClusterRegistration | null {
    authenticateMessage(options.signer, topics.clusterRegistry, message);
    if (message.value === null || message.value.length === 0) {
      if (message.key === null) throw new Error('registry tombstone without a key');
      return null;
    }
    const envelope = decodeMessage(topics.clusterRegistry, message.value);
    if (envelope.type !== 'cluster-registration') throw new Error(`expected a cluster-registration, got ${envelope.type}`);
    return envelope.payload;
  }

  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    runConfig = {
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
        let changed = false;
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) break;
          const offset = Number(message.offset);
          const key = message.key === null ? null : message.key.toString('utf8');
          let registration: ClusterRegistration | null;
          try {
            registration = decode(message);
          } catch (error) {
            await deadLetter(batch.partition, message, error);
            continue;
          }
          if (registration && key !== null && key !== registration.clusterId) {
            logger.warn({ key, clusterId: registration.clusterId, offset }, 'registry record key is not its cluster id');
          }
          changed = table.apply({ partition: batch.partition, offset, key, registration }) || changed;
        }
        await heartbeat();
        if (changed && table.isLoaded(batch.partition)) emit();
      },
    };
    await consumer.run(runConfig);
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    ready,
    assignment: () => table.assigned(),
    owned: () => table.owned(),
    health: () => watch.health(),
    consumer,
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        await consumer.disconnect().catch((error: unknown) => logger.warn({ err: error }, 'registry consumer disconnect failed'));
        rejectReady(new Error('registry consumer stopped before its first assignment'));
      })()),
  };
}
