import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@baton/config';
import { hookKinds } from '@baton/contracts';
import { hookRunnerSettings } from '../src/config.ts';

test('every hook kind has its list, Baton\'s fenceProcesses included, normalised from the recovery section', () => {
  const config = loadConfig({ env: { BATON__RECOVERY__FENCE_PROCESSES: '[{"name":"stonith","argv":["/bin/power-off","{failedHost}"],"timeoutMs":2000}]' } });
  const settings = hookRunnerSettings(config);
  assert.deepEqual(Object.keys(settings.lists).sort(), [...hookKinds].sort());
  assert.deepEqual(settings.lists.fenceProcesses, [{ kind: 'argv', name: 'stonith', argv: ['/bin/power-off', '{failedHost}'], timeoutMs: 2000, async: false }]);
  assert.deepEqual(settings.lists.PreFailoverProcesses, []);
});
