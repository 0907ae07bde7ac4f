/**
 * createRedis over TLS to a private redis-server that demands a client certificate: a CA, a
 * server certificate for the name `redis.test` only, and a client certificate, all made here with
 * openssl. The files of redis.tls are read and used: the CA verifies the server, servername picks
 * the name checked, the client certificate is presented, rejectUnauthorized=false skips checks.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { DependencyUnavailableError } from '@baton/errors';
import { createLogger } from '@baton/logging';
import { startRedisServer, type OwnedRedis } from '@baton/testing';
import { createRedis, waitForRedis, type RedisConnectionConfig } from '../src/index.ts';

const password = 'tls-Secret-a81c';
let dir: string;
let server: OwnedRedis;
const logLines: string[] = [];
const logger = createLogger({ service: 'redis-tls-test', level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
const clients: Redis[] = [];

const openssl = (...args: string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
};

/** A key and a certificate for `cn`, signed by the CA, with `ext` as its extensions. */
function issue(name: string, cn: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-sha256', '-extfile', `${name}.ext`);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-redis-tls-'));
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=baton-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  issue('server', 'redis.test', 'subjectAltName=DNS:redis.test\nextendedKeyUsage=serverAuth');
  issue('client', 'baton-client', 'extendedKeyUsage=clientAuth');
  server = await startRedisServer({
    requirePass: password,
    tls: { certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key'), caFile: join(dir, 'ca.pem'), authClients: true },
  });
});

after(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  assert.equal(logLines.join('').includes(password), false, 'a log line holds the password');
});

const mutual = () => ({ caFile: join(dir, 'ca.pem'), certFile: join(dir, 'client.pem'), keyFile: join(dir, 'client.key') });

function client(overrides: Partial<RedisConnectionConfig>): Redis {
  const redis = createRedis({ url: server.tlsUrl as string, password, connectTimeoutMs: 1000, commandTimeoutMs: 1000, maxRetriesPerRequest: 1, ...overrides }, logger, 'baton-tls-test');
  clients.push(redis);
  return redis;
}

test('rediss:// with the CA, the server name and a client certificate: commands work', async () => {
  const redis = client({ tls: { enabled: true, ...mutual(), servername: 'redis.test', rejectUnauthorized: true } });
  await waitForRedis(redis, 5000);
  assert.equal(await redis.set('tls:k', 'v'), 'OK');
  assert.equal(await redis.get('tls:k'), 'v');
  assert.ok(logLines.some((line) => line.includes('redis ready') && line.includes('"tls":true')));
});

test('tls.enabled turns TLS on for a redis:// URL', async () => {
  const redis = client({ url: `redis://127.0.0.1:${server.tlsPort}`, tls: { enabled: true, ...mutual(), servername: 'redis.test' } });
  await waitForRedis(redis, 5000);
  assert.equal(await redis.ping(), 'PONG');
});

test('the certificate is checked: wrong name, unknown CA and no client certificate are refused', async () => {
  // 127.0.0.1 is not in the certificate
  await assert.rejects(waitForRedis(client({ tls: { enabled: true, ...mutual() } }), 1500), DependencyUnavailableError);
  // the system store does not know the test CA
  await assert.rejects(waitForRedis(client({ tls: { enabled: true, certFile: join(dir, 'client.pem'), keyFile: join(dir, 'client.key'), servername: 'redis.test' } }), 1500), DependencyUnavailableError);
  // the server demands a client certificate
  await assert.rejects(waitForRedis(client({ tls: { enabled: true, caFile: join(dir, 'ca.pem'), servername: 'redis.test' } }), 1500), DependencyUnavailableError);
  const text = logLines.join('');
  assert.match(text, /ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate/, 'the name mismatch is logged');
  assert.match(text, /self-signed|unable to (get|verify)/i, 'the unknown CA is logged');
});

test('rejectUnauthorized=false accepts the unverified certificate', async () => {
  const { certFile, keyFile } = mutual();
  const redis = client({ tls: { enabled: true, certFile, keyFile, rejectUnauthorized: false } });
  await waitForRedis(redis, 5000);
  assert.equal(await redis.ping(), 'PONG');
});

test('a plain connection to the TLS port never becomes ready', async () => {
  await assert.rejects(waitForRedis(client({ url: `redis://127.0.0.1:${server.tlsPort}` }), 1500), DependencyUnavailableError);
});
