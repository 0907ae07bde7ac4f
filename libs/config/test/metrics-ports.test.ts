import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/index.ts';
import { issueFor, issuesOf } from './helpers.ts';

const keys = ['detector.metricsPort', 'analyzer.metricsPort', 'recovery.metricsPort', 'hooks.metricsPort'] as const;

test('every service has a metricsPort, 0 (off) by default', () => {
  const config = loadConfig({ env: {} });
  assert.deepEqual([config.detector.metricsPort, config.analyzer.metricsPort, config.recovery.metricsPort, config.hooks.metricsPort], [0, 0, 0, 0]);
});

test('metricsPort from the environment', () => {
  const config = loadConfig({ env: { BATON__DETECTOR__METRICS_PORT: '9101', BATON__ANALYZER__METRICS_PORT: '9102', BATON__RECOVERY__METRICS_PORT: '9103', BATON__HOOKS__METRICS_PORT: '9104' } });
  assert.deepEqual([config.detector.metricsPort, config.analyzer.metricsPort, config.recovery.metricsPort, config.hooks.metricsPort], [9101, 9102, 9103, 9104]);
});

test('every bad metricsPort is named at once', () => {
  const issues = issuesOf(() =>
    loadConfig({ env: { BATON__DETECTOR__METRICS_PORT: '70000', BATON__ANALYZER__METRICS_PORT: '-1', BATON__RECOVERY__METRICS_PORT: 'x', BATON__HOOKS__METRICS_PORT: '1.5' } }),
  );
  // env issues are keyed by the variable, and their problem names the config key
  for (const key of keys) assert.ok(issues.some((i) => i.problem.startsWith(`${key}:`)), `${key} named in ${JSON.stringify(issues)}`);
  assert.match(issueFor(issues, 'BATON__DETECTOR__METRICS_PORT').problem, /at most 65535/);
  assert.equal(issues.length, 4);
});
