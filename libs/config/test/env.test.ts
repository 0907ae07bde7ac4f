import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/index.ts';
import { issueFor, issuesOf, tempFile } from './helpers.ts';

test('environment overrides set numbers, booleans, lists and strings, and win over the file', (t) => {
  const file = tempFile(t, 'baton.yaml', 'detector:\n  pollIntervalMs: 2000\n');
  const config = loadConfig({
    file,
    env: {
      BATON__DETECTOR__POLL_INTERVAL_MS: '1500',
      BATON__RECOVERY__DETACH_LOST_REPLICAS_AFTER_MASTER_FAILOVER: 'false',
      BATON__recovery__RecoverMasterClusterFilters: '["alias=orders", "*"]',
      BATON__BACKEND__PASSWORD: '12345',
      BATON__API__TOKEN: 'true-token-with-16-chars',
      BATON__KAFKA__BROKERS: '["k1:9092","k2:9092"]',
      BATON__DETECTOR__SEEDS__0__HOST: 'db1.example.com',
      BATON__API__URL_PREFIX: '',
      BATON_LOG_LEVEL: 'debug',
    },
  });
  assert.equal(config.detector.pollIntervalMs, 1500);
  assert.equal(config.recovery.DetachLostReplicasAfterMasterFailover, false);
  assert.deepEqual(config.recovery.RecoverMasterClusterFilters, ['alias=orders', '*']);
  assert.equal(config.backend.password, '12345', 'a string key keeps the text even when it parses as JSON');
  assert.equal(config.api.token, 'true-token-with-16-chars');
  assert.deepEqual(config.kafka.brokers, ['k1:9092', 'k2:9092']);
  assert.deepEqual(config.detector.seeds, [{ host: 'db1.example.com', port: 3306 }]);
  assert.equal(config.api.urlPrefix, '', 'an empty value is ignored');
});

test('a bad environment override is named by its variable', () => {
  const issues = issuesOf(() =>
    loadConfig({
      env: {
        BATON__REDIS__COMMAND_TIMEOUT_MS: 'soon',
        BATON__DETECTOR__POLL_INTERVAL: '500',
        BATON__NOPE__X: '1',
        BATON__RECOVERY__DETACH_LOST_SLAVES_AFTER_MASTER_FAILOVER: 'false',
        BATON__DETECTOR__POLL_INTERVAL_MS__X: '1',
      },
    }),
  );
  assert.equal(issues.length, 5, JSON.stringify(issues, null, 2));
  assert.match(issueFor(issues, 'BATON__REDIS__COMMAND_TIMEOUT_MS').problem, /redis\.commandTimeoutMs: expected a whole number, got string "soon"/);
  assert.match(issueFor(issues, 'BATON__DETECTOR__POLL_INTERVAL').problem, /did you mean BATON__DETECTOR__POLL_INTERVAL_MS\?/);
  assert.match(issueFor(issues, 'BATON__NOPE__X').problem, /unknown configuration path/);
  assert.match(issueFor(issues, 'BATON__RECOVERY__DETACH_LOST_SLAVES_AFTER_MASTER_FAILOVER').problem, /DetachLostReplicasAfterMasterFailover/);
  assert.match(issueFor(issues, 'BATON__DETECTOR__POLL_INTERVAL_MS__X').problem, /has no sub-keys/);
});

test('a cross-field problem caused by an override is named by the variable', () => {
  const issues = issuesOf(() => loadConfig({ env: { BATON__MYSQL__PROBE_TIMEOUT_MS: '1000' } }));
  assert.match(issueFor(issues, 'BATON__MYSQL__PROBE_TIMEOUT_MS').problem, /mysql\.probeTimeoutMs: must be less than detector\.pollIntervalMs/);
});

test('logging.format: json by default, pretty by override, anything else refused with the variable named', () => {
  assert.equal(loadConfig({ env: {} }).logging.format, 'json');
  assert.equal(loadConfig({ env: { BATON__LOGGING__FORMAT: 'pretty' } }).logging.format, 'pretty');
  const issues = issuesOf(() => loadConfig({ env: { BATON__LOGGING__FORMAT: 'colour' } }));
  assert.equal(issues.length, 1, JSON.stringify(issues, null, 2));
  assert.match(issueFor(issues, 'BATON__LOGGING__FORMAT').problem, /logging\.format/);
});
