export { createKafka, createProducer, pinoLogCreator, pinoLevelFor, type CreateKafkaOptions, type CreateProducerOptions, type PinoLevel } from './client.ts';
export { createPublisher, toKafkaMessage, type Publisher, type PublisherOptions } from './publisher.ts';
export {
  runConsumer,
  type ConsumerStats,
  type MessageContext,
  type MessageHandler,
  type RunConsumerOptions,
  type RunningConsumer,
} from './run-consumer.ts';
export {
  allTopics,
  ensureTopics,
  logicalTopic,
  topicConfig,
  topicNames,
  topicTable,
  type CleanupPolicy,
  type EnsureTopicsOptions,
  type TopicNames,
  type TopicSpec,
} from './topic-table.ts';
export { backoffDelay, defaultBackoff, sleep, type BackoffOptions } from './backoff.ts';
export { buildDeadLetterHeaders, errorCode, errorMessage, headersToStrings, maxReasonLength, type DeadLetterInput } from './dead-letter.ts';
export { kafkaFromConfig, topicNamesFromConfig, ensureServiceTopics, type KafkaConnectionConfig } from './from-config.ts';
export { authenticateMessage, createMessageSigner, signatureHeader, signerFromConfig, type MessageSigner, type SigningSecrets } from './signing.ts';
export { consumerGroupId, type GroupIdConfig } from './group-id.ts';
export { isBrokerAway, restartWhenBrokerReturns, type CrashRestarter } from './consumer-restart.ts';
export { watchConsumer, type ConsumerState, type ConsumerWatch } from './consumer-watch.ts';
export { createLagSampler, partitionLag, type LagSampler, type LagSamplerOptions, type PartitionLag } from './consumer-lag.ts';
