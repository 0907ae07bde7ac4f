/**
 * Starts the analyzer from a validated configuration: backend (migrated), Redis, Kafka topics,
 * producer, then the snapshot consumer last, so nothing is consumed before everything it needs is
 * up. Stopping runs the reverse, each step on its own: stop consuming (the in-flight snapshot
 * finishes), let the cache and change-log writes end, then close Kafka, Redis and the backend.
 * main.ts runs this under runService; the integration test runs it in-process.
 */
import { runStopSteps, type StopStep } from '@baton/runtime';
import type { BatonConfig } from '@baton/config';
import { topics } from '@baton/contracts';
import { createProducer, createPublisher, ensureServiceTopics, kafkaFromConfig, signerFromConfig, type RunningConsumer } from '@baton/kafka';
import type { Logger } from '@baton/logging';
import { consumerLagMetric, createRegistry, createServiceHealth, serveServiceMetrics, type Registry, type ServiceHealth } from '@baton/metrics';
import { openBackend } from '@baton/mysql';
import { createKeys, createRedis, waitForRedis } from '@baton/state';
import { SnapshotAnalyzer } from './analyze-and-publish.ts';
import { kafkaProbeRequester } from './probe-requester.ts';
import { createBackendChangelogStore } from './changelog.ts';
import { analysisPolicyFromConfig, analyzerSettings } from './config.ts';
import { consumeSnapshots, kafkaAnalysisPublisher } from './consume-snapshots.ts';
import { createRedisSnapshotCache } from './snapshot-cache.ts';
import { faultClockFromEnv } from './fault-clock.ts';
import { createAnalyzerMetrics } from './metrics.ts';

export type { StopStep };

export interface RunningAnalyzer {
  analyzer: SnapshotAnalyzer;
  consumer: RunningConsumer;
  /** This analyzer's Prometheus metrics (baton_analyzer_…). */
  registry: Registry;
  /** What /health/live and /health/ready answer: started, the snapshot consumer in its group. */
  health: ServiceHealth;
  /** In shutdown order; runService runs them one by one. */
  stopSteps: StopStep[];
  /** Runs every stop step, each in its own try/catch. Idempotent. */
  stop(): Promise<void>;
}

export interface StartAnalyzerOptions {
  /** A new consumer group starts at the beginning of the topic (tests); default false: only new snapshots. */
  fromBeginning?: boolean;
  /** Create the topics the analyzer uses when missing (default true). */
  ensureTopics?: boolean;
  /** The analyzer's wall clock (default: the system clock, shifted by BATON_FAULT_ANALYZER_CLOCK_OFFSET_MS when set; fault-clock.ts). */
  clock?: () => Date;
  newDetectionId?: () => string;
  /** Deadline for Redis to answer at start (default 10 s). */
  redisReadyTimeoutMs?: number;
  /** How long shutdown waits for the cache and change-log writes (default 5 s). */
  drainTimeoutMs?: number;
  /** The Prometheus registry to count into (default: a new one; served on analyzer.metricsPort when above 0). */
  registry?: Registry;
  /** The process's health, served with the metrics (default: a new one); the analyzer adds its checks. */
  health?: ServiceHealth;
}

export async function startAnalyzer(config: BatonConfig, logger: Logger, options: StartAnalyzerOptions = {}): Promise<RunningAnalyzer> {
  const settings = analyzerSettings(config);
  const policy = analysisPolicyFromConfig(config);
  // read before anything opens: a bad value stops the start here
  const clock = options.clock ?? faultClockFromEnv(process.env, logger);
  // filled in reverse order of opening: the last thing opened is closed first
  const closers: StopStep[] = [];
  const cleanup = () => runStopSteps(closers, logger);
  const health = options.health ?? createServiceHealth('analyzer');
  const starting = health.gate('start', 'starting');

  try {
    const { db } = await openBackend({ ...config.backend }, logger.child({ component: 'backend' }));
    closers.unshift({ name: 'backend', run: () => db.end() });

    const redis = createRedis(config.redis, logger.child({ component: 'redis' }), 'baton-analyzer');
    closers.unshift({ name: 'redis', run: () => closeRedis(redis) });
    await waitForRedis(redis, options.redisReadyTimeoutMs ?? 10_000);

    const registry = options.registry ?? createRegistry({ service: 'analyzer' });
    const metrics = createAnalyzerMetrics(registry);
    await serveServiceMetrics({ registry, port: config.analyzer.metricsPort, logger, closers, health });
    const lag = consumerLagMetric(registry, { logger });

    const signer = signerFromConfig(config.security);
    const kafka = kafkaFromConfig(config.kafka, 'analyzer', logger);
    if (options.ensureTopics ?? true) {
      await ensureServiceTopics(kafka, { names: settings.names, only: [topics.clusterSnapshots, topics.analyses, topics.probeRequests, topics.deadLetters], logger });
    }
    const producer = createProducer(kafka);
    await producer.connect();
    closers.unshift({ name: 'kafka producer', run: () => producer.disconnect() });
    const publisher = createPublisher({ producer, names: settings.names, logger, signer });

    const analyzer = new SnapshotAnalyzer({
      policy,
      publisher: metrics.publisher(kafkaAnalysisPublisher(publisher)),
      cache: createRedisSnapshotCache(redis, createKeys(settings.keyPrefix), settings.snapshotTtlMs),
      probeRequester: kafkaProbeRequester({ publisher, redis, keys: createKeys(settings.keyPrefix) }),
      changelog: createBackendChangelogStore(db),
      logger,
      ...(clock ? { clock } : {}),
      ...(options.newDetectionId ? { newDetectionId: options.newDetectionId } : {}),
    });
    metrics.setStats(() => analyzer.stats());
    closers.unshift({
      name: 'background writes',
      run: async () => {
        if (!(await analyzer.drain(options.drainTimeoutMs ?? 5000))) logger.warn(analyzer.stats().background, 'background writes still running at shutdown');
      },
    });

    const consumer = await consumeSnapshots({
      kafka,
      names: settings.names,
      groupId: settings.groupId,
      analyzer,
      logger,
      signer,
      partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      heartbeatIntervalMs: config.kafka.heartbeatIntervalMs,
      fromBeginning: options.fromBeginning ?? false,
      onAnalysed: (delayMs) => metrics.observeSnapshotDelay(delayMs),
    });
    closers.unshift({ name: 'snapshot consumer', run: () => consumer.stop() });
    health.readiness('snapshot consumer', () => consumer.health());
    lag.add(consumer);
    starting.open();

    logger.info({ groupId: settings.groupId, topic: settings.names[topics.clusterSnapshots] }, 'analyzer consuming snapshots');
    let stopping: Promise<void> | undefined;
    return {
      analyzer,
      consumer,
      registry,
      health,
      stopSteps: closers,
      stop: () => (stopping ??= cleanup()),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function closeRedis(redis: ReturnType<typeof createRedis>): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
