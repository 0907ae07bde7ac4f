import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../src/index.ts';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

test('json by default: one JSON object per line with the service identity, secrets redacted', () => {
  const out = capture();
  const logger = createLogger({ service: 'analyzer', destination: out.stream as never });
  logger.info({ groupId: 'g1', password: 'hunter2' }, 'consumer joined');
  const [line] = out.text().trim().split('\n');
  const entry = JSON.parse(line ?? '') as Record<string, unknown>;
  assert.equal(entry['msg'], 'consumer joined');
  assert.equal(entry['service'], 'analyzer');
  assert.equal(entry['password'], '[redacted]');
});

test('pretty: one human-readable line per entry (time, level, service: message, fields inline), still redacted', async () => {
  const out = capture();
  const logger = createLogger({ service: 'hook-runner', format: 'pretty', destination: out.stream as never });
  logger.child({ component: 'processes' }).warn({ hook: 'PreFailoverProcesses[0]', token: 'abc-secret' }, 'hook ended');
  await new Promise((resolve) => setImmediate(resolve));
  const text = out.text();
  assert.match(text, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] WARN: hook-runner: hook ended \{.*"component":"processes".*\}\n$/);
  assert.match(text, /"hook":"PreFailoverProcesses\[0\]"/);
  assert.doesNotMatch(text, /abc-secret/);
  assert.doesNotMatch(text, /instanceId|"version"/, 'the identity fields are left out of the line');
  assert.throws(() => JSON.parse(text), 'not JSON');
});
