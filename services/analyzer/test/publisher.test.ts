import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvelope } from '@baton/contracts';
import { DependencyUnavailableError, MessageValidationError, isRetryable } from '@baton/errors';
import type { Publisher } from '@baton/kafka';
import { kafkaAnalysisPublisher } from '../src/index.ts';

const envelope = createEnvelope(
  'analysis',
  { clusterId: 'c1', clusterAlias: 'c1', snapshotObservedAt: '2026-11-26T19:30:00.000Z', analyzedAt: '2026-11-26T19:30:00.005Z', entries: [], hasProblem: false },
  { producer: 'analyzer', correlationId: 'det-1' },
);

function failingWith(error: Error): Publisher {
  return { publish: async () => Promise.reject(error), publishMany: async () => [], physical: (t) => t };
}

test('a broker failure is retryable (the runner backs off and retries the snapshot)', async () => {
  const publisher = kafkaAnalysisPublisher(failingWith(new Error('Connection error: ECONNREFUSED')));
  await assert.rejects(publisher.publish('c1', envelope), (e: unknown) => e instanceof DependencyUnavailableError && isRetryable(e));
});

test('an analysis that fails its own schema is not retried (the snapshot is dead-lettered)', async () => {
  const publisher = kafkaAnalysisPublisher(failingWith(new MessageValidationError('analysis v1 is invalid at /payload/clusterId')));
  await assert.rejects(publisher.publish('c1', envelope), (e: unknown) => e instanceof MessageValidationError && !isRetryable(e));
});

test('sends on baton.analyses keyed by cluster id', async () => {
  const sent: Array<[string, string]> = [];
  const publisher = kafkaAnalysisPublisher({
    publish: async (topic, key) => {
      sent.push([topic, key]);
      return [];
    },
    publishMany: async () => [],
    physical: (t) => t,
  });
  await publisher.publish('c1', envelope);
  assert.deepEqual(sent, [['baton.analyses', 'c1']]);
});
