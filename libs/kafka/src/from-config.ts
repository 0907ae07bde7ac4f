import type { Kafka } from 'kafkajs';
import type { TopicName } from '@baton/contracts';
import type { Logger } from '@baton/logging';
import { createKafka } from './client.ts';
import { ensureTopics, topicNames, type TopicNames } from './topic-table.ts';

/** The part of the `kafka` config section a service connects with (structural: no config import). */
export interface KafkaConnectionConfig {
  brokers: readonly string[];
  clientId: string;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  topicPrefix?: string | undefined;
}

/** A kafkajs client for one component, named `<clientId>-<component>`, with the configured timeouts. */
export function kafkaFromConfig(config: KafkaConnectionConfig, component: string, logger: Logger): Kafka {
  return createKafka({
    brokers: config.brokers,
    clientId: `${config.clientId}-${component}`,
    logger,
    connectionTimeoutMs: config.connectionTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
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
