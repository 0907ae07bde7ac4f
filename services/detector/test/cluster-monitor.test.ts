import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unknownInstance, type InstanceKey } from '@baton/contracts';
import { silentLogger } from '@baton/logging';
import type { AnnotationSource } from '../src/annotation-cache.ts';
import { ClusterMonitor, type ClusterMonitorOptions } from '../src/cluster-monitor.ts';
import { keyId } from '../src/instance-set.ts';
import { Limiter } from '../src/limiter.ts';
import { deferred, FakeProber, key, registration, RecordingPublisher, replication, settings, type Answer } from './fakes.ts';

const primary = key('p', 3306);
const r1 = key('r1', 3306);
const r2 = key('r2', 3306);

function setup(answer: (k: InstanceKey) => Answer | Promise<Answer>, overrides: Partial<ClusterMonitorOptions> = {}) {
  const probers = new Map<string, FakeProber>();
  const publisher = new RecordingPublisher();
  let sequence = 0;
  const annotations: AnnotationSource = { refresh: () => undefined, annotate: async () => undefined };
  const monitor = new ClusterMonitor({
    registration: registration('c1', [primary, r1]),
    detectorId: 'det-1',
    settings,
    limiter: new Limiter(8),
    annotations,
    createProber: (o) => {
      const p = new FakeProber(o, answer);
      probers.set(keyId(o.key), p);
      return p;
    },
    publish: publisher.publish,
    nextSequence: () => sequence++,
    logger: silentLogger(),
    runDeadlineMs: 50,
    settleWindowMs: 0, // no settling runs unless a test asks for them
    ...overrides,
  });
  return { monitor, probers, publisher };
}

const healthy = (k: InstanceKey): Answer =>
  k.host === 'p' ? { serverId: 1, connectedReplicas: [r1] } : { serverId: Number(k.host.slice(1)) + 1, replication: replication(primary) };

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), what);
}

test('each run probes every instance and publishes ONE snapshot of all of them', async (t) => {
  const { monitor, publisher, probers } = setup(healthy);
  t.after(() => monitor.stop());
  monitor.request({ reason: 'tick' });
  monitor.request({ reason: 'tick' });
  await until(() => publisher.snapshots.length === 1, 'one snapshot');
  monitor.request({ reason: 'tick' });
  await until(() => publisher.snapshots.length === 2, 'second snapshot');
  const [first, second] = publisher.snapshots.map((s) => s.snapshot);
  assert.deepEqual(first?.instances.map(keyId), ['p:3306', 'r1:3306']);
  assert.equal(first?.reason, 'tick');
  assert.equal(first?.detectorId, 'det-1');
  assert.deepEqual([first?.sequence, second?.sequence], [0, 1]);
  assert.ok(first?.instances.every((o) => o.lastSeenAt !== null));
  assert.deepEqual([...probers.values()].map((p) => p.probes), [2, 2]);
});

test('a hung instance holds a snapshot at most until the deadline; later runs neither wait for it nor probe it again', async (t) => {
  const hang = deferred<Answer>();
  const { monitor, publisher, probers } = setup((k) => (k.host === 'p' ? hang.promise : healthy(k)));
  t.after(() => monitor.stop());
  monitor.request({ reason: 'tick' });
  await until(() => publisher.snapshots.length === 1, 'snapshot despite the hung primary');
  const p = publisher.snapshots[0]?.snapshot.instances.find((o) => o.host === 'p');
  assert.ok(p?.lastAttemptedAt !== null && p?.lastCheckedAt === null, 'the hung probe shows as attempted, not checked');
  monitor.request({ reason: 'tick' });
  await until(() => publisher.snapshots.length === 2, 'second snapshot');
  assert.equal(probers.get('p:3306')?.probes, 1, 'no second probe on the hung connection');
  assert.equal(probers.get('r1:3306')?.probes, 2);
  hang.resolve(new Error('timed out'));
});

