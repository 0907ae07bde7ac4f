/** Sections for the things Baton talks to: Kafka, Redis, the backend database, the MySQL fleet. */
import { Type } from '@sinclair/typebox';
import { integer, optional, port, section, stringList, text } from './primitives.ts';

export const KafkaSchema = section(
  {
    brokers: stringList(['127.0.0.1:9092'], 'Bootstrap brokers, host:port.', { minItems: 1 }),
    clientId: text('baton', 'Kafka client id; the service name is appended.', { minLength: 1 }),
    topicPrefix: optional(Type.String({ description: 'Prefix for every topic name (test isolation, shared clusters).' })),
    connectionTimeoutMs: integer(3000, 'TCP connect timeout to a broker.', { min: 1 }),
    requestTimeoutMs: integer(10000, 'Timeout of one broker request.', { min: 1 }),
    sessionTimeoutMs: integer(10000, 'Consumer group session timeout.', { min: 1 }),
    heartbeatIntervalMs: integer(1000, 'Consumer heartbeat interval; below sessionTimeoutMs.', { min: 1 }),
  },
  'Kafka: the bus between detector, analyzer, recovery-executor, hook-runner and api.',
);

export const RedisSchema = section(
  {
    url: text('redis://127.0.0.1:6379', 'redis:// or rediss:// URL, password included if any.', { minLength: 1 }),
    keyPrefix: optional(Type.String({ description: 'Prefix before every Baton key (test isolation, shared Redis).' })),
    connectTimeoutMs: integer(2000, 'TCP connect timeout.', { min: 1 }),
    commandTimeoutMs: integer(1000, 'Timeout of one command.', { min: 1 }),
    maxRetriesPerRequest: integer(1, 'Retries of a command across reconnects before it fails.', { max: 100 }),
    processedMessageTtlMs: integer(86_400_000, 'How long a handled message id is remembered (idempotency).', { min: 1 }),
  },
  'Redis: TTL keys for grace periods, detections, recovery blocks and the recovery lock.',
);

export const BackendSchema = section(
  {
    dsn: optional(
      Type.String({
        minLength: 1,
        description: 'mysql://user:password@host:port/database; replaces host/port/user/password/database.',
      }),
    ),
    host: text('127.0.0.1', 'Backend database host.', { minLength: 1 }),
    port: port(3306, 'Backend database port.'),
    user: text('root', 'Backend database user.', { minLength: 1 }),
    password: text('', 'Backend database password.'),
    database: Type.String({
      default: 'baton',
      pattern: '^[A-Za-z0-9_]{1,64}$',
      description: 'Schema for recoveries, steps, detections; created and migrated at start.',
    }),
    connectionLimit: integer(10, 'Pool size.', { min: 1, max: 1000 }),
    connectTimeoutMs: integer(2000, 'Connect timeout.', { min: 1 }),
    queryTimeoutMs: integer(5000, 'Per-query timeout.', { min: 1 }),
    migrationLockTimeoutSeconds: integer(30, 'How long a starting process waits for another one migrating.', { min: 1 }),
  },
  'Backend database (MySQL or MariaDB): what must outlive Redis.',
);

export const MysqlSchema = section(
  {
    user: text('baton', 'User the detector and executor log in with on every instance.', { minLength: 1 }),
    password: text('', 'Password of that user.'),
    replicationUser: text('repl', 'User written into CHANGE MASTER TO when replicas are moved.', { minLength: 1 }),
    replicationPassword: text('', 'Password written into CHANGE MASTER TO.'),
    connectTimeoutMs: integer(800, 'Connect timeout to an instance (orchestrator: MySQLConnectTimeoutSeconds); below detector.pollIntervalMs.', {
      min: 1,
    }),
    probeTimeoutMs: integer(500, 'Read timeout of a health probe; below detector.pollIntervalMs.', { min: 1 }),
    operationTimeoutMs: integer(10000, 'Timeout of one SQL statement during a recovery.', { min: 1 }),
  },
  'The MySQL/MariaDB fleet Baton watches and repairs.',
);
