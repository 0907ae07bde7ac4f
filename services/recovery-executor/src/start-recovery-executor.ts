/**
 * Starts the recovery executor from a validated configuration: backend (migrated), Redis, the
 * Kafka topics it uses, one producer (hook requests, recovery events, dead letters), the hook
 * result consumer of this process (joined before anything can ask for a hook), then the commands
 * consumer and, last, the analyses consumer. Stopping, each step on its own (conventions §15):
 * refuse new work (a recovery that has not touched the topology stops at its next step), stop
 * both consumers, wait for running recoveries up to a deadline, let the audit writes finish, stop
 * the hook-result consumer, then close Kafka, Redis and the backend (the lease is released by
 * each recovery itself, in its `finally`).
 */
import { randomBytes } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import type { Redis } from 'ioredis';
import { runStopSteps, type StopStep } from '@baton/runtime';
import type { BatonConfig } from '@baton/config';
import { createEnvelope, topics, type ClusterSnapshot } from '@baton/contracts';
import { MessageValidationError } from '@baton/errors';
import { consumerGroupId, createProducer, createPublisher, ensureServiceTopics, kafkaFromConfig, runConsumer, signerFromConfig, type RunningConsumer, type TopicNames } from '@baton/kafka';
import type { Logger } from '@baton/logging';
import { consumerLagMetric, createRegistry, createServiceHealth, serveServiceMetrics, type Registry, type ServiceHealth } from '@baton/metrics';
import { openBackend, type InstanceAnnotations } from '@baton/mysql';
import { createKeys, createRedis, LeaseManager, parseCandidateValue, parseDowntimeValue, waitForRedis, type Keys } from '@baton/state';
import { createAudit } from './audit.ts';
import { BackendRecoveryJournal } from './backend-journal.ts';
import { BackendRecoveryStore } from './backend-store.ts';
import { faultActionFromEnv, faultFromEnv } from './fault-points.ts';
import { FenceKeeper } from './fence-keeper.ts';
import { LossWatcher } from './loss-watch.ts';
import { OldPrimaryRejoin } from './rejoin.ts';
import { FenceLines } from './fence-lines.ts';
import { clusterPrimaryOf } from './steps/decisions.ts';
import { BackendDemotedPrimaries } from './backend-demoted.ts';
import { consumeCommands, matching } from './commands.ts';
import { RecoveryExecutor } from './executor.ts';
import { TopologyOperations } from './operations/run-operation.ts';
import { operationServers } from './operations/servers.ts';
import { createExecutorMetrics } from './metrics.ts';
import { startKafkaHookClient } from './hooks-client.ts';
import { RedisRecoveryState } from './registration.ts';
import { defaultCommandsGroupId, executorSettings, hookResultMarginMs, hookResultsGroupPrefix } from './settings.ts';
import { createTopologyAccess } from './steps/topology.ts';

export type { StopStep };

export interface StartRecoveryExecutorOptions {
  config: BatonConfig;
  logger: Logger;
  /** Physical topic names (default: from kafka.topicPrefix). */
  names?: TopicNames;
  /** Analyses group (default baton-recovery-executor). */
  groupId?: string;
  /** Commands group (default baton-recovery-executor-commands). */
  commandsGroupId?: string;
  /** This process in locks, rows and its hook-results group (default host:pid:random). */
  owner?: string;
  /** A new group starts at the beginning of its topics (tests); default false. */
  fromBeginning?: boolean;
  /** Create missing topics (default true). */
  ensureTopics?: boolean;
  maxAnalysisAgeMs?: number;
  fenceTimeoutMs?: number;
  /** How long shutdown waits for running recoveries (default recovery.recoveryDeadlineMs). */
  shutdownWaitMs?: number;
  redisReadyTimeoutMs?: number;
  clock?: () => Date;
  /** {orchestratorHost} (default os.hostname()). */
  hostname?: string;
  /** The Prometheus registry to count into (default: a new one; served on recovery.metricsPort when above 0). */
  registry?: Registry;
  /** The process's health, served with the metrics (default: a new one); the executor adds its checks. */
  health?: ServiceHealth;
}

export interface RunningRecoveryExecutor {
  owner: string;
  executor: RecoveryExecutor;
  state: RedisRecoveryState;
  consumers: RunningConsumer[];
  /** This executor's Prometheus metrics (baton_recoveries_total, baton_recovery_phase_duration_seconds, …). */
  registry: Registry;
  /** What /health/live and /health/ready answer: started, every consumer in its group, the warm-up over. */
  health: ServiceHealth;
  /** In shutdown order; runService runs them one by one. */
  stopSteps: StopStep[];
  /** Runs every stop step, each in its own try/catch. Idempotent. */
  stop(): Promise<void>;
}

