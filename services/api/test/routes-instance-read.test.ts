/**
 * The read routes orchestrator-client calls about instances: instance/:host/:port,
 * instance-replicas/:host/:port, all-instances, search (path and ?s=), topology-tabulated — over
 * the cached snapshots, with orchestrator's Instance JSON; 404 for an unknown instance, 400 naming
 * a bad port, 503 for a registered cluster without a snapshot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadPrimarySnapshot, expectTopology, harness, healthy, ordersSnapshot, replicaOf, snapshotOf } from './harness.ts';

type Row = Record<string, unknown>;
const key = (r: Row) => r['Key'] as { Hostname: string; Port: number };
const keys = (rows: unknown) => (rows as Row[]).map((r) => `${key(r).Hostname}:${key(r).Port}`);

test('instance/:host/:port answers the Instance JSON: Key, MasterKey, thread states under every name scripts read', async (t) => {
  const h = await harness(t);
  const replica = await h.get('/api/instance/DB2/3306', { token: null });
  assert.equal(replica.status, 200);
  const r = replica.json as Row;
  assert.deepEqual(r['Key'], { Hostname: 'db2', Port: 3306 });
  assert.deepEqual(r['MasterKey'], { Hostname: 'db1', Port: 3306 });
  for (const field of ['Slave_SQL_Running', 'Slave_IO_Running', 'ReplicationSQLThreadRuning', 'ReplicationIOThreadRuning']) assert.equal(r[field], true, field);
  assert.equal(r['ReplicationSQLThreadState'], 1);
  assert.equal(r['ReplicationIOThreadState'], 1);
  assert.equal(r['ClusterName'], 'orders');
  assert.equal(r['GtidErrant'], '');
  const primary = (await h.get('/api/instance/db1/3306')).json as Row;
  assert.deepEqual(primary['MasterKey'], { Hostname: '', Port: 0 });
  assert.equal(primary['ReplicationSQLThreadState'], -1, 'a primary has no replication threads');
  // the same document as cluster/:hint answers for it
  const fromCluster = ((await h.get('/api/cluster/orders')).json as Row[]).find((x) => key(x).Hostname === 'db2');
  assert.deepEqual(r, fromCluster);
});

test('instance-replicas answers the direct replicas only; a replica has none', async (t) => {
  const db1 = healthy('db1');
  const db2 = replicaOf('db2', db1);
  const h = await harness(t, {}, snapshotOf('orders', [db1, db2, replicaOf('db3', db1), replicaOf('db4', db2)]));
  assert.deepEqual(keys((await h.get('/api/instance-replicas/db1/3306')).json), ['db2:3306', 'db3:3306']);
  assert.deepEqual(keys((await h.get('/api/instance-replicas/db2/3306')).json), ['db4:3306']);
  assert.deepEqual((await h.get('/api/instance-replicas/db4/3306')).json, []);
  const stopped = await harness(t, {}, deadPrimarySnapshot());
  const rows = (await stopped.get('/api/instance-replicas/db1/3306')).json as Row[];
  assert.deepEqual(rows.map((x) => [x['ReplicationIOThreadRuning'], x['ReplicationSQLThreadRuning'], x['ReplicationIOThreadState'], (x['LastIOError'] as string) !== '']), [
    [false, true, 2, true],
    [false, true, 2, true],
  ]);
});

test('all-instances lists every instance of every cached cluster; search matches host:port or cluster alias', async (t) => {
  const h = await harness(t);
  h.state.add(snapshotOf('billing', [healthy('bill1')], 'payments'));
  assert.deepEqual(keys((await h.get('/api/all-instances')).json), ['bill1:3306', 'db1:3306', 'db2:3306', 'db3:3306']);
  for (const [url, want] of [
    ['/api/search/db', ['db1:3306', 'db2:3306', 'db3:3306']],
    ['/api/search/DB3', ['db3:3306']],
    ['/api/search/db2:3306', ['db2:3306']],
    ['/api/search/PAY', ['bill1:3306']],
    ['/api/search?s=ORDERS', ['db1:3306', 'db2:3306', 'db3:3306']],
    ['/api/search?s=bill1%3A3306', ['bill1:3306']],
    ['/api/search/nothing-like-it', []],
  ] as const) {
    const r = await h.get(url);
    assert.equal(r.status, 200, url);
    assert.deepEqual(keys(r.json), want, url);
  }
  const empty = await h.get('/api/search');
  assert.equal(empty.status, 400);
  assert.match(empty.body.Message as string, /^bad parameter s: is required$/);
});

test('topology-tabulated: one line per instance, fields separated by |, indented by depth, columns aligned', async (t) => {
  const db1 = healthy('db1');
  const db2 = replicaOf('db2', db1);
  const h = await harness(t, {}, snapshotOf('orders', [db1, db2, replicaOf('db3', db1), replicaOf('db4', db2)]));
  await expectTopology(h, '/api/topology-tabulated/db4:3306', 'orders', [
    'db1:3306    |0s|ok|10.11.6-MariaDB-log|rw|ROW|>>     |primary     |',
    '+ db2:3306  |0s|ok|10.11.6-MariaDB-log|ro|ROW|>>,GTID|intermediate|',
    '  + db4:3306|0s|ok|10.11.6-MariaDB-log|ro|ROW|>>,GTID|replica     |',
    '+ db3:3306  |0s|ok|10.11.6-MariaDB-log|ro|ROW|>>,GTID|replica     |',
  ]);
  const dead = await harness(t, {}, deadPrimarySnapshot());
  const lines = ((await dead.get('/api/topology-tabulated/orders')).body.Details as string).split('\n');
  assert.deepEqual(lines[0]?.split('|').map((f) => f.trim()), ['db1:3306', 'unknown', 'invalid', '10.11.6-MariaDB-log', 'rw', 'ROW', '>>', 'primary', 'DeadMaster']);
  assert.deepEqual(lines[1]?.split('|').map((f) => f.trim()).slice(0, 3), ['+ db2:3306', 'null', 'nonreplicating']);
});

test('unknown instances are 404s, bad ports 400s naming the field, a cluster without a snapshot 503 — all in the envelope', async (t) => {
  const h = await harness(t, {}, ordersSnapshot());
  for (const url of ['/api/instance/db9/3306', '/api/instance-replicas/db9/3306', '/api/instance/db1/3307', '/api/topology-tabulated/nope']) {
    const r = await h.get(url);
    assert.equal(r.status, 404, url);
    assert.equal(r.body.Code, 'ERROR', url);
    assert.match(r.body.Message as string, /^Unknown instance db[19]:330[67]|^Unable to determine cluster name for hint nope$/, url);
  }
  assert.deepEqual((await h.get('/api/instance/db9/3306')).body.Details, { Hostname: 'db9', Port: 3306 });
  for (const url of ['/api/instance/db1/0', '/api/instance/db1/65536', '/api/instance/db1/abc', '/api/instance-replicas/db1/-1']) {
    const r = await h.get(url);
    assert.equal(r.status, 400, url);
    assert.match(r.body.Message as string, /^bad parameter port: /, url);
    assert.equal((r.body.Details as { field: string }).field, 'port', url);
  }
  const host = await h.get('/api/instance/bad%20host/3306');
  assert.equal((host.body.Details as { field: string }).field, 'host');
  for (const url of ['/api/instance/10.0.0.6/3306', '/api/topology-tabulated/10.0.0.5:3306']) {
    const r = await h.get(url);
    assert.equal(r.status, 503, url);
    assert.match(r.body.Message as string, /^No current snapshot of cluster 10\.0\.0\.5:3306/, url);
  }
  assert.deepEqual(keys((await h.get('/api/all-instances')).json), ['db1:3306', 'db2:3306', 'db3:3306'], 'a cluster without a snapshot adds nothing');
});
