/**
 * The detector, in-process: Redis, the Kafka topics it uses, one producer (snapshots,
 * registrations, dead letters — kafkajs sends each `send` at once, no linger), then three
 * consumers — registry ownership (group `baton-detector`), probe requests (a group of its own:
 * broadcast) and commands (group `baton-detector-commands`) — and finally the config seeds are
 * discovered and registered. `ready` resolves when all of that has happened once (a seed that
 * fails is retried in the background). Stopping: consumers first (the registry group hands this
 * detector's clusters over at once), then every cluster's run and connections, then the producer
 * and Redis — each step on its own.
 */
import { runStopSteps, type StopStep } from '@baton/runtime';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { BatonConfig } from '@baton/config';
import { createEnvelope, topics, type ClusterSnapshot, type InstanceObservation } from '@baton/contracts';
import { consumerGroupId, createProducer, createPublisher, ensureServiceTopics, kafkaFromConfig, signerFromConfig, type RunningConsumer, type TopicNames } from '@baton/kafka';
import type { Logger } from '@baton/logging';
import { consumerLagMetric, createRegistry, createServiceHealth, serveServiceMetrics, type Registry, type ServiceHealth } from '@baton/metrics';
import { InstanceProber } from '@baton/mysql';
import { createKeys, createRedis, waitForRedis } from '@baton/state';
import { ClusterFleet } from './cluster-fleet.ts';
import type { ProberFactory } from './cluster-monitor.ts';
import { consumeCommands } from './commands.ts';
import { defaultCommandsGroupId, defaultGroupId, detectorSettings, type DetectorConfigSections } from './config.ts';
import { Limiter } from './limiter.ts';
import { createDetectorMetrics } from './metrics.ts';
import { consumeProbeRequests } from './probe-requests.ts';
import { readRegistry } from './read-registry.ts';
import { startRegistryConsumer, type RegistryConsumer } from './registry-consumer.ts';
import { producerName } from './register-cluster.ts';
import { registerSeeds } from './seed-registration.ts';

export interface StartDetectorOptions {
  config: DetectorConfigSections | BatonConfig;
  logger: Logger;
  /** Physical topic names (default: from kafka.topicPrefix). */
  names?: TopicNames;
  /** Registry ownership group (default baton-detector). */
  groupId?: string;
  /** Group of the commands consumer (default baton-detector-commands). */
  commandsGroupId?: string;
  /** Names this detector in snapshots (default host:pid:random). */
  detectorId?: string;
  /** Discover and register detector.seeds at start (default true). */
  registerSeeds?: boolean;
  /** Create missing topics (default true). */
  ensureTopics?: boolean;
  /** Deadline for Redis at start (default 10 s). */
  redisReadyTimeoutMs?: number;
  /** The registry consumer died for good: this detector owns nothing any more (main exits). */
  onFatal?: (error: Error) => void;
  /** For tests: replaces InstanceProber. */
  createProber?: ProberFactory;
  /** The Prometheus registry to count into (default: a new one; served on detector.metricsPort when above 0). */
  registry?: Registry;
  /** The process's health, served with the metrics (default: a new one); the detector adds its checks. */
  health?: ServiceHealth;
}

export type { StopStep };

export interface RunningDetector {
  detectorId: string;
  /** Consumers joined and config seeds registered (first attempt). Rejects when start fails. */
  ready: Promise<void>;
  /** Cluster ids this detector probes now. */
  ownedClusters(): string[];
  /** What this detector currently knows of an owned cluster's instances. */
  clusterInstances(clusterId: string): InstanceObservation[] | undefined;
  stats(): { clusters: number; instances: number; published: number; publishFailures: number };
  /** This detector's Prometheus metrics (baton_detector_…). */
  registry: Registry;
  /** What /health/live and /health/ready answer: started (ready), every consumer in its group. */
  health: ServiceHealth;
  /** Everything, in shutdown order, each step on its own. Idempotent. */
  stop(): Promise<void>;
}

const statusLogIntervalMs = 60_000;

