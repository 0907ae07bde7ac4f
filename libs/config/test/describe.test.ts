import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeConfig, loadConfig, normalizeHooks, redacted } from '../src/index.ts';
import { tempFile } from './helpers.ts';

test('describeConfig redacts passwords, tokens, URL credentials, webhook paths and headers', (t) => {
  const yaml = [
    'redis:',
    '  url: "redis://:redispass@cache:6379/0"',
    'backend:',
    '  dsn: "mysql://baton:dbpass@db:3306/baton"',
    'mysql:',
    '  password: "topo-secret"',
    '  replicationPassword: "repl-secret"',
    'api:',
    '  token: "0123456789abcdef-token"',
    'recovery:',
    '  PostFailoverProcesses:',
    '    - webhook: { url: "https://hooks.slack.com/services/T0/B0/SECRETPATH", headers: { Authorization: "Bearer hdr-secret" } }',
    '',
  ].join('\n');
  const config = loadConfig({ file: tempFile(t, 'baton.yaml', yaml), env: {} });
  const described = describeConfig(config);
  const text = JSON.stringify(described);
  for (const secret of ['redispass', 'dbpass', 'topo-secret', 'repl-secret', '0123456789abcdef-token', 'SECRETPATH', 'hdr-secret']) {
    assert.equal(text.includes(secret), false, `${secret} leaked: ${text}`);
  }
  const d = described as { backend: Record<string, unknown>; mysql: Record<string, unknown>; api: Record<string, unknown>; redis: Record<string, unknown> };
  assert.equal(d.backend['password'], redacted);
  assert.equal(d.backend['user'], 'baton');
  assert.equal(d.mysql['user'], 'baton');
  assert.equal(d.api['token'], redacted);
  assert.match(String(d.redis['url']), /^redis:\/\/:\[redacted\]@cache:6379/);
  assert.ok(text.includes('https://hooks.slack.com/[redacted]'));
  assert.equal(config.mysql.password, 'topo-secret', 'the config itself is untouched');
  assert.equal(describeConfig(loadConfig({ defaultsOnly: true })).backend !== undefined, true);
});

test('normalizeHooks gives one shape for the three entry forms, with defaults from the hooks section', (t) => {
  const yaml = [
    'hooks:',
    '  defaultTimeoutMs: 1000',
    '  webhookRetries: 3',
    'recovery:',
    '  PostFailoverProcesses:',
    '    - "notify $ORC_FAILED_HOST &"',
    '    - ["/bin/x", "-v"]',
    '    - { name: web, webhook: { url: "https://e.example/h" } }',
    '    - { run: "y", timeoutMs: 50 }',
    '',
  ].join('\n');
  const config = loadConfig({ file: tempFile(t, 'baton.yaml', yaml), env: {} });
  const hooks = normalizeHooks(config.recovery.PostFailoverProcesses, config.hooks, 'PostFailoverProcesses');
  assert.deepEqual(hooks, [
    { kind: 'shell', name: 'PostFailoverProcesses[0]', command: 'notify $ORC_FAILED_HOST', timeoutMs: 1000, async: true },
    { kind: 'argv', name: 'PostFailoverProcesses[1]', argv: ['/bin/x', '-v'], timeoutMs: 1000, async: false },
    { kind: 'webhook', name: 'web', url: 'https://e.example/h', headers: {}, retries: 3, timeoutMs: 1000, async: false },
    { kind: 'shell', name: 'PostFailoverProcesses[3]', command: 'y', timeoutMs: 50, async: false },
  ]);
});
