/**
 * Two Baton deployments on one broker, one Redis and one backend server, told apart by nothing
 * but `deployment.name` (and each its own signing secret), both watching a cluster called
 * `orders`: a failover in each, and neither sees the other's messages, keys, groups or rows.
 * Without the isolation the same cluster id would share Redis keys (blocks, grace periods), the
 * fixed group ids would share partitions, and one deployment's executor would act on the other's
 * analyses.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { createEnvelope, deadLetterHeaders, topics } from '@baton/contracts';
import { toKafkaMessage } from '@baton/kafka';
import { waitFor, withTopology, type Topology } from '@baton/testing';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { idOf, recoveries, writableInstances } from '../support/failover.ts';

const admin = { user: 'baton', password: 'baton-pass' };
const suffix = randomBytes(3).toString('hex');
const blueName = `blue-${suffix}`;
const greenName = `green-${suffix}`;
let blue: Pipeline;
let green: Pipeline;

const options = (name: string) => ({
  admin,
  label: name,
  executors: 1,
  deployment: { name, signingSecret: `${name}-signing-secret-${randomBytes(12).toString('hex')}` },
  env: { BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '["*"]' },
});

before(async () => {
  blue = await startPipeline(options(blueName));
  green = await startPipeline(options(greenName));
});
after(async () => {
  await green?.stop();
  await blue?.stop();
});

async function failOver(pipeline: Pipeline, topology: Topology, startedAt: number): Promise<string> {
  const resolved = await pipeline.waitForEvent((e) => e.clusterId === 'orders' && e.step === 'resolved', { afterMs: startedAt, timeoutMs: 60_000, description: 'orders resolved' });
  assert.equal(resolved.status, 'succeeded', JSON.stringify(resolved.details));
  const successor = String(resolved.details['successor']);
  assert.ok(topology.replicas.some((r) => idOf(r) === successor), `the successor ${successor} is one of this deployment's own replicas`);
  return successor;
}

test('two deployments sharing a broker, a Redis and a backend server: a failover in each, no crosstalk', async (t) => {
  const [blueTopology, greenTopology] = [await withTopology(t, { replicas: 2 }), await withTopology(t, { replicas: 2 })];
  await blue.register(blueTopology, 'orders');
  await green.register(greenTopology, 'orders');

  // the derived names: one per deployment, no fixed group id left
  assert.equal(blue.config.kafka.topicPrefix, blueName);
  assert.equal(green.config.redis.keyPrefix, greenName);
  assert.equal(blue.config.backend.database, `baton_blue_${suffix}`);

  const startedAt = Date.now();
  await blueTopology.primary.kill();
  const blueSuccessor = await failOver(blue, blueTopology, startedAt);
  assert.deepEqual((await writableInstances(greenTopology)).map(idOf), [idOf(greenTopology.primary)], 'the green cluster of the same name is untouched');
  const greenStartedAt = Date.now();
  await greenTopology.primary.kill();
  const greenSuccessor = await failOver(green, greenTopology, greenStartedAt);
  t.diagnostic(`blue promoted ${blueSuccessor}, green promoted ${greenSuccessor}`);

  // each deployment's topics carried only its own cluster's instances
  const ports = (topology: Topology) => new Set(topology.instances.map((i) => i.port));
  for (const [pipeline, topology, other] of [[blue, blueTopology, greenTopology], [green, greenTopology, blueTopology]] as const) {
    const mine = ports(topology);
    const theirs = ports(other);
    const seen = pipeline.analyses.flatMap((a) => a.payload.entries.map((e) => e.instance.port));
    assert.ok(seen.length > 0 && seen.every((p) => mine.has(p) && !theirs.has(p)), `analyses of ${pipeline.config.deployment.name} name only its own instances`);
    const uids = new Set(pipeline.events.map((e) => e.payload.recoveryUid).filter(Boolean)); // detection events carry none
    assert.equal(uids.size, 1, `one recovery in ${pipeline.config.deployment.name}'s events: ${JSON.stringify(pipeline.events.map((e) => [e.payload.recoveryUid, e.payload.step, e.payload.clusterId]))}`);
    const rows = await recoveries(pipeline.backend, 'orders');
    assert.equal(rows.length, 1, 'one recovery row in its own schema');
    assert.ok(mine.has(Number(rows[0]?.successor_port)), 'promoting one of its own replicas');
  }
  assert.notDeepEqual(new Set(blue.events.map((e) => e.payload.recoveryUid)), new Set(green.events.map((e) => e.payload.recoveryUid)));

  // Redis: every key of a deployment under its own name, each with its own block for `orders`
  const keysOf = async (name: string): Promise<string[]> => (await blue.redis.keys(`${name}:*`)).sort();
  const [blueKeys, greenKeys] = [await keysOf(blueName), await keysOf(greenName)];
  assert.ok(blueKeys.some((k) => k.includes('{orders}')) && greenKeys.some((k) => k.includes('{orders}')), `each deployment keeps its own keys for orders (${blueKeys.length} blue, ${greenKeys.length} green)`);
  assert.deepEqual(await blue.redis.keys('baton:{orders}*'), [], 'no key outside a deployment');

  // consumer groups: each service's group carries its deployment's name
  const groups = (await blue.infra.admin.listGroups()).groups.map((g) => g.groupId);
  for (const name of [blueName, greenName]) {
    for (const base of ['baton-analyzer', 'baton-recovery-executor', 'baton-recovery-executor-commands', 'baton-detector', 'baton-detector-commands']) {
      assert.ok(groups.includes(`${name}.${base}`), `group ${name}.${base} exists (${groups.filter((g) => g.startsWith(name)).join(', ')})`);
    }
  }

  // a command signed by blue, published on green's topic, is refused by green: secrets are per deployment
  const command = createEnvelope('command', { kind: 'disable-global-recoveries', requestedBy: 'blue-on-green' }, { producer: 'test' });
  await blue.infra.producer.send({ topic: green.infra.names[topics.commands], acks: -1, messages: [toKafkaMessage(topics.commands, 'global', command, blue.infra.signer)] });
  // and the intruder: a valid begin-downtime with no signature at all, straight onto the topic
  const primary = { host: greenTopology.primary.host, port: greenTopology.primary.port };
  const downtime = createEnvelope(
    'command',
    { kind: 'begin-downtime', requestedBy: 'kafka-intruder', clusterId: 'orders', instance: primary, owner: 'kafka-intruder', reason: 'x', endsAt: new Date(Date.now() + 3_600_000).toISOString() },
    { producer: 'api' },
  );
  await blue.infra.producer.send({ topic: green.infra.names[topics.commands], acks: -1, messages: [{ key: 'orders', value: Buffer.from(JSON.stringify(downtime)) }] });
  const letters: KafkaMessage[] = [];
  const reader = green.infra.kafka.consumer({ groupId: `${greenName}-test-dead-letters`, maxWaitTimeInMs: 100 });
  t.after(() => reader.disconnect());
  await reader.connect();
  await reader.subscribe({ topic: green.infra.names[topics.deadLetters], fromBeginning: true });
  await reader.run({ eachMessage: async ({ message }) => void letters.push(message) });
  const reasonOf = (m: KafkaMessage): string => String(m.headers?.[deadLetterHeaders.reason] ?? '');
  await waitFor(() => letters.filter((m) => reasonOf(m).includes('signed with a secret this deployment does not hold')).length >= 2, {
    description: 'green\'s detector and executor both dead-letter blue\'s command',
    timeoutMs: 30_000,
  });
  await waitFor(() => letters.some((m) => reasonOf(m).includes('unsigned: no baton-signature header')), { description: 'the unsigned downtime dead-lettered', timeoutMs: 30_000 });
  assert.equal(await green.redis.exists(green.keys.recoveriesDisabled()), 0, 'green\'s recoveries stay enabled');
  // the failover downtimed the old primary itself; the intruder's downtime is not there
  const downtimeValue = (await green.redis.get(green.keys.downtime('orders', `${primary.host}:${primary.port}`))) ?? '';
  assert.ok(!downtimeValue.includes('kafka-intruder'), `no downtime of the intruder's: ${downtimeValue}`);
});
