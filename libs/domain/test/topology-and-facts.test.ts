/**
 * The topology index (replicas, depth, co-masters) and the derived facts behind the analysis.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnalysisEntry, ClusterSnapshotV1, assertSchema } from '@baton/contracts';
import { analyze, analyzeFacts, buildTopologyIndex, errantGtidsOf, upstreamOf } from '../src/index.ts';
import { NOW, dead, delayed, ioConnecting, lagging, primary, replica, replicatesFrom, set, snapshot } from './builders.ts';

test('depth: 0 for the primary, +1 per tier; 1 under a source outside the snapshot; 1 for co-masters', () => {
  const p = primary('p1');
  const im = replica('im', p);
  const r = replica('r1', im);
  const orphan = replica('o1', primary('elsewhere'));
  const a0 = primary('a');
  const b = replica('b', a0);
  const a = replicatesFrom(b)(a0);
  const c = replica('c', a);
  const index = buildTopologyIndex([r, im, p, orphan, a, b, c]);
  const depth = Object.fromEntries(index.ids.map((id, n) => [id, index.depth[n]]));
  assert.deepEqual(depth, { 'r1:3306': 2, 'im:3306': 1, 'p1:3306': 0, 'o1:3306': 1, 'a:3306': 1, 'b:3306': 1, 'c:3306': 2 });
  assert.deepEqual(
    index.ids.filter((_, n) => index.ownCoMaster[n]),
    ['a:3306', 'b:3306'],
  );
  assert.deepEqual(upstreamOf(index, index.indexByKey.get('c:3306')!).map((i) => i.host), ['a', 'b']);
  assert.deepEqual(upstreamOf(index, index.indexByKey.get('a:3306')!).map((i) => i.host), ['b', 'a']);
});

test('a key listed twice is analysed once; an instance naming itself as source is not its own replica', () => {
  const p = primary('p1', dead);
  const s1 = replica('s1', p);
  const selfish = { ...s1, replication: { ...s1.replication!, sourceHost: 's1' } };
  const index = buildTopologyIndex([p, p, selfish]);
  assert.equal(index.instances.length, 2);
  assert.deepEqual(index.replicasOf.map((r) => r.length), [0, 0]);
  assert.deepEqual(analyze(snapshot([p, p]), NOW).map((e) => e.code), ['DeadMasterWithoutReplicas']);
});

test('a replica of a source outside the snapshot keeps its reported sourceKey', () => {
  const outside = primary('gone');
  const r = replica('r1', outside, ioConnecting());
  const [row] = analyze(snapshot([r]), NOW);
  assert.equal(row?.code, 'FirstTierReplicaFailingToConnectToMaster');
  assert.deepEqual(row?.sourceKey, { host: 'gone', port: 3306 });
});

test('analyzeFacts exposes the derived fields, sorted like analyze(), unfiltered', () => {
  const p = primary('p1', dead);
  const facts = analyzeFacts(snapshot([replica('r1', p, lagging(60)), p, replica('r2', p, delayed(3600))]), NOW);
  assert.deepEqual(facts.map((f) => f.key.host), ['p1', 'r1', 'r2']);
  const top = facts[0]!;
  assert.equal(top.isClusterMaster, true);
  assert.equal(top.counts.CountLaggingReplicas, 1, 'the delayed replica is not lagging');
  assert.equal(top.counts.CountDelayedReplicas, 1);
  assert.equal(top.mariadbGtidImmediateTopology, true);
  assert.equal(top.oracleGtidImmediateTopology, false);
  assert.equal(top.pseudoGtidImmediateTopology, false);
});

test('errantGtidsOf: empty for a primary; MySQL without any upstream GTID set is undecidable', () => {
  const p = primary('p1');
  assert.equal(errantGtidsOf(p, []), '');
  const r = replica('r1', p, (i) => ({ ...i, mariadbGtid: null, mysqlGtid: { mode: 'ON', executed: 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:1', purged: '', retrieved: '' } }));
  assert.equal(errantGtidsOf(r, [p]), '');
  assert.equal(errantGtidsOf(set({ mysqlGtid: null, mariadbGtid: null })(r), [p]), '');
});

test('builder snapshots and analysis entries satisfy the contracts schemas', () => {
  const p = primary('p1', dead);
  const im = replica('im', p, ioConnecting());
  const s = snapshot([p, im, replica('r1', im, lagging(30)), replica('r2', p, delayed(60), ioConnecting())]);
  assertSchema(ClusterSnapshotV1, s, 'snapshot');
  const entries = analyze(s, NOW, { includeNoProblem: true, includeDowntimed: true, reduceReplicationAnalysisCount: false });
  assert.equal(entries.length, 4);
  for (const e of entries) assertSchema(AnalysisEntry, e, `entry ${e.instance.host}`);
});
