import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '@baton/errors';
import { loadConfig, normalizeHooks } from '../src/index.ts';
import { issueFor, issuesOf, tempFile } from './helpers.ts';

test('a file with an unknown key, a wrong type and an out-of-range value yields ONE error naming all three', (t) => {
  const file = tempFile(
    t,
    'baton.yaml',
    ['detector:', '  pollIntervallMs: 500', 'redis:', '  commandTimeoutMs: "fast"', 'recovery:', '  MaxConcurrentReplicaOperations: 0', ''].join('\n'),
  );
  let caught: unknown;
  try {
    loadConfig({ file, env: {} });
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError);
  assert.equal(caught.issues.length, 3, JSON.stringify(caught.issues));
  assert.match(issueFor(caught.issues, 'detector.pollIntervallMs').problem, /unknown key; did you mean detector\.pollIntervalMs\?/);
  assert.match(issueFor(caught.issues, 'redis.commandTimeoutMs').problem, /expected a whole number, got string "fast"/);
  assert.match(issueFor(caught.issues, 'recovery.MaxConcurrentReplicaOperations').problem, /must be at least 1 \(got 0\)/);
  for (const key of ['detector.pollIntervallMs', 'redis.commandTimeoutMs', 'recovery.MaxConcurrentReplicaOperations']) {
    assert.ok(caught.message.includes(key), key);
  }
  assert.ok(caught.message.includes(file));
});

test('unknown keys: typo suggestion, wrong section, unknown section', (t) => {
  const file = tempFile(
    t,
    'baton.yaml',
    [
      'recovery:',
      '  RecoverMasterClusterFilter: ["*"]',
      'detector:',
      '  RecoveryPeriodBlockSeconds: 60',
      'recovry:',
      '  x: 1',
      '',
    ].join('\n'),
  );
  const issues = issuesOf(() => loadConfig({ file, env: {} }));
  assert.match(issueFor(issues, 'recovery.RecoverMasterClusterFilter').problem, /did you mean recovery\.RecoverMasterClusterFilters\?/);
  assert.match(issueFor(issues, 'detector.RecoveryPeriodBlockSeconds').problem, /did you mean recovery\.RecoveryPeriodBlockSeconds\?/);
  assert.match(issueFor(issues, 'recovry').problem, /did you mean recovery\?/);
});

test('orchestrator legacy synonyms are rejected with the key to use instead (no DetachLostSlaves trap)', (t) => {
  const file = tempFile(
    t,
    'baton.json',
    JSON.stringify({
      recovery: { DetachLostSlavesAfterMasterFailover: false, RecoveryPeriodBlockMinutes: 5, KVClusterMasterPrefix: 'mysql/master' },
    }),
  );
  const issues = issuesOf(() => loadConfig({ file, env: {} }));
  assert.match(
    issueFor(issues, 'recovery.DetachLostSlavesAfterMasterFailover').problem,
    /legacy orchestrator key; use recovery\.DetachLostReplicasAfterMasterFailover instead/,
  );
  assert.match(issueFor(issues, 'recovery.RecoveryPeriodBlockMinutes').problem, /use recovery\.RecoveryPeriodBlockSeconds/);
  assert.match(issueFor(issues, 'recovery.KVClusterMasterPrefix').problem, /not supported/);
});

test('DetachLostReplicasAfterMasterFailover alone turns the behaviour off', (t) => {
  const file = tempFile(t, 'baton.yaml', 'recovery:\n  DetachLostReplicasAfterMasterFailover: false\n');
  assert.equal(loadConfig({ file, env: {} }).recovery.DetachLostReplicasAfterMasterFailover, false);
});

