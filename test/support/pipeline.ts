/**
 * The pipeline in-process — detector → baton.cluster-snapshots → analyzer → baton.analyses, and
 * on request the recovery executor(s) and the hook-runner behind it — against the real broker,
 * Redis and MariaDB, isolated by a unique topic namespace, Redis prefix and backend database.
 * Tests register their topologies through the real `discover` command and watch what the pipeline
 * publishes (analyses, probe requests, recovery events, hook results).
 */
import { randomBytes } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { loadConfig, type BatonConfig } from '@baton/config';
import { createEnvelope, decodeMessage, topics, type ClusterAnalysis, type Command, type Envelope, type HookResult, type InstanceKey, type ProbeRequest, type RecoveryEvent } from '@baton/contracts';
import { createKafka, createProducer, createPublisher, ensureTopics, logicalTopic, topicNames, type Publisher } from '@baton/kafka';
import { createLogger, silentLogger, type Logger } from '@baton/logging';
import { createBackendPool } from '@baton/mysql';
import { createKeys, createRedis, type Keys } from '@baton/state';
import { ensureKafka, ensureRedis, uniqueKeyPrefix, uniqueName, waitFor, type Credentials, type Topology } from '@baton/testing';
import type { Pool } from 'mysql2/promise';
import type { Redis } from 'ioredis';
import { startAnalyzer, type RunningAnalyzer } from '@baton/analyzer';
import { startDetector, type RunningDetector } from '@baton/detector';
import { startHookRunner, type RunningHookRunner } from '@baton/hook-runner';
import { startRecoveryExecutor, type RunningRecoveryExecutor } from '@baton/recovery-executor';

export interface Seen<T> {
  payload: T;
  correlationId: string | undefined;
  receivedAtMs: number;
}

export interface Pipeline {
  config: BatonConfig;
  logger: Logger;
  analyses: Array<Seen<ClusterAnalysis>>;
  probeRequests: Array<Seen<ProbeRequest>>;
  snapshotsSeen: Map<string, number>;
  detectors: RunningDetector[];
  analyzer: RunningAnalyzer;
  publisher: Publisher;
  /** Registers a topology as cluster `alias` through a discover command and waits until it is probed. */
  register(topology: Topology, alias: string): Promise<void>;
  /** Waits for an analysis of `clusterId` whose entry for `instance` has `code`; returns it. */
  waitForCode(clusterId: string, instance: InstanceKey, code: string, options?: { timeoutMs?: number; afterMs?: number }): Promise<Seen<ClusterAnalysis>>;
  startDetector(detectorId: string): Promise<RunningDetector>;
  /** Recovery events (empty unless executors run). */
  events: Array<Seen<RecoveryEvent>>;
  hookResults: Array<Seen<HookResult>>;
  executors: RunningRecoveryExecutor[];
  hookRunner: RunningHookRunner | undefined;
  /** Redis with the pipeline's key prefix (candidate keys, blocks, …). */
  redis: Redis;
  keys: Keys;
  /** The pipeline's backend database. */
  backend: Pool;
  /** Starts one more executor; `groupId` other than the shared one makes it see every analysis too. */
  startExecutor(options?: { groupId?: string; label?: string }): Promise<RunningRecoveryExecutor>;
  /** Publishes an operator command (keyed by its cluster id when it has one). */
  command(command: Command, correlationId?: string): Promise<void>;
  /** Waits for a recovery event matching `predicate` (received at or after `afterMs`). */
  waitForEvent(predicate: (e: RecoveryEvent) => boolean, options?: { timeoutMs?: number; afterMs?: number; description?: string }): Promise<RecoveryEvent>;
  stop(): Promise<void>;
}

export interface PipelineOptions {
  admin: { user: string; password: string };
  detectors?: number;
  label?: string;
  /** Replication account written into CHANGE MASTER TO by the executor (default the topology's repl / repl-pass). */
  replication?: Credentials;
  /** Recovery executors to start in the shared group (default 0: detection only). */
  executors?: number;
  /** Start the hook-runner (default false). */
  hookRunner?: boolean;
  /** More BATON__* configuration (recovery policy, hook lists, …). */
  env?: Record<string, string>;
}

const mysqlServer = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };

export function testLogger(service: string): Logger {
  const level = process.env['BATON_TEST_LOG'];
  return level ? createLogger({ service, level }) : silentLogger();
}

