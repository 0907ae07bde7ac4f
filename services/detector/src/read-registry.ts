/**
 * The whole cluster registry as it stands now: every partition read from the start up to the end
 * offsets taken before reading, latest record per cluster id. Used when a cluster is registered or
 * forgotten (to keep a cluster's id stable across failovers and to skip needless rewrites) — not
 * by the ownership consumer, which only reads its own partitions.
 *
 * kafkajs has no manual partition assignment, so this joins a throw-away consumer group that never
 * commits (the broker drops the empty group). Records that do not decode are skipped here; the
 * ownership consumer is the one that dead-letters them.
 */
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { decodeMessage, topics, type ClusterRegistration } from '@baton/contracts';
import { DependencyUnavailableError } from '@baton/errors';
import { authenticateMessage, consumerGroupId, type MessageSigner, type TopicNames } from '@baton/kafka';
import type { Logger } from '@baton/logging';

export interface ReadRegistryOptions {
  kafka: Kafka;
  names: TopicNames;
  /** A record without a valid signature is skipped (the registry consumer dead-letters it). */
  signer: MessageSigner;
  /** kafka.groupIdPrefix: the reader's own group is `<prefix>.baton-registry-reader-<random>`. */
  groupIdPrefix?: string | undefined;
  logger?: Logger;
  /** Deadline for the whole read (default 30 s). */
  timeoutMs?: number;
}

interface Entry {
  registration: ClusterRegistration | null;
  partition: number;
  offset: number;
}

export async function readRegistry(options: ReadRegistryOptions): Promise<Map<string, ClusterRegistration>> {
  const topic = options.names[topics.clusterRegistry];
  const timeoutMs = options.timeoutMs ?? 30_000;
  const admin = options.kafka.admin();
  await admin.connect();
  let ends: Map<number, number>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => [o.partition, Number(o.high) - 1]));
  } finally {
    await admin.disconnect();
  }
  const latest = new Map<string, Entry>();
  if (ends.size === 0) return new Map();

  const consumer = options.kafka.consumer({
    groupId: `${consumerGroupId(options, 'baton-registry-reader')}-${randomBytes(6).toString('hex')}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 200,
    sessionTimeout: 10_000,
  });
  const remaining = new Set(ends.keys());
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const progress = (partition: number, offset: number): void => {
    if (offset >= (ends.get(partition) ?? Number.POSITIVE_INFINITY)) remaining.delete(partition);
    if (remaining.size === 0) finish();
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, (event) => progress(event.payload.partition, Number(event.payload.lastOffset)));

  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          if (offset > (ends.get(batch.partition) ?? -1)) break;
          const key = message.key?.toString('utf8') ?? null;
          let registration: ClusterRegistration | null = null;
          try {
            authenticateMessage(options.signer, topics.clusterRegistry, message);
          } catch (error) {
            options.logger?.warn({ err: error, partition: batch.partition, offset }, 'registry record skipped');
            continue;
          }
          if (message.value !== null && message.value.length > 0) {
            try {
              const envelope = decodeMessage(topics.clusterRegistry, message.value);
              if (envelope.type !== 'cluster-registration') continue;
              registration = envelope.payload;
            } catch (error) {
              options.logger?.debug({ err: error, partition: batch.partition, offset }, 'registry record skipped');
              continue;
            }
          } else if (key === null) continue;
          const id = registration?.clusterId ?? (key as string);
          const before = latest.get(id);
          // within a partition the later offset wins; across partitions (a mis-keyed record) the later registration
          const newer =
            !before ||
            (before.partition === batch.partition
              ? offset > before.offset
              : Date.parse(registration?.registeredAt ?? '') >= Date.parse(before.registration?.registeredAt ?? ''));
          if (newer) latest.set(id, { registration, partition: batch.partition, offset });
        }
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([done, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      throw new DependencyUnavailableError('cluster registry not read before the deadline', { topic, timeoutMs, partitionsLeft: [...remaining] });
    }
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  const out = new Map<string, ClusterRegistration>();
  for (const [id, entry] of latest) if (entry.registration) out.set(id, entry.registration);
  return out;
}
