/**
 * The example alert consumer through a real failover: a 1+2 MariaDB topology watched by the
 * pipeline in-process (detector → analyzer → recovery executor), its primary killed; the alert
 * consumer, in-process, reads the deployment's recovery events by their physical name (the
 * test's topic prefix), checks their signatures with the shared secret and posts the one summary
 * to a local HTTP server standing in for Slack and PagerDuty.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { topics } from '@baton/contracts';
import { testSigningSecret } from '@baton/testing/baton-env';
import { waitFor, withTopology } from '@baton/testing';
import { startPipeline, type Pipeline } from '../../../test/support/pipeline.ts';
import { physicalTopic, startAlertConsumer, type PagerDutyEvent, type RunningAlertConsumer, type SlackMessage } from '../src/index.ts';

const admin = { user: 'baton', password: 'baton-pass' };
let pipeline: Pipeline;
let server: Server;
let consumer: RunningAlertConsumer | undefined;
const received: Array<{ path: string; body: unknown }> = [];

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(body) });
      res.writeHead(req.url === '/pagerduty' ? 202 : 200, { 'content-type': 'application/json' }).end('{"status":"success"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pipeline = await startPipeline({ admin, label: 'alerts', executors: 1, env: { BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '["*"]' } });
});
after(async () => {
  await consumer?.stop();
  await pipeline?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

test('one failover: exactly one summary event, turned into one Slack message and one PagerDuty trigger naming the successor', async (t) => {
  const { namespace, names, brokers } = pipeline.infra;
  assert.equal(physicalTopic(namespace), names[topics.recoveryEvents], 'the physical name from the prefix');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  consumer = await startAlertConsumer({
    brokers,
    topicPrefix: namespace,
    signingSecret: testSigningSecret,
    groupId: `${namespace}-alerts`,
    slackWebhookUrl: `${base}/slack`,
    pagerDutyUrl: `${base}/pagerduty`,
    pagerDutyRoutingKey: 'test-routing-key',
    fromBeginning: true,
    log: (level, message, fields) => t.diagnostic(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
  });
  await consumer.ready;

  const topology = await withTopology(t, { replicas: 2 });
  await pipeline.register(topology, 'alerts');
  const killedAt = Date.now();
  await topology.primary.kill();
  const summary = await pipeline.waitForEvent((e) => e.clusterId === 'alerts' && e.step === 'summary', { afterMs: killedAt, timeoutMs: 60_000, description: 'the summary of the failover' });
  assert.equal(summary.step, 'summary');
  if (summary.step !== 'summary') return;
  const d = summary.details;
  assert.equal(d.outcome, 'successful', JSON.stringify(d));
  assert.ok(d.successor !== null && topology.replicas.some((r) => `${r.host}:${r.port}` === d.successor), `a replica promoted: ${d.successor}`);
  assert.equal(d.failed, `${topology.primary.host}:${topology.primary.port}`);
  assert.equal(d.analysisCode, 'DeadMaster');
  // the rest of the recovery (post hooks, lock released) comes after the summary: then count
  await pipeline.waitForEvent((e) => e.recoveryUid === summary.recoveryUid && e.step === 'released', { timeoutMs: 30_000, description: 'the recovery ended' });
  await waitFor(() => received.length >= 2, { description: 'the Slack and PagerDuty posts', timeoutMs: 20_000 });
  const summaries = pipeline.events.filter((e) => e.payload.clusterId === 'alerts' && e.payload.step === 'summary');
  assert.equal(summaries.length, 1, 'exactly one summary event for the failover');
  const resolvedAt = pipeline.events.findIndex((e) => e.payload.recoveryUid === summary.recoveryUid && e.payload.step === 'resolved');
  const summaryAt = pipeline.events.findIndex((e) => e.payload.recoveryUid === summary.recoveryUid && e.payload.step === 'summary');
  assert.ok(resolvedAt >= 0 && summaryAt > resolvedAt, 'the summary follows the resolving step');
  for (const [phase, ms] of Object.entries(d.phases)) t.diagnostic(`${phase}: ${ms ?? 'n/a'} ms`);

  const slack = received.filter((r) => r.path === '/slack');
  const pagerDuty = received.filter((r) => r.path === '/pagerduty');
  assert.equal(slack.length, 1, 'one Slack message');
  assert.equal(pagerDuty.length, 1, 'one PagerDuty event');
  const message = slack[0]?.body as SlackMessage;
  assert.match(message.text, new RegExp(`failed over alerts: DeadMaster on ${topology.primary.host}:${topology.primary.port}, ${d.successor} promoted`));
  assert.ok(Array.isArray(message.blocks) && message.blocks.length >= 3);
  assert.match(JSON.stringify(message.blocks), /\*Successor\*\\n127\.0\.0\.1:\d+/);
  assert.match(JSON.stringify(message.blocks), /\*Outcome\*\\nsuccessful/);
  const event = pagerDuty[0]?.body as PagerDutyEvent;
  assert.equal(event.routing_key, 'test-routing-key');
  assert.equal(event.event_action, 'trigger');
  assert.equal(event.dedup_key, `baton/alerts/${d.detectionUid ?? summary.recoveryUid}`);
  assert.equal(event.payload.source, d.failed);
  assert.ok(['info', 'warning', 'error'].includes(event.payload.severity), event.payload.severity);
  assert.equal(event.payload.custom_details['successor'], d.successor);
  assert.equal(event.payload.custom_details['outcome'], 'successful');
  assert.equal(event.payload.custom_details['recoveryUid'], summary.recoveryUid);
});
