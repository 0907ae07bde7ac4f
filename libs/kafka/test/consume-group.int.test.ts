import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topics } from '@baton/contracts';
import { uniqueName, waitFor } from '@baton/testing';
import type { MessageContext, RunningConsumer } from '../src/index.ts';
import { committedTotal, kafkaFixture, probeRequest } from './support.ts';

const partitions = 4;

test('two consumers of one group share the partitions and consume every message once', async (t) => {
  const fx = await kafkaFixture('group', [topics.probeRequests, topics.deadLetters], partitions);
  t.after(() => fx.teardown());
  const groupId = uniqueName('group');
  const seen: Array<{ member: string; context: MessageContext }> = [];

  const start = (member: string): Promise<RunningConsumer> =>
    fx.consumer({
      groupId,
      topics: [topics.probeRequests],
      fromBeginning: true,
      heartbeatIntervalMs: 200,
      sessionTimeoutMs: 6000,
      handler: async (context) => {
        seen.push({ member, context });
      },
    });
  const a = await start('a');
  const b = await start('b');
  await Promise.all([a.ready, b.ready]);

  // wait until the rebalance after b joined has settled: disjoint shares that cover every partition
  const physical = fx.names[topics.probeRequests];
  await waitFor(
    () => {
      const pa = a.assignment()[physical] ?? [];
      const pb = b.assignment()[physical] ?? [];
      const all = [...pa, ...pb].sort();
      return pa.length > 0 && pb.length > 0 && all.length === partitions && new Set(all).size === partitions;
    },
    { description: 'both members holding disjoint partitions', timeoutMs: 30_000 },
  );

  const sent = Array.from({ length: 40 }, (_, i) => ({ key: `cluster-${i}`, envelope: probeRequest(`cluster-${i}`, `m${i}`) }));
  await fx.publisher.publishMany(topics.probeRequests, sent);

  await waitFor(() => seen.length >= sent.length, { description: 'every message consumed', timeoutMs: 30_000 });

  const ids = seen.map((s) => s.context.envelope.messageId);
  assert.equal(new Set(ids).size, ids.length, 'no message was consumed twice');
  assert.deepEqual(new Set(ids), new Set(sent.map((s) => s.envelope.messageId)));
  for (const { member, context } of seen) {
    const held = (member === 'a' ? a : b).assignment()[physical] ?? [];
    assert.ok(held.includes(context.partition), `${member} consumed partition ${context.partition} it does not hold`);
    assert.equal(context.topic, topics.probeRequests);
    assert.equal(context.physicalTopic, physical);
    assert.equal(context.envelope.type, 'probe-request');
    if (context.envelope.type === 'probe-request') assert.equal(context.key, context.envelope.payload.clusterId);
    assert.equal(context.headers['baton-message-id'], context.envelope.messageId);
    assert.equal(context.attempt, 1);
  }
  assert.ok(seen.some((s) => s.member === 'a') && seen.some((s) => s.member === 'b'), 'both members consumed');

  const stopping = a.stop();
  assert.equal(a.stop(), stopping, 'stop() is idempotent: the same promise');
  await Promise.all([stopping, b.stop()]);
  // offsets are committed only for handled messages, and all were handled
  assert.equal(await committedTotal(fx.admin, groupId, physical), sent.length);
  assert.deepEqual(a.stats().deadLettered + b.stats().deadLettered, 0);
  assert.equal(a.stats().handled + b.stats().handled, sent.length);
});

test('ensureTopics is idempotent and creates what the table says', async (t) => {
  const fx = await kafkaFixture('topics', [topics.clusterRegistry, topics.deadLetters], 2);
  t.after(() => fx.teardown());
  const { ensureTopics } = await import('../src/index.ts');
  assert.deepEqual(await ensureTopics(fx.admin, { names: fx.names, only: [topics.clusterRegistry, topics.deadLetters], partitions: 2 }), []);
  const registry = fx.names[topics.clusterRegistry];
  const meta = await fx.admin.fetchTopicMetadata({ topics: [registry] });
  assert.equal(meta.topics[0]?.partitions.length, 2);
  const described = await fx.admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: 2, name: registry, configNames: ['cleanup.policy', 'retention.ms'] }],
  });
  const configs = Object.fromEntries((described.resources[0]?.configEntries ?? []).map((c) => [c.configName, c.configValue]));
  assert.equal(configs['cleanup.policy'], 'compact');
  assert.equal(configs['retention.ms'], '-1');
});
