// Set-up shared by the detector's integration tests: a real broker with topics of their own (a
// unique namespace, 4 partitions), a Redis key prefix of their own, a configuration pointing at
// both, a reader that collects every snapshot and registration, and detectors stopped on teardown.
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import { loadConfig, type BatonConfig } from '@baton/config';
import { decodeMessage, topics, type ClusterRegistration, type ClusterSnapshot, type Envelope, type TopicName } from '@baton/contracts';
import type { Publisher, TopicNames } from '@baton/kafka';
import type { Logger } from '@baton/logging';
import type { Keys } from '@baton/state';
import { uniqueName, type Credentials } from '@baton/testing';
import { startBatonTestEnv, testLogger, type BatonTestEnv } from '@baton/testing/baton-env';
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
  redis: Redis;
  logger: Logger;
  snapshots: Array<Received<ClusterSnapshot>>;
  registrations: Array<Received<ClusterRegistration>>;
  deadLetters: number;
  config(options: { credentials: Credentials; seeds?: BatonConfig['detector']['seeds']; pollIntervalMs?: number }): BatonConfig;
  /** A detector of this fixture's group, stopped on teardown. */
  detector(config: BatonConfig, options?: Partial<StartDetectorOptions>): RunningDetector;
  teardown(): Promise<void>;
}

const used: readonly TopicName[] = [topics.clusterRegistry, topics.clusterSnapshots, topics.probeRequests, topics.commands, topics.deadLetters];

export async function detectorFixture(label: string): Promise<DetectorFixture> {
  const env = await startBatonTestEnv({ label, only: used, partitions: 4, backend: false, logger: testLogger(`detector-test-${label}`) });
  return env.guard(() => fixtureOn(env));
}

async function fixtureOn(env: BatonTestEnv): Promise<DetectorFixture> {
  const { kafka, names, namespace, logger, keyPrefix } = env;
  const detectors: RunningDetector[] = [];
  const snapshots: Array<Received<ClusterSnapshot>> = [];
  const registrations: Array<Received<ClusterRegistration>> = [];
  let deadLetters = 0;

  const reader: Consumer = kafka.consumer({ groupId: uniqueName(`${namespace}-reader`), maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  env.defer(() => reader.disconnect());
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
  env.defer(() => Promise.allSettled(detectors.map((d) => d.stop())));

  const base = loadConfig({ defaultsOnly: true });
  const groupId = uniqueName(`${namespace}-detector`);
  return {
    kafka,
    admin: env.admin,
    producer: env.producer,
    publisher: env.publisher,
    names,
    groupId,
    keyPrefix,
    keys: env.keys,
    redis: env.redis,
    logger,
    snapshots,
    registrations,
    get deadLetters() {
      return deadLetters;
    },
    config: ({ credentials, seeds = [], pollIntervalMs = 1000 }) => ({
      ...base,
      // through the SASL listener and signed, as the other services of the environment
      kafka: { ...env.config().kafka, sessionTimeoutMs: 3000, heartbeatIntervalMs: 300 },
      security: env.config().security,
      redis: { ...base.redis, url: env.redisUrl, keyPrefix },
      mysql: { ...base.mysql, user: credentials.user, password: credentials.password },
      detector: { ...base.detector, pollIntervalMs, seeds },
    }),
    detector(config, options = {}) {
      const detector = startDetector({ config, logger, names, groupId, commandsGroupId: `${groupId}-commands`, ...options });
      detectors.push(detector);
      return detector;
    },
    teardown: env.teardown,
  };
}

export const instanceKeyOf = (i: { host: string; port: number }): string => `${i.host}:${i.port}`;
