// The broker's SASL_PLAINTEXT listener (infra/kafka/kafka.sh): clients built from the `kafka`
// config with the test user's credentials produce and consume through it; a client without
// credentials, or with a wrong password, is refused quickly (no retries, short timeouts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import kafkajs, { type Kafka, type KafkaMessage } from 'kafkajs';
import { createLogger, type Logger } from '@baton/logging';
import { ensureKafka, uniqueName, waitFor, type KafkaSaslEndpoint } from '@baton/testing';
import { createKafka, kafkaFromConfig, type KafkaConnectionConfig } from '../src/index.ts';
import { kafkaSecurityOptions } from '../src/from-config.ts';

// CommonJS: the error classes are not named exports under ESM
const { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSSASLAuthenticationError } = kafkajs;

/** A debug-level logger that keeps every line, to check that no secret is written. */
function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ service: 'sasl-test', level: 'debug', destination: sink }), lines };
}

function connection(sasl: KafkaSaslEndpoint, overrides: Partial<KafkaConnectionConfig['sasl'] & object> = {}): KafkaConnectionConfig {
  return {
    brokers: sasl.brokers,
    clientId: uniqueName('sasl'),
    connectionTimeoutMs: 1000,
    requestTimeoutMs: 3000,
    tls: { enabled: false, rejectUnauthorized: true },
    sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password, ...overrides },
  };
}

/** A client that gives up at the first failure: the refusals below cannot hang. */
function oneShot(config: KafkaConnectionConfig, logger: Logger): Kafka {
  return createKafka({ brokers: config.brokers, clientId: config.clientId, logger, connectionTimeoutMs: 1000, requestTimeoutMs: 3000, retry: { retries: 0 }, ...kafkaSecurityOptions(config) });
}

async function saslEndpoint(t: { skip(message: string): void }): Promise<KafkaSaslEndpoint | undefined> {
  const { sasl } = await ensureKafka();
  if (!sasl) t.skip('BATON_KAFKA_BROKERS is set without BATON_KAFKA_SASL_BROKERS: no SASL listener to test');
  return sasl;
}

/** What connecting an admin fails with, and how long that took (reported; the test's timeout only ends a hang). */
async function refusal(kafka: Kafka): Promise<{ error: unknown; ms: number }> {
  const admin = kafka.admin();
  const started = Date.now();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (error) {
    return { error, ms: Date.now() - started };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  assert.fail('the SASL listener let the client in');
}

test('with the SCRAM-SHA-512 credentials a client from the config produces and consumes through the SASL listener', { timeout: 60_000 }, async (t) => {
  const sasl = await saslEndpoint(t);
  if (!sasl) return;
  const { logger, lines } = capturingLogger();
  const kafka = kafkaFromConfig(connection(sasl), 'sasl-test', logger);
  const topic = uniqueName('sasl-topic');
  const admin = kafka.admin();
  await admin.connect();
  t.after(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });

  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.after(() => producer.disconnect());
  await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'through SASL' }] });

  const received: KafkaMessage[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('sasl-group'), maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  await consumer.connect();
  t.after(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push(message);
    },
  });
  await waitFor(() => received.length > 0, { description: 'the message consumed through the SASL listener', timeoutMs: 30_000 });
  assert.equal(received[0]?.value?.toString(), 'through SASL');

  assert.ok(lines.some((l) => l.includes('SASL SCRAM SHA512 successful') || l.includes('SASL SCRAM SHA512 authentication successful')), 'kafkajs authenticated with SCRAM-SHA-512');
  assert.ok(!lines.some((l) => l.includes(sasl.password)), 'the password is never logged, not even at debug');
});

for (const mechanism of ['scram-sha-256', 'plain'] as const) {
  test(`${mechanism} with the test credentials is accepted too`, { timeout: 30_000 }, async (t) => {
    const sasl = await saslEndpoint(t);
    if (!sasl) return;
    const admin = oneShot(connection(sasl, { mechanism }), capturingLogger().logger).admin();
    await admin.connect();
    try {
      assert.ok(Array.isArray(await admin.listTopics()));
    } finally {
      await admin.disconnect();
    }
  });
}

test('a client without credentials is refused by the SASL listener', { timeout: 30_000 }, async (t) => {
  const sasl = await saslEndpoint(t);
  if (!sasl) return;
  const { error, ms } = await refusal(oneShot(connection(sasl, { mechanism: 'none' }), capturingLogger().logger));
  // the broker drops a connection whose first request after ApiVersions is not the SASL handshake
  const cause = error instanceof KafkaJSNumberOfRetriesExceeded ? error.cause : error;
  assert.ok(cause instanceof KafkaJSConnectionError, `a connection error, got ${String(error)}`);
  t.diagnostic(`refused after ${ms} ms`);
});

for (const wrong of [
  { name: 'a wrong password', overrides: { password: 'not-the-password' } },
  { name: 'an unknown user', overrides: { username: 'nobody' } },
  { name: 'a wrong password over PLAIN', overrides: { mechanism: 'plain' as const, password: 'not-the-password' } },
]) {
  test(`a client with ${wrong.name} is refused with a SASL authentication error`, { timeout: 30_000 }, async (t) => {
    const sasl = await saslEndpoint(t);
    if (!sasl) return;
    const { logger, lines } = capturingLogger();
    const { error, ms } = await refusal(oneShot(connection(sasl, wrong.overrides), logger));
    assert.ok(error instanceof KafkaJSSASLAuthenticationError, `KafkaJSSASLAuthenticationError, got ${String(error)}`);
    t.diagnostic(`refused after ${ms} ms`);
    const tried = ('password' in wrong.overrides ? wrong.overrides.password : undefined) ?? sasl.password;
    assert.ok(!lines.some((l) => l.includes(tried)), 'the password tried is not logged');
  });
}
