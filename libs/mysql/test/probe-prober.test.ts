import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSchema, InstanceObservation, unknownInstance, type InstanceKey } from '@baton/contracts';
import { ProbeTimeoutError } from '@baton/errors';
import { InstanceProber, proberSettingsFromConfig, type InstanceProberOptions } from '../src/index.ts';
import { fakeNetwork, mariadbServer, type FakeServer } from './probe-fakes.ts';

const primaryKey: InstanceKey = { host: 'db-1.dc1.example.com', port: 3306 };
const replicaKey: InstanceKey = { host: 'db-2.dc1.example.com', port: 3306 };
const id = (k: InstanceKey): string => `${k.host}:${k.port}`;

function clock(start = '2026-01-01T00:00:00.000Z') {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance: (ms: number) => (t += ms), iso: () => new Date(t).toISOString() };
}

function setup(servers: Record<string, FakeServer>, options: Partial<InstanceProberOptions> = {}) {
  const net = fakeNetwork(servers);
  const c = clock();
  const broken: string[] = [];
  const prober = new InstanceProber({
    key: primaryKey,
    credentials: { user: 'baton', password: 'x' },
    connectTimeoutMs: 500,
    queryTimeoutMs: 400,
    pollIntervalMs: 1000,
    now: c.now,
    connect: net.connect,
    onConnectionBroken: (k) => broken.push(id(k)),
    ...options,
  });
  return { net, clock: c, broken, prober };
}

const healthyPrimary = (): FakeServer => mariadbServer({ serverId: 1, replicas: [replicaKey] });

test('a successful probe: facts read, every freshness time = now, valid against the contract', async () => {
  const { prober, clock: c, net } = setup({ [id(primaryKey)]: healthyPrimary() });
  const o = await prober.probe();
  assertSchema(InstanceObservation, o, 'observation');
  assert.equal(o.lastSeenAt, c.iso());
  assert.equal(o.lastCheckedAt, c.iso());
  assert.equal(o.lastAttemptedAt, c.iso());
  assert.equal(o.lastCheckPartialSuccess, true);
  assert.equal(o.lastError, null);
  assert.equal(o.serverId, 1);
  assert.equal(o.readOnly, false);
  assert.deepEqual(o.connectedReplicas, [replicaKey]);
  assert.equal(o.mariadbGtid?.binlogPos, '0-1-10');
  assert.equal(o.semiSync?.masterStatus, true);
  // Seven round trips on the primary: variables, master status, slave status, semi-sync status, slave hosts, processlist, epoch.
  assert.deepEqual(
    net.connections[0]?.statements.map((s) => s.split(' WHERE ')[0]),
    [
      'SHOW GLOBAL VARIABLES',
      'SHOW MASTER STATUS',
      'SHOW ALL SLAVES STATUS',
      'SHOW GLOBAL STATUS',
      'SHOW SLAVE HOSTS',
      'SELECT HOST FROM information_schema.PROCESSLIST',
      'SELECT epoch FROM baton_meta.promotion_epoch',
    ],
  );
  // the fake has no baton_meta schema (errno 1049): no epoch, not a failed probe
  assert.equal(o.promotionEpoch, null);
});

test('one persistent connection across probes; reconnect on the next probe after it broke; onConnectionBroken fires', async () => {
  const { prober, net, broken, clock: c } = setup({ [id(primaryKey)]: healthyPrimary() });
  await prober.probe();
  c.advance(1000);
  await prober.probe();
  assert.equal(net.connections.length, 1);
  net.connections[0]?.serverGone();
  assert.deepEqual(broken, [id(primaryKey)]);
  assert.equal(prober.connected, false);
  c.advance(1000);
  const o = await prober.probe();
  assert.equal(net.connections.length, 2);
  assert.equal(o.lastSeenAt, c.iso());
});

test('server killed: onConnectionBroken fires; the next probe fails (refused), lastSeenAt unchanged, facts of the last success kept', async () => {
  const server = mariadbServer({ serverId: 2, source: primaryKey, replicas: [] });
  const { prober, clock: c, broken, net } = setup({ [id(replicaKey)]: server }, { key: replicaKey });
  const ok = await prober.probe();
  server.down = true;
  net.connections[0]?.serverGone();
  assert.deepEqual(broken, [id(replicaKey)]);
  c.advance(1000);
  const o = await prober.probe();
  assertSchema(InstanceObservation, o, 'observation');
  assert.equal(o.lastSeenAt, ok.lastSeenAt);
  assert.equal(o.lastCheckedAt, c.iso());
  assert.equal(o.lastAttemptedAt, c.iso());
  assert.equal(o.lastCheckPartialSuccess, false);
  assert.match(o.lastError ?? '', /ECONNREFUSED/);
  assert.deepEqual(o.replication, ok.replication);
  assert.deepEqual(o.mariadbGtid, ok.mariadbGtid);
  assert.equal(o.readOnly, true);
  assert.deepEqual(broken, [id(replicaKey)], 'a failed connect is no broken connection');
});

