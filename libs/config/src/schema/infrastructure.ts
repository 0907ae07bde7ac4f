/** Sections for the things Baton talks to: Kafka, Redis, the backend database, the MySQL fleet. */
import { Type } from '@sinclair/typebox';
import { integer, optional, port, section, stringList, text } from './primitives.ts';
import { KafkaSaslSchema, TlsSchema } from './security.ts';

export const KafkaSchema = section(
  {
    brokers: stringList(['127.0.0.1:9092'], 'Bootstrap brokers, host:port.', { minItems: 1 }),
    clientId: text('baton', 'Kafka client id; the service name is appended.', { minLength: 1 }),
    topicPrefix: optional(Type.String({ description: 'Prefix for every topic name (test isolation); default deployment.name.' })),
    groupIdPrefix: optional(Type.String({ pattern: '^[A-Za-z0-9._-]*$', description: 'Prefix for every consumer group id; default deployment.name.' })),
    tls: TlsSchema('the brokers'),
    sasl: KafkaSaslSchema,
    connectionTimeoutMs: integer(3000, 'TCP connect timeout to a broker.', { min: 1 }),
    requestTimeoutMs: integer(10000, 'Timeout of one broker request.', { min: 1 }),
    sessionTimeoutMs: integer(10000, 'Consumer group session timeout.', { min: 1 }),
    heartbeatIntervalMs: integer(1000, 'Consumer heartbeat interval; below sessionTimeoutMs.', { min: 1 }),
  },
  'Kafka: the bus between detector, analyzer, recovery-executor, hook-runner and api.',
);

export const RedisSchema = section(
  {
    url: text('redis://127.0.0.1:6379', 'redis:// or rediss:// URL (rediss:// turns TLS on).', { minLength: 1 }),
    username: optional(Type.String({ minLength: 1, description: 'ACL user (Redis 6+); default the URL\'s, else "default".' })),
    password: optional(Type.String({ description: 'Password (requirepass or the ACL user\'s); replaces one in the URL.' })),
    passwordFile: optional(Type.String({ minLength: 1, description: 'File holding the password; instead of password.' })),
    tls: TlsSchema('Redis'),
    keyPrefix: optional(Type.String({ description: 'Prefix before every Baton key (test isolation); default deployment.name.' })),
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
    passwordFile: optional(Type.String({ minLength: 1, description: 'File holding the backend password; instead of password.' })),
    tls: TlsSchema('the backend database'),
    database: Type.String({
      default: 'baton',
      pattern: '^[A-Za-z0-9_]{1,64}$',
      description: 'Schema for recoveries, steps, detections; created and migrated at start. Default "baton", or "baton_<deployment.name>".',
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
    passwordFile: optional(Type.String({ minLength: 1, description: 'File holding that password; instead of password.' })),
    replicationUser: text('repl', 'User written into CHANGE MASTER TO when replicas are moved.', { minLength: 1 }),
    replicationPassword: text('', 'Password written into CHANGE MASTER TO.'),
    replicationPasswordFile: optional(Type.String({ minLength: 1, description: 'File holding replicationPassword; instead of it.' })),
    connectTimeoutMs: integer(800, 'Connect timeout to an instance (orchestrator: MySQLConnectTimeoutSeconds); below detector.pollIntervalMs.', {
      min: 1,
    }),
    probeTimeoutMs: integer(500, 'Read timeout of a health probe; below detector.pollIntervalMs.', { min: 1 }),
    operationTimeoutMs: integer(10000, 'Timeout of one SQL statement during a recovery.', { min: 1 }),
  },
  'The MySQL/MariaDB fleet Baton watches and repairs.',
);
