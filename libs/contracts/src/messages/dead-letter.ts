import { Type, type Static } from '@sinclair/typebox';

/**
 * A dead letter keeps the original bytes as its value, untouched, so nothing is lost; why and where it
 * came from travel in these headers (all strings, as Kafka headers are).
 */
export const deadLetterHeaders = {
  reason: 'baton-dlq-reason',
  errorCode: 'baton-dlq-error-code',
  originalTopic: 'baton-dlq-original-topic',
  originalPartition: 'baton-dlq-original-partition',
  originalOffset: 'baton-dlq-original-offset',
  originalKey: 'baton-dlq-original-key',
  consumerGroup: 'baton-dlq-consumer-group',
  attempts: 'baton-dlq-attempts',
  failedAt: 'baton-dlq-failed-at',
} as const;

export const DeadLetterHeadersV1 = Type.Object(
  Object.fromEntries(Object.values(deadLetterHeaders).map((h) => [h, Type.String()])),
  { additionalProperties: true, $id: 'DeadLetterHeadersV1' },
);
export type DeadLetterInfo = Static<typeof DeadLetterHeadersV1>;
