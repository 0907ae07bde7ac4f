import type { Message, Producer, RecordMetadata } from 'kafkajs';
import { encodeMessage, type Envelope, type TopicName } from '@baton/contracts';
import type { Logger } from '@baton/logging';
import { signatureHeader, type MessageSigner } from './signing.ts';
import { topicNames, type TopicNames } from './topic-table.ts';

export interface PublisherOptions {
  /** A connected producer (see createProducer); the caller owns its lifecycle. */
  producer: Producer;
  /** Signs every message (security.signingSecret: signerFromConfig). */
  signer: MessageSigner;
  /** Physical topic names (default: the real ones). */
  names?: TopicNames;
  /** -1 (all in-sync replicas, the default), 1 (leader) or 0. */
  acks?: -1 | 0 | 1;
  logger?: Logger;
}

export interface Publisher {
  /** Validates and encodes `envelope` for `topic` and sends it keyed by cluster id. */
  publish(topic: TopicName, key: string, envelope: Envelope): Promise<RecordMetadata[]>;
  /** Same for several messages of one topic, in one request. */
  publishMany(topic: TopicName, entries: ReadonlyArray<{ key: string; envelope: Envelope }>): Promise<RecordMetadata[]>;
  /** Physical name of a logical topic. */
  physical(topic: TopicName): string;
}

/** Builds the signed kafkajs message for an envelope; throws MessageValidationError before anything is sent. */
export function toKafkaMessage(topic: TopicName, key: string, envelope: Envelope, signer: MessageSigner): Message {
  const { value, headers } = encodeMessage(topic, envelope);
  return { key, value, headers: { ...headers, [signatureHeader]: signer.sign(topic, key, value) } };
}

/**
 * Publishes envelopes. An invalid envelope throws MessageValidationError (the producer's bug:
 * nothing reaches the topic); a broker failure throws kafkajs' error after the producer's retries.
 */
export function createPublisher(options: PublisherOptions): Publisher {
  const names = options.names ?? topicNames();
  const acks = options.acks ?? -1;
  const logger = options.logger;

  async function send(topic: TopicName, messages: Message[]): Promise<RecordMetadata[]> {
    try {
      return await options.producer.send({ topic: names[topic], acks, messages });
    } catch (error) {
      logger?.error({ err: error, topic: names[topic], count: messages.length }, 'kafka publish failed');
      throw error;
    }
  }

  return {
    publish: (topic, key, envelope) => send(topic, [toKafkaMessage(topic, key, envelope, options.signer)]),
    publishMany: (topic, entries) => {
      if (entries.length === 0) return Promise.resolve([]);
      return send(topic, entries.map((e) => toKafkaMessage(topic, e.key, e.envelope, options.signer)));
    },
    physical: (topic) => names[topic],
  };
}
