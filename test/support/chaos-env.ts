/**
 * A scenario environment for the chaos tests: Baton's real services, each its own OS process
 * (`services/<name>/src/main.ts`, as the sandbox and production run them), against real Kafka,
 * Redis, the backend MariaDB and the scenario's own MariaDB topologies. Unlike test/support/
 * pipeline.ts (the services in-process), a service here can be SIGKILLed, frozen with SIGSTOP or
 * made to exit at a fault point, and a fresh one started, while the others go on.
 *
 * Isolation comes from `startBatonTestEnv`: a topic namespace, a Redis key prefix and a backend
 * database of the scenario's own, and the BATON__* variables every process gets. `redis:
 * 'private'` / `kafka: 'private'` give the scenario a redis-server / broker of its own (to crash
 * or restart; `env.redis.restart()`, `env.kafka.restart()`). Every process connects to Kafka
 * through the broker's SASL listener (SCRAM-SHA-512: the BATON__KAFKA__SASL__* of `infra.env`).
 *
 * Consumer groups: the services' mains use fixed group ids (baton-detector, baton-hook-runner,
 * baton-recovery-executor-commands, …; only the analyzer's and the executors' analyses group are configurable), so on the SHARED broker two
 * process-based environments — two chaos files at once, or a chaos file while `npm run sandbox`
 * runs — would join the same groups with different topics and take each other's partitions.
 * Before starting its processes on the shared broker, an environment therefore waits until those
 * groups have no members (a member SIGKILLed by an earlier scenario leaves after its session
 * timeout) and refuses to start when they keep some. `kafka: 'private'` has no such limit.
 *
 * Readiness is read from the services' own log lines (pino JSON, one file per process under a
 * per-scenario directory in os.tmpdir()): `started` from runService, and for an executor
 * `recovery executor consuming analyses` with its warm-up, which is over `warmupMs` after that
 * line at the latest. The logs are removed at stop() unless something failed: an environment
 * wait that timed out, a test that did not pass (`stop(t)` from `t.after`), or
 * BATON_CHAOS_KEEP_LOGS=1; then their directory is printed.
 *
 * stop() ends what the environment started, by the PIDs it holds: the service processes (SIGTERM,
 * SIGKILL past a deadline), then the test environment (topics, keys, database), then the private
 * redis-server and broker (the test environment's clean-up still talks to them).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pool } from 'mysql2/promise';
import { createEnvelope, topics, type ClusterSnapshot, type Command, type RecoveryEvent } from '@baton/contracts';
import { startPrivateKafka, startRedisServer, startServiceProcess, waitFor, type Credentials, type OwnedRedis, type PrivateKafka, type ServiceProcess, type Topology } from '@baton/testing';
import { quickGroupTimeouts, startBatonTestEnv, type BatonTestEnv } from '@baton/testing/baton-env';
import { waitForRecoveryEvent, type Seen } from './recovery-events.ts';
import { defaultCommandsGroupId as detectorCommandsGroup, defaultGroupId as detectorGroup } from '@baton/detector';
import { defaultGroupId as hookRunnerGroup } from '@baton/hook-runner';
import { defaultCommandsGroupId as executorCommandsGroup } from '@baton/recovery-executor';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** The detector's poll interval in every scenario (the configuration's default, as in pipeline.ts). */
export const chaosPollIntervalMs = 1000;

/** The groups the services' mains join under fixed names (see the header). */
// the executors' analyses group is configurable (recovery.executorGroupId): each environment has its own
const fixedGroups = [detectorGroup, detectorCommandsGroup, hookRunnerGroup, executorCommandsGroup];

export interface ChaosEnvOptions {
  /** Names the topic namespace, the key prefix and the log directory. */
  label: string;
  /** Default 'shared' (127.0.0.1:6379 or ensureRedis's); 'private': a redis-server of the scenario's own. */
  redis?: 'shared' | 'private';
  /** Default 'shared' (127.0.0.1:19092); 'private': a broker of the scenario's own. */
  kafka?: 'shared' | 'private';
  /** Recovery executors started with the environment (default 1). */
  executors?: number;
  /** More configuration for every process (BATON__* keys, BATON_LOG_LEVEL, …). The readiness checks need info-level logs. */
  env?: Record<string, string>;
  /** MySQL accounts the services use (default startTopology's: baton / baton-pass, repl / repl-pass). */
  credentials?: { admin: Credentials; replication: Credentials };
}

export interface StartExecutorOptions {
  /** Names its log file (default executor-<n>). */
  label?: string;
  /** Over the environment's (e.g. BATON_FAULT_EXIT_AT). */
  env?: Record<string, string>;
  /** Wait until it logged `started` (default true). */
  waitStarted?: boolean;
  /** Also wait until its warm-up is over and it acts on analyses (default false). */
  waitWarm?: boolean;
}

