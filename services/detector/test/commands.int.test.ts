// Commands and the registry as a state table: `discover` on baton.commands registers a topology
// found from a replica, `forget` retires it (the detector stops probing it), and a registry record
// that does not decode is dead-lettered without stopping anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvelope, topics } from '@baton/contracts';
import { waitFor, withTopology } from '@baton/testing';
import { testSigner } from '@baton/testing/baton-env';
import { discoverySettingsFromConfig } from '../src/config.ts';
import { readRegistry, registerCluster } from '../src/index.ts';
import { detectorFixture, instanceKeyOf } from './support.ts';

test('discover and forget commands, and a bad registry record', async (t) => {
  const topology = await withTopology(t, { replicas: 1 });
  const fx = await detectorFixture('cmd');
  t.after(() => fx.teardown());
  const detector = fx.detector(fx.config({ credentials: topology.credentials.admin }));
  await detector.ready;

  // a bad record first: it is dead-lettered, the good ones behind it still count
  await fx.producer.send({ topic: fx.names[topics.clusterRegistry], messages: [{ key: 'junk', value: Buffer.from('{"not":"an envelope"}') }] });

  const replica = topology.replicas[0]!;
  const discover = createEnvelope(
    'command',
    { kind: 'discover', requestedBy: 'test', instance: { host: replica.host, port: replica.port }, alias: 'billing' },
    { producer: 'test' },
  );
  // the commands group starts at the newest offset once joined: send until the registration shows
  const sendDiscover = () => fx.publisher.publish(topics.commands, 'billing', discover);
  await sendDiscover();
  const resend = setInterval(() => void sendDiscover(), 5000);
  try {
    await waitFor(() => fx.registrations.find((r) => r.value.clusterId === 'billing'), { description: 'registration from the command', timeoutMs: 30_000 });
  } finally {
    clearInterval(resend);
  }
  const registration = fx.registrations.find((r) => r.value.clusterId === 'billing')!.value;
  assert.equal(registration.registeredBy, 'command:test');
  assert.deepEqual(registration.seeds.map(instanceKeyOf).sort(), topology.instances.map(instanceKeyOf).sort());
  await waitFor(() => fx.snapshots.some((s) => s.value.clusterId === 'billing' && s.value.instances.length === 2), { description: 'snapshots', timeoutMs: 30_000 });
  await waitFor(() => fx.deadLetters >= 1, { description: 'the bad registry record dead-lettered', timeoutMs: 30_000 });

  // the same topology discovered again (from the primary, with the registry read for real)
  // publishes nothing: judged on the topic, below, once the forget that follows has come through
  const activeBefore = fx.registrations.filter((r) => r.value.clusterId === 'billing' && r.value.status === 'active').length;
  const again = await registerCluster(instanceKeyOf(topology.primary), {
    ...discoverySettingsFromConfig(fx.config({ credentials: topology.credentials.admin })),
    alias: 'billing',
    publisher: fx.publisher,
    registrations: () => readRegistry({ kafka: fx.kafka, names: fx.names, signer: testSigner }),
  });
  assert.equal(again.clusterId, 'billing');
  assert.equal(again.published, false);

  await fx.publisher.publish(topics.commands, 'billing', createEnvelope('command', { kind: 'forget', requestedBy: 'test', clusterId: 'billing' }, { producer: 'test' }));
  await waitFor(() => fx.registrations.some((r) => r.value.clusterId === 'billing' && r.value.status === 'forgotten'), {
    description: 'forgotten registration',
    timeoutMs: 30_000,
  });
  await waitFor(() => !detector.ownedClusters().includes('billing'), { description: 'the detector stops probing it', timeoutMs: 30_000 });
  // same key, same partition: a registration the rediscovery published would have been read before the forgotten one
  assert.equal(fx.registrations.filter((r) => r.value.clusterId === 'billing' && r.value.status === 'active').length, activeBefore, 'the rediscovery published no registration');
  assert.equal(detector.stats().clusters, 0);
});
