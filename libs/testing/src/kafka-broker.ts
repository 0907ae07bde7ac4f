/**
 * A Kafka broker of a test's own, for tests that stop or restart the broker: the shared one on
 * 127.0.0.1:19092 (`ensureKafka`) serves every other test file and must never be touched.
 *
 * `startPrivateKafka()` runs `infra/kafka/kafka.sh start` and `wait` — the one way Baton's broker
 * is started — with BATON_KAFKA_PORT, BATON_KAFKA_CONTROLLER_PORT and BATON_KAFKA_SASL_PORT set
 * to a block of three free ports (`allocatePorts(3)`) and BATON_KAFKA_DIR to a directory of its own
 * (/dev/shm/baton-pkafka-<random>/broker; kafka.sh keeps its lock file beside it, so inside ours).
 * Every call to kafka.sh carries all four, so `stop` can only ever act on the PID recorded in
 * that directory. `sasl` is its SASL_PLAINTEXT listener with kafka.sh's test user.
 *
 * `restart()` is a broker restart that keeps its data: kafka.sh stop with BATON_KAFKA_KEEP_DATA=1
 * (SIGTERM, a controlled shutdown), then start and wait again. The previous run's server.log is
 * moved aside first, because `wait` looks for "Kafka Server started" in it and would otherwise
 * find the first run's line at once.
 *
 * kafka.sh starts the JVM under setsid, so it outlives this process unless stopped: a
 * process-exit hook SIGKILLs it by its recorded PID (checked to be a broker of that directory),
 * and a later startPrivateKafka() kills and removes whatever a SIGKILLed test process left.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DependencyUnavailableError } from '@baton/errors';
import { kafkaAnswers, testSaslEndpoint, type KafkaSaslEndpoint } from './kafka.ts';
import { scratchRoot } from './mariadb/template.ts';
import { allocatePorts } from './ports.ts';
import { isProcessAlive, markOwned, onProcessExit } from './process-cleanup.ts';

export interface PrivateKafkaOptions {
  /** Deadline of each start (and of each restart's start + wait). Default 120 s. */
  startTimeoutMs?: number;
  /** BATON_KAFKA_HEAP (default kafka.sh's own, 512m). */
  heap?: string;
}

export interface PrivateKafka {
  /** `['127.0.0.1:<port>']`. */
  readonly brokers: string[];
  readonly port: number;
  readonly controllerPort: number;
  readonly saslPort: number;
  /** The SASL_PLAINTEXT listener (`['127.0.0.1:<saslPort>']`) and the user kafka.sh created. */
  readonly sasl: KafkaSaslEndpoint;
  /** BATON_KAFKA_DIR: data, logs (logs/server.log) and the PID file. */
  readonly dir: string;
  /** The broker JVM's PID while it runs (read from kafka.sh's PID file). */
  readonly pid: number | undefined;
  /** Stops the broker keeping its data, starts it again and waits until it serves. */
  restart(): Promise<void>;
  /** Stops the broker, removes its directory, releases its ports. Safe to call twice. */
  stop(): Promise<void>;
}

const kafkaScript = fileURLToPath(new URL('../../../infra/kafka/kafka.sh', import.meta.url));
const dirPrefix = 'baton-pkafka-';
const sharedPort = Number(process.env['BATON_KAFKA_PORT'] ?? 19092);
const sharedSaslPort = Number(process.env['BATON_KAFKA_SASL_PORT'] ?? sharedPort + 2);