test('failure after the identity query answered is a partial success; previous facts are kept', async () => {
  const server = mariadbServer({ serverId: 2, source: primaryKey });
  const { prober, clock: c } = setup({ [id(replicaKey)]: server }, { key: replicaKey });
  const ok = await prober.probe();
  const seen = ok.lastSeenAt;
  c.advance(1000);
  server.failOn = { prefix: 'SHOW ALL SLAVES STATUS', error: new ProbeTimeoutError('mysql query timed out', { mysqlCode: 'PROTOCOL_SEQUENCE_TIMEOUT' }), closes: true };
  const o = await prober.probe();
  assertSchema(InstanceObservation, o, 'observation');
  assert.equal(o.lastSeenAt, seen);
  assert.equal(o.lastCheckedAt, c.iso());
  assert.equal(o.lastAttemptedAt, c.iso());
  assert.equal(o.lastCheckPartialSuccess, true);
  assert.match(o.lastError ?? '', /^BATON_PROBE_TIMEOUT: mysql query timed out \(PROTOCOL_SEQUENCE_TIMEOUT\)$/);
  assert.deepEqual(o.replication, ok.replication);
  assert.equal(o.serverId, 2);
});

test('promotion epoch: the row is read; a missing table is no epoch; a timeout of the read fails the probe', async () => {
  const server = healthyPrimary();
  server.promotionEpoch = [{ epoch: 7 }];
  const { prober, clock: c } = setup({ [id(primaryKey)]: server });
  const withRow = await prober.probe();
  assertSchema(InstanceObservation, withRow, 'observation');
  assert.equal(withRow.promotionEpoch, 7);

  c.advance(1000);
  server.promotionEpoch = [];
  assert.equal((await prober.probe()).promotionEpoch, null, 'no row');

  c.advance(1000);
  server.promotionEpoch = undefined;
  server.failOn = { prefix: 'SELECT epoch', error: Object.assign(new Error("Table 'baton_meta.promotion_epoch' doesn't exist"), { errno: 1146 }) };
  const noTable = await prober.probe();
  assert.equal(noTable.lastError, null);
  assert.equal(noTable.promotionEpoch, null);

  c.advance(1000);
  server.failOn = { prefix: 'SELECT epoch', error: new ProbeTimeoutError('mysql query timed out', { mysqlCode: 'PROTOCOL_SEQUENCE_TIMEOUT' }), closes: true };
  const timedOut = await prober.probe();
  assert.match(timedOut.lastError ?? '', /^BATON_PROBE_TIMEOUT/);
  assert.equal(timedOut.lastCheckPartialSuccess, true);
});

test('a refused connect: not even partial; a later success clears the error', async () => {
  const server = healthyPrimary();
  server.down = true;
  const { prober, clock: c } = setup({ [id(primaryKey)]: server });
  const o = await prober.probe();
  assert.equal(o.lastSeenAt, null);
  assert.equal(o.lastCheckedAt, c.iso());
  assert.equal(o.lastCheckPartialSuccess, false);
  assert.match(o.lastError ?? '', /ECONNREFUSED/);
  assert.equal(o.serverId, null);
  c.advance(1000);
  server.down = false;
  const ok = await prober.probe();
  assert.equal(ok.lastError, null);
  assert.equal(ok.lastSeenAt, c.iso());
});

test('lastAttemptedAt is stamped when the attempt starts: a hanging probe shows it ahead of lastSeenAt', async () => {
  const net = fakeNetwork({ [id(primaryKey)]: healthyPrimary() });
  const c = clock();
  let release: (() => void) | undefined;
  let hang = false;
  const prober = new InstanceProber({
    key: primaryKey,
    credentials: { user: 'u', password: 'p' },
    connectTimeoutMs: 500,
    queryTimeoutMs: 400,
    pollIntervalMs: 1000,
    now: c.now,
    connect: async (o) => {
      if (hang) await new Promise<void>((resolve) => (release = resolve));
      return net.connect(o);
    },
  });
  await prober.probe();
  net.connections[0]?.serverGone();
  hang = true;
  c.advance(1000);
  const pending = prober.probe();
  assert.equal(prober.probing, true);
  assert.equal(prober.probe(), pending, 'no overlapping probes');
  const during = prober.observation;
  assert.ok(Date.parse(during.lastAttemptedAt ?? '') > Date.parse(during.lastSeenAt ?? ''));
  assert.equal(during.lastCheckedAt, during.lastSeenAt);
  await new Promise<void>((resolve) => setImmediate(resolve));
  release?.();
  await pending;
  assert.equal(prober.probing, false);
});

