/**
 * Starts the hook-runner from a validated configuration: Redis, Kafka topics, producer, then the
 * hook-request consumer last. Stopping runs in order, each step on its own: stop consuming (the
 * in-flight request finishes, or is abandoned at the consumer's stop deadline), kill every hook
 * process group still running (async hooks, leftovers) and stop webhook retries, then close Kafka
 * and Redis. main.ts runs this under runService; the integration tests and the benchmark run it
 * in-process.
 */
import { runStopSteps, type StopStep } from '@baton/runtime';
import { hostname } from 'node:os';
import type { BatonConfig } from '@baton/config';
import { topics } from '@baton/contracts';
import { BatonError } from '@baton/errors';
import { consumerGroupId, createProducer, createPublisher, ensureServiceTopics, kafkaFromConfig, runConsumer, signerFromConfig, type RunningConsumer, type TopicNames } from '@baton/kafka';
import type { Logger } from '@baton/logging';
import { consumerLagMetric, createRegistry, createServiceHealth, serveServiceMetrics, type Registry, type ServiceHealth } from '@baton/metrics';
import { createKeys, createRedis, waitForRedis } from '@baton/state';
import { defaultGroupId, hookRunnerSettings, listWorstCaseMs } from './config.ts';
import { createRequestHandler, type RequestHandler } from './handle-request.ts';
import { runHookList } from './run-hook-list.ts';
import { ProcessSupervisor } from './run-process.ts';
import { createHookRunnerMetrics } from './metrics.ts';

export type { StopStep };

export interface StartHookRunnerOptions {
  config: BatonConfig;
  logger: Logger;
  /** Physical topic names (default: from kafka.topicPrefix). */
  names?: TopicNames;
  /** Redis key prefix (default: redis.keyPrefix). */
  keyPrefix?: string;
  /** Consumer group (default baton-hook-runner). */
  groupId?: string;
  /** A new group starts at the beginning of the topic (tests); default false. */
  fromBeginning?: boolean;
  /** Create the topics the runner uses when missing (default true). */
  ensureTopics?: boolean;
  /** Partitions handled at once; one cluster's requests stay in order (default 12: every partition). */
  partitionsConsumedConcurrently?: number;
  /** Environment hooks inherit, before secrets are dropped (default process.env). */
  inheritedEnv?: Readonly<Record<string, string | undefined>>;
  /** For {orchestratorHost} when a request does not say (default os.hostname()). */
  hostname?: string;
  /** How long stop() waits for an in-flight request (default 10 s). */
  stopTimeoutMs?: number;
  /** The Prometheus registry to count into (default: a new one; served on hooks.metricsPort when above 0). */
  registry?: Registry;
  /** The process's health, served with the metrics (default: a new one); the runner adds its checks. */
  health?: ServiceHealth;
}

export interface RunningHookRunner {
  consumer: RunningConsumer;
  handler: RequestHandler;
  supervisor: ProcessSupervisor;
  /** This runner's Prometheus metrics (baton_hook_…). */
  registry: Registry;
  /** What /health/live and /health/ready answer: started, the hook-request consumer in its group. */
  health: ServiceHealth;
  /** In shutdown order; runService runs them one by one. */
  stopSteps: StopStep[];
  /** Runs every stop step, each in its own try/catch. Idempotent. */
  stop(): Promise<void>;
}

/** Broker and Redis errors are worth another attempt; Baton's own non-retryable errors are not. */
function retryable(error: unknown): boolean {
  return !(error instanceof BatonError) || error.retryable;
}

export async function startHookRunner(options: StartHookRunnerOptions): Promise<RunningHookRunner> {
  const { config } = options;
  const logger = options.logger;
  const settings = hookRunnerSettings(config);
  const names = options.names ?? settings.names;
  const groupId = options.groupId ?? consumerGroupId(config.kafka, defaultGroupId);
  const signer = signerFromConfig(config.security);
  const keyPrefix = options.keyPrefix ?? settings.keyPrefix;
  const closers: StopStep[] = [];
  const cleanup = () => runStopSteps(closers, logger);
  const health = options.health ?? createServiceHealth('hook-runner');
  const starting = health.gate('start', 'starting');

  try {
    const redis = createRedis(config.redis, logger.child({ component: 'redis' }), 'baton-hook-runner');
    closers.unshift({
      name: 'redis',
      run: async () => {
        await redis.quit().catch(() => redis.disconnect());
      },
    });
    await waitForRedis(redis, config.redis.connectTimeoutMs * 5);
    const registry = options.registry ?? createRegistry({ service: 'hook-runner' });
    const metrics = createHookRunnerMetrics(registry);
    await serveServiceMetrics({ registry, port: config.hooks.metricsPort, logger, closers, health });
    const lag = consumerLagMetric(registry, { logger });

    const kafka = kafkaFromConfig(config.kafka, 'hook-runner', logger);
    if (options.ensureTopics ?? true) {
      await ensureServiceTopics(kafka, { names, only: [topics.hookRequests, topics.hookResults, topics.deadLetters], logger });
    }
    const producer = createProducer(kafka);
    await producer.connect();
    closers.unshift({ name: 'kafka producer', run: () => producer.disconnect() });
    const publisher = createPublisher({ producer, names, logger, signer });

    const supervisor = new ProcessSupervisor(logger.child({ component: 'processes' }));
    const shutdown = new AbortController();
    const background = new Set<Promise<unknown>>();
    closers.unshift({
      name: 'hook processes and webhooks',
      run: async () => {
        shutdown.abort();
        await supervisor.close(settings.killGraceMs);
        await Promise.allSettled([...background]);
      },
    });

    const host = options.hostname ?? hostname();
    const inheritedEnv = options.inheritedEnv ?? process.env;
    const handler = createRequestHandler({
      redis,
      keys: createKeys(keyPrefix),
      publisher,
      logger,
      ttlMs: settings.processedTtlMs,
      owner: `${host}:${process.pid}`,
      worstCaseMs: (request) => listWorstCaseMs(settings.lists[request.hookKind], settings.killGraceMs),
      run: (request, requestLogger) =>
        runHookList(request, settings.lists[request.hookKind], {
          supervisor,
          shell: settings.shell,
          killGraceMs: settings.killGraceMs,
          maxOutputBytes: settings.maxOutputBytes,
          inheritedEnv,
          hostname: host,
          logger: requestLogger,
          signal: shutdown.signal,
          background: (work) => {
            background.add(work);
            void work.finally(() => background.delete(work));
          },
        }).then((result) => {
          metrics.observe(result);
          return result;
        }),
    });

    const consumer = await runConsumer({
      kafka,
      names,
      groupId,
      topics: [topics.hookRequests],
      handler: handler.handle,
      logger,
      signer,
      // a captured hook request must not run its hooks again later
      maxMessageAgeMs: config.security.commandMaxAgeMs,
      deadLetterProducer: producer,
      fromBeginning: options.fromBeginning ?? false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 12,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      heartbeatIntervalMs: config.kafka.heartbeatIntervalMs,
      maxAttempts: 5,
      isRetryable: retryable,
      stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
    });
    closers.unshift({ name: 'hook-request consumer', run: () => consumer.stop() });
    health.readiness('hook-request consumer', () => consumer.health());
    lag.add(consumer);
    starting.open();

    logger.info({ groupId, topic: names[topics.hookRequests] }, 'hook-runner consuming hook requests');
    let stopping: Promise<void> | undefined;
    return { consumer, handler, supervisor, registry, health, stopSteps: closers, stop: () => (stopping ??= cleanup()) };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