/** Promotion rules and downtimes of instances, as the detector reads them (one MGET, one hash slot). */
function redisAnnotations(redis: Redis, keys: Keys, clock: () => Date) {
  return async (clusterId: string, ids: readonly string[]): Promise<ReadonlyMap<string, InstanceAnnotations>> => {
    if (ids.length === 0) return new Map();
    const values = await redis.mget(...ids.flatMap((id) => [keys.candidate(clusterId, id), keys.downtime(clusterId, id)]));
    const at = clock();
    return new Map(
      ids.map((id, i) => [id, { promotionRule: parseCandidateValue(values[2 * i] ?? null).promotionRule, downtime: parseDowntimeValue(values[2 * i + 1] ?? null, at).downtime }]),
    );
  };
}

/** Ends the downtime a recovery put on a failed primary (owner baton, lost-in-recovery), never an operator's. */
async function endRecoveryDowntime(redis: Redis, keys: Keys, clusterId: string, instance: string, now: Date): Promise<boolean> {
  const key = keys.downtime(clusterId, instance);
  const { downtime } = parseDowntimeValue(await redis.get(key), now);
  if (!downtime || downtime.owner !== 'baton' || downtime.reason !== 'lost-in-recovery') return false;
  return (await redis.del(key)) === 1;
}

/** Every cluster the analyzer cached a snapshot of: its primary gets a fence line (at most every refresh period). */
async function trackPrimaries(redis: Redis, keys: Keys, lines: FenceLines): Promise<void> {
  for (const key of await matching(redis, keys.snapshot('*'))) {
    const raw = await redis.get(key);
    if (!raw) continue;
    let snapshot: ClusterSnapshot;
    try {
      snapshot = JSON.parse(raw) as ClusterSnapshot;
    } catch {
      continue;
    }
    if (typeof snapshot.clusterId !== 'string' || !Array.isArray(snapshot.instances) || !lines.due(snapshot.clusterId)) continue;
    lines.track(snapshot.clusterId, clusterPrimaryOf(snapshot));
  }
}

