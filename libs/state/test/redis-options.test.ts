import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '@baton/errors';
import { redisOptions, scrubRedisError, type RedisConnectionConfig } from '../src/index.ts';

const timeouts = { connectTimeoutMs: 2000, commandTimeoutMs: 1000, maxRetriesPerRequest: 1 };
const files: Record<string, string> = { '/tls/ca.pem': 'CA PEM', '/tls/client.pem': 'CERT PEM', '/tls/client.key': 'KEY PEM' };
const readFile = (file: string): string => {
  const text = files[file];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
  return text;
};

interface Case {
  name: string;
  config: Partial<RedisConnectionConfig> & { url: string };
  /** The options picked out below; absent keys must be undefined. */
  expect: { host?: string; port?: number; db?: number; username?: string; password?: string; tls?: Record<string, unknown> };
}

const cases: Case[] = [
  { name: 'plain URL', config: { url: 'redis://10.0.0.5:6380' }, expect: { host: '10.0.0.5', port: 6380 } },
  { name: 'default port, db from the path', config: { url: 'redis://cache.internal/3' }, expect: { host: 'cache.internal', port: 6379, db: 3 } },
  { name: 'IPv6 host', config: { url: 'redis://[::1]:7000' }, expect: { host: '::1', port: 7000 } },
  { name: 'password in the URL (requirepass)', config: { url: 'redis://:s%40cret@h:1' }, expect: { host: 'h', port: 1, password: 's@cret' } },
  { name: 'user and password in the URL', config: { url: 'redis://baton:pw@h:1' }, expect: { host: 'h', port: 1, username: 'baton', password: 'pw' } },
  { name: 'explicit password', config: { url: 'redis://h:1', password: 'pw' }, expect: { host: 'h', port: 1, password: 'pw' } },
  { name: 'explicit password replaces the URL one', config: { url: 'redis://:old@h:1', password: 'new' }, expect: { host: 'h', port: 1, password: 'new' } },
  { name: 'explicit password keeps the URL user', config: { url: 'redis://baton:old@h:1', password: 'new' }, expect: { host: 'h', port: 1, username: 'baton', password: 'new' } },
  { name: 'explicit user and password', config: { url: 'redis://other:old@h:1', username: 'baton', password: 'new' }, expect: { host: 'h', port: 1, username: 'baton', password: 'new' } },
  { name: 'explicit empty password removes the URL one', config: { url: 'redis://:old@h:1', password: '' }, expect: { host: 'h', port: 1 } },
  { name: 'user without a password (nopass ACL user)', config: { url: 'redis://h:1', username: 'ro' }, expect: { host: 'h', port: 1, username: 'ro', password: '' } },
  { name: 'rediss:// turns TLS on with verification', config: { url: 'rediss://h:6380' }, expect: { host: 'h', port: 6380, tls: { rejectUnauthorized: true } } },
  {
    name: 'rediss:// with the TLS section (even if enabled is false)',
    config: { url: 'rediss://h:6380', tls: { enabled: false, caFile: '/tls/ca.pem', servername: 'redis.example' } },
    expect: { host: 'h', port: 6380, tls: { rejectUnauthorized: true, ca: 'CA PEM', servername: 'redis.example' } },
  },
  {
    name: 'tls.enabled on a redis:// URL, mutual TLS, verification off',
    config: { url: 'redis://h:6380', password: 'pw', tls: { enabled: true, caFile: '/tls/ca.pem', certFile: '/tls/client.pem', keyFile: '/tls/client.key', rejectUnauthorized: false } },
    expect: { host: 'h', port: 6380, password: 'pw', tls: { rejectUnauthorized: false, ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' } },
  },
  { name: 'TLS section with enabled false on redis:// = no TLS', config: { url: 'redis://h:1', tls: { enabled: false, rejectUnauthorized: true } }, expect: { host: 'h', port: 1 } },
];

for (const c of cases) {
  test(`redisOptions: ${c.name}`, () => {
    const options = redisOptions({ ...timeouts, ...c.config }, 'baton-x', readFile);
    const picked = { host: options.host, port: options.port, db: options.db, username: options.username, password: options.password, tls: options.tls };
    assert.deepEqual(picked, { host: undefined, port: undefined, db: undefined, username: undefined, password: undefined, tls: undefined, ...c.expect });
  });
}

test('redisOptions: timeouts, retries, back-off and the connection name', () => {
  const options = redisOptions({ url: 'redis://h:1', connectTimeoutMs: 1234, commandTimeoutMs: 567, maxRetriesPerRequest: 2 }, 'baton-api', readFile);
  assert.equal(options.connectTimeout, 1234);
  assert.equal(options.commandTimeout, 567);
  assert.equal(options.maxRetriesPerRequest, 2);
  assert.equal(options.connectionName, 'baton-api');
  assert.equal(typeof options.retryStrategy, 'function');
});

const invalid: Array<{ name: string; config: Partial<RedisConnectionConfig> & { url: string }; key: string; problem: RegExp }> = [
  { name: 'not a URL', config: { url: '127.0.0.1:6379' }, key: 'redis.url', problem: /redis:\/\/ or rediss:\/\// },
  { name: 'another scheme', config: { url: 'http://h:1' }, key: 'redis.url', problem: /redis:\/\/ or rediss:\/\// },
  { name: 'a db that is not a number', config: { url: 'redis://h:1/x' }, key: 'redis.url', problem: /must be a number/ },
  { name: 'an unreadable CA file', config: { url: 'rediss://h:1', tls: { enabled: true, caFile: '/missing.pem' } }, key: 'redis.tls.caFile', problem: /cannot read \/missing\.pem: ENOENT/ },
  { name: 'an unreadable key file', config: { url: 'redis://h:1', tls: { enabled: true, certFile: '/tls/client.pem', keyFile: '/nope' } }, key: 'redis.tls.keyFile', problem: /cannot read \/nope/ },
];

for (const c of invalid) {
  test(`redisOptions refuses ${c.name}`, () => {
    assert.throws(
      () => redisOptions({ ...timeouts, ...c.config }, 'baton', readFile),
      (error: unknown) => error instanceof ConfigError && error.issues.length === 1 && error.issues[0]?.key === c.key && c.problem.test(error.issues[0].problem),
    );
  });
}

test('scrubRedisError removes the arguments of AUTH and HELLO only', () => {
  const auth = Object.assign(new Error('WRONGPASS invalid username-password pair'), { command: { name: 'auth', args: ['baton', 'hunter2'] } });
  assert.deepEqual(scrubRedisError(auth).command, { name: 'auth', args: ['[redacted]'] });
  const hello = Object.assign(new Error('WRONGPASS'), { command: { name: 'hello', args: [3, 'AUTH', 'default', 'hunter2'] } });
  assert.deepEqual(scrubRedisError(hello).command.args, ['[redacted]']);
  const get = Object.assign(new Error('NOAUTH Authentication required.'), { command: { name: 'get', args: ['k'] } });
  assert.deepEqual(scrubRedisError(get).command.args, ['k']);
  assert.equal(scrubRedisError(null), null);
  assert.ok(scrubRedisError(new Error('plain')) instanceof Error);
});
