/**
 * Follows one topic read-only, in a consumer group of this process alone that never commits: the
 * registry from its beginning (it is a table), the recovery events from now on. Messages that do
 * not decode or carry no valid signature are skipped (their consumer of record dead-letters
 * them). `caughtUp` resolves once every partition has been read up to the
 * end offsets taken at start — at once for an empty topic.
 *
 * The dead-letter topic carries the original bytes and headers of messages from other topics
 * (`envelopesOf` names the logical topic whose envelopes to authenticate and decode, and the
 * dead-letter headers reach `onMessage`): the api reads its own commands back from it.
 */
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { decodeMessage, type Envelope, type TopicName } from '@baton/contracts';
import { authenticateMessage, headersToStrings, restartWhenBrokerReturns, watchConsumer, type MessageSigner, type TopicNames } from '@baton/kafka';
import type { Logger } from '@baton/logging';

export interface FollowTopicOptions {
  kafka: Kafka;
  names: TopicNames;
  topic: TopicName;
  /** Group id prefix; a random suffix makes the group this process's own. */
  groupPrefix: string;
  fromBeginning: boolean;
  /** A message without a valid signature is skipped, like one that does not decode. */
  signer: MessageSigner;
  logger: Logger;
  /** The logical topic whose envelopes these messages are (default `topic`; dead letters keep their original one). */
  envelopesOf?: TopicName;
  onMessage(key: string | null, envelope: Envelope | null, headers: Readonly<Record<string, string>>): void;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

export interface FollowedTopic {
  /** Resolves once the topic has been read to the end offsets it had at start. */
  caughtUp: Promise<void>;
  isCaughtUp(): boolean;
  /** null while the follower is in its group; otherwise why not (a readiness check). */
  health(): string | null;
  stop(): Promise<void>;
}

export async function followTopic(o: FollowTopicOptions): Promise<FollowedTopic> {
  const physical = o.names[o.topic];
  const admin = o.kafka.admin();
  await admin.connect();
  let ends: Map<number, number>;
  try {
    const offsets = await admin.fetchTopicOffsets(physical);
    ends = o.fromBeginning ? new Map(offsets.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high) - 1])) : new Map();
  } finally {
    await admin.disconnect();
  }
  let done = false;
  let markDone!: () => void;
  const caughtUp = new Promise<void>((resolve) => (markDone = resolve));
  const progress = (partition: number, offset: number): void => {
    if (offset >= (ends.get(partition) ?? Number.NEGATIVE_INFINITY)) ends.delete(partition);
    if (ends.size === 0 && !done) {
      done = true;
      markDone();
    }
  };
  progress(-1, 0);

  const consumer = o.kafka.consumer({
    groupId: `${o.groupPrefix}-${randomBytes(6).toString('hex')}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 200,
    ...(o.sessionTimeoutMs === undefined ? {} : { sessionTimeout: o.sessionTimeoutMs }),
    ...(o.heartbeatIntervalMs === undefined ? {} : { heartbeatInterval: o.heartbeatIntervalMs }),
  });
  const watch = watchConsumer(consumer, `follower of ${physical}`);
  await consumer.connect();
  await consumer.subscribe({ topic: physical, fromBeginning: o.fromBeginning });
  const runConfig: Parameters<typeof consumer.run>[0] = {
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const key = message.key?.toString('utf8') ?? null;
      let envelope: Envelope | null = null;
      const logical = o.envelopesOf ?? o.topic;
      try {
        authenticateMessage(o.signer, logical, message);
        if (message.value !== null && message.value.length > 0) envelope = decodeMessage(logical, message.value);
      } catch (error) {
        o.logger.debug({ err: error, topic: physical, partition, offset: message.offset }, 'message skipped');
        progress(partition, Number(message.offset));
        return;
      }
      o.onMessage(key, envelope, headersToStrings(message.headers));
      progress(partition, Number(message.offset));
    },
  };
  let stopping: Promise<void> | undefined;
  const restarter = restartWhenBrokerReturns({ consumer, run: () => consumer.run(runConfig), logger: o.logger, stopping: () => stopping !== undefined });
  consumer.on(consumer.events.GROUP_JOIN, () => restarter.joined());
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart && !restarter.crashed(event.payload.error)) o.logger.error({ err: event.payload.error, topic: physical }, 'topic follower crashed');
  });
  await consumer.run(runConfig);
  return {
    caughtUp,
    isCaughtUp: () => done,
    health: () => watch.health(),
    stop: () => (stopping ??= consumer.disconnect().catch(() => undefined)),
  };
}
