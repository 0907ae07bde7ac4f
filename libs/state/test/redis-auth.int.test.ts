/**
 * createRedis against a private password-protected redis-server (requirepass and an ACL user):
 * the right credentials work for plain commands, flags and the lease; none or wrong ones fail
 * with NOAUTH / WRONGPASS (and do not hang); no password ever reaches a log line or a rejected error.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { DependencyUnavailableError } from '@baton/errors';
import { createLogger, type Logger } from '@baton/logging';
import { startRedisServer, type OwnedRedis } from '@baton/testing';
import { createKeys, createRedis, exists, LeaseManager, setFlag, waitForRedis, type RedisConnectionConfig } from '../src/index.ts';

const requirePass = 'rp-Secret-4f1e"x\\y';
const aclUser = { name: 'baton-acl', password: 'acl-Secret-9c2d' };
const wrongPass = 'wrong-Secret-77aa';
const secrets = [requirePass, aclUser.password, wrongPass, encodeURIComponent(requirePass)];

let server: OwnedRedis;
const logLines: string[] = [];
const logger: Logger = createLogger({ service: 'redis-auth-test', level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
const clients: Redis[] = [];

before(async () => {
  server = await startRedisServer({ requirePass, aclUser });
});

after(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
  // every line of every test: no secret, whichever client logged it
  const text = logLines.join('');
  for (const secret of secrets) assert.equal(text.includes(secret), false, `a log line holds ${secret}`);
});

function client(overrides: Partial<RedisConnectionConfig> = {}): Redis {
  const redis = createRedis({ url: server.url, connectTimeoutMs: 1000, commandTimeoutMs: 1000, maxRetriesPerRequest: 1, ...overrides }, logger, 'baton-auth-test');
  clients.push(redis);
  return redis;
}

/**
 * Rejects with `pattern`, and does not hang: the bound only ends the wait for a client that keeps
 * retrying; how long the refusal took is reported, not asserted. The error carries no secret.
 */
async function refused(t: TestContext, work: Promise<unknown>, pattern: RegExp): Promise<void> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('still no answer after 30 s')), 30_000);
  });
  const error = await Promise.race([work, hung])
    .then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e as Error & { command?: unknown },
    )
    .finally(() => clearTimeout(timer));
  assert.match(error.message, pattern);
  const ms = Date.now() - started;
  const dump = JSON.stringify({ message: error.message, command: error.command, stack: error.stack });
  for (const secret of secrets) assert.equal(dump.includes(secret), false, `the error holds ${secret}: ${dump}`);
  t.diagnostic(`refused after ${ms} ms: ${error.message.slice(0, 80)}`);
}

test('requirepass: the password works for commands, flags and the recovery lease', async () => {
  const redis = client({ password: requirePass });
  await waitForRedis(redis, 5000);
  assert.equal(await redis.set('auth:k', 'v'), 'OK');
  assert.equal(await redis.get('auth:k'), 'v');
  const keys = createKeys('auth-test');
  assert.equal(await setFlag(redis, keys.recoveryBlock('orders'), 5000, { nx: true }), true);
  assert.equal(await exists(redis, keys.recoveryBlock('orders')), true);
  const lease = await new LeaseManager({ redis, keys, logger, owner: 'executor-a' }).acquire('orders', 5000);
  assert.ok(lease.token > 0);
  assert.equal(await lease.release(), true);
  assert.equal(await redis.call('ACL', 'WHOAMI'), 'default');
});

test('an explicit password replaces the one in the URL', async () => {
  const url = new URL(server.url);
  url.password = 'not-the-password';
  const redis = client({ url: url.toString(), password: requirePass });
  await waitForRedis(redis, 5000);
  assert.equal(await redis.ping(), 'PONG');
});

test('the password in the URL works and is redacted from the log context', async () => {
  const url = new URL(server.url);
  url.password = requirePass;
  const redis = client({ url: url.toString() });
  await waitForRedis(redis, 5000);
  assert.equal(await redis.ping(), 'PONG');
  assert.ok(logLines.some((line) => line.includes('redis ready') && line.includes('[redacted]@127.0.0.1')), 'the ready line names the redacted URL');
});

test('without a password every command fails with NOAUTH', async (t) => {
  const redis = client();
  await refused(t, redis.get('auth:k'), /NOAUTH/);
  await assert.rejects(waitForRedis(redis, 1500), DependencyUnavailableError);
  await refused(t, redis.set('auth:k', 'x'), /NOAUTH|max retries|Connection/i);
});

test('a wrong password fails with WRONGPASS, and the password is not logged', async (t) => {
  const before = logLines.length;
  const redis = client({ password: wrongPass });
  await refused(t, redis.get('auth:k'), /WRONGPASS/);
  await assert.rejects(waitForRedis(redis, 1500), DependencyUnavailableError);
  const logged = logLines.slice(before).join('');
  assert.match(logged, /redis connection error/);
  assert.match(logged, /WRONGPASS/);
  assert.equal(logged.includes(wrongPass), false);
});

test('an ACL user authenticates with username and password; a wrong one is refused', async (t) => {
  const redis = client({ username: aclUser.name, password: aclUser.password });
  await waitForRedis(redis, 5000);
  assert.equal(await redis.call('ACL', 'WHOAMI'), aclUser.name);
  assert.equal(await redis.set('auth:acl', '1', 'PX', 5000), 'OK');

  const wrong = client({ username: aclUser.name, password: wrongPass });
  await refused(t, wrong.ping(), /WRONGPASS/);
  // the requirepass password is the default user's, not the ACL user's
  const mixed = client({ username: aclUser.name, password: requirePass });
  await refused(t, mixed.ping(), /WRONGPASS/);
});

test('the private server survives a restart with its credentials', async (t) => {
  await server.restart();
  const redis = client({ username: aclUser.name, password: aclUser.password });
  await waitForRedis(redis, 5000);
  assert.equal(await redis.get('auth:acl'), null, 'a restarted server is empty');
  await refused(t, client().ping(), /NOAUTH/);
});
