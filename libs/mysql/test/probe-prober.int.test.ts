/**
 * InstanceProber against real MariaDB topologies (@baton/testing), logged in with the topology's
 * admin account — the monitoring user — to prove its privileges suffice.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { assertSchema, InstanceObservation, type InstanceKey } from '@baton/contracts';
import { waitFor, withTopology, type MariaDbInstance, type Topology } from '@baton/testing';
import { InstanceProber, type InstanceProberOptions } from '../src/index.ts';

const keyOf = (i: MariaDbInstance): InstanceKey => ({ host: i.host, port: i.port });

function proberFor(t: TestContext, topology: Topology, instance: MariaDbInstance, options: Partial<InstanceProberOptions> = {}): InstanceProber {
  const prober = new InstanceProber({
    key: keyOf(instance),
    credentials: topology.credentials.admin,
    connectTimeoutMs: 500,
    queryTimeoutMs: 500,
    pollIntervalMs: 1000,
    ...options,
  });
  t.after(() => prober.close());
  return prober;
}

test('healthy primary and replica: identity, GTID positions, replication threads, source, connected replicas', async (t) => {
  const topology = await withTopology(t, { replicas: 2 });
  const gtid = await topology.writeRows(3);
  await topology.sync({ gtid });
  const [replica1, replica2] = topology.replicas as [MariaDbInstance, MariaDbInstance];

  const primary = await proberFor(t, topology, topology.primary).probe();
  assertSchema(InstanceObservation, primary, 'primary observation');
  assert.equal(primary.lastError, null);
  assert.equal(primary.lastCheckPartialSuccess, true);
  assert.ok(primary.lastSeenAt !== null && primary.lastSeenAt === primary.lastCheckedAt && primary.lastSeenAt === primary.lastAttemptedAt);
  assert.equal(primary.flavour, 'mariadb');
  assert.equal(primary.serverId, topology.primary.serverId);
  assert.equal(primary.readOnly, false);
  assert.equal(primary.logBin, true);
  assert.equal(primary.logSlaveUpdates, true);
  assert.equal(primary.binlogFormat, 'ROW');
  assert.equal(primary.replication, null);
  assert.equal(primary.mariadbGtid?.binlogPos, gtid);
  assert.equal(primary.mariadbGtid?.strictMode, true);
  assert.match(primary.binlogCoordinates?.file ?? '', /^mysql-bin\.\d+$/);
  assert.deepEqual(primary.connectedReplicas, [keyOf(replica1), keyOf(replica2)].sort((a, b) => a.port - b.port));
  assert.equal(primary.semiSync?.masterEnabled, false);

  const replica = await proberFor(t, topology, replica1).probe();
  assertSchema(InstanceObservation, replica, 'replica observation');
  assert.equal(replica.serverId, replica1.serverId);
  assert.equal(replica.readOnly, true);
  assert.equal(replica.mariadbGtid?.currentPos, gtid);
  assert.equal(replica.mariadbGtid?.slavePos, gtid);
  assert.deepEqual(replica.connectedReplicas, []);
  const r = replica.replication;
  assert.ok(r);
  assert.equal(r.sourceHost, topology.primary.host);
  assert.equal(r.sourcePort, topology.primary.port);
  assert.equal(r.ioThread, 'Yes');
  assert.equal(r.sqlThread, 'Yes');
  assert.equal(r.usingGtid, 'Slave_Pos');
  assert.equal(r.gtidIoPos, gtid);
  assert.equal(r.lastIoErrno, 0);
  assert.equal(r.secondsBehindSource, 0);
  assert.equal(r.heartbeatPeriodSeconds, 1);
  assert.deepEqual(r.execCoordinates, primary.binlogCoordinates);
  assert.deepEqual(r.readCoordinates, primary.binlogCoordinates);
});

test('primary killed: onConnectionBroken fires, its probe fails with lastSeenAt unchanged, replicas leave Yes', async (t) => {
  const topology = await withTopology(t, { replicas: 2 });
  const broken: string[] = [];
  const primaryProber = proberFor(t, topology, topology.primary, { onConnectionBroken: (k) => broken.push(`${k.host}:${k.port}`) });
  const replicaProber = proberFor(t, topology, topology.replicas[0] as MariaDbInstance);
  const before = await primaryProber.probe();
  assert.equal(before.lastError, null);
  assert.equal((await replicaProber.probe()).replication?.ioThread, 'Yes');

  await topology.primary.kill();
  await waitFor(() => broken.length > 0, { description: 'onConnectionBroken for the killed primary', timeoutMs: 5000 });
  assert.deepEqual(broken, [`${topology.primary.host}:${topology.primary.port}`]);

  const after = await primaryProber.probe();
  assertSchema(InstanceObservation, after, 'failed observation');
  assert.equal(after.lastSeenAt, before.lastSeenAt);
  assert.ok(Date.parse(after.lastCheckedAt ?? '') > Date.parse(before.lastCheckedAt ?? ''));
  assert.ok(Date.parse(after.lastAttemptedAt ?? '') > Date.parse(before.lastSeenAt ?? ''));
  assert.equal(after.lastCheckPartialSuccess, false);
  assert.match(after.lastError ?? '', /ECONNREFUSED/);
  // The last known facts stay.
  assert.equal(after.serverId, before.serverId);
  assert.deepEqual(after.connectedReplicas, before.connectedReplicas);

  const replica = await waitFor(
    async () => {
      const o = await replicaProber.probe();
      return o.replication?.ioThread !== 'Yes' ? o : null;
    },
    { description: 'the replica IO thread to leave Yes', timeoutMs: 15_000, intervalMs: 100 },
  );
  assert.equal(replica.lastError, null);
  assert.equal(replica.replication?.sqlThread, 'Yes');
  assert.equal(replica.replication?.sourcePort, topology.primary.port);
});

test('frozen primary: the probe times out instead of hanging, lastAttemptedAt runs ahead of lastSeenAt; after thaw it answers', async (t) => {
  const topology = await withTopology(t, { replicas: 1 });
  t.after(() => topology.primary.thaw());
  const broken: string[] = [];
  const prober = proberFor(t, topology, topology.primary, { onConnectionBroken: (k) => broken.push(`${k.port}`) });
  const before = await prober.probe();

  await topology.primary.freeze();
  // On the open connection: the per-query timeout.
  const pending = prober.probe();
  assert.ok(Date.parse(prober.observation.lastAttemptedAt ?? '') >= Date.parse(before.lastSeenAt ?? ''));
  const hung = await pending;
  assert.equal(hung.lastSeenAt, before.lastSeenAt);
  assert.ok(Date.parse(hung.lastAttemptedAt ?? '') > Date.parse(hung.lastSeenAt ?? ''));
  assert.ok(Date.parse(hung.lastCheckedAt ?? '') > Date.parse(hung.lastSeenAt ?? ''));
  assert.equal(hung.lastCheckPartialSuccess, false);
  assert.match(hung.lastError ?? '', /^BATON_PROBE_TIMEOUT: mysql query timed out/);
  assert.deepEqual(broken, [`${topology.primary.port}`], 'the timed-out connection is reported broken');

  // No connection any more: the connect timeout (the kernel accepts, the server never greets).
  const again = await prober.probe();
  assert.equal(again.lastSeenAt, before.lastSeenAt);
  assert.match(again.lastError ?? '', /^BATON_PROBE_TIMEOUT: mysql connect timed out/);

  topology.primary.thaw();
  const thawed = await waitFor(
    async () => {
      const o = await prober.probe();
      return o.lastError === null ? o : null;
    },
    { description: 'a successful probe after thaw', timeoutMs: 10_000, intervalMs: 100 },
  );
  assert.ok(Date.parse(thawed.lastSeenAt ?? '') > Date.parse(before.lastSeenAt ?? ''));
});

test('semi-sync topology: primary and replica semi-sync state', async (t) => {
  const topology = await withTopology(t, { replicas: 2, semiSync: { timeoutMs: 5000 } });
  const primaryProber = proberFor(t, topology, topology.primary);
  const primary = await waitFor(
    async () => {
      const o = await primaryProber.probe();
      return o.semiSync?.masterClients === 2 ? o : null;
    },
    { description: 'two semi-sync clients on the primary', timeoutMs: 10_000 },
  );
  assert.deepEqual(primary.semiSync, {
    masterEnabled: true,
    masterStatus: true,
    masterClients: 2,
    masterWaitForReplicaCount: 1,
    masterTimeoutMs: 5000,
    replicaEnabled: false,
    replicaStatus: false,
  });
  const replica = await proberFor(t, topology, topology.replicas[0] as MariaDbInstance).probe();
  assert.equal(replica.semiSync?.replicaEnabled, true);
  assert.equal(replica.semiSync?.replicaStatus, true);
  assert.equal(replica.semiSync?.masterEnabled, false);
});
