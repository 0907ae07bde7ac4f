import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeConfig, loadConfig } from '../src/index.ts';
import { issueFor, issuesOf, tempFile } from './helpers.ts';

const secret = 'a-signing-secret-of-at-least-32-chars';

test('every <name>File key fills its secret from the file, without the trailing newline', (t) => {
  const file = (text: string) => tempFile(t, 'secret', `${text}\n`);
  const config = loadConfig({
    env: {
      BATON__SECURITY__SIGNING_SECRET_FILE: file(secret),
      BATON__KAFKA__SASL__PASSWORD_FILE: file('kafka-pw'),
      BATON__REDIS__PASSWORD_FILE: file('redis-pw'),
      BATON__BACKEND__PASSWORD_FILE: file('backend-pw'),
      BATON__MYSQL__PASSWORD_FILE: file('mysql-pw'),
      BATON__MYSQL__REPLICATION_PASSWORD_FILE: file('repl-pw'),
      BATON__API__TOKEN_FILE: file('api-token-of-16-chars'),
    },
  });
  assert.equal(config.security.signingSecret, secret);
  assert.equal(config.kafka.sasl.password, 'kafka-pw');
  assert.equal(config.redis.password, 'redis-pw');
  assert.equal(config.backend.password, 'backend-pw');
  assert.equal(config.mysql.password, 'mysql-pw');
  assert.equal(config.mysql.replicationPassword, 'repl-pw');
  assert.equal(config.api.token, 'api-token-of-16-chars');
  const described = JSON.stringify(describeConfig(config));
  for (const value of [secret, 'kafka-pw', 'redis-pw', 'backend-pw', 'mysql-pw', 'repl-pw', 'api-token-of-16-chars']) {
    assert.ok(!described.includes(value), `${value} must not reach the start-up log`);
  }
});

test('a secret file that cannot be read, or a secret set twice, is named', (t) => {
  const issues = issuesOf(() =>
    loadConfig({
      env: {
        BATON__REDIS__PASSWORD_FILE: '/nonexistent/redis-password',
        BATON__BACKEND__PASSWORD: 'x',
        BATON__BACKEND__PASSWORD_FILE: tempFile(t, 'pw', 'y'),
      },
    }),
  );
  assert.match(issueFor(issues, 'BATON__REDIS__PASSWORD_FILE').problem, /cannot read \/nonexistent\/redis-password: ENOENT/);
  assert.match(issueFor(issues, 'BATON__BACKEND__PASSWORD_FILE').problem, /either backend\.password or backend\.passwordFile/);
});

test('deployment.name is the default of the topic, group and key prefixes and of the backend schema; explicit keys win', () => {
  const config = loadConfig({ env: { BATON__DEPLOYMENT__NAME: 'eu-west' } });
  assert.equal(config.kafka.topicPrefix, 'eu-west');
  assert.equal(config.kafka.groupIdPrefix, 'eu-west');
  assert.equal(config.redis.keyPrefix, 'eu-west');
  assert.equal(config.backend.database, 'baton_eu_west');
  const explicit = loadConfig({
    env: { BATON__DEPLOYMENT__NAME: 'eu-west', BATON__KAFKA__TOPIC_PREFIX: 'x', BATON__REDIS__KEY_PREFIX: 'y:', BATON__BACKEND__DATABASE: 'z' },
  });
  assert.deepEqual([explicit.kafka.topicPrefix, explicit.kafka.groupIdPrefix, explicit.redis.keyPrefix, explicit.backend.database], ['x', 'eu-west', 'y:', 'z']);
  const dsn = loadConfig({ env: { BATON__DEPLOYMENT__NAME: 'eu-west', BATON__BACKEND__DSN: 'mysql://u:p@db:3306/mine' } });
  assert.equal(dsn.backend.database, 'mine', 'a DSN naming its database keeps it');
  const none = loadConfig({ defaultsOnly: true });
  assert.deepEqual([none.kafka.topicPrefix, none.kafka.groupIdPrefix, none.redis.keyPrefix, none.backend.database], [undefined, undefined, undefined, 'baton']);
});

test('a deployment name that could not prefix a topic, a group, a key and a schema is refused', () => {
  for (const bad of ['EU', 'eu west', 'eu_west', '-eu', 'a'.repeat(33), 'eu.west']) {
    const issues = issuesOf(() => loadConfig({ env: { BATON__DEPLOYMENT__NAME: bad } }));
    assert.ok(issueFor(issues, 'BATON__DEPLOYMENT__NAME'), bad);
  }
});

test('TLS and SASL keys load with their defaults: off, verifying', () => {
  const config = loadConfig({ defaultsOnly: true });
  assert.deepEqual(config.kafka.tls, { enabled: false, rejectUnauthorized: true });
  assert.deepEqual(config.kafka.sasl, { mechanism: 'none' });
  assert.deepEqual(config.redis.tls, { enabled: false, rejectUnauthorized: true });
  assert.deepEqual(config.backend.tls, { enabled: false, rejectUnauthorized: true });
  const issues = issuesOf(() => loadConfig({ env: { BATON__KAFKA__SASL__MECHANISM: 'gssapi', BATON__SECURITY__SIGNING_SECRET: 'short' } }));
  assert.ok(issueFor(issues, 'BATON__KAFKA__SASL__MECHANISM'));
  assert.ok(issueFor(issues, 'BATON__SECURITY__SIGNING_SECRET'));
});

test('SASL without its user or password, and TLS files with TLS off, are named', () => {
  const issues = issuesOf(() =>
    loadConfig({ env: { BATON__KAFKA__SASL__MECHANISM: 'scram-sha-512', BATON__REDIS__TLS__CA_FILE: '/etc/ca.pem', BATON__KAFKA__TLS__ENABLED: 'true', BATON__KAFKA__TLS__CERT_FILE: '/c.pem' } }),
  );
  assert.match(issueFor(issues, 'kafka.sasl.username').problem, /required with kafka\.sasl\.mechanism scram-sha-512/);
  assert.match(issueFor(issues, 'kafka.sasl.password').problem, /passwordFile/);
  assert.match(issueFor(issues, 'redis.tls.enabled').problem, /redis\.tls\.caFile/);
  assert.match(issueFor(issues, 'BATON__KAFKA__TLS__CERT_FILE').problem, /needs its key/);
});

test('previous signing secrets are redacted too; a secret from a file meets the same length rule; a DSN keeps a password from its file', (t) => {
  const config = loadConfig({ env: { BATON__SECURITY__SIGNING_SECRET: secret, BATON__SECURITY__PREVIOUS_SIGNING_SECRETS: JSON.stringify(['an-old-secret-rotated-out-0000000000']) } });
  assert.ok(!JSON.stringify(describeConfig(config)).includes('an-old-secret'), 'a rotated-out secret stays out of the log');
  const issues = issuesOf(() => loadConfig({ env: { BATON__SECURITY__SIGNING_SECRET_FILE: tempFile(t, 's', 'short\n') } }));
  assert.match(issueFor(issues, 'security.signingSecret').problem, /read from its file/);
  const dsn = loadConfig({ env: { BATON__BACKEND__DSN: 'mysql://baton@db:3306/baton', BATON__BACKEND__PASSWORD_FILE: tempFile(t, 'pw', 'from-file\n') } });
  assert.equal(dsn.backend.password, 'from-file');
});
