/**
 * One Baton test environment on the real infrastructure: the shared Kafka broker with topics of
 * its own (a unique namespace), the shared Redis with a key prefix of its own, a backend database
 * of its own on the MariaDB at 127.0.0.1:3306 (BATON_TEST_MYSQL_* override it), and the BATON__*
 * variables that point a service's configuration at all three. A test that crashes or restarts
 * the broker or Redis passes its own (`brokers`, `redisUrl`: a private broker, a private server).
 * Kafka clients (the environment's own and every service's, through `env`/`config()`) connect
 * through the broker's SASL listener with SCRAM-SHA-512 (`sasl`), unless there is none.
 *
 * A subpath export (`@baton/testing/baton-env`), not the main entry: it needs Baton's own
 * libraries, and the tests of @baton/kafka and @baton/mysql import `@baton/testing`.
 *
 * Clean-up is one last-in-first-out stack. Every resource registers its release before it is
 * acquired, so a half-connected admin or half-created topics are released too; callers push their
 * own steps with `defer`, which therefore run first. `teardown()` attempts every step even when one
 * fails, and when set-up throws half-way, whatever was acquired is released before the error
 * propagates (an admin left connected after a failed ensureTopics kept a test process alive).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Pool } from 'mysql2/promise';
import { deploymentDatabase, loadConfig, type BatonConfig } from '@baton/config';
import type { TopicName } from '@baton/contracts';
import { allTopics, createKafka, createMessageSigner, createProducer, createPublisher, ensureTopics, runConsumer, topicNames, type MessageHandler, type MessageSigner, type Publisher, type RunningConsumer, type TopicNames } from '@baton/kafka';
import { createLogger, silentLogger, type Logger } from '@baton/logging';
import { createBackendPool } from '@baton/mysql';
import { createKeys, createRedis, type Keys } from '@baton/state';
import { ensureKafka, uniqueName, type KafkaSaslEndpoint } from './kafka.ts';
import { ensureRedis, uniqueKeyPrefix } from './redis.ts';

export interface GroupTimeouts {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
}

/** Short consumer-group timeouts: a stopped member's partitions move to another within seconds. */
export const quickGroupTimeouts: GroupTimeouts = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 };

/** The signing secret of every test environment (security.signingSecret), and its signer. */
export const testSigningSecret = 'baton-test-signing-secret-not-for-production';
export const testSigner: MessageSigner = createMessageSigner({ current: testSigningSecret });

export interface BatonTestEnvOptions {
  /** Starts the topic namespace, the client id, the key prefix and the default logger's name. */
  label: string;
  /** Partitions of every created topic (default: each topic's own, from the topic table). */
  partitions?: number;
  /** Only these topics (default: all of Baton's). */
  only?: readonly TopicName[];
  /** A backend database of its own, dropped at teardown (default true). False: no BATON__BACKEND__* in `env`, nothing dropped. */
  backend?: boolean;
  /** Consumer-group timeouts written into `env` (default: the configuration's own). */
  groupTimeouts?: GroupTimeouts;
  /** Default: `testLogger(label)`. */
  logger?: Logger;
  /** A broker other than the shared one (e.g. `startPrivateKafka().brokers`); the topics are created there. */
  brokers?: readonly string[];
  /**
   * The SASL listener every client connects through. Default: the shared broker's (ensureKafka)
   * without `brokers`, none with them (pass `startPrivateKafka().sasl`). False: PLAINTEXT.
   */
  sasl?: KafkaSaslEndpoint | false;
  /** A Redis other than the shared one (e.g. `startRedisServer().url`). */
  redisUrl?: string;
  /**
   * Isolate by `deployment.name` alone, as an operator would: no explicit topic prefix, key prefix,
   * group ids or backend database; the name (unique per run: pick a random suffix) is all of them.
   */
  deployment?: { name: string; signingSecret: string };
}

export interface TestConsumerOptions {
  /** Names the group: `<namespace>-<role>-<random>`. */
  role: string;
  /** Logical topics carrying envelopes. */
  topics: readonly TopicName[];
  handler: MessageHandler;
  /** Broker long-poll when idle (default the consumer's own; 100 lets a test see messages sooner). */
  maxWaitTimeMs?: number;
}

