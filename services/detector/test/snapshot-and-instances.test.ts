import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSchema, ClusterSnapshotV1, unknownInstance } from '@baton/contracts';
import { aliasMembers, newInstances, referencedInstances, sourceKeyOf, unseenMembers } from '../src/instance-set.ts';
import { buildSnapshot } from '../src/snapshot.ts';
import { key, replication } from './fakes.ts';

const at = '2026-01-01T00:00:00.000Z';

test('a snapshot holds every tried instance in host/port order and passes its schema', () => {
  const observations = [
    unknownInstance('h2', 3306, { lastAttemptedAt: at, lastCheckedAt: at }),
    unknownInstance('h1', 3307, { lastAttemptedAt: at }),
    unknownInstance('h1', 3306, { lastAttemptedAt: at, lastSeenAt: at, lastCheckedAt: at }),
    unknownInstance('h3', 3306), // learnt, never tried
  ];
  const snapshot = buildSnapshot({
    clusterId: 'c',
    alias: 'alias',
    detectorId: 'd',
    sequence: 7,
    reason: 'connection-broken',
    pollIntervalMs: 1000,
    observedAt: new Date(at),
    observations,
  });
  assert.deepEqual(snapshot.instances.map((o) => `${o.host}:${o.port}`), ['h1:3306', 'h1:3307', 'h2:3306']);
  assert.equal(snapshot.reason, 'connection-broken');
  assert.equal(snapshot.clusterAlias, 'alias');
  assertSchema(ClusterSnapshotV1, snapshot, 'snapshot');
});

test('sources and connected replicas are referenced; detached markers are not', () => {
  const replica = unknownInstance('r1', 3306, { replication: replication(key('p', 3306)), connectedReplicas: [key('r2', 3306)] });
  assert.deepEqual(referencedInstances(replica), [key('p', 3306), key('r2', 3306)]);
  for (const sourceHost of ['', '_', '//p']) {
    assert.equal(sourceKeyOf(unknownInstance('r', 1, { replication: replication(key(sourceHost, 3306)) })), null, sourceHost);
  }
  assert.equal(sourceKeyOf(unknownInstance('r', 1, { replication: replication(key('p', 0)) })), null);
});

test('new instances: referenced, not known, not an alias, once each', () => {
  const observations = [
    unknownInstance('p', 3306, { connectedReplicas: [key('r1', 3306), key('r2', 3306), key('r3', 3306)] }),
    unknownInstance('r1', 3306, { replication: replication(key('p', 3306)), connectedReplicas: [key('r3', 3306)] }),
  ];
  const found = newInstances(observations, new Set(['p:3306', 'r1:3306']), new Set(['r2:3306']));
  assert.deepEqual(found, [key('r3', 3306)]);
});

test('a learnt second name of a known server is an alias; seeds never are', () => {
  const seen = { lastSeenAt: at, serverId: 1, serverUuid: null };
  const members = [
    { id: 'db1:3306', observation: unknownInstance('db1', 3306, seen), seed: true, order: 0 },
    { id: '10.0.0.1:3306', observation: unknownInstance('10.0.0.1', 3306, seen), seed: false, order: 3 },
    { id: 'r1:3306', observation: unknownInstance('r1', 3306, { ...seen, serverId: 2 }), seed: false, order: 1 },
    { id: 'never:3306', observation: unknownInstance('never', 3306, { serverId: 1 }), seed: false, order: 2 },
  ];
  assert.deepEqual(aliasMembers(members), ['10.0.0.1:3306']);
  const twoSeeds = members.map((m) => ({ ...m, seed: true }));
  assert.deepEqual(aliasMembers(twoSeeds), []);
});

test('a server_id reused on another address is not a second name while the earlier holder does not answer (a topology restarted on other ports)', () => {
  const live = { lastSeenAt: at, serverId: 2, serverUuid: null, lastError: null };
  const ghost = { lastSeenAt: '2026-01-01T00:00:00.000Z', serverId: 2, serverUuid: null, lastError: 'BATON_PROBE_CONNECT: connection refused' };
  const cases: Array<{ name: string; earlier: typeof live | typeof ghost; earlierSeed: boolean; expected: string[] }> = [
    { name: 'the previous run\'s dead replica, learnt first', earlier: ghost, earlierSeed: false, expected: [] },
    { name: 'the previous run\'s dead replica, a seed', earlier: ghost, earlierSeed: true, expected: [] },
    { name: 'both answer as the same server: the later name is a second name', earlier: live, earlierSeed: false, expected: ['127.0.0.1:4402'] },
  ];
  for (const c of cases) {
    const members = [
      { id: '127.0.0.1:3302', observation: unknownInstance('127.0.0.1', 3302, c.earlier), seed: c.earlierSeed, order: 0 },
      { id: '127.0.0.1:4402', observation: unknownInstance('127.0.0.1', 4402, live), seed: false, order: 5 },
    ];
    assert.deepEqual(aliasMembers(members), c.expected, c.name);
  }
});

test('unseenMembers: last success (or when learnt, if never seen) older than the limit; 0 = never', () => {
  const now = Date.parse('2026-12-04T00:00:00.000Z');
  const h = 3_600_000;
  const member = (id: string, lastSeenAt: string | null, addedAtMs = now) => ({ id, observation: unknownInstance(id, 3306, { lastSeenAt }), addedAtMs });
  const members = [
    member('old', new Date(now - 241 * h).toISOString()),
    member('edge', new Date(now - 240 * h).toISOString()),
    member('fresh', new Date(now - 1000).toISOString()),
    member('never-recent', null, now - 10 * h),
    member('never-old', null, now - 300 * h),
  ];
  assert.deepEqual(unseenMembers(members, now, 240 * h), ['old', 'edge', 'never-old']);
  assert.deepEqual(unseenMembers(members, now, 0), []);
});