test('an instance whose last probe failed is waited for only briefly', async (t) => {
  const hang = deferred<Answer>();
  const failed = { ...(await new FakeProber({ key: primary, credentials: settings.credentials, connectTimeoutMs: 1, queryTimeoutMs: 1, pollIntervalMs: 1000 }, () => new Error('gone')).probe()) };
  const { monitor, publisher } = setup((k) => (k.host === 'p' ? hang.promise : healthy(k)), {
    initial: [failed],
    runDeadlineMs: 600_000, // a healthy instance would be waited for this long
    failingWaitMs: 10,
  });
  t.after(() => monitor.stop());
  monitor.request({ reason: 'tick' });
  await until(() => publisher.snapshots.length === 1, 'snapshot without waiting for the failing primary');
  hang.resolve(new Error('timed out'));
});

test('a burst of broken connections during a run costs one extra snapshot', async (t) => {
  const gate = deferred<void>();
  let gated = true;
  const { monitor, publisher, probers } = setup(async (k) => {
    if (gated && k.host === 'r1') await gate.promise;
    return healthy(k);
  }, { runDeadlineMs: 5000 });
  t.after(() => monitor.stop());
  monitor.request({ reason: 'tick' });
  await until(() => probers.get('r1:3306')?.probing === true, 'first run in flight');
  for (let i = 0; i < 5; i++) probers.get('p:3306')?.breakConnection();
  gated = false;
  gate.resolve();
  await until(() => publisher.snapshots.length === 2, 'tick + one connection-broken snapshot');
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(publisher.snapshots.map((s) => s.snapshot.reason), ['tick', 'connection-broken']);
});

test('instances the probes report join the cluster and are probed from the next run', async (t) => {
  const { monitor, publisher } = setup((k) => (k.host === 'p' ? { serverId: 1, connectedReplicas: [r1, r2] } : { serverId: k.host === 'r1' ? 2 : 3, replication: replication(primary) }));
  t.after(() => monitor.stop());
  monitor.request({ reason: 'tick' });
  await until(() => publisher.snapshots.length === 1, 'first snapshot');
  assert.deepEqual(publisher.snapshots[0]?.snapshot.instances.map(keyId), ['p:3306', 'r1:3306']);
  monitor.request({ reason: 'tick' });
  await until(() => publisher.snapshots.length === 2, 'second snapshot');
  assert.deepEqual(publisher.snapshots[1]?.snapshot.instances.map(keyId), ['p:3306', 'r1:3306', 'r2:3306']);
});

test('probe requests: named instances only, throttled per instance, correlation id carried', async (t) => {
  const { monitor, publisher, probers } = setup(healthy, { requestThrottleMs: 60_000 });
  t.after(() => monitor.stop());
  monitor.request({ reason: 'tick' });
  await until(() => publisher.snapshots.length === 1, 'tick');
  monitor.request({ reason: 'probe-request', instances: ['p:3306'], correlationId: 'det-42' });
  await until(() => publisher.snapshots.length === 2, 'probe-request snapshot');
  const last = publisher.snapshots[1];
  assert.equal(last?.snapshot.reason, 'probe-request');
  assert.equal(last?.correlationId, 'det-42');
  assert.equal(last?.snapshot.instances.length, 2, 'the snapshot still holds the whole cluster');
  assert.equal(probers.get('p:3306')?.probes, 1, 'probed just now: throttled');

  const fresh = setup(healthy, { requestThrottleMs: 0 });
  t.after(() => fresh.monitor.stop());
  fresh.monitor.request({ reason: 'tick' });
  await until(() => fresh.publisher.snapshots.length === 1, 'tick');
  fresh.monitor.request({ reason: 'probe-request', instances: ['p:3306'] });
  await until(() => fresh.publisher.snapshots.length === 2, 'probe-request snapshot');
  assert.deepEqual([fresh.probers.get('p:3306')?.probes, fresh.probers.get('r1:3306')?.probes], [2, 1]);
});

