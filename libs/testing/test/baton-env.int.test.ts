/**
 * startBatonTestEnv against the real broker, Redis and MariaDB: teardown releases everything, in
 * order, even past a failing step; and a set-up that fails half-way (topics created, then the wait
 * for their leaders fails) releases what it had before the error reaches the caller.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, type Admin } from 'kafkajs';
import { topics } from '@baton/contracts';
import { createKafka } from '@baton/kafka';
import { silentLogger } from '@baton/logging';
import { createBackendPool } from '@baton/mysql';
import { createRedis } from '@baton/state';
import { startBatonTestEnv, testBackendServer } from '../src/baton-env.ts';
import { ensureKafka, ensureRedis, uniqueName, waitFor } from '../src/index.ts';

const logger = silentLogger();
const only = [topics.commands, topics.deadLetters];

/** Topics on the broker whose name starts with `prefix`, seen through an admin of the test's own. */
async function topicsStartingWith(prefix: string): Promise<string[]> {
  const { brokers } = await ensureKafka();
  const admin = createKafka({ brokers, clientId: uniqueName('baton-env-check'), logger }).admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  } finally {
    await admin.disconnect();
  }
}

async function databaseExists(name: string): Promise<boolean> {
  const pool = createBackendPool({ ...testBackendServer(), database: name, connectionLimit: 1, connectTimeoutMs: 2000, queryTimeoutMs: 5000 }, { logger, database: null });
  try {
    const [rows] = (await pool.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name])) as unknown as [unknown[]];
    return rows.length > 0;
  } finally {
    await pool.end();
  }
}

test('teardown runs the deferred steps last-in-first-out, then removes keys, database and topics, and disconnects — past a failing step', async () => {
  const env = await startBatonTestEnv({ label: 'baton-env', only, partitions: 1, logger });
  // the shared broker's SASL listener, with the test user
  assert.ok(env.sasl, 'ensureKafka gives the SASL listener');
  assert.deepEqual(env.config().kafka.brokers, env.sasl.brokers);
  assert.equal(env.config().kafka.sasl.mechanism, 'scram-sha-512');
  assert.equal(env.config().kafka.sasl.password, env.sasl.password);
  assert.equal(env.config({ BATON__KAFKA__CLIENT_ID: 'other' }).kafka.clientId, 'other');
  assert.equal(env.config().backend.database, env.database);
  assert.equal(env.config().redis.keyPrefix, env.keyPrefix);
  assert.deepEqual((await topicsStartingWith(`${env.namespace}.`)).sort(), only.map((t) => env.names[t]).sort());

  // what a service would leave: a database, keys under the prefix
  const server = createBackendPool({ ...env.backendServer, database: env.database, connectionLimit: 1, connectTimeoutMs: 2000, queryTimeoutMs: 5000 }, { logger, database: null });
  await server.query(`CREATE DATABASE \`${env.database}\``).finally(() => server.end());
  await env.redis.set(env.keys.snapshot('orders'), '{}');
  await env.redis.set(`${env.keyPrefix}:other`, '1');
  const pool = env.backendPool(1);
  await pool.query('SELECT 1');

  const ran: string[] = [];
  env.defer(() => void ran.push('first deferred'));
  env.defer(() => {
    ran.push('failing');
    throw new Error('a step that fails');
  });
  env.defer(async () => void ran.push('last deferred'));
  const disconnected: string[] = [];
  env.admin.on(env.admin.events.DISCONNECT, () => void disconnected.push('admin'));
  env.producer.on(env.producer.events.DISCONNECT, () => void disconnected.push('producer'));

  await env.teardown();
  await env.teardown();
  assert.deepEqual(ran, ['last deferred', 'failing', 'first deferred']);
  assert.deepEqual(disconnected, ['producer', 'admin']);
  assert.equal(env.redis.status, 'end');
  assert.throws(() => env.defer(() => undefined), /already torn down/);

  const { url } = await ensureRedis();
  const check = createRedis({ url, connectTimeoutMs: 2000, commandTimeoutMs: 2000, maxRetriesPerRequest: 1 }, logger);
  try {
    assert.deepEqual(await check.keys(`${env.keyPrefix}:*`), []);
  } finally {
    await check.quit();
  }
  assert.equal(await databaseExists(env.database), false);
  await waitFor(async () => (await topicsStartingWith(`${env.namespace}.`)).length === 0, { description: 'the topics deleted', timeoutMs: 30_000 });
});

test('set-up that fails after creating its topics deletes them and disconnects the admin before the error propagates', async (t) => {
  // the wait for leaders fails (as a broker that never elects one would make it): topics exist, ensureTopics throws
  const label = uniqueName('halfway');
  const disconnects: string[] = [];
  const created: string[] = [];
  const original = Kafka.prototype.admin;
  Kafka.prototype.admin = function (this: Kafka, ...args: Parameters<Kafka['admin']>): Admin {
    const admin = original.apply(this, args);
    const createTopics = admin.createTopics.bind(admin);
    admin.createTopics = async (options) => {
      const answer = await createTopics(options);
      created.push(...options.topics.map((topic) => topic.topic));
      return answer;
    };
    admin.fetchTopicMetadata = async () => {
      throw new Error('injected: metadata unavailable');
    };
    admin.on(admin.events.DISCONNECT, () => void disconnects.push('admin'));
    return admin;
  };
  t.after(() => {
    Kafka.prototype.admin = original;
  });
  const started = startBatonTestEnv({ label, only, partitions: 1, logger });
  await assert.rejects(started, /injected: metadata unavailable/);
  Kafka.prototype.admin = original;
  assert.equal(created.length, only.length, 'the topics were created before the failure');
  assert.deepEqual(disconnects, ['admin'], 'the admin is disconnected before the error reaches the caller');
  await waitFor(async () => (await topicsStartingWith(`${label}-`)).length === 0, { description: 'the half-created topics deleted', timeoutMs: 30_000 });
});
