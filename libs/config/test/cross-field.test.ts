import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/index.ts';
import { issueFor, issuesOf, tempFile } from './helpers.ts';

const load = (t: import('node:test').TestContext, yaml: string) => () => loadConfig({ file: tempFile(t, 'baton.yaml', yaml), env: {} });

test('probe timeout must be below the poll interval', (t) => {
  const issues = issuesOf(load(t, 'detector:\n  pollIntervalMs: 500\nmysql:\n  probeTimeoutMs: 500\n'));
  assert.match(issueFor(issues, 'mysql.probeTimeoutMs').problem, /must be less than detector\.pollIntervalMs \(500 >= 500\)/);
});

test('the recovery lock TTL must exceed the recovery deadline', (t) => {
  const issues = issuesOf(load(t, 'recovery:\n  recoveryDeadlineMs: 60000\n  recoveryLockTtlMs: 60000\n'));
  assert.match(issueFor(issues, 'recovery.recoveryLockTtlMs').problem, /must be greater than recovery\.recoveryDeadlineMs/);
});

test('Fail- and DelayMasterPromotionIfSQLThreadNotUpToDate are mutually exclusive', (t) => {
  const yaml = 'recovery:\n  FailMasterPromotionIfSQLThreadNotUpToDate: true\n  DelayMasterPromotionIfSQLThreadNotUpToDate: true\n';
  const issues = issuesOf(load(t, yaml));
  assert.match(issueFor(issues, 'recovery.DelayMasterPromotionIfSQLThreadNotUpToDate').problem, /mutually exclusive/);
  const one = 'recovery:\n  DelayMasterPromotionIfSQLThreadNotUpToDate: true\n';
  assert.equal(load(t, one)().recovery.DelayMasterPromotionIfSQLThreadNotUpToDate, true);
});

test('ApplyMySQLPromotionAfterMasterFailover: false is refused, naming the key and why; true carries over', (t) => {
  const issues = issuesOf(load(t, 'recovery:\n  ApplyMySQLPromotionAfterMasterFailover: false\n'));
  const problem = issueFor(issues, 'recovery.ApplyMySQLPromotionAfterMasterFailover').problem;
  assert.match(problem, /false is not supported: Baton always applies the promotion/);
  assert.match(problem, /read-only and still replicating from the dead one/);
  const fromEnv = issuesOf(() => loadConfig({ env: { BATON__RECOVERY__APPLY_MY_SQL_PROMOTION_AFTER_MASTER_FAILOVER: 'false' } }));
  assert.equal(fromEnv.length, 1);
  assert.match(issueFor(fromEnv, 'BATON__RECOVERY__APPLY_MY_SQL_PROMOTION_AFTER_MASTER_FAILOVER').problem, /recovery\.ApplyMySQLPromotionAfterMasterFailover: false is not supported/);
  assert.equal(load(t, 'recovery:\n  ApplyMySQLPromotionAfterMasterFailover: true\n')().recovery.ApplyMySQLPromotionAfterMasterFailover, true);
});

test('cross-field rules are reported together with type errors', (t) => {
  const issues = issuesOf(load(t, 'detector:\n  pollIntervalMs: 300\nredis:\n  url: 42\n'));
  assert.deepEqual(issues.map((i) => i.key).sort(), ['mysql.connectTimeoutMs', 'mysql.probeTimeoutMs', 'redis.url']);
});

test('backend: a DSN fills host, port, user, password and database; DSN and fields together are refused', (t) => {
  const config = load(t, 'backend:\n  dsn: "mysql://app:p%40ss@db.example.com:3307/baton_prod"\n')();
  assert.deepEqual(
    [config.backend.host, config.backend.port, config.backend.user, config.backend.password, config.backend.database],
    ['db.example.com', 3307, 'app', 'p@ss', 'baton_prod'],
  );
  const both = issuesOf(load(t, 'backend:\n  dsn: "mysql://a@b/c"\n  host: other\n'));
  assert.match(issueFor(both, 'backend.dsn').problem, /either dsn or host, not both/);
  const bad = issuesOf(load(t, 'backend:\n  dsn: "postgres://a@b/c"\n'));
  assert.match(issueFor(bad, 'backend.dsn').problem, /mysql:\/\//);
});

test('regular expressions and patterns must compile; patterns need a capture group', (t) => {
  const yaml = [
    'recovery:',
    '  PromotionIgnoreHostnameFilters: ["db[0-9+"]',
    '  RecoverMasterClusterFilters: ["*", "alias=x(", "alias~=(bad"]',
    '  DataCenterPattern: "^dc-"',
    '  RegionPattern: "^([a-z]+)-"',
    '',
  ].join('\n');
  const issues = issuesOf(load(t, yaml));
  assert.deepEqual(issues.map((i) => i.key).sort(), [
    'recovery.DataCenterPattern',
    'recovery.PromotionIgnoreHostnameFilters[0]',
    'recovery.RecoverMasterClusterFilters[2]',
  ]);
  assert.match(issueFor(issues, 'recovery.DataCenterPattern').problem, /capture group/);
});

test('the API refuses to run without authentication on a non-loopback address', (t) => {
  const issues = issuesOf(load(t, 'api:\n  host: 0.0.0.0\n  authentication: false\n'));
  assert.match(issueFor(issues, 'api.authentication').problem, /not a loopback address/);
  assert.equal(load(t, 'api:\n  authentication: false\n')().api.authentication, false);
});

test('a synchronous recover must answer before the api request times out', (t) => {
  const issues = issuesOf(load(t, 'api:\n  requestTimeoutMs: 30000\n  recoverWaitMs: 30000\n'));
  assert.match(issueFor(issues, 'api.recoverWaitMs').problem, /must be less than api\.requestTimeoutMs \(30000 >= 30000\)/);
  const config = load(t, 'api:\n  recoverWaitMs: 20000\n  commandWaitMs: 2000\n')();
  assert.deepEqual([config.api.recoverWaitMs, config.api.commandWaitMs], [20000, 2000]);
});

test('duplicate seeds and a malformed redis URL are refused', (t) => {
  const yaml = 'redis:\n  url: "127.0.0.1:6379"\ndetector:\n  seeds:\n    - { host: db1 }\n    - { host: db1, port: 3306 }\n';
  const issues = issuesOf(load(t, yaml));
  assert.match(issueFor(issues, 'detector.seeds[1]').problem, /duplicates detector\.seeds\[0\]/);
  assert.match(issueFor(issues, 'redis.url').problem, /redis:\/\//);
});
