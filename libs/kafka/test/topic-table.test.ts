import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topics } from '@baton/contracts';
import { allTopics, logicalTopic, topicConfig, topicNames, topicTable } from '../src/index.ts';

test('every topic of the contracts has exactly one row', () => {
  assert.deepEqual(Object.keys(topicTable).sort(), Object.values(topics).sort());
  assert.deepEqual([...allTopics].sort(), Object.values(topics).sort());
});

test('rows are sane: partitions, retention, policies', () => {
  for (const [name, spec] of Object.entries(topicTable)) {
    assert.ok(Number.isInteger(spec.partitions) && spec.partitions >= 1, `${name} partitions`);
    assert.ok(spec.retentionMs === -1 || spec.retentionMs >= 60_000, `${name} retention`);
    assert.ok(!spec.configs || !('cleanup.policy' in spec.configs || 'retention.ms' in spec.configs), `${name} sets policy/retention in one place`);
  }
  assert.equal(topicTable[topics.clusterRegistry].cleanupPolicy, 'compact');
  for (const t of allTopics.filter((n) => n !== topics.clusterRegistry)) assert.equal(topicTable[t].cleanupPolicy, 'delete', t);
  const retentions = allTopics.filter((t) => topicTable[t].cleanupPolicy === 'delete').map((t) => topicTable[t].retentionMs);
  assert.equal(topicTable[topics.deadLetters].retentionMs, Math.max(...retentions), 'dead letters are kept longest');
  assert.equal(topicTable[topics.clusterSnapshots].retentionMs, Math.min(...retentions), 'snapshots are kept shortest');
});

test('the dead-letter topic accepts the largest message any topic accepts', () => {
  const limit = (t: (typeof allTopics)[number]): number => Number(topicTable[t].configs?.['max.message.bytes'] ?? 1024 * 1024);
  const dlq = limit(topics.deadLetters);
  for (const t of allTopics) assert.ok(dlq > limit(t) || t === topics.deadLetters, t);
});

test('topic names: empty namespace gives the real names, a namespace prefixes them', () => {
  assert.deepEqual(topicNames(), { ...Object.fromEntries(allTopics.map((t) => [t, t])) });
  const names = topicNames('t-1a2b');
  assert.equal(names[topics.analyses], 't-1a2b.baton.analyses');
  assert.equal(logicalTopic(names, 't-1a2b.baton.analyses'), topics.analyses);
  assert.equal(logicalTopic(names, 'baton.analyses'), undefined);
  assert.throws(() => topicNames('bad name'), /namespace/);
  assert.throws(() => topicNames('a.b'), /namespace/);
});

test('topicConfig renders kafkajs createTopics entries', () => {
  const entry = topicConfig('x.baton.cluster-registry', topicTable[topics.clusterRegistry], -1);
  assert.equal(entry.topic, 'x.baton.cluster-registry');
  assert.equal(entry.numPartitions, topicTable[topics.clusterRegistry].partitions);
  assert.equal(entry.replicationFactor, -1);
  const configs = Object.fromEntries((entry.configEntries ?? []).map((c) => [c.name, c.value]));
  assert.equal(configs['cleanup.policy'], 'compact');
  assert.equal(configs['retention.ms'], '-1');
});
