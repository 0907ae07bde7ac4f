import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeadLetterHeadersV1, assertSchema, deadLetterHeaders } from '@baton/contracts';
import { DependencyUnavailableError, MessageValidationError } from '@baton/errors';
import { buildDeadLetterHeaders, errorCode, headersToStrings, maxReasonLength } from '../src/index.ts';

const failedAt = new Date('2026-11-26T19:30:00.000Z');
const base = { topic: 't-1.baton.analyses', partition: 3, offset: '42', key: Buffer.from('cluster-a'), groupId: 'analyzer', attempts: 0, failedAt };

test('dead-letter headers carry the reason, code and origin of the message', () => {
  const headers = buildDeadLetterHeaders({ ...base, error: new MessageValidationError('analysis v1 is invalid at /payload/clusterId: Expected string') });
  assert.deepEqual(headers, {
    [deadLetterHeaders.reason]: 'analysis v1 is invalid at /payload/clusterId: Expected string',
    [deadLetterHeaders.errorCode]: 'BATON_MESSAGE_INVALID',
    [deadLetterHeaders.originalTopic]: 't-1.baton.analyses',
    [deadLetterHeaders.originalPartition]: '3',
    [deadLetterHeaders.originalOffset]: '42',
    [deadLetterHeaders.originalKey]: 'cluster-a',
    [deadLetterHeaders.consumerGroup]: 'analyzer',
    [deadLetterHeaders.attempts]: '0',
    [deadLetterHeaders.failedAt]: '2026-11-26T19:30:00.000Z',
  });
});

test('dead-letter headers satisfy the contract schema', () => {
  assertSchema(DeadLetterHeadersV1, buildDeadLetterHeaders({ ...base, key: null, error: 'plain string thrown', attempts: 3 }), 'dead-letter headers');
});

test('a null key becomes an empty header, a string key is kept', () => {
  assert.equal(buildDeadLetterHeaders({ ...base, key: null, error: new Error('x') })[deadLetterHeaders.originalKey], '');
  assert.equal(buildDeadLetterHeaders({ ...base, key: 'c', error: new Error('x') })[deadLetterHeaders.originalKey], 'c');
});

test('a very long reason is cut', () => {
  const reason = buildDeadLetterHeaders({ ...base, error: new Error('x'.repeat(10_000)) })[deadLetterHeaders.reason];
  assert.ok(reason !== undefined && reason.length <= maxReasonLength + 1);
});

test('error codes come from BatonError codes, then error names', () => {
  assert.equal(errorCode(new DependencyUnavailableError('redis down')), 'BATON_DEPENDENCY_UNAVAILABLE');
  assert.equal(errorCode(new TypeError('x')), 'TypeError');
  assert.equal(errorCode(Object.assign(new Error('x'), { code: 'ECONNRESET' })), 'ECONNRESET');
  assert.equal(errorCode('string'), 'UNKNOWN');
  assert.equal(errorCode(null), 'UNKNOWN');
});

test('kafka headers become strings; repeated headers keep the last value', () => {
  assert.deepEqual(headersToStrings({ a: Buffer.from('1'), b: '2', c: [Buffer.from('x'), 'y'], d: undefined }), { a: '1', b: '2', c: 'y' });
  assert.deepEqual(headersToStrings(undefined), {});
});
