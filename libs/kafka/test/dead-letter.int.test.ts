import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvelope, deadLetterHeaders, topics } from '@baton/contracts';
import { uniqueName, waitFor } from '@baton/testing';
import { createMessageSigner, signatureHeader, type MessageContext } from '../src/index.ts';
import { committedTotal, fixtureSigner, header, kafkaFixture, probeRequest } from './support.ts';

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
  // signed, so that what is tested here is the validation behind the signature check
  const raw = async (value: Buffer | null, headers: Record<string, string> = {}): Promise<string> => {
    const signature = fixtureSigner.sign(topics.probeRequests, key, value ?? Buffer.alloc(0));
    const [meta] = await fx.producer.send({ topic: source, acks: -1, messages: [{ key, value, headers: { ...headers, [signatureHeader]: signature } }] });
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

test('an unsigned, a forged, a tampered and an expired command are dead-lettered with the reason and never handled; a signed one is', async (t) => {
  const fx = await kafkaFixture('auth', [topics.commands, topics.deadLetters]);
  t.after(() => fx.teardown());
  const handled: MessageContext[] = [];
  const consumer = await fx.consumer({
    groupId: uniqueName('auth'),
    topics: [topics.commands],
    fromBeginning: true,
    maxMessageAgeMs: 60_000,
    handler: async (context) => {
      handled.push(context);
    },
  });
  await consumer.ready;
  const key = 'orders';
  const command = (requestedBy: string, occurredAt?: string) =>
    createEnvelope('command', { kind: 'begin-downtime', requestedBy, clusterId: key, instance: { host: 'db1', port: 3306 }, owner: requestedBy, reason: 'x', endsAt: new Date(Date.now() + 3_600_000).toISOString() }, {
      producer: 'test',
      ...(occurredAt === undefined ? {} : { occurredAt }),
    });
  const bytes = (requestedBy: string, occurredAt?: string) => Buffer.from(JSON.stringify(command(requestedBy, occurredAt)));
  const send = (value: Buffer, headers: Record<string, string>) => fx.producer.send({ topic: fx.names[topics.commands], acks: -1, messages: [{ key, value, headers }] });
  const intruder = createMessageSigner({ current: 'a-secret-the-intruder-made-up-itself-0000' });

  await send(bytes('kafka-intruder'), {});
  await send(bytes('kafka-intruder'), { [signatureHeader]: intruder.sign(topics.commands, key, bytes('kafka-intruder')) });
  const genuine = bytes('operator');
  await send(bytes('kafka-intruder'), { [signatureHeader]: fixtureSigner.sign(topics.commands, key, genuine) });
  const old = bytes('operator', new Date(Date.now() - 3_600_000).toISOString());
  await send(old, { [signatureHeader]: fixtureSigner.sign(topics.commands, key, old) });
  const fresh = command('operator');
  await fx.publisher.publish(topics.commands, key, fresh);

  await waitFor(() => handled.length === 1, { description: 'the signed command handled', timeoutMs: 30_000 });
  assert.equal(handled[0]?.envelope.messageId, fresh.messageId);
  const dead = await fx.read(fx.names[topics.deadLetters], (m) => m.length >= 4, 'four dead letters');
  const reasons = dead.map((m) => header(m, deadLetterHeaders.reason) ?? '');
  assert.match(reasons[0] ?? '', /unsigned: no baton-signature header/);
  assert.match(reasons[1] ?? '', /signed with a secret this deployment does not hold/);
  assert.match(reasons[2] ?? '', /forged: the signature does not match/);
  assert.match(reasons[3] ?? '', /expired, occurredAt .* old \(limit 60000 ms\)/);
  for (const letter of dead) assert.equal(header(letter, deadLetterHeaders.errorCode), 'BATON_MESSAGE_UNAUTHENTICATED');
  await consumer.stop();
  assert.deepEqual(consumer.stats(), { handled: 1, retried: 0, deadLettered: 4 });
});
