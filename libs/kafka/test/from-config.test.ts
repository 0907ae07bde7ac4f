import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '@baton/errors';
import { kafkaSecurityOptions, type KafkaConnectionConfig, type KafkaSecurityOptions } from '../src/from-config.ts';

const files: Record<string, string> = { '/pki/ca.pem': 'CA PEM', '/pki/client.pem': 'CERT PEM', '/pki/client.key': 'KEY PEM' };
const readFile = (path: string): string => {
  const text = files[path];
  if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
  return text;
};

const off = { enabled: false, rejectUnauthorized: true };
const none = { mechanism: 'none' as const };

const cases: Array<{ name: string; config: Pick<KafkaConnectionConfig, 'tls' | 'sasl'>; want: KafkaSecurityOptions }> = [
  { name: 'no tls and no sasl sections', config: {}, want: {} },
  { name: 'the defaults: tls off, mechanism none', config: { tls: off, sasl: none }, want: {} },
  { name: 'tls off ignores its files', config: { tls: { ...off, caFile: '/pki/missing.pem' }, sasl: none }, want: {} },
  { name: 'tls on without files: the system CAs', config: { tls: { enabled: true, rejectUnauthorized: true }, sasl: none }, want: { ssl: true } },
  { name: 'tls on, rejectUnauthorized left out', config: { tls: { enabled: true } }, want: { ssl: true } },
  { name: 'tls with a CA file', config: { tls: { enabled: true, rejectUnauthorized: true, caFile: '/pki/ca.pem' } }, want: { ssl: { ca: 'CA PEM' } } },
  {
    name: 'mutual tls with a server name',
    config: { tls: { enabled: true, rejectUnauthorized: true, caFile: '/pki/ca.pem', certFile: '/pki/client.pem', keyFile: '/pki/client.key', servername: 'kafka.internal' } },
    want: { ssl: { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM', servername: 'kafka.internal' } },
  },
  { name: 'tls without verification', config: { tls: { enabled: true, rejectUnauthorized: false } }, want: { ssl: { rejectUnauthorized: false } } },
  { name: 'sasl plain', config: { tls: off, sasl: { mechanism: 'plain', username: 'baton', password: 'p' } }, want: { sasl: { mechanism: 'plain', username: 'baton', password: 'p' } } },
  { name: 'sasl scram-sha-256', config: { sasl: { mechanism: 'scram-sha-256', username: 'baton', password: 'p' } }, want: { sasl: { mechanism: 'scram-sha-256', username: 'baton', password: 'p' } } },
  { name: 'sasl scram-sha-512', config: { sasl: { mechanism: 'scram-sha-512', username: 'baton', password: 'p' } }, want: { sasl: { mechanism: 'scram-sha-512', username: 'baton', password: 'p' } } },
  { name: 'an empty password is a password', config: { sasl: { mechanism: 'plain', username: 'baton', password: '' } }, want: { sasl: { mechanism: 'plain', username: 'baton', password: '' } } },
  { name: 'mechanism none ignores credentials', config: { sasl: { mechanism: 'none', username: 'baton', password: 'p' } }, want: {} },
  {
    name: 'tls and sasl together',
    config: { tls: { enabled: true, rejectUnauthorized: true, caFile: '/pki/ca.pem' }, sasl: { mechanism: 'scram-sha-512', username: 'baton', password: 'p' } },
    want: { ssl: { ca: 'CA PEM' }, sasl: { mechanism: 'scram-sha-512', username: 'baton', password: 'p' } },
  },
];

for (const c of cases) {
  test(`kafka security options: ${c.name}`, () => {
    assert.deepEqual(kafkaSecurityOptions(c.config, readFile), c.want);
  });
}

const bad: Array<{ name: string; config: Pick<KafkaConnectionConfig, 'tls' | 'sasl'>; keys: string[] }> = [
  { name: 'an unreadable CA file', config: { tls: { enabled: true, caFile: '/pki/missing.pem' } }, keys: ['kafka.tls.caFile'] },
  { name: 'a certificate without its key', config: { tls: { enabled: true, certFile: '/pki/client.pem' } }, keys: ['kafka.tls.certFile'] },
  { name: 'a mechanism without a user', config: { sasl: { mechanism: 'scram-sha-512', password: 'hunter2-secret' } }, keys: ['kafka.sasl.username'] },
  { name: 'a mechanism without a password', config: { sasl: { mechanism: 'plain', username: 'baton' } }, keys: ['kafka.sasl.password'] },
  { name: 'every problem at once', config: { tls: { enabled: true, keyFile: '/pki/nope.key' }, sasl: { mechanism: 'scram-sha-256' } }, keys: ['kafka.tls.keyFile', 'kafka.tls.certFile', 'kafka.sasl.username', 'kafka.sasl.password'] },
];

for (const c of bad) {
  test(`kafka security options are refused: ${c.name}`, () => {
    assert.throws(
      () => kafkaSecurityOptions(c.config, readFile),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.issues.map((i) => i.key), c.keys);
        assert.doesNotMatch(error.message, /hunter2/, 'a password never reaches the message');
        return true;
      },
    );
  });
}

test('the PEM files are read by default from disk', () => {
  assert.throws(() => kafkaSecurityOptions({ tls: { enabled: true, caFile: '/nonexistent/baton-ca.pem' } }), /kafka\.tls\.caFile: cannot read \/nonexistent\/baton-ca\.pem/);
});