export function startDetector(options: StartDetectorOptions): RunningDetector {
  const { config } = options;
  const settings = detectorSettings(config);
  const names = options.names ?? settings.names;
  const groupId = options.groupId ?? consumerGroupId(config.kafka, defaultGroupId);
  const signer = signerFromConfig(config.security);
  const detectorId = options.detectorId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const logger = options.logger.child({ detectorId });
  const closers: StopStep[] = []; // in shutdown order
  const consumers: Array<RunningConsumer | RegistryConsumer> = [];
  let fleet: ClusterFleet | undefined;
  let stopRequested = false;
  let stopSeeds: () => void = () => undefined;
  let statusTimer: NodeJS.Timeout | undefined;
  const registry = options.registry ?? createRegistry({ service: 'detector' });
  const health = options.health ?? createServiceHealth('detector');
  const startGate = health.gate('start', 'starting');
  const lag = consumerLagMetric(registry, { logger });
  const metrics = createDetectorMetrics({ registry, pollIntervalMs: settings.prober.pollIntervalMs, stats: () => fleet?.stats() ?? { clusters: 0, instances: 0 } });

  const checkNotStopped = (): void => {
    if (stopRequested) throw new Error('detector stopped during start');
  };

  async function start(): Promise<void> {
    const redis = createRedis(config.redis, logger.child({ component: 'redis' }), 'baton-detector');
    closers.push({ name: 'redis', run: () => redis.quit().then(() => undefined, () => redis.disconnect()) });
    await waitForRedis(redis, options.redisReadyTimeoutMs ?? 10_000);
    checkNotStopped();
    await serveServiceMetrics({ registry, port: config.detector.metricsPort, logger, closers, health });

    const kafka = kafkaFromConfig(config.kafka, 'detector', logger);
    if (options.ensureTopics ?? true) {
      const only = [topics.clusterRegistry, topics.clusterSnapshots, topics.probeRequests, topics.commands, topics.deadLetters];
      await ensureServiceTopics(kafka, { names, only, logger });
    }
    const producer = createProducer(kafka);
    await producer.connect();
    closers.unshift({ name: 'kafka producer', run: () => producer.disconnect() });
    const publisher = createPublisher({ producer, names, logger, signer });
    checkNotStopped();

    const createProber: ProberFactory = metrics.probers(options.createProber ?? ((o) => new InstanceProber(o)));
    const currentFleet = new ClusterFleet({
      detectorId,
      settings: settings.prober,
      limiter: new Limiter(settings.maxConcurrentProbes),
      forgetUnseenAfterMs: settings.forgetUnseenAfterMs,
      redis,
      keys: createKeys(settings.keyPrefix),
      createProber,
      logger,
      publish: metrics.publisher(async (snapshot: ClusterSnapshot, correlationId: string | undefined) => {
        const envelope = createEnvelope('cluster-snapshot', snapshot, {
          producer: producerName,
          occurredAt: snapshot.observedAt,
          ...(correlationId === undefined ? {} : { correlationId }),
        });
        await publisher.publish(topics.clusterSnapshots, snapshot.clusterId, envelope);
      }),
    });
    fleet = currentFleet;
    closers.unshift({ name: 'clusters', run: () => currentFleet.stop() });

    const session = { sessionTimeoutMs: config.kafka.sessionTimeoutMs, heartbeatIntervalMs: config.kafka.heartbeatIntervalMs };
    const registrations = () => readRegistry({ kafka, names, logger, signer, groupIdPrefix: config.kafka.groupIdPrefix });
    const started = await Promise.allSettled([
      startRegistryConsumer({
        kafka,
        names,
        groupId,
        logger,
        deadLetterProducer: producer,
        signer,
        onOwnership: (owned) => void currentFleet.own(owned),
        onCrash: (error) => (options.onFatal ? options.onFatal(error) : undefined),
        ...session,
      }),
      consumeProbeRequests({
        kafka,
        names,
        groupId: `${groupId}-probe-requests-${detectorId.replace(/[^A-Za-z0-9.-]/g, '-')}`,
        logger,
        deadLetterProducer: producer,
        signer,
        request: (clusterId, request) => currentFleet.request(clusterId, request),
        ...session,
      }),
      consumeCommands({
        kafka,
        names,
        groupId: options.commandsGroupId ?? consumerGroupId(config.kafka, defaultCommandsGroupId),
        logger,
        publisher,
        deadLetterProducer: producer,
        signer,
        maxCommandAgeMs: config.security.commandMaxAgeMs,
        discovery: settings.discovery,
        registrations,
        ...session,
      }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') consumers.push(s.value);
    // consumers stop first: leaving the registry group hands the clusters over at once
    closers.unshift({ name: 'consumers', run: () => Promise.allSettled(consumers.map((c) => c.stop())).then(() => undefined) });
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    await Promise.all(consumers.map((c) => c.ready));
    checkNotStopped();
    const what = ['registry consumer', 'probe-request consumer', 'command consumer'];
    consumers.forEach((c, i) => {
      health.readiness(what[i] ?? `consumer ${i + 1}`, () => c.health());
      if ('lag' in c) lag.add(c);
    });

    statusTimer = setInterval(() => logger.info({ ...currentFleet.stats(), owned: currentFleet.clusterIds() }, 'detector status'), statusLogIntervalMs);
    statusTimer.unref();

    if ((options.registerSeeds ?? true) && settings.seeds.length > 0) {
      const seeds = registerSeeds({ seeds: settings.seeds, discovery: settings.discovery, publisher, registrations, logger });
      stopSeeds = seeds.stop;
      await seeds.firstAttempt;
    }
    logger.info({ groupId, owned: currentFleet.clusterIds(), pollIntervalMs: settings.prober.pollIntervalMs }, 'detector ready');
    startGate.open();
  }

  const starting = start();
  const ready = starting.catch(async (error: unknown) => {
    logger.error({ err: error }, 'detector start failed');
    await stop();
    throw error;
  });
  ready.catch(() => undefined);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      stopRequested = true;
      await starting.catch(() => undefined);
      stopSeeds();
      if (statusTimer) clearInterval(statusTimer);
      await runStopSteps(closers, logger);
      logger.info('detector stopped');
    })());

  return {
    detectorId,
    ready,
    ownedClusters: () => fleet?.clusterIds() ?? [],
    clusterInstances: (clusterId) => fleet?.monitor(clusterId)?.instances(),
    stats: () => fleet?.stats() ?? { clusters: 0, instances: 0, published: 0, publishFailures: 0 },
    registry,
    health,
    stop,
  };
}
