import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { Kafka, SASLOptions } from 'kafkajs';
import type { TopicName } from '@baton/contracts';
import { ConfigError, readTlsFiles, type ConfigIssue, type TlsFilesConfig } from '@baton/errors';
import type { Logger } from '@baton/logging';
import { createKafka } from './client.ts';
import { ensureTopics, topicNames, type TopicNames } from './topic-table.ts';

/** `kafka.tls` (structural). PEM file paths are read when the client is created. */
export type KafkaTlsConnectionConfig = TlsFilesConfig;

/** `kafka.sasl` (structural); the config loader has already put passwordFile into password. */
export interface KafkaSaslConnectionConfig {
  mechanism: 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username?: string | undefined;
  password?: string | undefined;
}

/** The part of the `kafka` config section a service connects with (structural: no config import). */
export interface KafkaConnectionConfig {
  brokers: readonly string[];
  clientId: string;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  topicPrefix?: string | undefined;
  tls?: KafkaTlsConnectionConfig | undefined;
  sasl?: KafkaSaslConnectionConfig | undefined;
}

/** kafkajs' `ssl` and `sasl` client options; a key is absent when that layer is off. */
export interface KafkaSecurityOptions {
  ssl?: ConnectionOptions | true;
  sasl?: SASLOptions;
}

/**
 * kafkajs `ssl` / `sasl` for `kafka.tls` / `kafka.sasl`. TLS on without files or overrides is
 * `ssl: true` (system CAs); otherwise the PEM files are read with `readFile` (injectable for
 * tests). Throws a ConfigError naming the key when a file cannot be read or a credential is
 * missing. The result holds the SASL password: never log it.
 */
export function kafkaSecurityOptions(
  config: Pick<KafkaConnectionConfig, 'tls' | 'sasl'>,
  readFile: (path: string) => string | Buffer = (path) => readFileSync(path),
): KafkaSecurityOptions {
  const issues: ConfigIssue[] = [];
  const out: KafkaSecurityOptions = {};
  const tls = config.tls;
  if (tls?.enabled) {
    const ssl: ConnectionOptions = { ...readTlsFiles('kafka', tls, readFile, issues) };
    if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
      issues.push({ key: 'kafka.tls.certFile', problem: 'a client certificate needs its key (kafka.tls.keyFile) and the other way round' });
    }
    if (tls.rejectUnauthorized === false) ssl.rejectUnauthorized = false;
    if (tls.servername !== undefined) ssl.servername = tls.servername;
    out.ssl = Object.keys(ssl).length === 0 ? true : ssl;
  }
  const sasl = config.sasl;
  if (sasl && sasl.mechanism !== 'none') {
    const { mechanism, username, password } = sasl;
    if (username === undefined) issues.push({ key: 'kafka.sasl.username', problem: `is required with kafka.sasl.mechanism ${mechanism}` });
    if (password === undefined) issues.push({ key: 'kafka.sasl.password', problem: `is required with kafka.sasl.mechanism ${mechanism}` });
    if (username !== undefined && password !== undefined) out.sasl = { mechanism, username, password };
  }
  if (issues.length > 0) throw new ConfigError(issues, 'kafka configuration');
  return out;
}

/** A kafkajs client for one component, named `<clientId>-<component>`, with the configured timeouts, TLS and SASL. */
export function kafkaFromConfig(config: KafkaConnectionConfig, component: string, logger: Logger): Kafka {
  return createKafka({
    brokers: config.brokers,
    clientId: `${config.clientId}-${component}`,
    logger,
    connectionTimeoutMs: config.connectionTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    ...kafkaSecurityOptions(config),
  });
}

/**
 * Physical topic names for `kafka.topicPrefix`: `sandbox` or `sandbox.` both give
 * `sandbox.baton.cluster-snapshots`; no prefix gives the real names.
 */
export function topicNamesFromConfig(config: Pick<KafkaConnectionConfig, 'topicPrefix'>): TopicNames {
  return topicNames((config.topicPrefix ?? '').replace(/\.$/, ''));
}

/** Creates the missing topics among `only` with a short-lived admin client. */
export async function ensureServiceTopics(kafka: Kafka, options: { names: TopicNames; only: readonly TopicName[]; logger?: Logger }): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, { names: options.names, only: options.only, ...(options.logger ? { logger: options.logger } : {}) });
  } finally {
    await admin.disconnect();
  }
}