export async function startPrivateKafka(options: PrivateKafkaOptions = {}): Promise<PrivateKafka> {
  sweepStaleBrokers();
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;
  const block = await allocatePorts(3);
  const [port, controllerPort, saslPort] = block.ports as [number, number, number];
  if (block.ports.some((p) => p === sharedPort || p === sharedSaslPort)) {
    block.release();
    throw new DependencyUnavailableError(`allocated ports ${block.ports.join(', ')} include the shared broker's: refusing to start a private broker there`);
  }
  let parent: string;
  try {
    parent = mkdtempSync(join(scratchRoot(), dirPrefix));
    markOwned(parent);
  } catch (error) {
    block.release();
    throw error;
  }
  const dir = join(parent, 'broker');
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
    const base: NodeJS.ProcessEnv = { ...process.env };
    delete base['BATON_KAFKA_KEEP_DATA'];
    return {
      ...base,
      BATON_KAFKA_PORT: String(port),
      BATON_KAFKA_CONTROLLER_PORT: String(controllerPort),
      BATON_KAFKA_SASL_PORT: String(saslPort),
      BATON_KAFKA_DIR: dir,
      BATON_KAFKA_WAIT_S: String(Math.ceil(startTimeoutMs / 1000)),
      ...(options.heap ? { BATON_KAFKA_HEAP: options.heap } : {}),
      ...extra,
    };
  };

  // last resort, synchronous: SIGKILL the broker by its PID, remove the dir, free the ports
  const cleanupSync = (): void => {
    killBroker(dir);
    rmSync(parent, { recursive: true, force: true });
    block.release();
  };
  const unregister = onProcessExit(cleanupSync);

  const startAndWait = async (): Promise<void> => {
    const deadline = Date.now() + startTimeoutMs;
    await runKafkaScript('start', env(), startTimeoutMs);
    await runKafkaScript('wait', env(), Math.max(1000, deadline - Date.now()));
    for (const p of [port, saslPort]) {
      if (!(await kafkaAnswers('127.0.0.1', p, 5000))) {
        throw new DependencyUnavailableError(`private kafka on 127.0.0.1:${p} reported ready but does not answer`, { port: p });
      }
    }
  };

  let stopping: Promise<void> | undefined;
  let restarting: Promise<void> = Promise.resolve();
  let restarts = 0;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await restarting.catch(() => undefined);
      try {
        await runKafkaScript('stop', env(), 60_000);
      } finally {
        unregister();
        cleanupSync();
      }
    })();
    return stopping;
  };

  try {
    await startAndWait();
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  return {
    brokers: [`127.0.0.1:${port}`],
    port,
    controllerPort,
    saslPort,
    sasl: testSaslEndpoint([`127.0.0.1:${saslPort}`]),
    dir,
    get pid() {
      return brokerPid(dir);
    },
    restart() {
      restarting = restarting.catch(() => undefined).then(async () => {
        if (stopping) throw new DependencyUnavailableError(`private kafka on 127.0.0.1:${port} was stopped: cannot restart it`);
        await runKafkaScript('stop', env({ BATON_KAFKA_KEEP_DATA: '1' }), 60_000);
        restarts += 1;
        const log = join(dir, 'logs', 'server.log');
        if (existsSync(log)) renameSync(log, `${log}.${restarts}`);
        await startAndWait();
      });
      return restarting;
    },
    stop,
  };
}

function runKafkaScript(command: 'start' | 'wait' | 'stop', env: NodeJS.ProcessEnv, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('bash', [kafkaScript, command], { env, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (!error) {
        resolve();
        return;
      }
      const tail = stderr.trim().split('\n').slice(-20).join('\n');
      reject(new DependencyUnavailableError(`kafka.sh ${command} (port ${env['BATON_KAFKA_PORT']}, dir ${env['BATON_KAFKA_DIR']}) failed: ${error.message}\n${tail}`, { cause: error }));
    });
  });
}

/** The PID in kafka.sh's PID file when it is a live broker of `dir` (not a reused PID). */
function brokerPid(dir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(dir, 'kafka.pid'), 'utf8'), 10);
    if (!isProcessAlive(pid)) return undefined;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('kafka.Kafka') && cmdline.includes(dir) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function killBroker(dir: string): void {
  const pid = brokerPid(dir);
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

/**
 * Brokers left by test processes that died without their exit hooks (SIGKILL): the owner recorded
 * by markOwned (process-cleanup.ts's `.baton-owner`) is gone, so the broker is killed and its
 * directory removed.
 */
function sweepStaleBrokers(): void {
  const root = scratchRoot();
  for (const name of readdirSync(root)) {
    if (!name.startsWith(dirPrefix)) continue;
    const parent = join(root, name);
    let owner: number;
    try {
      owner = Number.parseInt(readFileSync(join(parent, '.baton-owner'), 'utf8'), 10);
    } catch {
      continue;
    }
    if (isProcessAlive(owner)) continue;
    killBroker(join(parent, 'broker'));
    rmSync(parent, { recursive: true, force: true });
  }
}
