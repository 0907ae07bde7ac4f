import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@baton/config';
import { analysisPolicyFromConfig, analyzerSettings, topicNamesFromConfig } from '../src/index.ts';

test('the policy takes orchestrator\'s recovery keys and the recovery loop\'s hints', () => {
  const config = loadConfig({
    env: {
      BATON__RECOVERY__REASONABLE_REPLICATION_LAG_SECONDS: '30',
      BATON__RECOVERY__REASONABLE_LOCKED_SEMI_SYNC_MASTER_SECONDS: '7',
      BATON__RECOVERY__REDUCE_REPLICATION_ANALYSIS_COUNT: 'false',
      BATON__RECOVERY__RECOVERY_IGNORE_HOSTNAME_FILTERS: '["^test-"]',
      BATON__RECOVERY__RECOVER_NON_WRITEABLE_MASTER: 'true',
      BATON__RECOVERY__ENFORCE_EXACT_SEMI_SYNC_REPLICAS: 'true',
      BATON__ANALYZER__REASONABLE_INSTANCE_CHECK_MS: '1500',
    },
  });
  const p = analysisPolicyFromConfig(config);
  assert.equal(p.reasonableReplicationLagSeconds, 30);
  assert.equal(p.lockedSemiSyncMasterMs, 7000);
  assert.equal(p.reduceReplicationAnalysisCount, false);
  assert.deepEqual(p.hostnameFilters.map(String), ['/^test-/']);
  assert.equal(p.recoverNonWriteableMaster, true);
  assert.equal(p.enforceExactSemiSyncReplicas, true);
  assert.equal(p.reasonableInstanceCheckMs, 1500);
  assert.equal(p.includeDowntimed, true);
  assert.equal(p.pollIntervalMs, null, 'the validity window uses each snapshot\'s own poll interval');
});

test('settings: consumer group, TTL, topic prefix with or without its dot, key prefix', () => {
  const config = loadConfig({ env: { BATON__KAFKA__TOPIC_PREFIX: 'sandbox.', BATON__REDIS__KEY_PREFIX: 'sbx' } });
  const s = analyzerSettings(config);
  assert.equal(s.groupId, 'baton-analyzer');
  assert.equal(s.snapshotTtlMs, 5000);
  assert.equal(s.partitionsConsumedConcurrently, 4);
  assert.equal(s.names['baton.cluster-snapshots'], 'sandbox.baton.cluster-snapshots');
  assert.equal(s.keyPrefix, 'sbx');
  assert.equal(topicNamesFromConfig({ topicPrefix: 'sandbox' })['baton.analyses'], 'sandbox.baton.analyses');
  assert.equal(topicNamesFromConfig({})['baton.analyses'], 'baton.analyses');
});
