import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, topics } from '@baton/contracts';
import { parseDiscover } from '../src/discover-command.ts';
import { UsageError } from '../src/io.ts';

test('discover HOST:PORT --alias builds a valid discover command', () => {
  const { envelope, configFile } = parseDiscover(['db1.example.com:3307', '--alias', 'orders', '--config', 'b.yaml'], 'cli:me');
  assert.deepEqual(envelope.payload, { kind: 'discover', requestedBy: 'cli:me', instance: { host: 'db1.example.com', port: 3307 }, alias: 'orders' });
  assert.equal(configFile, 'b.yaml');
  assert.deepEqual(decodeMessage(topics.commands, encodeMessage(topics.commands, envelope).value), envelope);
});

test('discover refuses a missing or malformed seed and an empty alias, naming the problem', () => {
  for (const [argv, problem] of [
    [[], /exactly one HOST:PORT/],
    [['db1'], /HOST:PORT expected/],
    [['db1:0'], /HOST:PORT expected/],
    [['db1:70000'], /HOST:PORT expected/],
    [['a:1', 'b:2'], /exactly one/],
    [['db1:3306', '--alias', ' '], /--alias/],
  ] as const) {
    assert.throws(() => parseDiscover(argv, 'cli'), (e: unknown) => e instanceof UsageError && problem.test(e.message));
  }
});
