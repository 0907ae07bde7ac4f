/**
 * A consumer's lag and health against the real broker: messages waiting behind a handler that
 * does not finish count as lag on their partition; once handled (and committed) the lag is 0; the
 * member's health is a reason before it joined and after it stopped, null in between.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topics } from '@baton/contracts';
import { uniqueName, waitFor } from '@baton/testing';
import { partitionLag } from '../src/index.ts';
import { kafkaFixture, probeRequest } from './support.ts';

test('partitionLag: end offset minus the later of committed and processed; uncommitted partitions from where the group starts', () => {
  const table: Array<[Parameters<typeof partitionLag>[0], number]> = [
    [{ high: 10, low: 0, committed: 4, processed: undefined, fromBeginning: false }, 6],
    [{ high: 10, low: 0, committed: 4, processed: 7, fromBeginning: false }, 3],
    [{ high: 10, low: 0, committed: 8, processed: 7, fromBeginning: false }, 2],
    [{ high: 10, low: 0, committed: -1, processed: undefined, fromBeginning: true }, 10],
    [{ high: 10, low: 3, committed: -1, processed: undefined, fromBeginning: true }, 7],
    [{ high: 10, low: 0, committed: -1, processed: undefined, fromBeginning: false }, 0],
    [{ high: 10, low: 6, committed: 2, processed: undefined, fromBeginning: false }, 4],
    [{ high: 10, low: 0, committed: 10, processed: 10, fromBeginning: true }, 0],
    [{ high: 0, low: 0, committed: -1, processed: undefined, fromBeginning: true }, 0],
  ];
  for (const [input, lag] of table) assert.equal(partitionLag(input), lag, JSON.stringify(input));
});

test('messages behind a handler that has not finished are lag; handled, the lag is 0; health follows the member', async (t) => {
  const fx = await kafkaFixture('lag', [topics.probeRequests, topics.deadLetters], 1);
  t.after(() => fx.teardown());
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let handled = 0;
  const consumer = await fx.consumer({
    groupId: uniqueName('lag'),
    topics: [topics.probeRequests],
    fromBeginning: true,
    heartbeatIntervalMs: 200,
    handler: async () => {
      await gate;
      handled += 1;
    },
  });
  await consumer.ready;
  assert.equal(consumer.health(), null, 'joined: healthy');

  await fx.publisher.publishMany(topics.probeRequests, Array.from({ length: 5 }, (_, i) => ({ key: 'orders', envelope: probeRequest('orders', `m${i}`) })));
  // the first message is in the handler, the others wait behind it: none finished, none committed
  const waiting = await waitFor(async () => {
    const rows = await consumer.lag();
    return rows.length === 1 && rows[0]?.lag === 5 ? rows : undefined;
  }, { description: 'five messages of lag', timeoutMs: 20_000 });
  assert.deepEqual(waiting, [{ topic: topics.probeRequests, partition: 0, lag: 5 }], 'by logical topic and partition');

  release();
  await waitFor(() => handled === 5, { description: 'every message handled', timeoutMs: 20_000 });
  await waitFor(async () => (await consumer.lag())[0]?.lag === 0, { description: 'no lag once handled', timeoutMs: 20_000 });

  await consumer.stop();
  assert.match(consumer.health() ?? '', /stopped/);
  assert.deepEqual(await consumer.lag(), [], 'a stopped member holds nothing');
});
