import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadLetterHeaders, topics } from '@baton/contracts';
import { uniqueName, waitFor } from '@baton/testing';
import type { MessageContext } from '../src/index.ts';
import { committedTotal, header, kafkaFixture, probeRequest } from './support.ts';

test('malformed messages land on the dead-letter topic with the reason, and the consumer moves on', async (t) => {
  const fx = await kafkaFixture('dlq', [topics.probeRequests, topics.deadLetters]);
  t.after(() => fx.teardown());
  const groupId = uniqueName('dlq');
  const handled: MessageContext[] = [];
  const consumer = await fx.consumer({
    groupId,
    topics: [topics.probeRequests],
    fromBeginning: true,
    handler: async (context) => {
      handled.push(context);
    },
  });
  await consumer.ready;

  const source = fx.names[topics.probeRequests];
  const key = 'cluster-x';
  const garbage = Buffer.from([0xff, 0x00, 0x7b, 0x0a, 0xc3]);
  const invalidPayload = { ...probeRequest(key, 'bad'), payload: { clusterId: key, instances: 'all of them', reason: 'bad', requestedBy: 't' } };
  const invalidBytes = Buffer.from(JSON.stringify(invalidPayload));
  const good = probeRequest(key, 'good');
  // one key: one partition, so the order below is the order of consumption
  const raw = async (value: Buffer | null, headers: Record<string, string> = {}): Promise<string> => {
    const [meta] = await fx.producer.send({ topic: source, acks: -1, messages: [{ key, value, headers }] });
    return meta?.baseOffset ?? assert.fail('no offset');
  };
  const garbageOffset = await raw(garbage, { 'x-trace': 'abc' });
  const invalidOffset = await raw(invalidBytes);
  const tombstoneOffset = await raw(null);
  await fx.publisher.publish(topics.probeRequests, key, good);

  await waitFor(() => handled.length === 1, { description: 'the valid message after the bad ones handled', timeoutMs: 30_000 });
  assert.equal(handled[0]?.envelope.messageId, good.messageId);

  const dead = await fx.read(fx.names[topics.deadLetters], (m) => m.length >= 3, 'three dead letters');
  assert.equal(dead.length, 3);
  const [first, second, third] = dead;
  assert.ok(first && second && third);

  // the original bytes, untouched, with the original key and headers
  assert.deepEqual(first.value, garbage);
  assert.equal(first.key?.toString(), key);
  assert.equal(header(first, 'x-trace'), 'abc');
  assert.match(header(first, deadLetterHeaders.reason) ?? '', /not JSON/);
  assert.equal(header(first, deadLetterHeaders.errorCode), 'BATON_MESSAGE_INVALID');
  assert.equal(header(first, deadLetterHeaders.originalTopic), source);
  assert.equal(header(first, deadLetterHeaders.originalOffset), garbageOffset);
  assert.equal(header(first, deadLetterHeaders.originalPartition), String(handled[0]?.partition));
  assert.equal(header(first, deadLetterHeaders.originalKey), key);
  assert.equal(header(first, deadLetterHeaders.consumerGroup), groupId);
  assert.equal(header(first, deadLetterHeaders.attempts), '0');
  assert.ok(!Number.isNaN(Date.parse(header(first, deadLetterHeaders.failedAt) ?? '')));

  assert.deepEqual(second.value, invalidBytes);
  assert.match(header(second, deadLetterHeaders.reason) ?? '', /\/payload\/instances/);
  assert.equal(header(second, deadLetterHeaders.originalOffset), invalidOffset);

  assert.equal(third.value, null, 'a tombstone stays a tombstone');
  assert.match(header(third, deadLetterHeaders.reason) ?? '', /no value/);
  assert.equal(header(third, deadLetterHeaders.originalOffset), tombstoneOffset);

  await consumer.stop();
  assert.equal(await committedTotal(fx.admin, groupId, source), 4, 'every message, bad or good, is committed');
  assert.deepEqual(consumer.stats(), { handled: 1, retried: 0, deadLettered: 3 });
});