export interface BackendServer {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface BatonTestEnv {
  /** `<label>-<random>`: topic prefix, Kafka client id, and the start of any group id a test makes up. */
  namespace: string;
  /** The PLAINTEXT listener (no credentials needed). */
  brokers: string[];
  /** The SASL listener `kafka` and `config()` connect through; undefined: they use `brokers`. */
  sasl: KafkaSaslEndpoint | undefined;
  names: TopicNames;
  kafka: Kafka;
  /** Connected; disconnected last. */
  admin: Admin;
  /** Connected; disconnected after every deferred step (a consumer may dead-letter through it). */
  producer: Producer;
  /** Signs like the services of this environment (testSigningSecret). */
  signer: MessageSigner;
  publisher: Publisher;
  /** The test's own connection (the services open theirs from `config()`). */
  redis: Redis;
  redisUrl: string;
  /** Without a trailing colon, as BATON__REDIS__KEY_PREFIX wants it; every key under `<keyPrefix>:` is deleted at teardown. */
  keyPrefix: string;
  keys: Keys;
  backendServer: BackendServer;
  /** The backend database's name (services create it when they migrate). */
  database: string;
  logger: Logger;
  /** BATON__* variables for Kafka, Redis and (unless `backend: false`) the backend. */
  env: Readonly<Record<string, string>>;
  /** loadConfig over `env` plus `extra` (and the file, when given, under both). */
  config(extra?: Readonly<Record<string, string>>, file?: string): BatonConfig;
  /** Reads `topics` from the beginning in a group of its own, dead-lettering through `producer`; stopped on teardown. */
  consume(options: TestConsumerOptions): Promise<RunningConsumer>;
  /** A pool on the backend database, ended on teardown. */
  backendPool(connectionLimit?: number): Pool;
  /** Registers a clean-up step; steps run last-in-first-out, before the environment's own. */
  defer(step: () => unknown): void;
  /** Runs a caller's further set-up; when it throws, tears the whole environment down before rethrowing. */
  guard<T>(setUp: () => Promise<T>): Promise<T>;
  /** Runs every step once, each even when another failed (failures are logged). Safe to call twice. */
  teardown(): Promise<void>;
}

/** BATON_TEST_LOG=debug (or any level) shows the logs; silent otherwise. */
export function testLogger(service: string): Logger {
  const level = process.env['BATON_TEST_LOG'];
  return level ? createLogger({ service, level }) : silentLogger();
}

export function testBackendServer(): BackendServer {
  return {
    host: process.env['BATON_TEST_MYSQL_HOST'] ?? '127.0.0.1',
    port: Number(process.env['BATON_TEST_MYSQL_PORT'] ?? 3306),
    user: process.env['BATON_TEST_MYSQL_USER'] ?? 'root',
    password: process.env['BATON_TEST_MYSQL_PASSWORD'] ?? '',
  };
}

interface Step {
  name: string;
  run: () => unknown;
}

export async function startBatonTestEnv(options: BatonTestEnvOptions): Promise<BatonTestEnv> {
  const logger = options.logger ?? testLogger(options.label);
  const steps: Step[] = [];
  let finished: Promise<void> | undefined;
  const push = (name: string, run: () => unknown): void => {
    if (finished) throw new Error(`test environment already torn down: cannot defer ${name}`);
    steps.push({ name, run });
  };
  const teardown = (): Promise<void> => {
    finished ??= (async () => {
      for (const step of steps.splice(0).reverse()) {
        try {
          await step.run();
        } catch (error) {
          logger.warn({ err: error, step: step.name }, 'test environment: teardown step failed');
        }
      }
    })();
    return finished;
  };

  const [{ brokers, sasl }, redisUrl] = await Promise.all([
    options.brokers
      ? { brokers: [...options.brokers], sasl: options.sasl || undefined }
      : ensureKafka().then((k) => ({ brokers: k.brokers, sasl: options.sasl === false ? undefined : (options.sasl ?? k.sasl) })),
    options.redisUrl ?? ensureRedis().then((r) => r.url),
  ]);
  const deployment = options.deployment;
  const namespace = deployment?.name ?? uniqueName(options.label);
  const names = topicNames(namespace);
  const keyPrefix = deployment?.name ?? uniqueKeyPrefix(options.label).replace(/:$/, '');
  const database = deployment ? deploymentDatabase(deployment.name) : `baton_test_${randomBytes(5).toString('hex')}`;
  const signer = deployment ? createMessageSigner({ current: deployment.signingSecret }) : testSigner;
  const backendServer = testBackendServer();
  const withBackend = options.backend ?? true;
  const env: Record<string, string> = {
    BATON__KAFKA__BROKERS: JSON.stringify(sasl ? sasl.brokers : brokers),
    ...(sasl
      ? {
          BATON__KAFKA__SASL__MECHANISM: sasl.mechanism,
          // JSON strings: a value that parses as JSON (a number) would otherwise stop being a string
          BATON__KAFKA__SASL__USERNAME: JSON.stringify(sasl.username),
          BATON__KAFKA__SASL__PASSWORD: JSON.stringify(sasl.password),
        }
      : {}),
    BATON__KAFKA__CLIENT_ID: namespace,
    ...(deployment ? { BATON__DEPLOYMENT__NAME: deployment.name } : { BATON__KAFKA__TOPIC_PREFIX: namespace }),
    ...(options.groupTimeouts
      ? {
          BATON__KAFKA__SESSION_TIMEOUT_MS: String(options.groupTimeouts.sessionTimeoutMs),
          BATON__KAFKA__HEARTBEAT_INTERVAL_MS: String(options.groupTimeouts.heartbeatIntervalMs),
        }
      : {}),
    BATON__SECURITY__SIGNING_SECRET: deployment?.signingSecret ?? testSigningSecret,
    BATON__REDIS__URL: redisUrl,
    ...(deployment ? {} : { BATON__REDIS__KEY_PREFIX: keyPrefix }),
    ...(withBackend
      ? {
          BATON__BACKEND__HOST: backendServer.host,
          BATON__BACKEND__PORT: String(backendServer.port),
          BATON__BACKEND__USER: backendServer.user,
          BATON__BACKEND__PASSWORD: backendServer.password,
          ...(deployment ? {} : { BATON__BACKEND__DATABASE: database }),
        }
      : {}),
  };
  const pool = (connectionLimit: number, withDatabase: boolean): Pool =>
    createBackendPool({ ...backendServer, database, connectionLimit, connectTimeoutMs: 2000, queryTimeoutMs: 5000 }, withDatabase ? { logger } : { logger, database: null });

  try {
    const kafka = sasl
      ? createKafka({ brokers: sasl.brokers, clientId: namespace, logger, sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } })
      : createKafka({ brokers, clientId: namespace, logger });
    const admin = kafka.admin();
    push('disconnect the admin', () => admin.disconnect());
    await admin.connect();
    // null until ensureTopics answers: it may fail after creating some, and then whatever of ours
    // exists is deleted (the namespace is unique to this environment)
    const wanted = new Set((options.only ?? allTopics).map((logical) => names[logical]));
    let created: string[] | null = null;
    push('delete the topics', async () => {
      const ours = created ?? (await admin.listTopics()).filter((topic) => wanted.has(topic));
      if (ours.length > 0) await admin.deleteTopics({ topics: ours });
    });
    created = await ensureTopics(admin, { names, only: options.only, partitions: options.partitions, logger });

    if (withBackend) {
      push('drop the backend database', async () => {
        const server = pool(1, false);
        try {
          await server.query(`DROP DATABASE IF EXISTS \`${database}\``);
        } finally {
          await server.end();
        }
      });
    }

    const redis = createRedis({ url: redisUrl, connectTimeoutMs: 2000, commandTimeoutMs: 2000, maxRetriesPerRequest: 1 }, logger, 'baton-test');
    push('close redis', async () => {
      // QUIT needs a connection; one that never came up is only dropped
      if (redis.status === 'ready') await redis.quit();
      else redis.disconnect();
    });
    push('delete the redis keys', async () => {
      const left = await redis.keys(`${keyPrefix}:*`);
      if (left.length > 0) await redis.del(...left);
    });

    const producer = createProducer(kafka);
    push('disconnect the producer', () => producer.disconnect());
    await producer.connect();
    const publisher = createPublisher({ producer, names, logger, signer });

    return {
      namespace,
      brokers,
      sasl,
      names,
      kafka,
      admin,
      producer,
      signer,
      publisher,
      redis,
      redisUrl,
      keyPrefix,
      keys: createKeys(keyPrefix),
      backendServer,
      database,
      logger,
      env,
      async consume(o) {
        const consumer = await runConsumer({
          kafka,
          names,
          groupId: uniqueName(`${namespace}-${o.role}`),
          topics: o.topics,
          fromBeginning: true,
          ...(o.maxWaitTimeMs === undefined ? {} : { maxWaitTimeMs: o.maxWaitTimeMs }),
          deadLetterProducer: producer,
          signer,
          logger,
          handler: o.handler,
        });
        push(`stop the ${o.role} consumer`, () => consumer.stop());
        return consumer;
      },
      config: (extra = {}, file) => loadConfig({ env: { ...env, ...extra }, ...(file === undefined ? {} : { file }) }),
      backendPool(connectionLimit = 2) {
        if (!withBackend) throw new Error('this test environment has no backend database (backend: false)');
        const backend = pool(connectionLimit, true);
        push('end a backend pool', () => backend.end());
        return backend;
      },
      defer: (step) => push('a deferred step', step),
      async guard(setUp) {
        try {
          return await setUp();
        } catch (error) {
          await teardown();
          throw error;
        }
      },
      teardown,
    };
  } catch (error) {
    await teardown();
    throw error;
  }
}