test('annotations reach the observations; start from a previous snapshot; stop closes everything', async (t) => {
  const annotations: AnnotationSource = {
    refresh: () => undefined,
    annotate: async (k) => (k.host === 'r1' ? { promotionRule: 'must_not', downtime: { owner: 'ops', reason: 'disk', endsAt: null } } : undefined),
  };
  const previous = { ...(await new FakeProber({ key: r2, credentials: settings.credentials, connectTimeoutMs: 1, queryTimeoutMs: 1, pollIntervalMs: 1000 }, healthy).probe()) };
  const { monitor, publisher, probers } = setup(healthy, { annotations, initial: [previous] });
  t.after(() => monitor.stop());
  monitor.start();
  await until(() => publisher.snapshots.length === 1, 'first tick at start');
  const instances = publisher.snapshots[0]?.snapshot.instances ?? [];
  assert.deepEqual(instances.map(keyId), ['p:3306', 'r1:3306', 'r2:3306'], 'an instance known from the previous snapshot is kept');
  const replica = instances.find((o) => o.host === 'r1');
  assert.equal(replica?.promotionRule, 'must_not');
  assert.equal(replica?.downtime?.owner, 'ops');
  await monitor.stop();
  assert.ok([...probers.values()].every((p) => p.closed));
  monitor.request({ reason: 'tick' });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(publisher.snapshots.length, 1, 'nothing after stop');
});

test('server_ids reused on other ports (a topology restarted, hosts rebuilt): the new replicas are watched next to the dead instances that had those ids', async (t) => {
  // the previous snapshot: replicas on ports 4402/4403 with server_ids 2 and 3, now dead
  const ghost = (port: number, serverId: number) => ({
    ...unknownInstance('127.0.0.1', port),
    serverId,
    lastSeenAt: '2026-01-01T00:00:00.000Z',
    lastCheckedAt: '2026-01-01T00:00:05.000Z',
    lastError: 'BATON_PROBE_CONNECT: connect ECONNREFUSED',
  });
  const fresh = [key('127.0.0.1', 5502), key('127.0.0.1', 5503)];
  const answer = (k: InstanceKey): Answer => {
    if (k.port === 4402 || k.port === 4403) return new Error('connect ECONNREFUSED');
    if (k.host === 'p') return { serverId: 1, connectedReplicas: fresh };
    return { serverId: k.port - 5500, replication: replication(primary) };
  };
  const { monitor, publisher } = setup(answer, { registration: registration('c1', [primary]), initial: [ghost(4402, 2), ghost(4403, 3)] });
  t.after(() => monitor.stop());
  for (let i = 1; i <= 4; i++) {
    monitor.request({ reason: 'tick' });
    await until(() => publisher.snapshots.length === i, `snapshot ${i}`);
  }
  const last = publisher.snapshots.at(-1)?.snapshot.instances ?? [];
  assert.deepEqual(last.map(keyId).sort(), ['127.0.0.1:4402', '127.0.0.1:4403', '127.0.0.1:5502', '127.0.0.1:5503', 'p:3306']);
  assert.ok(last.filter((o) => o.port >= 5500).every((o) => o.lastError === null && o.serverId !== null), 'the new replicas answer, with the reused ids');
});

test('instances not seen for forgetUnseenAfterMs are forgotten and not learnt again from their neighbours; the rest stay', async (t) => {
  const nowMs = Date.parse('2026-12-04T00:00:00.000Z');
  const hours = (h: number) => new Date(nowMs - h * 3_600_000).toISOString();
  const seenAgo = (port: number, h: number) => ({ ...unknownInstance('127.0.0.1', port), serverId: port, lastSeenAt: hours(h), lastCheckedAt: hours(0), lastError: 'BATON_PROBE_CONNECT: connect ECONNREFUSED' });
  const gone = key('127.0.0.1', 4401);
  const recent = key('127.0.0.1', 4402);
  // the live primary still lists the long-gone replica among its replicas (a stale SHOW SLAVE HOSTS row)
  const answer = (k: InstanceKey): Answer => (k.host === 'p' ? { serverId: 1, connectedReplicas: [gone] } : new Error('connect ECONNREFUSED'));
  const { monitor, publisher } = setup(answer, {
    registration: registration('c1', [primary]),
    initial: [seenAgo(4401, 241), seenAgo(4402, 239)],
    forgetUnseenAfterMs: 240 * 3_600_000,
    now: () => new Date(nowMs),
  });
  t.after(() => monitor.stop());
  for (let i = 1; i <= 3; i++) {
    monitor.request({ reason: 'tick' });
    await until(() => publisher.snapshots.length === i, `snapshot ${i}`);
  }
  assert.deepEqual(publisher.snapshots.at(-1)?.snapshot.instances.map(keyId).sort(), ['127.0.0.1:4402', 'p:3306'], `${keyId(gone)} forgotten, ${keyId(recent)} kept`);
});

