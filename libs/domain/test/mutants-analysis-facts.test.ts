/**
 * The derived facts and the topology index behind them: cluster master choice, per-replica flags
 * and counts, gtid_mode extremes, co-master flags, source keys, replica order and depths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceObservation } from '@baton/contracts';
import { analyze, analyzeFacts, buildTopologyIndex, type ReplicationFacts } from '../src/index.ts';
import { NOW, dead, ioConnecting, ioStopped, mysql, neverSeen, primary, replica, replicatesFrom, set, snapshot } from './builders.ts';

const A = '3e11fa47-71ca-11e1-9e33-c80aa9429562';

function factsOf(instances: InstanceObservation[], host: string, over: Parameters<typeof snapshot>[1] = {}): ReplicationFacts {
  const f = analyzeFacts(snapshot(instances, over), NOW).find((x) => x.key.host === host);
  assert.ok(f, `no facts for ${host}`);
  return f;
}

test('the cluster id names the cluster master only when it is a master', () => {
  const p = primary('p1');
  const r = replica('r1', p);
  assert.equal(factsOf([p, r], 'p1', { clusterId: 'r1:3306' }).isClusterMaster, true);
  assert.equal(factsOf([p, r], 'r1', { clusterId: 'r1:3306' }).isClusterMaster, false);
});

test('without a matching cluster id, the master with the most instances below it is the cluster master, wherever it is listed', () => {
  const big = primary('big');
  const small = primary('small');
  const instances = [big, small, replica('b1', big), replica('b2', big), replica('s1', small)];
  assert.equal(factsOf(instances, 'big', { clusterId: 'elsewhere' }).isClusterMaster, true);
  assert.equal(factsOf(instances, 'small', { clusterId: 'elsewhere' }).isClusterMaster, false);
});

const flagCases: Array<[string, (p: InstanceObservation) => InstanceObservation[], { invalid: boolean; notReplicating: boolean; failing: boolean }]> = [
  ['all replicas healthy', (p) => [replica('r1', p), replica('r2', p)], { invalid: false, notReplicating: false, failing: false }],
  ['one replica dead', (p) => [replica('r1', p), replica('r2', p, dead)], { invalid: true, notReplicating: false, failing: false }],
  ['one replica stopped by hand', (p) => [replica('r1', p), replica('r2', p, ioStopped)], { invalid: false, notReplicating: true, failing: false }],
  ['one replica failing to connect', (p) => [replica('r1', p), replica('r2', p, ioConnecting())], { invalid: false, notReplicating: true, failing: true }],
];
for (const [name, build, expected] of flagCases) {
  test(`replica flags of the primary: ${name}`, () => {
    const p = primary('p1');
    const f = factsOf([p, ...build(p)], 'p1');
    assert.deepEqual({ invalid: f.someReplicaInvalid, notReplicating: f.someReplicaNotReplicating, failing: f.someReplicaFailingToConnect }, expected);
  });
}

test('a primary whose replica reports itself as co-master is a co-master too', () => {
  const p = primary('p1');
  assert.equal(factsOf([p, replica('r1', p, set({ isCoMaster: true }))], 'p1').isCoMaster, true);
  assert.equal(factsOf([p, replica('r1', p)], 'p1').isCoMaster, false);
});

test('semi-sync replicas are counted only when their replica side is enabled', () => {
  const p = primary('p1');
  const ss = (enabled: boolean) =>
    set({ semiSync: { masterEnabled: false, masterStatus: false, masterClients: 0, masterWaitForReplicaCount: 0, masterTimeoutMs: 0, replicaEnabled: enabled, replicaStatus: enabled } });
  const f = factsOf([p, replica('r1', p, ss(true)), replica('r2', p, ss(false)), replica('r3', p)], 'p1');
  assert.equal(f.counts.CountSemiSyncReplicasEnabled, 1);
  assert.equal(f.semiSyncMasterEnabled, false, 'the primary reports no semi-sync state');
});

test('logging replicas with an unknown binlog format or version add no format or version', () => {
  const p = primary('p1');
  const f = factsOf([p, replica('r1', p, set({ binlogFormat: null, version: null })), replica('r2', p, set({ binlogFormat: 'MIXED' }))], 'p1');
  assert.equal(f.counts.CountLoggingReplicas, 2);
  assert.equal(f.counts.CountRowBasedLoggingReplicas, 0);
  assert.equal(f.counts.CountMixedBasedLoggingReplicas, 1);
  assert.equal(f.counts.CountDistinctMajorVersionsLoggingReplicas, 1);
});

const modes: Array<[string[], string, string]> = [
  [['ON', 'OFF', 'ON'], 'OFF', 'ON'],
  [['OFF', 'ON', 'OFF'], 'OFF', 'ON'],
  [['ON_PERMISSIVE', 'OFF', 'ON', 'OFF_PERMISSIVE'], 'OFF', 'ON_PERMISSIVE'],
];
for (const [replicaModes, min, max] of modes) {
  test(`replica gtid_mode extremes of ${replicaModes.join(', ')}: min ${min}, max ${max}`, () => {
    const p = primary('p1', mysql(`${A}:1-10`));
    const replicas = replicaModes.map((m, n) => replica(`r${n}`, p, mysql(`${A}:1-10`, m)));
    const f = factsOf([p, ...replicas], 'p1');
    assert.equal(f.minReplicaGtidMode, min);
    assert.equal(f.maxReplicaGtidMode, max);
  });
}

test('a never-seen, detached instance without replicas has no source key and depth 0', () => {
  const p = primary('p1');
  const ghost = primary('ghost', neverSeen, set({ replication: { ...replica('x', p).replication!, sourceHost: '' } }));
  const f = factsOf([p, ghost], 'ghost');
  assert.equal(f.isMaster, false, 'its role is unknown');
  assert.equal(f.sourceKey, null);
  assert.equal(f.replicationDepth, 0);
});

test('an instance with a replication row but no source host (RESET SLAVE) is a master', () => {
  const p = primary('p1', set({ replication: { ...replica('x', primary('old')).replication!, sourceHost: '' } }));
  const index = buildTopologyIndex([p, replica('r1', p)]);
  assert.deepEqual(index.isMaster, [true, false]);
  assert.deepEqual(index.depth, [0, 1]);
});

test('a never-seen primary that still has replicas is a master: its death is a DeadMaster', () => {
  const p = primary('p1', neverSeen);
  const [row] = analyze(snapshot([p, replica('r1', p, ioConnecting())]), NOW);
  assert.equal(row?.code, 'DeadMaster');
});

test('an observed is_co_master flag makes an instance a co-master on its own', () => {
  const p = primary('p1', set({ isCoMaster: true }));
  assert.deepEqual(buildTopologyIndex([p, replica('r1', p)]).ownCoMaster, [true, false]);
});

const order: Array<[string, Array<[string, number]>]> = [
  ['same host, ports descending', [['h', 3307], ['h', 3306]]],
  ['same host, ports ascending', [['h', 3306], ['h', 3307]]],
  ['hosts descending, ports ascending', [['r2', 3306], ['r1', 3307]]],
  ['hosts ascending, ports descending', [['r1', 3307], ['r2', 3306]]],
];
for (const [name, keys] of order) {
  test(`replicas are listed by host, then port: ${name}`, () => {
    const p = primary('p1');
    const replicas = keys.map(([host, port]) => ({ ...replica(host, p), port }));
    const f = factsOf([p, ...replicas], 'p1');
    const expected = [...keys].sort(([h1, p1], [h2, p2]) => (h1 < h2 ? -1 : h1 > h2 ? 1 : p1 - p2)).map(([host, port]) => ({ host, port }));
    assert.deepEqual(f.replicas, expected);
  });
}

test('depth has exactly one entry per instance, co-master rings included', () => {
  const p = primary('p1');
  const im = replica('im', p);
  const a0 = primary('a');
  const b = replica('b', a0);
  const a = replicatesFrom(b)(a0);
  const index = buildTopologyIndex([replica('r1', im), im, p, replica('o1', primary('elsewhere')), replica('c', a), a, b]);
  assert.deepStrictEqual(index.depth, [2, 1, 0, 1, 2, 1, 1]);
});
