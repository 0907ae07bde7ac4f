import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '@baton/logging';
import { logLevel } from 'kafkajs';
import { pinoLevelFor, pinoLogCreator } from '../src/index.ts';

test('kafkajs levels map onto pino levels', () => {
  assert.equal(pinoLevelFor(logLevel.ERROR, 'Connection error: connect ECONNREFUSED'), 'error');
  assert.equal(pinoLevelFor(logLevel.WARN, 'something odd'), 'warn');
  assert.equal(pinoLevelFor(logLevel.INFO, 'Member left'), 'info');
  assert.equal(pinoLevelFor(logLevel.DEBUG, 'Request Fetch'), 'debug');
});

test('noisy kafkajs messages that it retries by itself go to debug', () => {
  assert.equal(pinoLevelFor(logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)'), 'debug');
  assert.equal(pinoLevelFor(logLevel.WARN, '[Runner] The group is rebalancing, re-joining'), 'debug');
  assert.equal(pinoLevelFor(logLevel.INFO, 'Consumer has joined the group'), 'debug');
});

test('the log creator writes kafkajs entries into pino with their context', () => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const log = pinoLogCreator(createLogger({ service: 'test', level: 'info', destination: sink }))();
  log({ namespace: 'Connection', level: logLevel.ERROR, label: 'ERROR', log: { timestamp: 'x', logger: 'kafkajs', message: 'Connection error', broker: '127.0.0.1:1' } });
  log({ namespace: 'Connection', level: logLevel.ERROR, label: 'ERROR', log: { timestamp: 'x', logger: 'kafkajs', message: 'Response Metadata(key: 3, version: 6)' } });
  assert.equal(lines.length, 1, 'the demoted entry is below the logger level');
  assert.equal(lines[0]?.['msg'], 'Connection error');
  assert.equal(lines[0]?.['broker'], '127.0.0.1:1');
  assert.equal(lines[0]?.['kafkaComponent'], 'Connection');
  assert.equal(lines[0]?.['level'], 50);
});
