import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../src/index.ts';
import { renderExampleConfig } from '../src/render-example.ts';

const repoFile = (path: string) => new URL(`../../../${path}`, import.meta.url).pathname;

test('defaults alone are a valid configuration', () => {
  const config = loadConfig({ defaultsOnly: true });
  assert.equal(config.detector.pollIntervalMs, 1000);
  assert.equal(config.api.host, '127.0.0.1');
  assert.equal(config.api.authentication, true);
  assert.equal(config.hooks.defaultTimeoutMs, 30000);
  assert.equal(config.recovery.emergencyGracePeriodMs, 5000);
  assert.ok(config.recovery.recoveryLockTtlMs > config.recovery.recoveryDeadlineMs);
  assert.ok(config.mysql.probeTimeoutMs < config.detector.pollIntervalMs);
});

test('recovery keys carry orchestrator names and defaults (Appendix A)', () => {
  const { recovery } = loadConfig({ defaultsOnly: true });
  const expected: Record<string, unknown> = {
    RecoveryPeriodBlockSeconds: 3600,
    FailureDetectionPeriodBlockMinutes: 60,
    RecoverMasterClusterFilters: [],
    RecoverIntermediateMasterClusterFilters: [],
    RecoveryIgnoreHostnameFilters: [],
    PromotionIgnoreHostnameFilters: [],
    DetachLostReplicasAfterMasterFailover: true,
    ApplyMySQLPromotionAfterMasterFailover: true,
    PreventCrossDataCenterMasterFailover: false,
    PreventCrossRegionMasterFailover: false,
    FailMasterPromotionOnLagMinutes: 0,
    FailMasterPromotionIfSQLThreadNotUpToDate: false,
    DelayMasterPromotionIfSQLThreadNotUpToDate: false,
    MaxConcurrentReplicaOperations: 5,
    ReasonableReplicationLagSeconds: 10,
    ReasonableMaintenanceReplicationLagSeconds: 20,
    ReasonableLockedSemiSyncMasterSeconds: 0,
    InstanceBulkOperationsWaitTimeoutSeconds: 10,
    CandidateInstanceExpireMinutes: 60,
    RecoverNonWriteableMaster: false,
    MasterFailoverDetachReplicaMasterHost: false,
    CoMasterRecoveryMustPromoteOtherCoMaster: true,
    PostponeReplicaRecoveryOnLagMinutes: 0,
    UseSuperReadOnly: false,
    ReduceReplicationAnalysisCount: true,
    EnforceExactSemiSyncReplicas: false,
    RecoverLockedSemiSyncMaster: false,
    VerifyReplicationFilters: false,
    ProcessesShellCommand: 'bash',
    OnFailureDetectionProcesses: [],
    PreFailoverProcesses: [],
    PostMasterFailoverProcesses: [],
    PostIntermediateMasterFailoverProcesses: [],
    PostFailoverProcesses: [],
    PostUnsuccessfulFailoverProcesses: [],
    PreGracefulTakeoverProcesses: [],
    PostGracefulTakeoverProcesses: [],
    PostTakeMasterProcesses: [],
    DataCenterPattern: '',
    RegionPattern: '',
    PhysicalEnvironmentPattern: '',
    DetectPromotionRuleQuery: '',
  };
  for (const [key, value] of Object.entries(expected)) {
    assert.deepEqual((recovery as Record<string, unknown>)[key], value, key);
  }
  assert.equal('DetachLostSlavesAfterMasterFailover' in recovery, false);
});

test('the loaded configuration is deep-frozen', () => {
  const config = loadConfig({ defaultsOnly: true });
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.recovery));
  assert.ok(Object.isFrozen(config.recovery.RecoverMasterClusterFilters));
  assert.throws(() => {
    (config.detector as { pollIntervalMs: number }).pollIntervalMs = 5;
  }, TypeError);
});

test('defaultsOnly ignores the environment and BATON_CONFIG_FILE', () => {
  const prior = process.env['BATON__DETECTOR__POLL_INTERVAL_MS'];
  process.env['BATON__DETECTOR__POLL_INTERVAL_MS'] = 'not a number';
  try {
    assert.equal(loadConfig({ defaultsOnly: true }).detector.pollIntervalMs, 1000);
  } finally {
    if (prior === undefined) delete process.env['BATON__DETECTOR__POLL_INTERVAL_MS'];
    else process.env['BATON__DETECTOR__POLL_INTERVAL_MS'] = prior;
  }
});

test('config/baton.example.yaml is generated from the schema, documents every key and loads', () => {
  const file = repoFile('config/baton.example.yaml');
  assert.equal(readFileSync(file, 'utf8'), renderExampleConfig(), 'regenerate: npx tsx libs/config/scripts/write-example-config.ts');
  assert.deepEqual(loadConfig({ file, env: {} }), loadConfig({ defaultsOnly: true }));
});

test('config/sandbox.yaml loads and opts every cluster in to automated recovery', () => {
  const config = loadConfig({ file: repoFile('config/sandbox.yaml'), env: {} });
  assert.deepEqual(config.recovery.RecoverMasterClusterFilters, ['*']);
  assert.equal(config.detector.seeds.length, 1);
});
