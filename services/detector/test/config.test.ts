import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, type BatonConfig } from '@baton/config';
import { detectorSettings, parseInstanceKey, topicNamesFromConfig } from '../src/config.ts';

test('parseInstanceKey: host:port, host alone, bracketed IPv6, and bad input', () => {
  assert.deepEqual(parseInstanceKey('db1:3307'), { host: 'db1', port: 3307 });
  assert.deepEqual(parseInstanceKey(' db1 '), { host: 'db1', port: 3306 });
  assert.deepEqual(parseInstanceKey('[::1]:3310'), { host: '::1', port: 3310 });
  for (const bad of ['db1:0', 'db1:70000', 'a b:1', '', 'db1:x']) assert.throws(() => parseInstanceKey(bad), RangeError, bad);
});

test('detector settings: topic prefix, probe timeouts below the interval, seeds', () => {
  const base = loadConfig({ defaultsOnly: true });
  const config: BatonConfig = {
    ...base,
    kafka: { ...base.kafka, topicPrefix: 'sandbox.' },
    detector: { ...base.detector, pollIntervalMs: 500, seeds: [{ host: 'db1', port: 3306, alias: 'orders' }, { host: 'db2', port: 3307 }] },
  };
  const s = detectorSettings(config);
  assert.equal(s.names['baton.cluster-registry'], 'sandbox.baton.cluster-registry');
  assert.equal(topicNamesFromConfig({})['baton.cluster-snapshots'], 'baton.cluster-snapshots');
  assert.ok(s.prober.connectTimeoutMs < 500 && s.prober.queryTimeoutMs < 500);
  assert.deepEqual(s.seeds, [{ seed: { host: 'db1', port: 3306 }, alias: 'orders' }, { seed: { host: 'db2', port: 3307 } }]);
  assert.ok(s.discovery.queryTimeoutMs >= config.mysql.probeTimeoutMs);
});
