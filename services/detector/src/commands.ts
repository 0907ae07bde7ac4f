/**
 * Operator commands for the detectors (baton.commands, group baton-detector-commands: one
 * detector handles each): `discover` registers the topology around an instance, `forget` retires a
 * cluster. Every other command kind belongs to another service and is passed over. A discovery
 * that finds nothing (the seed does not answer) is not retryable and is dead-lettered with the
 * reason; a registry or broker failure is retried by the runner.
 */
import { topics, type ClusterRegistration } from '@baton/contracts';
import { DependencyUnavailableError, MessageValidationError } from '@baton/errors';
import { runConsumer, type MessageSigner, type Publisher, type RunningConsumer, type TopicNames } from '@baton/kafka';
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from '@baton/logging';
import type { DiscoverySettings } from './config.ts';
import { forgetCluster, registerCluster } from './register-cluster.ts';

export interface CommandConsumerOptions {
  kafka: Kafka;
  names: TopicNames;
  groupId: string;
  logger: Logger;
  publisher: Publisher;
  deadLetterProducer: Producer;
  signer: MessageSigner;
  /** security.commandMaxAgeMs: an older command is dead-lettered as expired. */
  maxCommandAgeMs: number;
  discovery: DiscoverySettings;
  registrations: () => Promise<ReadonlyMap<string, ClusterRegistration>>;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

/** A broker or registry failure is worth another attempt; a BatonError keeps its own verdict. */
function retryableInfrastructure<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    if (typeof error === 'object' && error !== null && 'retryable' in error) throw error;
    throw new DependencyUnavailableError('command failed on kafka or the registry', { cause: error });
  });
}

export function consumeCommands(options: CommandConsumerOptions): Promise<RunningConsumer> {
  const { logger, publisher } = options;
  return runConsumer({
    kafka: options.kafka,
    names: options.names,
    groupId: options.groupId,
    topics: [topics.commands],
    logger,
    deadLetterProducer: options.deadLetterProducer,
    signer: options.signer,
    maxMessageAgeMs: options.maxCommandAgeMs,
    fromBeginning: false,
    maxWaitTimeMs: 500,
    sessionTimeoutMs: options.sessionTimeoutMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    handler: async ({ envelope }) => {
      if (envelope.type !== 'command') throw new MessageValidationError(`expected a command, got ${envelope.type}`);
      const command = envelope.payload;
      const log = logger.child({ command: command.kind, requestedBy: command.requestedBy, correlationId: envelope.correlationId });
      if (command.kind === 'discover') {
        await retryableInfrastructure(() =>
          registerCluster(command.instance, {
            ...options.discovery,
            publisher,
            registrations: options.registrations,
            registeredBy: `command:${command.requestedBy}`,
            logger: log,
            ...(command.alias === undefined ? {} : { alias: command.alias }),
          }),
        );
      } else if (command.kind === 'forget') {
        await retryableInfrastructure(() =>
          forgetCluster(command.clusterId, { publisher, registrations: options.registrations, registeredBy: `command:${command.requestedBy}`, logger: log }),
        );
      }
    },
  });
}
