import type { ConnectionOptions } from 'node:tls';
import { Kafka, Partitioners, logLevel, type LogEntry, type Producer, type RetryOptions, type SASLOptions } from 'kafkajs';
import type { Logger } from '@baton/logging';

export type PinoLevel = 'error' | 'warn' | 'info' | 'debug';

/**
 * kafkajs logs every protocol error response at ERROR and every rebalance at WARN, even those it
 * retries by itself. These are expected in normal operation (a coordinator loading, a group
 * rebalancing, a topic being created); they go to debug so real problems stand out.
 */
const noisy: readonly RegExp[] = [
  /^Response \w+\(key: \d+, version: \d+\)/, // an error code in a response; kafkajs retries it
  /group is rebalancing/i,
  /coordinator (is loading|is not available|not available)/i,
  /Limiting retries for the idempotent producer/,
  /KafkaJS v2\.0\.0 switched default partitioner/,
  /^Starting$|^Stopped$|^Consumer has joined the group$|^consumer not running, exiting$/,
];

/** The pino level one kafkajs log entry is written at (pure, for tests). */
export function pinoLevelFor(level: logLevel, message: string): PinoLevel {
  if (noisy.some((re) => re.test(message))) return 'debug';
  switch (level) {
    case logLevel.ERROR:
    case logLevel.NOTHING:
      return 'error';
    case logLevel.WARN:
      return 'warn';
    case logLevel.INFO:
      return 'info';
    default:
      return 'debug';
  }
}

/** kafkajs logCreator writing into a pino logger, with kafkajs' own fields as context. */
export function pinoLogCreator(logger: Logger): () => (entry: LogEntry) => void {
  return () => (entry: LogEntry) => {
    const { message, timestamp: _timestamp, logger: _name, ...context } = entry.log;
    const level = pinoLevelFor(entry.level, message);
    if (!logger.isLevelEnabled(level)) return;
    logger[level]({ kafkaComponent: entry.namespace, ...context }, message);
  };
}

/** The kafkajs log level matching a pino logger: only fetch debug entries when they are wanted. */
function kafkaLogLevel(logger: Logger): logLevel {
  if (logger.isLevelEnabled('debug')) return logLevel.DEBUG;
  // noisy entries are demoted to debug, so still ask for INFO and filter here
  return logLevel.INFO;
}

export interface CreateKafkaOptions {
  brokers: readonly string[];
  clientId: string;
  logger: Logger;
  /** TCP connect deadline (kafkajs default 1000 ms). */
  connectionTimeoutMs?: number;
  /** Deadline of one request (kafkajs default 30000 ms). */
  requestTimeoutMs?: number;
  /** Retry of broker requests and of consumer restarts; defaults tuned to fail over fast. */
  retry?: RetryOptions;
  /** TLS to the brokers: true for the system CAs, or node tls options (see kafkaSecurityOptions). */
  ssl?: ConnectionOptions | boolean;
  /** SASL authentication; kafkajs does not log it and neither does pinoLogCreator. */
  sasl?: SASLOptions;
}

/** One kafkajs client per process; producers, consumers and admins come from it. */
export function createKafka(options: CreateKafkaOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: options.retry ?? { initialRetryTime: 100, maxRetryTime: 5000, retries: 8 },
    logLevel: kafkaLogLevel(options.logger),
    logCreator: pinoLogCreator(options.logger.child({ component: 'kafkajs' })),
    ...(options.ssl === undefined || options.ssl === false ? {} : { ssl: options.ssl }),
    ...(options.sasl === undefined ? {} : { sasl: options.sasl }),
  });
}

export interface CreateProducerOptions {
  /**
   * kafkajs' idempotent producer retries a failed send forever (retries = MAX_SAFE_INTEGER), so a
   * publish on the recovery path would hang while the broker is away. Off by default: with
   * maxInFlightRequests 1 a retry never reorders a partition, and a duplicate after a retry is
   * dropped by consumers through the envelope's messageId. Turn on where waiting forever is fine.
   */
  idempotent?: boolean;
  /** Off by default: a typo in a topic name fails instead of creating a stray topic. */
  allowAutoTopicCreation?: boolean;
  /** 1 keeps a partition in order under retries; raise for throughput where order does not matter. */
  maxInFlightRequests?: number;
  retry?: RetryOptions;
}

/**
 * A producer tuned for latency: kafkajs sends each `send` at once (no linger), acks=-1 is set per
 * send by the publisher, and the default partitioner (murmur2, like the Java client) keeps a key on
 * one partition.
 */
export function createProducer(kafka: Kafka, options: CreateProducerOptions = {}): Producer {
  const idempotent = options.idempotent ?? false;
  return kafka.producer({
    idempotent,
    allowAutoTopicCreation: options.allowAutoTopicCreation ?? false,
    maxInFlightRequests: idempotent ? 1 : (options.maxInFlightRequests ?? 1),
    createPartitioner: Partitioners.DefaultPartitioner,
    ...(options.retry ? { retry: options.retry } : idempotent ? {} : { retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 } }),
  });
}
