// Set-up shared by the detector's integration tests: a real broker with topics of their own (a
// unique namespace, 4 partitions), a Redis key prefix of their own, a configuration pointing at
// both, a reader that collects every snapshot and registration, and detectors stopped on teardown.
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { loadConfig, type BatonConfig } from '@baton/config';
import { decodeMessage, topics, type ClusterRegistration, type ClusterSnapshot, type Envelope, type TopicName } from '@baton/contracts';
import { createKafka, createProducer, createPublisher, ensureTopics, topicNames, type Publisher, type TopicNames } from '@baton/kafka';
import { createLogger, silentLogger, type Logger } from '@baton/logging';
import { createKeys, createRedis, type Keys } from '@baton/state';
import { ensureKafka, ensureRedis, uniqueKeyPrefix, uniqueName, type Credentials } from '@baton/testing';
import { startDetector, type RunningDetector, type StartDetectorOptions } from '../src/index.ts';

export interface Received<T> {
  value: T;
  envelope: Envelope;
  /** Local clock when the reader got it. */
  receivedAtMs: number;
}

export interface DetectorFixture {
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  publisher: Publisher;
  names: TopicNames;
  groupId: string;
  keyPrefix: string;
  keys: Keys;
  redis: ReturnType<typeof createRedis>;
  logger: Logger;
  snapshots: Array<Received<ClusterSnapshot>>;
  registrations: Array<Received<ClusterRegistration>>;
  deadLetters: number;
  config(options: { credentials: Credentials; seeds?: BatonConfig['detector']['seeds']; pollIntervalMs?: number }): BatonConfig;
  /** A detector of this fixture's group, stopped on teardown. */
  detector(config: BatonConfig, options?: Partial<StartDetectorOptions>): RunningDetector;
  teardown(): Promise<void>;
}

export function testLogger(name: string): Logger {
  const level = process.env['BATON_TEST_LOG'];
  return level ? createLogger({ service: name, level }) : silentLogger();
}

const used: readonly TopicName[] = [topics.clusterRegistry, topics.clusterSnapshots, topics.probeRequests, topics.commands, topics.deadLetters];

export async function detectorFixture(label: string): Promise<DetectorFixture> {
  const [{ brokers }, redisEndpoint] = await Promise.all([ensureKafka(), ensureRedis()]);
  const namespace = uniqueName(label);
  const names = topicNames(namespace);
  const logger = testLogger(`detector-test-${label}`);
  const kafka = createKafka({ brokers, clientId: namespace, logger });
  const admin = kafka.admin();
  await admin.connect();
  const created = await ensureTopics(admin, { names, only: used, partitions: 4, logger });
  const producer = createProducer(kafka);
  await producer.connect();
  const publisher = createPublisher({ producer, names, logger });
  const keyPrefix = uniqueKeyPrefix(label);
  const redis = createRedis({ url: redisEndpoint.url, connectTimeoutMs: 2000, commandTimeoutMs: 2000, maxRetriesPerRequest: 1 }, logger);
  const detectors: RunningDetector[] = [];
  const snapshots: Array<Received<ClusterSnapshot>> = [];
  const registrations: Array<Received<ClusterRegistration>> = [];
  let deadLetters = 0;

  const reader: Consumer = kafka.consumer({ groupId: uniqueName(`${namespace}-reader`), maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  await reader.connect();
  await reader.subscribe({ topics: [names[topics.clusterSnapshots], names[topics.clusterRegistry], names[topics.deadLetters]], fromBeginning: true });
  await reader.run({
    eachMessage: async ({ topic, message }) => {
      if (topic === names[topics.deadLetters]) {
        deadLetters += 1;
        return;
      }
      const logical = topic === names[topics.clusterSnapshots] ? topics.clusterSnapshots : topics.clusterRegistry;
      const envelope = decodeMessage(logical, message.value);
      const receivedAtMs = Date.now();
      if (envelope.type === 'cluster-snapshot') snapshots.push({ value: envelope.payload, envelope, receivedAtMs });
      if (envelope.type === 'cluster-registration') registrations.push({ value: envelope.payload, envelope, receivedAtMs });
    },
  });

  const base = loadConfig({ defaultsOnly: true });
  const groupId = uniqueName(`${namespace}-detector`);
  return {
    kafka,
    admin,
    producer,
    publisher,
    names,
    groupId,
    keyPrefix,
    keys: createKeys(keyPrefix),
    redis,
    logger,
    snapshots,
    registrations,
    get deadLetters() {
      return deadLetters;
    },
    config: ({ credentials, seeds = [], pollIntervalMs = 1000 }) => ({
      ...base,
      kafka: { ...base.kafka, brokers, sessionTimeoutMs: 3000, heartbeatIntervalMs: 300 },
      redis: { ...base.redis, url: redisEndpoint.url, keyPrefix },
      mysql: { ...base.mysql, user: credentials.user, password: credentials.password },
      detector: { ...base.detector, pollIntervalMs, seeds },
    }),
    detector(config, options = {}) {
      const detector = startDetector({ config, logger, names, groupId, commandsGroupId: `${groupId}-commands`, ...options });
      detectors.push(detector);
      return detector;
    },
    async teardown() {
      await Promise.allSettled(detectors.map((d) => d.stop()));
      await reader.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      const keys = await redis.keys(`${keyPrefix}*`).catch(() => [] as string[]);
      if (keys.length > 0) await redis.del(...keys).catch(() => undefined);
      await redis.quit().catch(() => undefined);
      if (created.length > 0) await admin.deleteTopics({ topics: created }).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    },
  };
}

export const instanceKeyOf = (i: { host: string; port: number }): string => `${i.host}:${i.port}`;
