import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadLetterHeaders, topics } from '@baton/contracts';
import { DependencyUnavailableError, RecoveryPreconditionError } from '@baton/errors';
import { uniqueName, waitFor } from '@baton/testing';
import { header, kafkaFixture, probeRequest } from './support.ts';

test('retryable failures are retried with backoff; only exhausted or non-retryable ones are dead-lettered', async (t) => {
  const fx = await kafkaFixture('retry', [topics.probeRequests, topics.deadLetters]);
  t.after(() => fx.teardown());
  const calls = new Map<string, number[]>();
  const consumer = await fx.consumer({
    groupId: uniqueName('retry'),
    topics: [topics.probeRequests],
    fromBeginning: true,
    maxAttempts: 3,
    backoff: { baseMs: 5, capMs: 20 },
    handler: async ({ envelope, attempt }) => {
      const reason = envelope.type === 'probe-request' ? envelope.payload.reason : '';
      calls.set(reason, [...(calls.get(reason) ?? []), attempt]);
      if (reason === 'flaky' && attempt <= 2) throw new DependencyUnavailableError('redis is restarting');
      if (reason === 'broken') throw new DependencyUnavailableError('redis is gone');
      if (reason === 'fatal') throw new RecoveryPreconditionError('cluster has no replicas');
    },
  });
  await consumer.ready;

  // one key, so one partition: flaky is fully processed before broken, broken before fatal
  const key = 'cluster-r';
  const flaky = probeRequest(key, 'flaky');
  const broken = probeRequest(key, 'broken');
  const fatal = probeRequest(key, 'fatal');
  for (const envelope of [flaky, broken, fatal]) await fx.publisher.publish(topics.probeRequests, key, envelope);

  // the dead letters keep the source order (same key): had flaky been dead-lettered, it would come first
  const dead = await fx.read(fx.names[topics.deadLetters], (m) => m.length >= 2, 'two dead letters');
  const ids = dead.map((m) => (JSON.parse(m.value?.toString() ?? '{}') as { messageId?: string }).messageId);
  assert.deepEqual(ids, [broken.messageId, fatal.messageId], 'flaky succeeded on its third attempt and was not dead-lettered');

  assert.deepEqual(calls.get('flaky'), [1, 2, 3]);
  assert.deepEqual(calls.get('broken'), [1, 2, 3]);
  assert.deepEqual(calls.get('fatal'), [1], 'a non-retryable error is not retried');

  const [exhausted, refused] = dead;
  assert.equal(header(exhausted!, deadLetterHeaders.attempts), '3');
  assert.equal(header(exhausted!, deadLetterHeaders.errorCode), 'BATON_DEPENDENCY_UNAVAILABLE');
  assert.equal(header(exhausted!, deadLetterHeaders.reason), 'redis is gone');
  assert.equal(header(refused!, deadLetterHeaders.attempts), '1');
  assert.equal(header(refused!, deadLetterHeaders.errorCode), 'BATON_RECOVERY_PRECONDITION');

  await waitFor(() => consumer.stats().deadLettered === 2, { description: 'stats updated' });
  assert.deepEqual(consumer.stats(), { handled: 1, retried: 4, deadLettered: 2 });
});

test('stop() abandons a handler that outlives the deadline; the message is redelivered, not lost', async (t) => {
  const fx = await kafkaFixture('stop', [topics.probeRequests, topics.deadLetters]);
  t.after(() => fx.teardown());
  const groupId = uniqueName('stop');
  const base = { groupId, topics: [topics.probeRequests], fromBeginning: true } as const;
  let sawAbort = false;
  let started = false;
  const stuck = await fx.consumer({
    ...base,
    stopTimeoutMs: 200,
    handler: ({ signal }) =>
      new Promise<void>((resolve) => {
        started = true;
        // a handler that only finishes when told to give up (and then still "succeeds" late)
        signal.addEventListener('abort', () => {
          sawAbort = true;
          resolve();
        });
      }),
  });
  await stuck.ready;
  const message = probeRequest('cluster-s', 'slow');
  await fx.publisher.publish(topics.probeRequests, 'cluster-s', message);
  await waitFor(() => started, { description: 'the handler started' });

  await stuck.stop();
  assert.ok(sawAbort, 'the handler was told through its signal');
  assert.equal(stuck.stats().handled, 0);

  const redelivered: string[] = [];
  const next = await fx.consumer({
    ...base,
    handler: async ({ envelope }) => {
      redelivered.push(envelope.messageId);
    },
  });
  await waitFor(() => redelivered.length > 0, { description: 'the abandoned message redelivered', timeoutMs: 30_000 });
  assert.deepEqual(redelivered, [message.messageId]);
  await next.stop();
});