export type { Seen };


export interface ChaosEnv {
  readonly label: string;
  /** Where every process's log is (`<name>.log`). */
  readonly logDir: string;
  /** The test environment: namespace, publisher, Redis connection and keys, backend, … */
  readonly infra: BatonTestEnv;
  /** What every service process was started with (BATON__* and the rest), without per-process extras. */
  readonly serviceEnv: Readonly<Record<string, string>>;
  readonly detector: ServiceProcess;
  readonly analyzer: ServiceProcess;
  readonly hookRunner: ServiceProcess;
  /** Every executor started so far, dead ones included, in start order. */
  readonly executors: readonly ServiceProcess[];
  /** Present with `redis: 'private'`. */
  readonly redis: OwnedRedis | undefined;
  /** Present with `kafka: 'private'`. */
  readonly kafka: PrivateKafka | undefined;
  /** A pool on the scenario's backend database (recoveries, recovery_steps, …). */
  readonly backend: Pool;
  /** Every recovery event published so far (read from the start of the topic). */
  readonly events: ReadonlyArray<Seen<RecoveryEvent>>;
  /** The executors' warm-up with the environment's configuration (executorWarmupPolls × poll interval). */
  readonly warmupMs: number;
  /** One more recovery-executor process. */
  startExecutor(options?: StartExecutorOptions): Promise<ServiceProcess>;
  /** Until `executor` is past its own warm-up (read from its log), or has exited. */
  waitWarm(executor: ServiceProcess): Promise<void>;
  /**
   * Registers `topology` as cluster `alias` (its cluster id) with a discover command, and waits
   * until the analyzer cached a snapshot in which every instance answered, and every running
   * executor is past its warm-up. Register a topology once per environment.
   */
  register(topology: Topology, alias: string): Promise<void>;
  /** Publishes an operator command (keyed by its cluster id when it has one). */
  command(command: Command): Promise<void>;
  /** Waits for a recovery event matching `predicate` (received at or after `afterMs`); returns it. */
  waitForEvent(predicate: (e: RecoveryEvent) => boolean, options?: { timeoutMs?: number; afterMs?: number; description?: string }): Promise<RecoveryEvent>;
  /** The latest snapshot of `clusterId` the analyzer cached in Redis, or null. */
  snapshot(clusterId: string): Promise<ClusterSnapshot | null>;
  /**
   * Stops everything it started (see the header). Pass the test context (`t.after(() =>
   * env.stop(t))`): a test that did not pass (`t.passed` false: node 20.12+ sets it, its types do
   * not declare it yet) keeps the logs. Safe to call twice.
   */
  stop(context?: object): Promise<void>;
}

