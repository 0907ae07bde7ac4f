// Shared set-up of the Kafka integration tests: a real broker (ensureKafka), topics of their own
// (a unique namespace per test), and a teardown that removes them.
import type { Admin, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { createEnvelope, type Envelope, type TopicName } from '@baton/contracts';
import { createLogger, silentLogger, type Logger } from '@baton/logging';
import { ensureKafka, uniqueName, waitFor } from '@baton/testing';
import { createKafka, createMessageSigner, createProducer, createPublisher, ensureTopics, runConsumer, topicNames, type MessageSigner, type Publisher, type RunConsumerOptions, type RunningConsumer, type TopicNames } from '../src/index.ts';

/** The fixture's publisher signs with this; its consumers check against it unless given another. */
export const fixtureSigner: MessageSigner = createMessageSigner({ current: 'kafka-fixture-signing-secret-0123456789' });

export interface KafkaFixture {
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  publisher: Publisher;
  names: TopicNames;
  namespace: string;
  logger: Logger;
  /** Starts a consumer that the teardown stops. */
  consumer(options: Omit<RunConsumerOptions, 'kafka' | 'logger' | 'names' | 'signer'> & { logger?: Logger; signer?: MessageSigner }): Promise<RunningConsumer>;
  /** Reads `topic` (physical) from the beginning until `until` holds for what was read. */
  read(topic: string, until: (messages: KafkaMessage[]) => boolean, description: string): Promise<KafkaMessage[]>;
  teardown(): Promise<void>;
}

/** BATON_TEST_LOG=debug shows the library's and kafkajs' logs. */
function testLogger(): Logger {
  const level = process.env['BATON_TEST_LOG'];
  return level ? createLogger({ service: 'kafka-test', level }) : silentLogger();
}

export async function kafkaFixture(label: string, only: readonly TopicName[], partitions = 4): Promise<KafkaFixture> {
  const { brokers } = await ensureKafka();
  const namespace = uniqueName(label);
  const names = topicNames(namespace);
  const logger = testLogger();
  const kafka = createKafka({ brokers, clientId: namespace, logger });
  const admin = kafka.admin();
  await admin.connect();
  const producer = createProducer(kafka);
  let created: string[];
  try {
    created = await ensureTopics(admin, { names, only, partitions, logger });
    await producer.connect();
  } catch (error) {
    // an open admin connection would keep the test process alive
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    throw error;
  }
  const publisher = createPublisher({ producer, names, logger, signer: fixtureSigner });
  const consumers: RunningConsumer[] = [];

  return {
    kafka,
    admin,
    producer,
    publisher,
    names,
    namespace,
    logger,
    async consumer(options) {
      const running = await runConsumer({ kafka, names, ...options, logger: options.logger ?? logger, signer: options.signer ?? fixtureSigner });
      consumers.push(running);
      return running;
    },
    async read(topic, until, description) {
      const messages: KafkaMessage[] = [];
      const reader = kafka.consumer({ groupId: uniqueName(`${namespace}-reader`), allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
      await reader.connect();
      try {
        await reader.subscribe({ topic, fromBeginning: true });
        await reader.run({
          eachMessage: async ({ message }) => {
            messages.push(message);
          },
        });
        await waitFor(() => until(messages), { description, timeoutMs: 30_000 });
        return [...messages];
      } finally {
        await reader.disconnect();
      }
    },
    async teardown() {
      await Promise.all(consumers.map((c) => c.stop()));
      await producer.disconnect();
      if (created.length > 0) await admin.deleteTopics({ topics: created }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

/** A valid probe-request envelope; `reason` lets a handler tell messages apart. */
export function probeRequest(clusterId: string, reason: string): Envelope<'probe-request'> {
  return createEnvelope('probe-request', { clusterId, instances: [], reason, requestedBy: 'kafka-test' }, { producer: 'kafka-test' });
}

export function header(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  if (value === undefined) return undefined;
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined ? undefined : last.toString();
}

/** Sum of the group's committed offsets over every partition of `topic` (-1 = none counts as 0). */
export async function committedTotal(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}
