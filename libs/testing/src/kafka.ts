/**
 * A Kafka broker for tests. `ensureKafka()` picks, once per process:
 *  1. BATON_KAFKA_BROKERS when set (comma-separated host:port; CI or a developer's own broker);
 *  2. 127.0.0.1:$BATON_KAFKA_PORT (default 19092) when it answers a Kafka ApiVersions request;
 *  3. otherwise `infra/kafka/kafka.sh start` + `wait` (fetches the jars with Maven the first time).
 * A broker started by (3) is LEFT RUNNING when the tests end, so the next run starts in
 * milliseconds instead of seconds; stop it with `npm run kafka:stop` (or `bash infra/kafka/kafka.sh stop`).
 * kafka.sh takes a lock, so parallel test processes start one broker between them.
 * Tests share the broker: each test uses its own topics and groups (`uniqueName`).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DependencyUnavailableError } from '@baton/errors';

export interface KafkaEndpoint {
  brokers: string[];
  /** Where it came from: the environment, a broker already answering, or started here. */
  source: 'env' | 'local' | 'started';
}

export interface EnsureKafkaOptions {
  /** Default BATON_KAFKA_PORT or 19092. */
  port?: number;
  /** Deadline for fetch + start + ready when the broker has to be started. Default 300 s (a cold Maven fetch). */
  startTimeoutMs?: number;
}

const kafkaScript = fileURLToPath(new URL('../../../infra/kafka/kafka.sh', import.meta.url));
const endpoints = new Map<number, Promise<KafkaEndpoint>>();

export function ensureKafka(options: EnsureKafkaOptions = {}): Promise<KafkaEndpoint> {
  const port = options.port ?? Number(process.env['BATON_KAFKA_PORT'] ?? 19092);
  let endpoint = endpoints.get(port);
  if (!endpoint) {
    endpoint = resolveKafka(port, options.startTimeoutMs ?? 300_000).catch((error: unknown) => {
      endpoints.delete(port);
      throw error;
    });
    endpoints.set(port, endpoint);
  }
  return endpoint;
}

async function resolveKafka(port: number, startTimeoutMs: number): Promise<KafkaEndpoint> {
  const fromEnv = process.env['BATON_KAFKA_BROKERS'];
  if (fromEnv) {
    return { brokers: fromEnv.split(',').map((b) => b.trim()).filter((b) => b !== ''), source: 'env' };
  }
  const brokers = [`127.0.0.1:${port}`];
  if (await kafkaAnswers('127.0.0.1', port)) return { brokers, source: 'local' };
  const deadline = Date.now() + startTimeoutMs;
  const env = { ...process.env, BATON_KAFKA_PORT: String(port), BATON_KAFKA_WAIT_S: String(Math.ceil(startTimeoutMs / 1000)) };
  await runScript(['start'], env, startTimeoutMs);
  await runScript(['wait'], env, Math.max(1000, deadline - Date.now()));
  if (!(await kafkaAnswers('127.0.0.1', port, 5000))) {
    throw new DependencyUnavailableError(`kafka on 127.0.0.1:${port} reported ready but does not answer`, { port });
  }
  return { brokers, source: 'started' };
}

function runScript(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('bash', [kafkaScript, ...args], { env, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (!error) {
        resolve();
        return;
      }
      const tail = stderr.trim().split('\n').slice(-20).join('\n');
      reject(new DependencyUnavailableError(`kafka.sh ${args.join(' ')} failed: ${error.message}\n${tail}`, { cause: error }));
    });
  });
}

/**
 * True when host:port answers a Kafka ApiVersions (v0) request without error within `timeoutMs`.
 * A KRaft broker opens its client listener only once it can serve, so this means "ready".
 */
export function kafkaAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  const clientId = Buffer.from('baton-testing');
  const correlationId = 0x0ba7;
  const request = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
  request.writeInt32BE(request.length - 4, 0); // size
  request.writeInt16BE(18, 4); // api key: ApiVersions
  request.writeInt16BE(0, 6); // api version
  request.writeInt32BE(correlationId, 8);
  request.writeInt16BE(clientId.length, 12);
  clientId.copy(request, 14);
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let received = Buffer.alloc(0);
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // response: size (4), correlation id (4), error code (2), …
      if (received.length >= 10) finish(received.readInt32BE(4) === correlationId && received.readInt16BE(8) === 0);
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

/** A name no other test (or test process) uses, for topics, topic namespaces and groups: `prefix-<random>`. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