test('times never go backwards and a failure is stamped after the last success', async () => {
  const server = healthyPrimary();
  const { prober } = setup({ [id(primaryKey)]: server });
  const ok = await prober.probe();
  server.down = true;
  await prober.close();
  const p2 = new InstanceProber({
    key: primaryKey,
    credentials: { user: 'u', password: 'p' },
    connectTimeoutMs: 500,
    queryTimeoutMs: 400,
    pollIntervalMs: 1000,
    initial: ok,
    now: () => new Date(Date.parse(ok.lastSeenAt ?? '') - 5000), // clock stepped back
    connect: fakeNetwork({ [id(primaryKey)]: server }).connect,
  });
  const o = await p2.probe();
  assert.ok(Date.parse(o.lastCheckedAt ?? '') > Date.parse(o.lastSeenAt ?? ''));
  assert.equal(o.lastSeenAt, ok.lastSeenAt);
});

test('close() does not fire onConnectionBroken; probe() after close rejects', async () => {
  const { prober, broken } = setup({ [id(primaryKey)]: healthyPrimary() });
  await prober.probe();
  await prober.close();
  assert.deepEqual(broken, []);
  await assert.rejects(prober.probe(), /closed/);
});

test('annotations (promotion rule, downtime) applied on success and failure; a throwing callback keeps the old ones', async () => {
  const server = healthyPrimary();
  let mode: 'rule' | 'throw' = 'rule';
  const downtime = { owner: 'ops', reason: 'maintenance', endsAt: null };
  const { prober } = setup(
    { [id(primaryKey)]: server },
    {
      annotate: () => {
        if (mode === 'throw') throw new Error('redis down');
        return { promotionRule: 'prefer_not', downtime };
      },
    },
  );
  const o = await prober.probe();
  assert.equal(o.promotionRule, 'prefer_not');
  assert.deepEqual(o.downtime, downtime);
  mode = 'throw';
  server.failOn = { prefix: 'SHOW GLOBAL VARIABLES', error: new Error('boom') };
  const failed = await prober.probe();
  assert.equal(failed.promotionRule, 'prefer_not');
  assert.equal(failed.lastCheckPartialSuccess, false);
});

test('location: pattern on the host name; a detect query wins, runs on the first probe then every refresh interval', async () => {
  const server = healthyPrimary();
  server.other = { "SELECT 'eu-west-1'": [{ "'eu-west-1'": 'eu-west-1' }] };
  const { prober, net, clock: c } = setup(
    { [id(primaryKey)]: server },
    { location: { dataCenterPattern: '^[^.]+\\.([^.]+)\\.', regionPattern: '(nomatch)', detectRegionQuery: "SELECT 'eu-west-1'" }, locationRefreshMs: 10_000 },
  );
  const o = await prober.probe();
  assert.equal(o.dataCenter, 'dc1');
  assert.equal(o.region, 'eu-west-1');
  assert.equal(o.physicalEnvironment, '');
  c.advance(1000);
  await prober.probe();
  c.advance(10_000);
  await prober.probe();
  assert.equal(net.connections[0]?.statements.filter((s) => s === "SELECT 'eu-west-1'").length, 2);
});

test('timeouts must be below the poll interval; settings from config cap them at 90%', () => {
  const base = { key: primaryKey, credentials: { user: 'u', password: 'p' }, queryTimeoutMs: 500 };
  assert.throws(() => new InstanceProber({ ...base, connectTimeoutMs: 1000, pollIntervalMs: 1000 }), RangeError);
  const s = proberSettingsFromConfig({
    mysql: { user: 'baton', password: 'pw', connectTimeoutMs: 1000, probeTimeoutMs: 500 },
    detector: { pollIntervalMs: 1000 },
    recovery: {
      DataCenterPattern: '',
      RegionPattern: '',
      PhysicalEnvironmentPattern: '',
      DetectDataCenterQuery: '',
      DetectRegionQuery: '',
      DetectPhysicalEnvironmentQuery: '',
    },
  });
  assert.equal(s.connectTimeoutMs, 900);
  assert.equal(s.queryTimeoutMs, 500);
  assert.doesNotThrow(() => new InstanceProber({ key: primaryKey, ...s }));
});

test('an initial observation is the starting knowledge', () => {
  const initial = unknownInstance(primaryKey.host, primaryKey.port, { serverId: 9, lastSeenAt: '2026-01-01T00:00:00.000Z' });
  const prober = new InstanceProber({ key: primaryKey, credentials: { user: 'u', password: 'p' }, connectTimeoutMs: 1, queryTimeoutMs: 1, pollIntervalMs: 2, initial });
  assert.equal(prober.observation.serverId, 9);
  assert.equal(prober.observation.lastSeenAt, '2026-01-01T00:00:00.000Z');
});
