import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';

// kafkajs is CommonJS: its error classes come off the default export
const { KafkaJSConnectionError, KafkaJSGroupCoordinatorNotFound, KafkaJSNonRetriableError, KafkaJSSASLAuthenticationError } = kafkajs as unknown as Record<'KafkaJSConnectionError' | 'KafkaJSGroupCoordinatorNotFound' | 'KafkaJSNonRetriableError' | 'KafkaJSSASLAuthenticationError', new (cause: unknown) => Error>;
import { isBrokerAway } from '../src/index.ts';

test('a crash is the broker being away only when some cause in its chain says so', () => {
  // as kafkajs' retrier wraps what it gives up on
  const wrapped = (cause: Error) => new (KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => Error)(cause, { cause });
  const cases: Array<[string, unknown, boolean]> = [
    ['coordinator not found (every broker refused)', wrapped(new KafkaJSGroupCoordinatorNotFound('Failed to find group coordinator')), true],
    ['connection refused, two levels down', wrapped(wrapped(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED'))), true],
    ['bad credentials: not restarted, the operator must fix them', wrapped(new KafkaJSSASLAuthenticationError('SASL SCRAM SHA512 authentication failed')), false],
    ['a bug in a handler', new TypeError('x is undefined'), false],
    ['nothing', undefined, false],
  ];
  for (const [name, error, expected] of cases) assert.equal(isBrokerAway(error), expected, name);
});