test('hook entries: string, argv and object forms; bad entries are explained', (t) => {
  const good = tempFile(
    t,
    'good.yaml',
    [
      'recovery:',
      '  PostFailoverProcesses:',
      '    - "echo done &"',
      '    - ["/bin/notify", "--all"]',
      '    - { name: hook, webhook: { url: "https://example.com/h", retries: 1 } }',
      '',
    ].join('\n'),
  );
  assert.equal(loadConfig({ file: good, env: {} }).recovery.PostFailoverProcesses.length, 3);
  const bad = tempFile(
    t,
    'bad.yaml',
    [
      'recovery:',
      '  PreFailoverProcesses:',
      '    - 42',
      '    - { run: "a", argv: ["b"] }',
      '    - { webhook: { url: "ftp://x", retry: 2 } }',
      '    - []',
      '',
    ].join('\n'),
  );
  const issues = issuesOf(() => loadConfig({ file: bad, env: {} }));
  assert.match(issueFor(issues, 'recovery.PreFailoverProcesses[0]').problem, /expected a shell command string, an argv array/);
  assert.match(issueFor(issues, 'recovery.PreFailoverProcesses[1]').problem, /exactly one of run, argv, webhook \(found run and argv\)/);
  assert.match(issueFor(issues, 'recovery.PreFailoverProcesses[2].webhook.retry').problem, /did you mean .*webhook\.retries\?/);
  assert.match(issueFor(issues, 'recovery.PreFailoverProcesses[2].webhook.url').problem, /http:\/\/ or https:\/\//);
  assert.match(issueFor(issues, 'recovery.PreFailoverProcesses[3]').problem, /at least 1 entry/);
});

test('fenceProcesses (Baton\'s fence hook list) takes the same entries, is normalised like the others and checked the same way', (t) => {
  const good = tempFile(
    t,
    'fence.yaml',
    [
      'recovery:',
      '  fenceProcesses:',
      '    - "stonith $ORC_FAILED_HOST"',
      '    - { name: power-off, argv: ["/bin/power-off", "{failedHost}"], timeoutMs: 2000 }',
      '',
    ].join('\n'),
  );
  const config = loadConfig({ file: good, env: {} });
  assert.deepEqual(normalizeHooks(config.recovery.fenceProcesses, config.hooks, 'fenceProcesses'), [
    { kind: 'shell', name: 'fenceProcesses[0]', command: 'stonith $ORC_FAILED_HOST', timeoutMs: config.hooks.defaultTimeoutMs, async: false },
    { kind: 'argv', name: 'power-off', argv: ['/bin/power-off', '{failedHost}'], timeoutMs: 2000, async: false },
  ]);
  assert.deepEqual(loadConfig({ defaultsOnly: true }).recovery.fenceProcesses, [], 'none by default');
  const fromEnv = loadConfig({ env: { BATON__RECOVERY__FENCE_PROCESSES: '[["/bin/fence", "{failedPort}"]]' } });
  assert.deepEqual(fromEnv.recovery.fenceProcesses, [['/bin/fence', '{failedPort}']]);
  const bad = tempFile(t, 'bad-fence.yaml', 'recovery:\n  fenceProcesses:\n    - { run: "a", argv: ["b"] }\n');
  const issues = issuesOf(() => loadConfig({ file: bad, env: {} }));
  assert.match(issueFor(issues, 'recovery.fenceProcesses[0]').problem, /exactly one of run, argv, webhook/);
});

test('file problems: YAML syntax, a top level that is not an object, a missing file', (t) => {
  const broken = tempFile(t, 'broken.yaml', 'detector:\n  seeds: [\n');
  assert.match(issuesOf(() => loadConfig({ file: broken, env: {} }))[0]?.problem ?? '', /not valid YAML/);
  const list = tempFile(t, 'list.yaml', '- a\n- b\n');
  assert.match(issuesOf(() => loadConfig({ file: list, env: {} }))[0]?.problem ?? '', /must hold an object of sections/);
  assert.match(issuesOf(() => loadConfig({ file: '/nonexistent/baton.yaml', env: {} }))[0]?.problem ?? '', /cannot read/);
});

test('an empty section or key in YAML takes the defaults', (t) => {
  const file = tempFile(t, 'baton.yaml', 'recovery:\ndetector:\n  pollIntervalMs:\n  seeds:\n    - host: db1\n');
  const config = loadConfig({ file, env: {} });
  assert.equal(config.recovery.RecoveryPeriodBlockSeconds, 3600);
  assert.equal(config.detector.pollIntervalMs, 1000);
  assert.deepEqual(config.detector.seeds, [{ host: 'db1', port: 3306 }]);
});

test('BATON_CONFIG_FILE names the file when none is passed', (t) => {
  const file = tempFile(t, 'baton.yaml', 'api:\n  port: 3999\n');
  assert.equal(loadConfig({ env: { BATON_CONFIG_FILE: file } }).api.port, 3999);
});
