// One detector, one real 1+2 MariaDB topology, in order: the config seed is registered and ticks
// show every instance replicating; Redis annotations reach the snapshot; a probe request yields a
// 'probe-request' snapshot; kill -9 of the primary shows in a snapshot. Bounded waits only; the
// measured figures go to the test diagnostics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvelope, topics, type ClusterSnapshot } from '@baton/contracts';
import { waitFor, withTopology } from '@baton/testing';
import { formatCandidateValue, formatDowntimeValue } from '../src/index.ts';
import { detectorFixture, instanceKeyOf, type Received } from './support.ts';

const ms = (t: string | null): number => (t === null ? Number.NEGATIVE_INFINITY : Date.parse(t));

test('detector against a real topology', async (t) => {
  const topology = await withTopology(t, { replicas: 2 });
  const fx = await detectorFixture('det');
  t.after(() => fx.teardown());
  const primary = instanceKeyOf(topology.primary);
  const replicas = topology.replicas.map(instanceKeyOf);
  const config = fx.config({ credentials: topology.credentials.admin, seeds: [{ host: topology.replicas[0]!.host, port: topology.replicas[0]!.port, alias: 'orders' }] });
  const detector = fx.detector(config);
  await detector.ready;
  const ofCluster = (s: Received<ClusterSnapshot>) => s.value.clusterId === 'orders';

  await t.test('a config seed is registered and tick snapshots show the whole topology replicating', async () => {
    const registration = await waitFor(() => fx.registrations.find((r) => r.value.clusterId === 'orders'), { description: 'registration', timeoutMs: 30_000 });
    assert.equal(registration.value.status, 'active');
    assert.equal(registration.value.registeredBy, 'config seed');
    assert.deepEqual(registration.value.seeds.map(instanceKeyOf).sort(), [primary, ...replicas].sort(), 'discovered from a replica: primary and both replicas');
    await waitFor(() => detector.ownedClusters().includes('orders'), { description: 'detector owns the cluster', timeoutMs: 30_000 });

    const healthy = await waitFor(
      () =>
        fx.snapshots.find((s) => {
          if (!ofCluster(s) || s.value.reason !== 'tick' || s.value.instances.length !== 3) return false;
          const byId = new Map(s.value.instances.map((o) => [instanceKeyOf(o), o]));
          return replicas.every((r) => byId.get(r)?.replication?.ioThread === 'Yes' && byId.get(r)?.replication?.sqlThread === 'Yes');
        }),
      { description: 'a tick snapshot with 3 instances replicating', timeoutMs: 30_000 },
    );
    const snapshot = healthy.value;
    assert.equal(snapshot.detectorId, detector.detectorId);
    assert.equal(snapshot.clusterAlias, 'orders');
    assert.equal(snapshot.pollIntervalMs, 1000);
    assert.equal(healthy.envelope.producer, 'detector');
    const p = snapshot.instances.find((o) => instanceKeyOf(o) === primary);
    assert.equal(p?.replication, null);
    assert.equal(p?.readOnly, false);
    assert.deepEqual(p?.connectedReplicas.map(instanceKeyOf).sort(), [...replicas].sort());
    for (const o of snapshot.instances) {
      assert.ok(o.lastSeenAt !== null && o.lastSeenAt === o.lastCheckedAt, `${instanceKeyOf(o)} seen at its last check`);
      assert.equal(o.flavour, 'mariadb');
      assert.ok(o.mariadbGtid !== null);
    }
    for (const r of replicas) assert.equal(snapshot.instances.find((o) => instanceKeyOf(o) === r)?.replication?.sourcePort, topology.primary.port);

    // cadence: a few consecutive tick snapshots of this cluster (measured, reported, not asserted)
    const from = fx.snapshots.indexOf(healthy);
    await waitFor(() => fx.snapshots.slice(from).filter((s) => ofCluster(s) && s.value.reason === 'tick').length >= 6, {
      description: 'six tick snapshots',
      timeoutMs: 30_000,
    });
    const ticks = fx.snapshots.slice(from).filter((s) => ofCluster(s) && s.value.reason === 'tick');
    const sequences = ticks.map((s) => s.value.sequence);
    assert.deepEqual([...sequences].sort((a, b) => a - b), sequences, 'sequence numbers increase');
    const gaps = ticks.slice(1).map((s, i) => ms(s.value.observedAt) - ms(ticks[i]!.value.observedAt));
    t.diagnostic(`tick snapshot intervals (ms): ${gaps.join(', ')}`);
  });

  await t.test('promotion rule and downtime come from Redis', async () => {
    const [r1, r2] = replicas as [string, string];
    await fx.redis.set(fx.keys.candidate('orders', r1), formatCandidateValue({ promotionRule: 'prefer' }), 'PX', 60_000);
    await fx.redis.set(fx.keys.downtime('orders', r2), formatDowntimeValue({ owner: 'ops', reason: 'disk swap', endsAt: null }), 'PX', 60_000);
    const annotated = await waitFor(
      () =>
        fx.snapshots.find((s) => {
          const byId = new Map(s.value.instances.map((o) => [instanceKeyOf(o), o]));
          return ofCluster(s) && byId.get(r1)?.promotionRule === 'prefer' && byId.get(r2)?.downtime?.owner === 'ops';
        }),
      { description: 'a snapshot with the promotion rule and the downtime', timeoutMs: 15_000 },
    );
    assert.equal(annotated.value.instances.find((o) => instanceKeyOf(o) === primary)?.promotionRule, 'neutral');
  });

  await t.test('a probe request yields a probe-request snapshot carrying its correlation id', async () => {
    const correlationId = `detection-${Date.now()}`;
    const send = () =>
      fx.publisher.publish(
        topics.probeRequests,
        'orders',
        createEnvelope('probe-request', { clusterId: 'orders', instances: [{ host: topology.primary.host, port: topology.primary.port }], reason: 'test', requestedBy: 'test' }, { producer: 'test', correlationId }),
      );
    const sentAt = Date.now();
    await send();
    // the detector's broadcast group starts at the newest offset once it has joined: resend while waiting
    const resend = setInterval(() => void send(), 3000);
    try {
      const answer = await waitFor(() => fx.snapshots.find((s) => ofCluster(s) && s.value.reason === 'probe-request' && s.envelope.correlationId === correlationId), {
        description: 'probe-request snapshot',
        timeoutMs: 20_000,
      });
      t.diagnostic(`probe request → snapshot received after ${answer.receivedAtMs - sentAt} ms`);
      assert.equal(answer.value.instances.length, 3);
    } finally {
      clearInterval(resend);
    }
  });

  await t.test('a hung replica (SIGSTOP) does not stall the ticks: it shows as attempted but not seen', async () => {
    const frozen = topology.replicas[1]!;
    const id = instanceKeyOf(frozen);
    const before = fx.snapshots.length;
    await frozen.freeze();
    try {
      const hung = await waitFor(
        () =>
          fx.snapshots.slice(before).find((s) => {
            const o = s.value.instances.find((i) => instanceKeyOf(i) === id);
            return ofCluster(s) && o && ms(o.lastAttemptedAt) > ms(o.lastSeenAt) && ms(o.lastCheckedAt) > ms(o.lastSeenAt);
          }),
        { description: 'a snapshot with the frozen replica failing', timeoutMs: 20_000 },
      );
      assert.ok(hung.value.instances.find((i) => instanceKeyOf(i) === id)?.lastError);
      // the others keep being seen at every snapshot while the replica hangs
      const from = fx.snapshots.indexOf(hung);
      await waitFor(() => fx.snapshots.slice(from).filter((s) => ofCluster(s) && s.value.reason === 'tick').length >= 3, {
        description: 'ticks keep coming',
        timeoutMs: 20_000,
      });
      const ticks = fx.snapshots.slice(from).filter((s) => ofCluster(s) && s.value.reason === 'tick');
      // seen at every tick: each tick carries a successful probe of the primary newer than the last
      let seenBefore = Number.NEGATIVE_INFINITY;
      for (const s of ticks) {
        const p = s.value.instances.find((i) => instanceKeyOf(i) === primary);
        assert.ok(p && p.lastSeenAt !== null && p.lastSeenAt === p.lastCheckedAt && ms(p.lastSeenAt) > seenBefore, `the primary is seen at every tick: ${JSON.stringify(p && [p.lastSeenAt, p.lastCheckedAt, p.lastAttemptedAt])}`);
        seenBefore = ms(p.lastSeenAt);
      }
      const gaps = ticks.slice(1).map((s, i) => ms(s.value.observedAt) - ms(ticks[i]!.value.observedAt));
      t.diagnostic(`tick intervals with a frozen replica (ms): ${gaps.join(', ')}; reasons since: ${fx.snapshots.slice(from).filter(ofCluster).map((s) => s.value.reason).join(',')}`);
    } finally {
      frozen.thaw();
    }
    await waitFor(
      () => {
        const last = fx.snapshots.filter(ofCluster).at(-1)?.value.instances.find((i) => instanceKeyOf(i) === id);
        return last && last.lastError === null && last.replication?.ioThread === 'Yes';
      },
      { description: 'the thawed replica seen again', timeoutMs: 20_000 },
    );
  });

  await t.test('kill -9 of the primary shows in a snapshot: primary checked but not seen, replicas IO not running', async () => {
    const before = fx.snapshots.length;
    const killedAt = Date.now();
    await topology.primary.kill();
    const seen = await waitFor(
      () =>
        fx.snapshots.slice(before).find((s) => {
          if (!ofCluster(s)) return false;
          const byId = new Map(s.value.instances.map((o) => [instanceKeyOf(o), o]));
          const p = byId.get(primary);
          return p && ms(p.lastCheckedAt) > ms(p.lastSeenAt) && replicas.every((r) => byId.get(r)?.replication?.ioThread !== 'Yes');
        }),
      { description: 'a snapshot showing the dead primary', timeoutMs: 20_000 },
    );
    const firstFailure = fx.snapshots.slice(before).find((s) => {
      const p = s.value.instances.find((o) => instanceKeyOf(o) === primary);
      return ofCluster(s) && p && ms(p.lastCheckedAt) > ms(p.lastSeenAt);
    });
    t.diagnostic(
      `kill → first snapshot with the primary failing: ${firstFailure ? ms(firstFailure.value.observedAt) - killedAt : '?'} ms (reason ${firstFailure?.value.reason}); ` +
        `→ snapshot with replicas' IO down too: ${ms(seen.value.observedAt) - killedAt} ms (reason ${seen.value.reason})`,
    );
    assert.ok(['connection-broken', 'tick', 'probe-request'].includes(seen.value.reason));
    const p = seen.value.instances.find((o) => instanceKeyOf(o) === primary);
    assert.ok(p?.lastError, 'the failed probe says why');
    assert.equal(p?.readOnly, false, 'the last known facts are kept');
    assert.ok(fx.snapshots.slice(before).some((s) => ofCluster(s) && s.value.reason === 'connection-broken'), 'the broken connection triggered a snapshot');
  });
});
