/**
 * Starts the api from a validated configuration: backend (migrated), Redis, the commands producer,
 * the registry follower and the recovery-event follower, then fastify listening on api.host:port.
 * Stopping runs the reverse, each step on its own: close fastify (in-flight requests finish), stop
 * following, then close Kafka, Redis and the backend. main.ts runs this under runService; the
 * integration tests run it in-process.
 */
import type { FastifyInstance } from 'fastify';
import type { BatonConfig } from '@baton/config';
import { topics } from '@baton/contracts';
import { consumerGroupId, createProducer, createPublisher, ensureServiceTopics, kafkaFromConfig, signerFromConfig, topicNamesFromConfig } from '@baton/kafka';
import type { Logger } from '@baton/logging';
import { createRegistry, createServiceHealth, serveServiceMetrics, type ServiceHealth } from '@baton/metrics';
import { openBackend } from '@baton/mysql';
import { runStopSteps, type StopStep } from '@baton/runtime';
import { createKeys, createRedis, waitForRedis } from '@baton/state';
import { backendAuditReader } from './adapters/backend-audit.ts';
import { followTopic } from './adapters/follow-topic.ts';
import { DeadLetterBook, deadLetterHandler, kafkaCommandPublisher, NotAttemptedBook, recoveryEventHandler, registryHandler, RegistryTable } from './adapters/kafka-adapters.ts';
import { redisStateReader } from './adapters/redis-state.ts';
import { build } from './app.ts';
import type { ApiDeps } from './ports.ts';
import { apiSettings } from './settings.ts';

export interface RunningApi {
  app: FastifyInstance;
  /** `http://host:port` actually listened on (port 0 in the config picks a free one). */
  url: string;
  /** What /health/live and /health/ready (on api.metricsPort) answer: listening, every follower in its group, the registry read. */
  health: ServiceHealth;
  stopSteps: StopStep[];
  stop(): Promise<void>;
}

export interface StartApiOptions {
  /** Create the topics the api uses when missing (default true). */
  ensureTopics?: boolean;
  /** Listen on this port instead of api.port (tests: 0). */
  port?: number;
  /** Deadline for Redis to answer at start (default 10 s). */
  redisReadyTimeoutMs?: number;
  /** Wait until the registry has been read to its end before listening (default true). */
  waitForRegistry?: boolean;
  pollIntervalMs?: number;
  /** The process's health, served with the metrics (default: a new one); the api adds its checks. */
  health?: ServiceHealth;
}

export async function startApi(config: BatonConfig, logger: Logger, options: StartApiOptions = {}): Promise<RunningApi> {
  const settings = apiSettings(config);
  const names = topicNamesFromConfig(config.kafka);
  const closers: StopStep[] = [];
  const cleanup = () => runStopSteps(closers, logger);
  const health = options.health ?? createServiceHealth('api');
  const starting = health.gate('start', 'starting');
  try {
    const { db } = await openBackend({ ...config.backend }, logger.child({ component: 'backend' }));
    closers.unshift({ name: 'backend', run: () => db.end() });

    const redis = createRedis(config.redis, logger.child({ component: 'redis' }), 'baton-api');
    closers.unshift({ name: 'redis', run: () => redis.quit().then(() => undefined, () => redis.disconnect()) });
    await waitForRedis(redis, options.redisReadyTimeoutMs ?? 10_000);

    const kafka = kafkaFromConfig(config.kafka, 'api', logger);
    if (options.ensureTopics ?? true) {
      await ensureServiceTopics(kafka, { names, only: [topics.commands, topics.clusterRegistry, topics.recoveryEvents, topics.deadLetters], logger });
    }
    const producer = createProducer(kafka);
    await producer.connect();
    closers.unshift({ name: 'kafka producer', run: () => producer.disconnect() });
    const signer = signerFromConfig(config.security);
    const commands = kafkaCommandPublisher(createPublisher({ producer, names, logger, signer }), producer);

    const registry = new RegistryTable();
    const consumerTimeouts = { sessionTimeoutMs: config.kafka.sessionTimeoutMs, heartbeatIntervalMs: config.kafka.heartbeatIntervalMs };
    const registryFollower = await followTopic({ kafka, names, topic: topics.clusterRegistry, groupPrefix: consumerGroupId(config.kafka, 'baton-api-registry'), fromBeginning: true, signer, logger, onMessage: registryHandler(registry), ...consumerTimeouts });
    closers.unshift({ name: 'registry follower', run: () => registryFollower.stop() });
    registry.setReadiness(registryFollower.isCaughtUp);
    const book = new NotAttemptedBook();
    const eventFollower = await followTopic({ kafka, names, topic: topics.recoveryEvents, groupPrefix: consumerGroupId(config.kafka, 'baton-api-events'), fromBeginning: false, signer, logger, onMessage: recoveryEventHandler(book), ...consumerTimeouts });
    closers.unshift({ name: 'recovery-event follower', run: () => eventFollower.stop() });
    const deadLetters = new DeadLetterBook();
    const deadLetterFollower = await followTopic({ kafka, names, topic: topics.deadLetters, envelopesOf: topics.commands, groupPrefix: consumerGroupId(config.kafka, 'baton-api-dead-letters'), fromBeginning: false, signer, logger, onMessage: deadLetterHandler(deadLetters, names[topics.commands]), ...consumerTimeouts });
    closers.unshift({ name: 'dead-letter follower', run: () => deadLetterFollower.stop() });
    if (options.waitForRegistry ?? true) await registryFollower.caughtUp;
    health.readiness('registry follower', () => registryFollower.health() ?? (registryFollower.isCaughtUp() ? null : 'the cluster registry is not read to its end yet'));
    health.readiness('recovery-event follower', () => eventFollower.health());
    health.readiness('dead-letter follower', () => deadLetterFollower.health());

    const deps: ApiDeps = {
      state: redisStateReader(redis, createKeys(config.redis.keyPrefix)),
      registry,
      audit: backendAuditReader(db),
      commands,
      events: book,
      deadLetters,
      ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    };
    const metrics = createRegistry({ service: 'api' });
    await serveServiceMetrics({ registry: metrics, port: config.api.metricsPort, logger, closers, health });
    const app = await build(settings, deps, { logger: logger.child({ component: 'http' }), registry: metrics });
    closers.unshift({ name: 'http server', run: () => app.close() });
    const address = await app.listen({ host: config.api.host, port: options.port ?? config.api.port });
    logger.info({ address, prefix: `${settings.urlPrefix}/api` }, 'api listening');
    starting.open();
    let stopping: Promise<void> | undefined;
    return { app, url: address, health, stopSteps: closers, stop: () => (stopping ??= cleanup()) };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