test('a newer registration drops former seeds that never answered and keeps every instance ever seen', async (t) => {
  const gone = key('old', 3306);
  const { monitor, publisher } = setup((k) => (k.host === 'old' ? new Error('connect ECONNREFUSED') : healthy(k)), {
    registration: registration('c1', [primary, r1, gone]),
  });
  t.after(() => monitor.stop());
  monitor.request({ reason: 'tick' });
  await until(() => publisher.snapshots.length === 1, 'first snapshot');
  monitor.update(registration('c1', [r1, r2]));
  assert.deepEqual(monitor.instances().map(keyId).sort(), ['p:3306', 'r1:3306', 'r2:3306']);
});

test('settling: after a crash, re-read at once while a replica still says it replicates, then back to ticks', async (t) => {
  let reads = 0;
  const answer = (k: InstanceKey): Answer => {
    if (k.host === 'p') return new Error('connect ECONNREFUSED');
    reads += 1;
    // the replica notices the broken connection only on its second reading
    return { serverId: 2, replication: replication(primary, reads < 2 ? {} : { ioThread: 'Connecting', lastIoErrno: 2013 }) };
  };
  const { monitor, publisher } = setup(answer, { settleIntervalMs: 10, settleWindowMs: 5000 });
  t.after(() => monitor.stop());
  monitor.request({ reason: 'tick' });
  await until(() => publisher.snapshots.length === 2, 'the tick and one settling run');
  assert.deepEqual(publisher.snapshots.map((s) => s.snapshot.reason), ['tick', 'settle']);
  assert.equal(publisher.snapshots[1]?.snapshot.instances.find((o) => o.host === 'r1')?.replication?.ioThread, 'Connecting');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(publisher.snapshots.length, 2, 'settled: no more runs until the next tick');
});

test('settling: a primary that hangs while its replica says Yes is re-read every settleIntervalMs, for settleWindowMs only', async (t) => {
  const hang = deferred<Answer>();
  const { monitor, publisher } = setup((k) => (k.host === 'p' ? hang.promise : healthy(k)), { settleIntervalMs: 10, settleWindowMs: 150 });
  t.after(() => {
    hang.resolve(new Error('timed out'));
    return monitor.stop();
  });
  monitor.request({ reason: 'tick' });
  await until(() => publisher.snapshots.length >= 2, 'settling runs follow the tick');
  const settling = () => publisher.snapshots.filter((s) => s.snapshot.reason === 'settle').length;
  // the window ends: the count stops growing (ticks are not running in this test)
  let last = -1;
  for (let i = 0; i < 100 && settling() !== last; i++) {
    last = settling();
    await new Promise((r) => setTimeout(r, 60)); // several settle intervals
  }
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(settling(), last, 'no settling run after the window');
  assert.ok(last >= 1 && last <= 150 / 10 + 1, `${last} settling runs in a 150 ms window at 10 ms`);
  assert.ok(publisher.snapshots.every((s) => s.snapshot.instances.find((o) => o.host === 'r1')?.replication?.ioThread === 'Yes'));
});

test('settling: nothing to settle in a healthy cluster, nor when the replica does not replicate', async (t) => {
  const { monitor, publisher } = setup(healthy, { settleIntervalMs: 10, settleWindowMs: 5000 });
  t.after(() => monitor.stop());
  monitor.request({ reason: 'tick' });
  await until(() => publisher.snapshots.length === 1, 'one snapshot');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(publisher.snapshots.length, 1);
});
