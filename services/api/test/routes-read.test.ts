/**
 * Read routes over the cached snapshots and the registry: clusters, clusters-info, cluster-info,
 * cluster, topology, master, replication-analysis (all, cluster, instance), downtimed; cluster
 * hints (id, alias, member host:port); 404s for unknown clusters and instances; 400s naming the
 * bad parameter; 503 for a registered cluster without a snapshot; the OpenAPI document.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDowntimeValue } from '@baton/state';
import { deadPrimarySnapshot, expectTopology, harness, NOW } from './harness.ts';

test('clusters lists ids from snapshots and the registry; clusters-info and cluster-info use orchestrator\'s fields', async (t) => {
  const h = await harness(t);
  const clusters = await h.get('/api/clusters', { token: null });
  assert.equal(clusters.status, 200);
  assert.deepEqual(clusters.json, ['10.0.0.5:3306', 'orders']);

  const info = await h.get('/api/clusters-info');
  assert.deepEqual(info.json, [
    { ClusterName: '10.0.0.5:3306', ClusterAlias: '', ClusterDomain: '', CountInstances: 2, HeuristicLag: 0, HasAutomatedMasterRecovery: false, HasAutomatedIntermediateMasterRecovery: false },
    { ClusterName: 'orders', ClusterAlias: 'orders', ClusterDomain: '', CountInstances: 3, HeuristicLag: 0, HasAutomatedMasterRecovery: false, HasAutomatedIntermediateMasterRecovery: false },
  ]);
  const one = await h.get('/api/cluster-info/db3:3306');
  assert.equal((one.json as { ClusterName: string }).ClusterName, 'orders');
});

test('cluster/:hint answers Instance JSON for a cluster named by id, alias or any member', async (t) => {
  const h = await harness(t);
  for (const hint of ['orders', 'DB2:3306', 'db3:3306']) {
    const r = await h.get(`/api/cluster/${hint}`);
    assert.equal(r.status, 200, hint);
    const instances = r.json as Array<Record<string, unknown>>;
    assert.deepEqual(instances.map((i) => i['Key']), [{ Hostname: 'db1', Port: 3306 }, { Hostname: 'db2', Port: 3306 }, { Hostname: 'db3', Port: 3306 }]);
  }
  const [db1, db2] = (await h.get('/api/cluster/orders')).json as Array<Record<string, unknown>>;
  assert.equal(db1?.['ReadOnly'], false);
  assert.deepEqual(db1?.['MasterKey'], { Hostname: '', Port: 0 });
  assert.deepEqual(db1?.['Replicas'], [{ Hostname: 'db2', Port: 3306 }, { Hostname: 'db3', Port: 3306 }]);
  assert.equal(db1?.['ClusterName'], 'orders');
  assert.equal(db2?.['ReadOnly'], true);
  assert.deepEqual(db2?.['MasterKey'], { Hostname: 'db1', Port: 3306 });
  assert.equal(db2?.['Slave_IO_Running'], true);
  assert.equal(db2?.['ReplicationSQLThreadRuning'], true);
  assert.deepEqual(db2?.['SecondsBehindMaster'], { Int64: 0, Valid: true });
  assert.equal(db2?.['ReplicationDepth'], 1);
  assert.equal(db2?.['IsLastCheckValid'], true);
  assert.equal(db2?.['UsingMariaDBGTID'], true);
});

test('topology/:hint answers the tree in Details with lag, state, flags and role', async (t) => {
  const h = await harness(t);
  const r = await expectTopology(h, '/api/topology/orders', 'orders', [
    'db1:3306    [0s,ok,10.11.6-MariaDB-log,rw,ROW,>>]       primary',
    '+ db2:3306  [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]  replica',
    '+ db3:3306  [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]  replica',
  ]);
  assert.equal(r.status, 200);
});

test('topology of a dead primary shows unknown lag, failing replicas and the analysis codes', async (t) => {
  const h = await harness(t, {}, deadPrimarySnapshot());
  const tree = (await h.get('/api/topology/db2:3306')).body.Details as string;
  const lines = tree.split('\n');
  assert.match(lines[0] as string, /^db1:3306 +\[unknown,invalid,10\.11\.6-MariaDB-log,rw,ROW,>>\] +primary +DeadMaster$/);
  assert.match(lines[1] as string, /^\+ db2:3306 +\[null,nonreplicating,.*\] +replica +FirstTierReplicaFailingToConnectToMaster$/);
});

test('master/:hint answers the writable primary; replication-analysis answers the analysis in the envelope', async (t) => {
  const h = await harness(t, {}, deadPrimarySnapshot());
  const master = await h.get('/api/master/orders');
  assert.deepEqual((master.json as { Key: unknown }).Key, { Hostname: 'db1', Port: 3306 });

  const all = await h.get('/api/replication-analysis');
  assert.equal(all.body.Code, 'OK');
  const entries = all.body.Details as Array<Record<string, unknown>>;
  const dead = entries.find((e) => e['Analysis'] === 'DeadMaster');
  assert.deepEqual(dead?.['AnalyzedInstanceKey'], { Hostname: 'db1', Port: 3306 });
  assert.equal((dead?.['ClusterDetails'] as { ClusterName: string }).ClusterName, 'orders');
  assert.deepEqual(dead?.['StructureAnalysis'], []);
  assert.equal(dead?.['IsActionableRecovery'], true);

  const cluster = await h.get('/api/replication-analysis/orders');
  assert.equal((cluster.body.Details as unknown[]).length, entries.length);
  const instance = await h.get('/api/replication-analysis/instance/db1/3306');
  assert.deepEqual((instance.body.Details as Array<Record<string, unknown>>).map((e) => e['Analysis']), ['DeadMaster']);
});

test('downtimed lists the instances Redis holds a live downtime for', async (t) => {
  const h = await harness(t);
  assert.deepEqual((await h.get('/api/downtimed')).json, []);
  h.state.flags.set('downtime|orders|db3:3306', formatDowntimeValue({ owner: 'ops', reason: 'kernel', endsAt: new Date(NOW + 3_600_000).toISOString() }));
  h.state.flags.set('downtime|orders|db2:3306', formatDowntimeValue({ owner: 'ops', reason: 'over', endsAt: new Date(NOW - 1000).toISOString() }));
  for (const url of ['/api/downtimed', '/api/downtimed/orders']) {
    const rows = (await h.get(url)).json as Array<Record<string, unknown>>;
    assert.deepEqual(rows.map((r) => [r['Key'], r['DowntimeOwner'], r['DowntimeReason']]), [[{ Hostname: 'db3', Port: 3306 }, 'ops', 'kernel']]);
  }
});

test('unknown clusters and instances are 404s in the envelope', async (t) => {
  const h = await harness(t);
  for (const url of ['/api/cluster/nope', '/api/cluster/a%20b', '/api/topology/%7Bx%7D', '/api/topology/nope:3306', '/api/master/nope', '/api/cluster-info/x', '/api/replication-analysis/nope', '/api/downtimed/nope', '/api/replication-analysis/instance/db9/3306']) {
    const r = await h.get(url);
    assert.equal(r.status, 404, url);
    assert.equal(r.body.Code, 'ERROR', url);
    assert.match(r.body.Message as string, /Unable to determine cluster name for hint|Unknown instance db9:3306/, url);
  }
  const route = await h.get('/api/no-such-route');
  assert.equal(route.status, 404);
  assert.equal(route.body.Code, 'ERROR');
});

test('a registered cluster without a cached snapshot is a 503 naming the likely cause', async (t) => {
  const h = await harness(t);
  const r = await h.get('/api/topology/10.0.0.6:3306');
  assert.equal(r.status, 503);
  assert.match(r.body.Message as string, /No current snapshot of cluster 10\.0\.0\.5:3306.*analyzer/);
});

test('bad parameters are 400s that name the field', async (t) => {
  const h = await harness(t);
  for (const [url, field] of [
    ['/api/replication-analysis/instance/db1/0', 'port'],
    ['/api/replication-analysis/instance/db1/70000', 'port'],
    ['/api/replication-analysis/instance/db1/abc', 'port'],
    ['/api/replication-analysis/instance/bad%20host/3306', 'host'],
    ['/api/leader-check/999', 'errorStatusCode'],
  ] as const) {
    const r = await h.get(url);
    assert.equal(r.status, 400, url);
    assert.equal(r.body.Code, 'ERROR');
    assert.match(r.body.Message as string, new RegExp(`^bad parameter ${field}: `), url);
    assert.equal((r.body.Details as { field: string }).field, field);
  }
});

test('the OpenAPI document lists every route with its parameters', async (t) => {
  const h = await harness(t);
  const doc = (await h.get('/api/openapi.json')).json as { openapi: string; paths: Record<string, Record<string, { parameters?: Array<{ name: string }> }>> };
  assert.equal(doc.openapi, '3.0.3');
  const recover = doc.paths['/api/recover/{host}/{port}'];
  assert.ok(recover?.['get'] && recover['post'], 'state-changing routes accept GET and POST');
  assert.deepEqual(recover['get'].parameters?.map((p) => p.name).sort(), ['host', 'port', 'skipProcesses']);
  assert.ok(doc.paths['/api/clusters']?.['get']);
  assert.equal(doc.paths['/api/clusters']?.['post'], undefined, 'reads are GET only');
  assert.ok(Object.keys(doc.paths).length >= 50, `${Object.keys(doc.paths).length} paths`);
});

test('api.urlPrefix moves every route, the OpenAPI document included', async (t) => {
  const h = await harness(t, { urlPrefix: '/orc' });
  assert.deepEqual((await h.get('/orc/api/clusters')).json, ['10.0.0.5:3306', 'orders']);
  assert.equal((await h.get('/orc/api/disable-global-recoveries')).body.Code, 'OK');
  assert.equal((await h.get('/api/clusters')).status, 404);
  assert.ok(((await h.get('/orc/api/openapi.json')).json as { paths: Record<string, unknown> }).paths['/orc/api/topology/{clusterHint}']);
});