export async function startChaosEnv(options: ChaosEnvOptions): Promise<ChaosEnv> {
  const { label } = options;
  const logDir = mkdtempSync(join(tmpdir(), `baton-chaos-${label}-`));
  const failures: string[] = [];
  const fail = (error: unknown): Error => {
    const message = (error as Error).message ?? String(error);
    failures.push(message);
    return new Error(`${message} (chaos env ${label}: logs in ${logDir})`, { cause: error });
  };

  // both at once (a broker takes seconds); a failure of one stops the other
  const settle = <T>(start: (() => Promise<T>) | undefined): Promise<T | Error | undefined> =>
    start ? start().catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))) : Promise.resolve(undefined);
  const [redis, kafka] = await Promise.all([settle(options.redis === 'private' ? startRedisServer : undefined), settle(options.kafka === 'private' ? () => startPrivateKafka() : undefined)]);
  const stopPrivate = async (): Promise<void> => {
    await Promise.allSettled([redis instanceof Error ? undefined : redis?.stop(), kafka instanceof Error ? undefined : kafka?.stop()]);
  };
  if (redis instanceof Error || kafka instanceof Error) {
    await stopPrivate();
    rmSync(logDir, { recursive: true, force: true });
    throw redis instanceof Error ? redis : kafka;
  }

  let infra: BatonTestEnv;
  try {
    infra = await startBatonTestEnv({
      label,
      partitions: 4,
      groupTimeouts: quickGroupTimeouts,
      // through the SASL listener, as on the shared broker
      ...(kafka ? { brokers: kafka.brokers, sasl: kafka.sasl } : {}),
      ...(redis ? { redisUrl: redis.url } : {}),
    });
  } catch (error) {
    await stopPrivate();
    rmSync(logDir, { recursive: true, force: true });
    throw error;
  }

  const credentials = options.credentials ?? { admin: { user: 'baton', password: 'baton-pass' }, replication: { user: 'repl', password: 'repl-pass' } };
  const inherited = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('BATON__') || k === 'BATON_CONFIG_FILE').map((k) => [k, undefined]));
  const serviceEnv: Record<string, string> = {
    ...infra.env,
    BATON__ANALYZER__CONSUMER_GROUP: `${infra.namespace}-analyzer`,
    BATON__RECOVERY__EXECUTOR_GROUP_ID: `${infra.namespace}-executor`,
    BATON__MYSQL__USER: credentials.admin.user,
    BATON__MYSQL__PASSWORD: credentials.admin.password,
    BATON__MYSQL__REPLICATION_USER: credentials.replication.user,
    BATON__MYSQL__REPLICATION_PASSWORD: credentials.replication.password,
    BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '["*"]',
    BATON__DETECTOR__POLL_INTERVAL_MS: String(chaosPollIntervalMs),
    BATON__RECOVERY__EXECUTOR_WARMUP_POLLS: '1',
    BATON_HEALTH_DIR: join(logDir, 'health'),
    BATON_LOG_LEVEL: 'info',
    ...options.env,
  };

  const processes: ServiceProcess[] = [];
  const executors: ServiceProcess[] = [];
  const launch = (name: string, logName: string, extra: Record<string, string> = {}): ServiceProcess => {
    const proc = startServiceProcess({ root, name, logFile: join(logDir, `${logName}.log`), env: { ...inherited, ...serviceEnv, ...extra } });
    processes.push(proc);
    return proc;
  };

  let stopping: Promise<void> | undefined;
  const stop = (context?: object): Promise<void> => {
    stopping ??= (async () => {
      await Promise.allSettled(processes.map((p) => p.stop()));
      await infra.teardown();
      await stopPrivate();
      const keep = failures.length > 0 || (context !== undefined && 'passed' in context && context.passed === false) || process.env['BATON_CHAOS_KEEP_LOGS'] === '1';
      if (keep) console.error(`chaos env ${label}: service logs kept in ${logDir}`);
      else rmSync(logDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const launchExecutor = async (o: StartExecutorOptions = {}): Promise<ServiceProcess> => {
    const proc = launch('recovery-executor', o.label ?? `executor-${executors.length + 1}`, o.env);
    executors.push(proc);
    if (o.waitStarted ?? true) await waitLogged(proc, (l) => l.msg === 'started', 'started').catch((error: unknown) => Promise.reject(fail(error)));
    if (o.waitWarm) await waitWarm(proc).catch((error: unknown) => Promise.reject(fail(error)));
    return proc;
  };

  try {
    if (!kafka) await waitForIdleGroups(infra, fixedGroups).catch((error: unknown) => Promise.reject(fail(error)));
    // all at once, as the sandbox starts them (the backend migrations take a named lock)
    const analyzer = launch('analyzer', 'analyzer');
    const hookRunner = launch('hook-runner', 'hook-runner');
    const detector = launch('detector', 'detector');
    const starting = [analyzer, hookRunner, detector].map((p) => waitLogged(p, (l) => l.msg === 'started', 'started'));
    for (let i = 0; i < (options.executors ?? 1); i += 1) starting.push(launchExecutor({ waitStarted: false }).then((p) => waitLogged(p, (l) => l.msg === 'started', 'started')));
    await Promise.all(starting);
    const backend = infra.backendPool(2);

    const events: Array<Seen<RecoveryEvent>> = [];
    await infra.consume({
      role: 'events',
      topics: [topics.recoveryEvents],
      maxWaitTimeMs: 100,
      handler: async ({ envelope }) => {
        if (envelope.type === 'recovery-event') events.push({ payload: envelope.payload, receivedAtMs: Date.now() });
      },
    });

    const snapshot = async (clusterId: string): Promise<ClusterSnapshot | null> => {
      const raw = await infra.redis.get(infra.keys.snapshot(clusterId));
      return raw === null ? null : (JSON.parse(raw) as ClusterSnapshot);
    };
    const command = async (c: Command): Promise<void> => {
      const key = 'clusterId' in c && c.clusterId ? c.clusterId : 'global';
      await infra.publisher.publish(topics.commands, key, createEnvelope('command', c, { producer: 'chaos-test' }));
    };

    return {
      label,
      logDir,
      infra,
      serviceEnv,
      detector,
      analyzer,
      hookRunner,
      executors,
      redis,
      kafka,
      backend,
      events,
      warmupMs: Number(serviceEnv['BATON__RECOVERY__EXECUTOR_WARMUP_POLLS']) * Number(serviceEnv['BATON__DETECTOR__POLL_INTERVAL_MS']),
      startExecutor: launchExecutor,
      waitWarm: (executor) => waitWarm(executor).catch((error: unknown) => Promise.reject(fail(error))),
      command,
      snapshot,
      async register(topology, alias) {
        for (const account of ['admin', 'replication'] as const) {
          const want = topology.credentials[account];
          if (want.user !== credentials[account].user || want.password !== credentials[account].password) {
            throw new Error(`the topology's ${account} account is ${want.user}, the services run with ${credentials[account].user}: start the env with credentials: topology.credentials`);
          }
        }
        const ports = topology.instances.map((i) => i.port);
        const discover: Command = { kind: 'discover', requestedBy: 'chaos-test', instance: { host: topology.primary.host, port: topology.primary.port }, alias };
        let lastSent = 0;
        let last: ClusterSnapshot | null = null;
        await waitFor(
          async () => {
            // idempotent: sent again while nothing shows, in case the detector's commands
            // consumer had not taken its offsets yet when the first one went out
            if (Date.now() - lastSent >= 10_000) {
              lastSent = Date.now();
              await command(discover);
            }
            last = await snapshot(alias);
            return last !== null && ports.every((port) => last?.instances.some((o) => o.port === port && o.lastSeenAt !== null && o.lastError === null));
          },
          { description: `a snapshot of ${alias} in which all ${ports.length} instances answered`, timeoutMs: 60_000, intervalMs: 100 },
        ).catch((error: unknown) => {
          const seen = (last as ClusterSnapshot | null)?.instances.map((o) => `${o.port}:${o.lastError ?? (o.lastSeenAt ? 'ok' : 'unseen')}`).join(' ') ?? 'none';
          throw fail(new Error(`${(error as Error).message}; last snapshot ${seen}`, { cause: error }));
        });
        await Promise.all(executors.filter((e) => e.running).map((e) => waitWarm(e))).catch((error: unknown) => Promise.reject(fail(error)));
      },
      waitForEvent: (predicate, o = {}) =>
        waitForRecoveryEvent(events, predicate, o, { timeoutMs: 60_000, intervalMs: 10 }).catch((error: unknown) => Promise.reject(fail(error))),
      stop,
    };
  } catch (error) {
    failures.push((error as Error).message);
    await stop();
    throw error instanceof Error && error.message.includes(logDir) ? error : fail(error);
  }
}

type LogLine = Record<string, unknown> & { msg?: unknown; time?: unknown };

/** The JSON lines of a service's log (anything else it printed is skipped). */
function logLines(file: string): LogLine[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const lines: LogLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      // a line still being written
    }
  }
  return lines;
}

function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The first line of `proc`'s log matching `predicate`; fails at once when the process exits first. */
async function waitLogged(proc: ServiceProcess, predicate: (line: LogLine) => boolean, what: string, timeoutMs = 60_000): Promise<LogLine> {
  let exited = false;
  const line = await waitFor(
    () => {
      const found = logLines(proc.logFile).find(predicate);
      if (found) return found;
      exited = !proc.running;
      return exited;
    },
    { description: `${proc.name} (pid ${proc.pid}) to log ${what}`, timeoutMs, intervalMs: 50 },
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; its log ends:\n${logTail(proc.logFile)}`, { cause: error });
  });
  if (line === true) throw new Error(`${proc.name} (pid ${proc.pid}) exited before it logged ${what}; its log ends:\n${logTail(proc.logFile)}`);
  return line as LogLine;
}

/**
 * Until the executor's warm-up is over: it began before the executor logged that it consumes
 * analyses (with its warmupMs), so it is over warmupMs after that line at the latest.
 */
async function waitWarm(proc: ServiceProcess): Promise<void> {
  const line = await waitLogged(proc, (l) => l.msg === 'recovery executor consuming analyses', 'that it consumes analyses');
  const warmAt = Date.parse(String(line.time)) + Number(line['warmupMs'] ?? 0);
  await waitFor(() => Date.now() >= warmAt || !proc.running, { description: `${proc.name} (pid ${proc.pid}) warmed up`, timeoutMs: Math.max(1000, warmAt - Date.now() + 5000), intervalMs: 50 });
}

/**
 * On the shared broker: until no member is left in the services' fixed groups (see the header).
 * Members of an earlier scenario's SIGKILLed processes leave after their session timeout.
 */
async function waitForIdleGroups(infra: BatonTestEnv, groups: readonly string[]): Promise<void> {
  let busy: string[] = [];
  await waitFor(
    async () => {
      const { groups: described } = await infra.admin.describeGroups([...groups]);
      busy = described.filter((g) => g.members.length > 0).map((g) => `${g.groupId} (${g.members.length} members: ${g.members.map((m) => m.clientHost).join(', ')})`);
      return busy.length === 0;
    },
    { description: 'the services\' fixed consumer groups on the shared broker to be empty', timeoutMs: 20_000, intervalMs: 250 },
  ).catch((error: unknown) => {
    throw new Error(
      `${(error as Error).message}: ${busy.join('; ')} — another process-based Baton (a sandbox, another chaos file) uses the shared broker; stop it or use kafka: 'private'`,
      { cause: error },
    );
  });
}