export async function startRecoveryExecutor(options: StartRecoveryExecutorOptions): Promise<RunningRecoveryExecutor> {
  const { config } = options;
  const startedAtMs = Date.now();
  const owner = options.owner ?? `${osHostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const logger = options.logger.child({ owner });
  const settings = executorSettings(config, {
    ...(options.maxAnalysisAgeMs === undefined ? {} : { maxAnalysisAgeMs: options.maxAnalysisAgeMs }),
    ...(options.fenceTimeoutMs === undefined ? {} : { fenceTimeoutMs: options.fenceTimeoutMs }),
  });
  const names = options.names ?? settings.names;
  const clock = options.clock ?? (() => new Date());
  const closers: StopStep[] = []; // in shutdown order
  const cleanup = () => runStopSteps(closers, logger);
  const health = options.health ?? createServiceHealth('recovery-executor');
  const starting = health.gate('start', 'starting');

  try {
    const { db } = await openBackend({ ...config.backend }, logger.child({ component: 'backend' }));
    closers.unshift({ name: 'backend', run: () => db.end() });

    const redis = createRedis(config.redis, logger.child({ component: 'redis' }), 'baton-recovery-executor');
    closers.unshift({ name: 'redis', run: () => redis.quit().then(() => undefined, () => redis.disconnect()) });
    await waitForRedis(redis, options.redisReadyTimeoutMs ?? 10_000);
    const keys = createKeys(settings.keyPrefix);

    const signer = signerFromConfig(config.security);
    const kafka = kafkaFromConfig(config.kafka, 'recovery-executor', logger);
    if (options.ensureTopics ?? true) {
      const only = [topics.analyses, topics.commands, topics.probeRequests, topics.hookRequests, topics.hookResults, topics.recoveryEvents, topics.deadLetters];
      await ensureServiceTopics(kafka, { names, only, logger });
    }
    const producer = createProducer(kafka);
    await producer.connect();
    closers.unshift({ name: 'kafka producer', run: () => producer.disconnect() });
    const publisher = createPublisher({ producer, names, logger, signer });

    const registry = options.registry ?? createRegistry({ service: 'recovery-executor' });
    const metrics = createExecutorMetrics({ registry });
    await serveServiceMetrics({ registry, port: config.recovery.metricsPort, logger, closers, health });
    const lag = consumerLagMetric(registry, { logger });

    const store = new BackendRecoveryStore(db);
    const audit = metrics.observe(createAudit({
      store,
      logger,
      clock,
      events: {
        publish: async (event, correlationId) => {
          const envelope = createEnvelope('recovery-event', event, { producer: 'recovery-executor', ...(correlationId ? { correlationId } : {}) });
          await publisher.publish(topics.recoveryEvents, event.clusterId, envelope);
        },
      },
    }));
    closers.unshift({
      name: 'audit writes',
      run: async () => {
        if (!(await audit.drain(5000))) logger.warn(audit.stats(), 'audit writes still pending at shutdown');
      },
    });

    const session = { sessionTimeoutMs: config.kafka.sessionTimeoutMs, heartbeatIntervalMs: config.kafka.heartbeatIntervalMs };
    const hooks = await startKafkaHookClient({
      kafka,
      names,
      publisher,
      deadLetterProducer: producer,
      groupId: consumerGroupId(config.kafka, `${hookResultsGroupPrefix}-${owner.replace(/[^A-Za-z0-9.-]/g, '-')}`),
      signer,
      logger: logger.child({ component: 'hooks' }),
      lists: settings.hooks,
      marginMs: hookResultMarginMs,
      ...session,
    });
    closers.unshift({ name: 'hook-result consumer', run: () => hooks.stop() });
    health.readiness('hook-result consumer', () => hooks.consumer.health());
    lag.add(hooks.consumer);

    const leases = new LeaseManager({ redis, keys, logger: logger.child({ component: 'lease' }), owner });
    const state = new RedisRecoveryState({
      redis,
      keys,
      leases,
      logger,
      gracePeriodMs: settings.gracePeriodMs,
      ioRestartThrottleMs: settings.ioRestartThrottleMs,
      detectionPeriodMs: settings.detectionPeriodMs,
      recoveryBlockMs: settings.recoveryBlockMs,
      lockTtlMs: settings.lockTtlMs,
    });
    const topology = createTopologyAccess({ settings, logger, owner: `recovery-executor:${owner}`, annotations: redisAnnotations(redis, keys, clock), now: clock });
    const journal = new BackendRecoveryJournal(db);
    const lossWatch = new LossWatcher({
      db,
      audit,
      logger: logger.child({ component: 'loss-watch' }),
      user: settings.mysql.user,
      password: settings.mysql.password,
      watchForMs: settings.lossReportWatchMs,
    });
    // a returned old primary holding nothing the new primary lacks rejoins as a replica (rejoin.ts)
    const rejoin = settings.rejoinOldPrimary
      ? new OldPrimaryRejoin({
          db,
          audit,
          logger: logger.child({ component: 'rejoin' }),
          user: settings.mysql.user,
          password: settings.mysql.password,
          replicationUser: settings.mysql.replicationUser,
          replicationPassword: settings.mysql.replicationPassword,
          lossReports: lossWatch,
          snapshot: (clusterId) => state.cachedSnapshot(clusterId),
          endDowntime: (clusterId, instance) => endRecoveryDowntime(redis, keys, clusterId, instance, clock()),
        })
      : undefined;
    const keeper = new FenceKeeper({
      store: new BackendDemotedPrimaries(db),
      audit,
      logger: logger.child({ component: 'fence-keeper' }),
      user: settings.mysql.user,
      password: settings.mysql.password,
      intervalMs: settings.fenceKeeperIntervalMs,
      // asked again every poll interval: a snapshot cached before the promotion names no primary yet
      ...(rejoin ? { rejoin, rejoinRetryMs: Math.max(250, settings.pollIntervalMs) } : {}),
    });
    closers.unshift({ name: 'fence keeper', run: () => keeper.stop() });
    lossWatch.start();
    closers.unshift({ name: 'loss watcher', run: async () => lossWatch.stop() });
    const lines = new FenceLines({ user: settings.mysql.user, password: settings.mysql.password, logger: logger.child({ component: 'fence-lines' }) });
    closers.unshift({ name: 'fence lines', run: async () => lines.stop() });
    const executor = new RecoveryExecutor({
      settings,
      state,
      store,
      audit,
      hooks,
      topology,
      logger,
      owner,
      hostname: options.hostname ?? osHostname(),
      clock,
      startedAtMs,
      journal,
      fault: faultFromEnv(),
      faultAction: faultActionFromEnv(),
      keeper,
      lines,
      lossWatch,
    });
    metrics.setDroppedStale(() => executor.stats().droppedStaleAnalyses);
    // every executor keeps every demoted primary fenced: now, and whenever one was added elsewhere;
    // and a fence line open to every cluster's primary, as the analyzer last cached it
    const keepAll = (): void => {
      keeper.sync().catch((err: unknown) => logger.warn({ err }, 'loading the demoted primaries failed'));
      lossWatch.sync().catch((err: unknown) => logger.warn({ err }, 'loading the pending loss reports failed'));
      trackPrimaries(redis, keys, lines).catch((err: unknown) => logger.warn({ err }, 'looking up the primaries for the fence lines failed'));
    };
    keepAll();
    // the takeover sweep: at the end of the warm-up, then every half takeover period
    const sweepEveryMs = Math.max(250, Math.floor(settings.takeoverAfterMs / 2));
    const sweeper = setInterval(() => {
      executor.sweep().catch((err: unknown) => logger.warn({ err }, 'takeover sweep failed'));
      keepAll();
    }, sweepEveryMs);
    sweeper.unref();
    closers.unshift({ name: 'takeover sweep', run: () => clearInterval(sweeper) });
    const shutdownWaitMs = options.shutdownWaitMs ?? settings.recoveryDeadlineMs;
    closers.unshift({
      name: 'running recoveries',
      run: async () => {
        if (!(await executor.idle(shutdownWaitMs))) logger.warn({ shutdownWaitMs }, 'recoveries still running at shutdown');
      },
    });

    const consumers: RunningConsumer[] = [];
    closers.unshift({ name: 'consumers', run: () => Promise.allSettled(consumers.map((c) => c.stop())).then(() => undefined) });
    closers.unshift({ name: 'refuse new work', run: () => executor.beginShutdown() });

    consumers.push(
      await consumeCommands({
        kafka,
        names,
        groupId: options.commandsGroupId ?? consumerGroupId(config.kafka, defaultCommandsGroupId),
        deadLetterProducer: producer,
        signer,
        maxCommandAgeMs: config.security.commandMaxAgeMs,
        redis,
        keys,
        store,
        executor,
        operations: new TopologyOperations({ redis, keys, state, servers: operationServers(topology, settings), audit, logger: logger.child({ component: 'operations' }), settings, clock }),
        audit,
        logger,
        candidateTtlMs: settings.candidateTtlMs,
        processedTtlMs: settings.processedTtlMs,
        clock,
        fromBeginning: options.fromBeginning ?? false,
        ...session,
      }),
    );
    consumers.push(
      await runConsumer({
        kafka,
        names,
        groupId: options.groupId ?? settings.groupId,
        topics: [topics.analyses],
        logger,
        signer,
        deadLetterProducer: producer,
        fromBeginning: options.fromBeginning ?? false,
        maxWaitTimeMs: 100,
        partitionsConsumedConcurrently: 4,
        ...session,
        handler: async ({ envelope }) => {
          if (envelope.type !== 'analysis') throw new MessageValidationError(`expected an analysis, got ${envelope.type}`);
          const verdict = executor.handleAnalysis(envelope.payload, envelope.correlationId);
          if (verdict !== 'queued' && verdict !== 'no-problem') logger.debug({ clusterId: envelope.payload.clusterId, verdict }, 'analysis not acted on');
        },
      }),
    );
    await Promise.all(consumers.map((c) => c.ready));
    const [commandConsumer, analysisConsumer] = consumers as [RunningConsumer, RunningConsumer];
    health.readiness('command consumer', () => commandConsumer.health());
    health.readiness('analysis consumer', () => analysisConsumer.health());
    for (const c of consumers) lag.add(c);
    health.readiness('warm-up', () => (executor.warmedUp() ? null : `warming up until ${settings.warmupMs} ms after start: analyses before it are not acted on`));
    starting.open();
    logger.info({ groupId: options.groupId ?? settings.groupId, warmupMs: settings.warmupMs, clusterFilters: settings.clusterFilters }, 'recovery executor consuming analyses');

    let stopping: Promise<void> | undefined;
    return { owner, executor, state, consumers, registry, health, stopSteps: closers, stop: () => (stopping ??= cleanup()) };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

