/**
 * The api in-process (startApi) against a private password-protected redis-server, with the
 * password given as redis.password: it starts, /api/health reports Redis ok, and its log lines
 * (captured from pino) never hold the password. With a wrong password it does not start (it
 * gives up rather than waits forever), and logs the refusal without the password either.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DependencyUnavailableError } from '@baton/errors';
import { createLogger, silentLogger, type Logger } from '@baton/logging';
import { startRedisServer, type OwnedRedis } from '@baton/testing';
import { startBatonTestEnv, type BatonTestEnv } from '@baton/testing/baton-env';
import { startApi, type RunningApi } from '../src/start-api.ts';
import { TOKEN } from './harness.ts';

const password = 'api-Redis-Secret-51f0c2';
const wrongPassword = 'api-Wrong-Secret-0d9e44';

let server: OwnedRedis | undefined;
let env: BatonTestEnv | undefined;

/** A pino logger writing into `lines`. */
function capturingLogger(lines: string[]): Logger {
  return createLogger({ service: 'api', level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
}

before(async () => {
  server = await startRedisServer({ requirePass: password });
  const url = new URL(server.url);
  url.password = password;
  // the environment's own client (key clean-up) authenticates through its URL
  env = await startBatonTestEnv({ label: 'api-redis-auth', logger: silentLogger(), redisUrl: url.toString() });
});

after(async () => {
  await env?.teardown();
  await server?.stop();
});

const configWith = (redisPassword: string) =>
  (env as BatonTestEnv).config({
    BATON__API__TOKEN: TOKEN,
    // a URL without credentials: the password comes from redis.password only
    BATON__REDIS__URL: (server as OwnedRedis).url,
    BATON__REDIS__PASSWORD: redisPassword,
  });

test('the api starts with redis.password, reports Redis healthy, and never logs the password', async (t) => {
  const lines: string[] = [];
  const config = configWith(password);
  assert.equal(config.redis.password, password);
  const api: RunningApi = await startApi(config, capturingLogger(lines), { port: 0 });
  t.after(() => api.stop());

  const res = await fetch(`${api.url}/api/health`);
  const body = (await res.json()) as { Details?: { Checks?: Record<string, string> } };
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.Details?.Checks?.['redis'], 'ok');

  await api.stop();
  const text = lines.join('');
  assert.match(text, /redis ready/);
  assert.match(text, /api listening/);
  assert.equal(text.includes(password), false, 'a log line holds the Redis password');
});

// The test's timeout only ends a start that hangs; how long the api took to give up is reported.
test('with a wrong redis.password the api does not start (it gives up, not hangs), and the password is not logged', { timeout: 60_000 }, async (t) => {
  const lines: string[] = [];
  const started = Date.now();
  await assert.rejects(startApi(configWith(wrongPassword), capturingLogger(lines), { port: 0, redisReadyTimeoutMs: 2000 }), DependencyUnavailableError);
  t.diagnostic(`gave up after ${Date.now() - started} ms (redisReadyTimeoutMs 2000)`);
  const text = lines.join('');
  assert.match(text, /WRONGPASS/, 'the refusal is logged');
  assert.equal(text.includes(wrongPassword), false, 'a log line holds the wrong password');
  assert.equal(text.includes(password), false);
});
