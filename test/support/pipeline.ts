/**
 * The pipeline in-process — detector → baton.cluster-snapshots → analyzer → baton.analyses, and
 * on request the recovery executor(s) and the hook-runner behind it — against the real broker,
 * Redis and MariaDB, isolated by a unique topic namespace, Redis prefix and backend database.
 * Tests register their topologies through the real `discover` command and watch what the pipeline
 * publishes (analyses, probe requests, recovery events, hook results).
 */
import type { Consumer } from 'kafkajs';
import type { BatonConfig } from '@baton/config';
import { createEnvelope, decodeMessage, topics, type ClusterAnalysis, type Command, type Envelope, type HookResult, type InstanceKey, type ProbeRequest, type RecoveryEvent } from '@baton/contracts';
import { logicalTopic, type Publisher } from '@baton/kafka';
import type { Logger } from '@baton/logging';
import type { Keys } from '@baton/state';
import { waitFor, type Credentials, type Topology } from '@baton/testing';
import { quickGroupTimeouts, startBatonTestEnv, testLogger, type BatonTestEnv } from '@baton/testing/baton-env';
import { waitForRecoveryEvent, type Seen } from './recovery-events.ts';
import type { Pool } from 'mysql2/promise';
import type { Redis } from 'ioredis';
import { startAnalyzer, type RunningAnalyzer } from '@baton/analyzer';
import { startDetector, type RunningDetector } from '@baton/detector';
import { startHookRunner, type RunningHookRunner } from '@baton/hook-runner';
import { startRecoveryExecutor, type RunningRecoveryExecutor } from '@baton/recovery-executor';

export { testLogger };
export type { Seen };


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
  /** The environment underneath: broker clients, signer, topic names. */
  infra: BatonTestEnv;
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
  /** Isolated by deployment.name alone (topics, groups, keys, schema all derived from it). */
  deployment?: { name: string; signingSecret: string };
}

export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const logger = testLogger(options.label ?? 'pipeline');
  const infra = await startBatonTestEnv({ label: options.label ?? 'pipe', partitions: 4, groupTimeouts: quickGroupTimeouts, logger, ...(options.deployment ? { deployment: options.deployment } : {}) });
  return infra.guard(() => launchPipeline(options, infra));
}

async function launchPipeline(options: PipelineOptions, infra: BatonTestEnv): Promise<Pipeline> {
  const { kafka, names, namespace, publisher, redis, keys, logger, defer } = infra;
  // a deployment's group ids are its own already: the services' defaults are what is tested then
  const own = (group: string): string | undefined => (options.deployment ? undefined : group);
  const groups = (o: Record<string, string | undefined>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const config = infra.config({
    ...groups({ BATON__ANALYZER__CONSUMER_GROUP: own(`${namespace}-analyzer`) }),
    BATON__MYSQL__USER: options.admin.user,
    BATON__MYSQL__PASSWORD: options.admin.password,
    BATON__MYSQL__REPLICATION_USER: options.replication?.user ?? 'repl',
    BATON__MYSQL__REPLICATION_PASSWORD: options.replication?.password ?? 'repl-pass',
    ...options.env,
  });

  // what the pipeline says, read from the beginning of our own topics
  const analyses: Array<Seen<ClusterAnalysis>> = [];
  const probeRequests: Array<Seen<ProbeRequest>> = [];
  const events: Array<Seen<RecoveryEvent>> = [];
  const hookResults: Array<Seen<HookResult>> = [];
  const snapshotsSeen = new Map<string, number>();
  const watcher: Consumer = kafka.consumer({ groupId: `${namespace}-watch`, maxWaitTimeInMs: 100 });
  defer(() => watcher.disconnect());
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

  const analyzer = await startAnalyzer(config, logger.child({ component: 'analyzer' }), { fromBeginning: true });
  defer(() => analyzer.stop());
  // the analyzer migrated the database: the pipeline's own pool for assertions
  const backend = infra.backendPool(2);

  let hookRunner: RunningHookRunner | undefined;
  if (options.hookRunner) {
    const runner = await startHookRunner({ config, logger: logger.child({ component: 'hook-runner' }), ...groups({ groupId: own(`${namespace}-hooks`) }), fromBeginning: true });
    hookRunner = runner;
    defer(() => runner.stop());
  }
  const executors: RunningRecoveryExecutor[] = [];
  const launchExecutor = async (o: { groupId?: string; label?: string } = {}): Promise<RunningRecoveryExecutor> => {
    const executor = await startRecoveryExecutor({
      config,
      logger: logger.child({ component: o.label ?? `executor-${executors.length + 1}` }),
      ...groups({ groupId: o.groupId ?? own(`${namespace}-executor`), commandsGroupId: own(`${namespace}-executor-commands`) }),
      fromBeginning: true,
    });
    executors.push(executor);
    defer(() => executor.stop());
    return executor;
  };
  for (let i = 0; i < (options.executors ?? 0); i += 1) await launchExecutor();

  const detectors: RunningDetector[] = [];
  const launch = async (detectorId: string): Promise<RunningDetector> => {
    const detector = startDetector({ config, logger: logger.child({ component: 'detector' }), detectorId, ...groups({ groupId: own(`${namespace}-detector`), commandsGroupId: own(`${namespace}-commands`) }), registerSeeds: false });
    detectors.push(detector);
    defer(() => detector.stop());
    await detector.ready;
    return detector;
  };
  for (let i = 0; i < (options.detectors ?? 1); i += 1) await launch(`detector-${i + 1}`);

  const matches = (a: ClusterAnalysis, instance: InstanceKey, code: string): boolean =>
    a.entries.some((e) => e.instance.host === instance.host && e.instance.port === instance.port && (e.code === code || e.structureWarnings.includes(code)));

  const registered: string[] = [];
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
    waitForEvent: (predicate, o = {}) => waitForRecoveryEvent(events, predicate, o, { timeoutMs: 30_000, intervalMs: 5 }),
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
    infra,
    stop: infra.teardown,
  };
}
