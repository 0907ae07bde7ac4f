import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatonError } from '@baton/errors';
import { createKeys } from '../src/index.ts';

test('keys follow the architecture table, cluster id in braces', () => {
  const k = createKeys();
  const c = 'db1:3306';
  const i = 'db2:3306';
  assert.equal(k.grace(c, i), 'baton:{db1:3306}:grace:db2:3306');
  assert.equal(k.emergentRead(c, i), 'baton:{db1:3306}:emergent-read:db2:3306');
  assert.equal(k.detection(c, i), 'baton:{db1:3306}:detection:db2:3306');
  assert.equal(k.recoveryBlock(c), 'baton:{db1:3306}:recovery-block');
  assert.equal(k.recoveryLock(c), 'baton:{db1:3306}:recovery-lock');
  assert.equal(k.recoveryLockToken(c), 'baton:{db1:3306}:recovery-lock-token');
  assert.equal(k.snapshot(c), 'baton:{db1:3306}:snapshot');
  assert.equal(k.analysisMemory(c), 'baton:{db1:3306}:analysis-memory');
  assert.equal(k.recoveriesDisabled(), 'baton:recoveries-disabled');
  assert.equal(k.downtime(c, i), 'baton:{db1:3306}:downtime:db2:3306');
  assert.equal(k.candidate(c, i), 'baton:{db1:3306}:candidate:db2:3306');
  assert.equal(k.ioThreadRestartPrimary(c, i), 'baton:{db1:3306}:io-restart-primary:db2:3306');
  assert.equal(k.ioThreadRestartReplica(c, i), 'baton:{db1:3306}:io-restart-replica:db2:3306');
  assert.equal(k.processed('6f1c'), 'baton:processed:6f1c');
});

test('a prefix isolates a whole keyspace', () => {
  const k = createKeys('test:abc');
  assert.equal(k.root, 'test:abc:baton');
  assert.equal(k.recoveryLock('orders'), 'test:abc:baton:{orders}:recovery-lock');
  assert.equal(k.recoveriesDisabled(), 'test:abc:baton:recoveries-disabled');
});

test('cluster ids that would break the hash tag are refused', () => {
  const k = createKeys();
  for (const bad of ['', 'a{b', 'a}b', 'a b']) {
    assert.throws(() => k.recoveryLock(bad), (e: unknown) => e instanceof BatonError && e.code === 'BATON_INVALID_KEY_PART');
  }
  assert.throws(() => k.grace('c', ''), BatonError);
});
