import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '@baton/errors';
import { backendPoolOptions, backendSslOptions, type BackendPoolConfig, type BackendTlsConfig } from '../src/index.ts';

const files: Record<string, string> = { '/tls/ca.pem': 'CA PEM', '/tls/client.pem': 'CERT PEM', '/tls/client.key': 'KEY PEM' };
const readFile = (file: string): string => {
  const text = files[file];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
  return text;
};

const base: BackendPoolConfig = {
  host: 'db.internal',
  port: 3306,
  user: 'baton',
  password: 'pw',
  database: 'baton',
  connectionLimit: 4,
  connectTimeoutMs: 2000,
  queryTimeoutMs: 5000,
};

const cases: Array<{ name: string; host?: string; tls: BackendTlsConfig | undefined; expect: Record<string, unknown> | undefined }> = [
  { name: 'no TLS section', tls: undefined, expect: undefined },
  { name: 'TLS off', tls: { enabled: false, rejectUnauthorized: true }, expect: undefined },
  { name: 'TLS on, system CAs, verified', tls: { enabled: true }, expect: { rejectUnauthorized: true, verifyIdentity: true } },
  { name: 'TLS on with a CA', tls: { enabled: true, caFile: '/tls/ca.pem', rejectUnauthorized: true }, expect: { rejectUnauthorized: true, verifyIdentity: true, ca: 'CA PEM' } },
  {
    name: 'mutual TLS',
    tls: { enabled: true, caFile: '/tls/ca.pem', certFile: '/tls/client.pem', keyFile: '/tls/client.key' },
    expect: { rejectUnauthorized: true, verifyIdentity: true, ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' },
  },
  { name: 'verification off', tls: { enabled: true, rejectUnauthorized: false }, expect: { rejectUnauthorized: false, verifyIdentity: false } },
  { name: 'servername equal to the host', tls: { enabled: true, servername: 'DB.internal' }, expect: { rejectUnauthorized: true, verifyIdentity: true } },
];

for (const c of cases) {
  test(`backendSslOptions: ${c.name}`, () => {
    assert.deepEqual(backendSslOptions(c.host ?? base.host, c.tls, readFile), c.expect);
  });
}

const invalid: Array<{ name: string; tls: BackendTlsConfig; key: string; problem: RegExp }> = [
  { name: 'an unreadable CA file', tls: { enabled: true, caFile: '/missing.pem' }, key: 'backend.tls.caFile', problem: /cannot read \/missing\.pem: ENOENT/ },
  { name: 'an unreadable certificate', tls: { enabled: true, certFile: '/nope', keyFile: '/tls/client.key' }, key: 'backend.tls.certFile', problem: /cannot read \/nope/ },
  { name: 'a servername other than the host', tls: { enabled: true, servername: 'other.example' }, key: 'backend.tls.servername', problem: /against backend\.host \(db\.internal\)/ },
];

for (const c of invalid) {
  test(`backendSslOptions refuses ${c.name}`, () => {
    assert.throws(
      () => backendSslOptions(base.host, c.tls, readFile),
      (error: unknown) => error instanceof ConfigError && error.issues[0]?.key === c.key && c.problem.test(error.issues[0].problem),
    );
  });
}

test('backendPoolOptions: the pool settings, ssl only with TLS, database optional', () => {
  const plain = backendPoolOptions(base, 'baton', readFile);
  assert.equal(plain.ssl, undefined);
  assert.equal('ssl' in plain, false);
  assert.deepEqual(
    { host: plain.host, port: plain.port, user: plain.user, password: plain.password, database: plain.database, connectionLimit: plain.connectionLimit, connectTimeout: plain.connectTimeout, timezone: plain.timezone, multipleStatements: plain.multipleStatements },
    { host: 'db.internal', port: 3306, user: 'baton', password: 'pw', database: 'baton', connectionLimit: 4, connectTimeout: 2000, timezone: 'Z', multipleStatements: false },
  );
  assert.equal('database' in backendPoolOptions(base, null, readFile), false, 'null: no default database (migrate creates it)');
  const tls = backendPoolOptions({ ...base, tls: { enabled: true, caFile: '/tls/ca.pem' } }, null, readFile);
  assert.deepEqual(tls.ssl, { rejectUnauthorized: true, verifyIdentity: true, ca: 'CA PEM' });
});