export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const logger = testLogger(options.label ?? 'pipeline');
  const teardown: Array<() => Promise<unknown>> = [];
  const [{ brokers }, redisEndpoint] = await Promise.all([ensureKafka(), ensureRedis()]);
  const namespace = uniqueName(options.label ?? 'pipe');
  const names = topicNames(namespace);
  const database = `baton_test_${randomBytes(5).toString('hex')}`;
  const config = loadConfig({
    env: {
      BATON__KAFKA__BROKERS: JSON.stringify(brokers),
      BATON__KAFKA__CLIENT_ID: namespace,
      BATON__KAFKA__TOPIC_PREFIX: namespace,
      BATON__KAFKA__SESSION_TIMEOUT_MS: '6000',
      BATON__KAFKA__HEARTBEAT_INTERVAL_MS: '500',
      BATON__REDIS__URL: redisEndpoint.url,
      BATON__REDIS__KEY_PREFIX: uniqueKeyPrefix('pipe').replace(/:$/, ''),
      BATON__BACKEND__HOST: mysqlServer.host,
      BATON__BACKEND__PORT: String(mysqlServer.port),
      BATON__BACKEND__USER: mysqlServer.user,
      BATON__BACKEND__PASSWORD: mysqlServer.password,
      BATON__BACKEND__DATABASE: database,
      BATON__ANALYZER__CONSUMER_GROUP: `${namespace}-analyzer`,
      BATON__MYSQL__USER: options.admin.user,
      BATON__MYSQL__PASSWORD: options.admin.password,
      BATON__MYSQL__REPLICATION_USER: options.replication?.user ?? 'repl',
      BATON__MYSQL__REPLICATION_PASSWORD: options.replication?.password ?? 'repl-pass',
      ...options.env,
    },
  });

  const kafka = createKafka({ brokers, clientId: namespace, logger });
  const admin = kafka.admin();
  await admin.connect();
  const created = await ensureTopics(admin, { names, partitions: 4 });
  teardown.unshift(async () => {
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  });
  teardown.unshift(async () => {
    const pool = createBackendPool({ ...mysqlServer, database, connectionLimit: 1, connectTimeoutMs: 2000, queryTimeoutMs: 5000 }, { logger, database: null });
    try {
      await pool.query(`DROP DATABASE IF EXISTS \`${database}\``);
    } finally {
      await pool.end();
    }
  });

  const producer = createProducer(kafka);
  await producer.connect();
  teardown.unshift(() => producer.disconnect());
  const publisher = createPublisher({ producer, names });

  // what the pipeline says, read from the beginning of our own topics
  const analyses: Array<Seen<ClusterAnalysis>> = [];
  const probeRequests: Array<Seen<ProbeRequest>> = [];
  const events: Array<Seen<RecoveryEvent>> = [];
  const hookResults: Array<Seen<HookResult>> = [];
  const snapshotsSeen = new Map<string, number>();
  const watcher: Consumer = kafka.consumer({ groupId: `${namespace}-watch`, maxWaitTimeInMs: 100 });
  await watcher.connect();
  await watcher.subscribe({
    topics: [names[topics.analyses], names[topics.probeRequests], names[topics.clusterSnapshots], names[topics.recoveryEvents], names[topics.hookResults]],
    fromBeginning: true,
  });
  await watcher.run({
    eachMessage: async ({ topic, message }) => {
      const logical = logicalTopic(names, topic);
      if (!logical) return;
      const envelope = decodeMessage(logical, message.value) as Envelope;
      const seen = { correlationId: envelope.correlationId, receivedAtMs: Date.now() };
      if (envelope.type === 'analysis') analyses.push({ payload: envelope.payload, ...seen });
      else if (envelope.type === 'probe-request') probeRequests.push({ payload: envelope.payload, ...seen });
      else if (envelope.type === 'cluster-snapshot') snapshotsSeen.set(envelope.payload.clusterId, (snapshotsSeen.get(envelope.payload.clusterId) ?? 0) + 1);
      else if (envelope.type === 'recovery-event') events.push({ payload: envelope.payload, ...seen });
      else if (envelope.type === 'hook-result') hookResults.push({ payload: envelope.payload, ...seen });
    },
  });
  teardown.unshift(() => watcher.disconnect());

  const redis = createRedis(config.redis, logger);
  const keys = createKeys(config.redis.keyPrefix);
  teardown.unshift(async () => {
    const left = await redis.keys(`${keys.root}:*`);
    if (left.length > 0) await redis.del(...left);
    await redis.quit();
  });

  const analyzer = await startAnalyzer(config, logger.child({ component: 'analyzer' }), { fromBeginning: true });
  teardown.unshift(() => analyzer.stop());
  // the analyzer migrated the database: the pipeline's own pool for assertions
  const backend = createBackendPool({ ...mysqlServer, database, connectionLimit: 2, connectTimeoutMs: 2000, queryTimeoutMs: 5000 }, { logger });
  teardown.unshift(() => backend.end());

  let hookRunner: RunningHookRunner | undefined;
  if (options.hookRunner) {
    const runner = await startHookRunner({ config, logger: logger.child({ component: 'hook-runner' }), groupId: `${namespace}-hooks`, fromBeginning: true });
    hookRunner = runner;
    teardown.unshift(() => runner.stop());
  }
  const executors: RunningRecoveryExecutor[] = [];
  const launchExecutor = async (o: { groupId?: string; label?: string } = {}): Promise<RunningRecoveryExecutor> => {
    const executor = await startRecoveryExecutor({
      config,
      logger: logger.child({ component: o.label ?? `executor-${executors.length + 1}` }),
      groupId: o.groupId ?? `${namespace}-executor`,
      commandsGroupId: `${namespace}-executor-commands`,
      fromBeginning: true,
    });
    executors.push(executor);
    teardown.unshift(() => executor.stop());
    return executor;
  };
  for (let i = 0; i < (options.executors ?? 0); i += 1) await launchExecutor();

  const detectors: RunningDetector[] = [];
  const launch = async (detectorId: string): Promise<RunningDetector> => {
    const detector = startDetector({ config, logger: logger.child({ component: 'detector' }), detectorId, groupId: `${namespace}-detector`, commandsGroupId: `${namespace}-commands`, registerSeeds: false });
    detectors.push(detector);
    teardown.unshift(() => detector.stop());
    await detector.ready;
    return detector;
  };
  for (let i = 0; i < (options.detectors ?? 1); i += 1) await launch(`detector-${i + 1}`);

  const matches = (a: ClusterAnalysis, instance: InstanceKey, code: string): boolean =>
    a.entries.some((e) => e.instance.host === instance.host && e.instance.port === instance.port && (e.code === code || e.structureWarnings.includes(code)));

  const registered: string[] = [];
  let stopped: Promise<void> | undefined;
  return {
    config,
    logger,
    analyses,
    probeRequests,
    snapshotsSeen,
    detectors,
    analyzer,
    publisher,
    events,
    hookResults,
    executors,
    hookRunner,
    redis,
    keys,
    backend,
    startExecutor: launchExecutor,
    async command(command, correlationId) {
      const key = 'clusterId' in command && command.clusterId ? command.clusterId : 'global';
      await publisher.publish(topics.commands, key, createEnvelope('command', command, { producer: 'test', ...(correlationId ? { correlationId } : {}) }));
    },
    async waitForEvent(predicate, o = {}) {
      const after = o.afterMs ?? 0;
      let found: RecoveryEvent | undefined;
      await waitFor(
        () => {
          found = events.find((e) => e.receivedAtMs >= after && predicate(e.payload))?.payload;
          return found !== undefined;
        },
        { description: o.description ?? 'a recovery event', timeoutMs: o.timeoutMs ?? 30_000, intervalMs: 5 },
      ).catch((error: unknown) => {
        const recent = events.slice(-15).map((e) => `${e.payload.clusterId}:${e.payload.step}:${e.payload.status}`);
        throw new Error(`${(error as Error).message}; recent events ${recent.join(' ')}`, { cause: error });
      });
      return found as RecoveryEvent;
    },
    startDetector: launch,
    async register(topology, alias) {
      // Ports are reused between topologies: retire the clusters registered before, so a new
      // topology on an old one's ports is not taken for that old cluster.
      for (const old of registered.splice(0)) {
        await publisher.publish(topics.commands, old, createEnvelope('command', { kind: 'forget', requestedBy: 'test', clusterId: old }, { producer: 'test' }));
        await waitFor(() => detectors.every((d) => !d.ownedClusters().includes(old)), { description: `cluster ${old} forgotten`, timeoutMs: 20_000 });
      }
      registered.push(alias);
      const envelope = createEnvelope('command', { kind: 'discover', requestedBy: 'test', instance: { host: topology.primary.host, port: topology.primary.port }, alias }, { producer: 'test' });
      await publisher.publish(topics.commands, alias, envelope);
      await waitFor(() => (snapshotsSeen.get(alias) ?? 0) >= 2, { description: `cluster ${alias} probed`, timeoutMs: 60_000 });
    },
    async waitForCode(clusterId, instance, code, o = {}) {
      const after = o.afterMs ?? 0;
      let found: Seen<ClusterAnalysis> | undefined;
      const summary = (): string =>
        JSON.stringify({
          analyses: analyses.filter((a) => a.payload.clusterId === clusterId).slice(-3).map((a) => a.payload.entries.map((e) => `${e.instance.port}:${e.code}:${e.structureWarnings.join('+')}`)),
          instances: detectors.flatMap((d) => d.clusterInstances(clusterId) ?? []).map((i) => ({ port: i.port, seen: i.lastSeenAt, checked: i.lastCheckedAt, io: i.replication?.ioThread, src: i.replication?.sourcePort, err: i.lastError })),
        });
      await waitFor(
        () => {
          found = analyses.find((a) => a.payload.clusterId === clusterId && a.receivedAtMs >= after && matches(a.payload, instance, code));
          return found !== undefined;
        },
        { description: `${code} for ${instance.host}:${instance.port} in ${clusterId}`, timeoutMs: o.timeoutMs ?? 30_000, intervalMs: 5 },
      ).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; saw ${summary()}`, { cause: error });
      });
      return found as Seen<ClusterAnalysis>;
    },
    stop() {
      stopped ??= (async () => {
        for (const step of teardown) await step().catch((error: unknown) => logger.warn({ err: error }, 'teardown step failed'));
      })();
      return stopped;
    },
  };
}
