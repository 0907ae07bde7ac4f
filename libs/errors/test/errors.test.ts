import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatonError, ConfigError, errorClasses, isRetryable, MessageValidationError, RetriesExhaustedError } from '../src/index.ts';

test('every error class reports its own static code on instances', () => {
  for (const [name, Cls] of Object.entries(errorClasses)) {
    const instance =
      Cls === ConfigError
        ? new ConfigError([{ key: 'k', problem: 'p' }])
        : Cls === RetriesExhaustedError
          ? new RetriesExhaustedError([new Error('x')], 'm')
          : new (Cls as unknown as new (m: string) => BatonError)('m');
    assert.equal(instance.code, Cls.code, name);
    assert.equal(instance.name, name);
  }
});

test('context fields are enumerable so loggers serialise them', () => {
  const e = new BatonError('BATON_X', 'boom', { clusterId: 'c1', retryable: true });
  assert.equal(Object.keys(e).includes('clusterId'), true);
  assert.equal(isRetryable(e), true);
  assert.equal(isRetryable(new MessageValidationError('bad', { retryable: true })), false);
});

test('ConfigError names every key in its message', () => {
  const e = new ConfigError([{ key: 'a', problem: 'x' }, { key: 'b.c', problem: 'y' }]);
  assert.match(e.message, /a: x/);
  assert.match(e.message, /b\.c: y/);
  assert.match(e.message, /2 problems/);
});
