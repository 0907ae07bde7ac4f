import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHookEnv, isSecretName } from '../src/hook-env.ts';

test('secret-looking names are dropped, everything else is inherited', () => {
  const table: Array<[string, boolean]> = [
    ['BATON__BACKEND__PASSWORD', true],
    ['BATON__MYSQL__REPLICATION_PASSWORD', true],
    ['BATON__API__TOKEN', true],
    ['BATON__BACKEND__DSN', true],
    ['BATON__REDIS__URL', true],
    ['GITHUB_TOKEN', true],
    ['npm_config__authToken', true],
    ['AWS_SECRET_ACCESS_KEY', true],
    ['MYSQL_PWD', true],
    ['SLACK_API_KEY', true],
    ['GOOGLE_APPLICATION_CREDENTIALS', true],
    ['PWD', false],
    ['OLDPWD', false],
    ['PATH', false],
    ['HOME', false],
    ['BATON__HOOKS__DEFAULT_TIMEOUT_MS', false],
    ['BATON_CONFIG_FILE', false],
    ['LANG', false],
  ];
  for (const [name, secret] of table) assert.equal(isSecretName(name), secret, name);
});

test('hook values override inherited names; undefined and NUL-carrying variables are dropped', () => {
  const env = buildHookEnv(
    { PATH: '/bin', ORC_FAILED_HOST: 'stale', BATON__BACKEND__PASSWORD: 'hunter2', UNSET: undefined, WEIRD: 'a\0b' },
    { ORC_FAILED_HOST: 'db1', BATON_FAILED_HOST: 'db1' },
  );
  assert.deepEqual(env, { PATH: '/bin', ORC_FAILED_HOST: 'db1', BATON_FAILED_HOST: 'db1' });
});
