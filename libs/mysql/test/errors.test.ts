import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toBatonError } from '../src/errors.ts';

const serverError = (errno: number, sqlMessage: string) =>
  Object.assign(new Error(sqlMessage), { errno, code: 'ER_X', sqlState: 'HY000', sqlMessage, sql: "CHANGE MASTER TO MASTER_PASSWORD='s3cret'" });

test('messages that quote statement values are withheld, and the SQL text is always dropped', () => {
  for (const [errno, quoted] of [
    [1064, "You have an error in your SQL syntax near 's3cret'"],
    [1470, "String 's3cret-s3cret-s3cret' is too long for MASTER_PASSWORD (should be no longer than 96)"],
  ] as const) {
    const error = toBatonError(serverError(errno, quoted), { instance: 'db1:3306', operation: 'query' });
    assert.doesNotMatch(JSON.stringify({ ...error, message: error.message, cause: error.cause }), /s3cret/, String(errno));
    assert.equal((error as unknown as { errno: number }).errno, errno);
  }
});

test('other server errors keep their message', () => {
  const error = toBatonError(serverError(1198, 'This operation cannot be performed with a running slave'), { instance: 'db1:3306', operation: 'query' });
  assert.match(error.message, /running slave/);
});
