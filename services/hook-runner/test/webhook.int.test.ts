/**
 * Webhook entries: an HTTP POST of the event as JSON to a local server, retried after a 5xx,
 * never after a 4xx.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@baton/logging';
import { runWebhook } from '../src/run-webhook.ts';
import { startRunnerFixture } from './support.ts';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

test('a webhook reaches a local server, is retried after a 500 and not after a 400', async (t) => {
  const received: Received[] = [];
  let flakyCalls = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      if (req.url === '/flaky') {
        flakyCalls += 1;
        res.writeHead(flakyCalls === 1 ? 500 : 200).end(flakyCalls === 1 ? 'try again' : 'thanks');
      } else res.writeHead(400).end('bad request');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;

  const fx = await startRunnerFixture({
    recovery: () => ({
      PostFailoverProcesses: [
        { name: 'notify', webhook: { url: `http://127.0.0.1:${port}/flaky`, retries: 2, timeoutMs: 5000, headers: { authorization: 'Bearer s3cret' } } },
        { name: 'rejected', webhook: { url: `http://127.0.0.1:${port}/reject`, retries: 3 } },
      ],
    }),
  });
  t.after(() => fx.teardown());

  const request = await fx.send('PostFailoverProcesses', { failedHost: 'db1', failedPort: '3306', successorHost: 'db2' });
  const [result] = await fx.results(request.requestId);
  assert.ok(result);
  const [notify, rejected] = result.runs;
  assert.equal(notify?.target, 'webhook');
  assert.equal(notify?.status, 'succeeded');
  assert.equal(notify?.attempts, 2);
  assert.equal(notify?.httpStatus, 200);
  assert.equal(notify?.output, 'thanks');
  assert.equal(rejected?.status, 'failed');
  assert.equal(rejected?.attempts, 1, 'a 4xx is not retried');
  assert.equal(rejected?.httpStatus, 400);
  assert.equal(result.ok, false);

  const flaky = received.filter((r) => r.path === '/flaky');
  assert.equal(flaky.length, 2);
  assert.equal(received.filter((r) => r.path === '/reject').length, 1);
  const first = flaky[0] as Received;
  assert.equal(first.headers['content-type'], 'application/json');
  assert.equal(first.headers['authorization'], 'Bearer s3cret');
  assert.equal(first.body['hookKind'], 'PostFailoverProcesses');
  assert.equal(first.body['hookName'], 'notify');
  assert.equal(first.body['clusterId'], 'orders');
  assert.equal(first.body['recoveryUid'], request.recoveryUid);
  assert.equal(first.body['requestId'], request.requestId);
  const values = first.body['values'] as Record<string, string>;
  assert.equal(values['failedHost'], 'db1');
  assert.equal(values['successorHost'], 'db2');
  assert.equal(values['successorAlias'], '');
  assert.equal(values['recoveryUID'], request.recoveryUid);
  assert.deepEqual(flaky[1]?.body, first.body, 'the retry posts the same event');
});

test('a secret in a webhook answer is redacted before the answer is bounded: no part of it survives the cut', async (t) => {
  const secret = 'hunter2-very-secret-value';
  // the bound keeps a head and a tail: the secret straddles the head's end
  const body = `${'x'.repeat(40)}${secret}${'y'.repeat(200)}`;
  const server = createServer((_req, res) => {
    res.writeHead(200);
    // two writes that split the secret as well
    res.write(body.slice(0, 50));
    res.end(body.slice(50));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  const outcome = await runWebhook({ name: 'n', url: `http://127.0.0.1:${port}/`, headers: {}, body: {}, timeoutMs: 5000, retries: 0, maxOutputBytes: 64, secrets: [secret] }, silentLogger());
  assert.equal(outcome.status, 'succeeded');
  assert.equal(outcome.outputTruncated, true);
  for (const part of ['hunter2', 'very-secret', 'secret-value']) assert.ok(!outcome.output.includes(part), `"${part}" left in ${JSON.stringify(outcome.output)}`);
  assert.match(outcome.output, /^x{40}\[/, 'the redaction marker where the secret was');
});
