/**
 * A Kafka broker for tests. `ensureKafka()` picks, once per process:
 *  1. BATON_KAFKA_BROKERS when set (comma-separated host:port; CI or a developer's own broker);
 *  2. 127.0.0.1:$BATON_KAFKA_PORT (default 19092) when it answers a Kafka ApiVersions request;
 *  3. otherwise `infra/kafka/kafka.sh start` + `wait` (fetches the jars with Maven the first time).
 * A broker started by (3) is LEFT RUNNING when the tests end, so the next run starts in
 * milliseconds instead of seconds; stop it with `npm run kafka:stop` (or `bash infra/kafka/kafka.sh stop`).
 * kafka.sh takes a lock, so parallel test processes start one broker between them.
 * Tests share the broker: each test uses its own topics and groups (`uniqueName`).
 *
 * Besides PLAINTEXT on the port, kafka.sh opens a SASL_PLAINTEXT listener on
 * $BATON_KAFKA_SASL_PORT (default port+2, 19094) for the user BATON_KAFKA_SASL_USER /
 * BATON_KAFKA_SASL_PASSWORD (default baton / baton-secret): `sasl` says where, and with what. With
 * BATON_KAFKA_BROKERS, BATON_KAFKA_SASL_BROKERS names that listener (no `sasl` without it).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DependencyUnavailableError } from '@baton/errors';

export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** A broker's SASL_PLAINTEXT listener and the user it knows (PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512). */
export interface KafkaSaslEndpoint {
  brokers: string[];
  /** The one tests use by default. */
  mechanism: KafkaSaslMechanism;
  username: string;
  password: string;
}

export interface KafkaEndpoint {
  /** The PLAINTEXT listener. */
  brokers: string[];
  /** The SASL listener; absent only with BATON_KAFKA_BROKERS set and BATON_KAFKA_SASL_BROKERS not. */
  sasl?: KafkaSaslEndpoint;
  /** Where it came from: the environment, a broker already answering, or started here. */
  source: 'env' | 'local' | 'started';
}

export interface EnsureKafkaOptions {
  /** Default BATON_KAFKA_PORT or 19092. */
  port?: number;
  /** Default BATON_KAFKA_SASL_PORT (without `port`) or port+2. */
  saslPort?: number;
  /** Deadline for fetch + start + ready when the broker has to be started. Default 300 s (a cold Maven fetch). */
  startTimeoutMs?: number;
}

const kafkaScript = fileURLToPath(new URL('../../../infra/kafka/kafka.sh', import.meta.url));
const endpoints = new Map<number, Promise<KafkaEndpoint>>();

/** The user kafka.sh creates (same variables and defaults as kafka.sh), with SCRAM-SHA-512. */
export function testSaslEndpoint(brokers: readonly string[]): KafkaSaslEndpoint {
  return {
    brokers: [...brokers],
    mechanism: 'scram-sha-512',
    username: process.env['BATON_KAFKA_SASL_USER'] ?? 'baton',
    password: process.env['BATON_KAFKA_SASL_PASSWORD'] ?? 'baton-secret',
  };
}

export function ensureKafka(options: EnsureKafkaOptions = {}): Promise<KafkaEndpoint> {
  const port = options.port ?? Number(process.env['BATON_KAFKA_PORT'] ?? 19092);
  const saslPort = options.saslPort ?? (options.port === undefined && process.env['BATON_KAFKA_SASL_PORT'] ? Number(process.env['BATON_KAFKA_SASL_PORT']) : port + 2);
  let endpoint = endpoints.get(port);
  if (!endpoint) {
    endpoint = resolveKafka(port, saslPort, options.startTimeoutMs ?? 300_000).catch((error: unknown) => {
      endpoints.delete(port);
      throw error;
    });
    endpoints.set(port, endpoint);
  }
  return endpoint;
}

async function resolveKafka(port: number, saslPort: number, startTimeoutMs: number): Promise<KafkaEndpoint> {
  const list = (value: string): string[] => value.split(',').map((b) => b.trim()).filter((b) => b !== '');
  const fromEnv = process.env['BATON_KAFKA_BROKERS'];
  if (fromEnv) {
    const saslFromEnv = process.env['BATON_KAFKA_SASL_BROKERS'];
    return { brokers: list(fromEnv), ...(saslFromEnv ? { sasl: testSaslEndpoint(list(saslFromEnv)) } : {}), source: 'env' };
  }
  const brokers = [`127.0.0.1:${port}`];
  const sasl = testSaslEndpoint([`127.0.0.1:${saslPort}`]);
  if (await kafkaAnswers('127.0.0.1', port)) {
    if (await kafkaAnswers('127.0.0.1', saslPort, 2000)) return { brokers, sasl, source: 'local' };
    throw new DependencyUnavailableError(
      `kafka on 127.0.0.1:${port} answers but its SASL listener 127.0.0.1:${saslPort} does not (started by an older kafka.sh?): restart it with \`bash infra/kafka/kafka.sh stop; bash infra/kafka/kafka.sh start\``,
      { port, saslPort },
    );
  }
  const deadline = Date.now() + startTimeoutMs;
  const env = { ...process.env, BATON_KAFKA_PORT: String(port), BATON_KAFKA_SASL_PORT: String(saslPort), BATON_KAFKA_WAIT_S: String(Math.ceil(startTimeoutMs / 1000)) };
  await runScript(['start'], env, startTimeoutMs);
  await runScript(['wait'], env, Math.max(1000, deadline - Date.now()));
  for (const p of [port, saslPort]) {
    if (!(await kafkaAnswers('127.0.0.1', p, 5000))) {
      throw new DependencyUnavailableError(`kafka on 127.0.0.1:${p} reported ready but does not answer`, { port: p });
    }
  }
  return { brokers, sasl, source: 'started' };
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
