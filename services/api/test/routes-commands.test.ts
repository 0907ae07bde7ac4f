/**
 * State-changing routes other than recover: each publishes the right command on baton.commands
 * (keyed by cluster id) and answers OK once the fake executor's effect is visible; 504 when no
 * executor applies it; 400 naming a bad parameter; 404 for an unknown cluster or instance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, NOW } from './harness.ts';
import { recoveryRecord } from './fakes.ts';

test('disable, check and enable global recoveries', async (t) => {
  const h = await harness(t);
  assert.deepEqual((await h.get('/api/check-global-recoveries', { token: null })).body, { Code: 'OK', Message: 'Global recoveries enabled', Details: 'enabled' });
  const off = await h.post('/api/disable-global-recoveries', { headers: { 'x-baton-user': 'alice' } });
  assert.deepEqual(off.body, { Code: 'OK', Message: 'Globally disabled recoveries', Details: 'disabled' });
  assert.deepEqual(h.commands.published[0], { key: 'global', command: { kind: 'disable-global-recoveries', requestedBy: 'api:alice' }, correlationId: undefined });
  assert.equal((await h.get('/api/check-global-recoveries')).body.Details, 'disabled');
  assert.equal((await h.get('/api/enable-global-recoveries')).body.Details, 'enabled');
  assert.equal((await h.get('/api/check-global-recoveries')).body.Details, 'enabled');
});

test('with no executor running a command is a 504 that names it and says it may still apply', async (t) => {
  const h = await harness(t, { commandWaitMs: 100 });
  h.commands.executorRunning = false;
  const r = await h.get('/api/disable-global-recoveries');
  assert.equal(r.status, 504);
  assert.equal(r.body.Code, 'ERROR');
  assert.match(r.body.Message as string, /command cmd-1 was published on baton\.commands but its effect was not seen within 100 ms/);
});

test('register-candidate writes the rule through the executor; "must" and unknown rules are 400s', async (t) => {
  const h = await harness(t);
  const r = await h.get('/api/register-candidate/db2/3306/prefer_not');
  assert.deepEqual(r.body, { Code: 'OK', Message: 'Registered candidate', Details: { Hostname: 'db2', Port: 3306 } });
  assert.deepEqual(h.commands.published.at(-1)?.command, { kind: 'register-candidate', requestedBy: 'api:anonymous', clusterId: 'orders', instance: { host: 'db2', port: 3306 }, promotionRule: 'prefer_not' });
  assert.equal(h.commands.published.at(-1)?.key, 'orders');
  for (const rule of ['must', 'maybe']) {
    const bad = await h.get(`/api/register-candidate/db2/3306/${rule}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.Message, 'bad parameter promotionRule: must be one of prefer, neutral, prefer_not, must_not');
  }
  assert.equal((await h.get('/api/register-candidate/db7/3306/prefer')).status, 404);
});

test('begin-downtime (default 10 minutes, or a duration) and end-downtime', async (t) => {
  const h = await harness(t);
  const now = NOW + 500;
  const begun = await h.get('/api/begin-downtime/db3/3306/ops/kernel%20upgrade');
  assert.equal(begun.body.Code, 'OK');
  assert.equal(begun.body.Message, 'Downtime begun: db3:3306');
  assert.deepEqual(begun.body.Details, { Hostname: 'db3', Port: 3306, DowntimeOwner: 'ops', DowntimeReason: 'kernel upgrade', DowntimeEndTimestamp: new Date(now + 600_000).toISOString() });
  const withDuration = await h.post('/api/begin-downtime/db3/3306/ops/kernel/2h');
  assert.equal((withDuration.body.Details as { DowntimeEndTimestamp: string }).DowntimeEndTimestamp, new Date(now + 7_200_000).toISOString());
  assert.deepEqual(((await h.get('/api/downtimed')).json as Array<{ Key: unknown }>).map((i) => i.Key), [{ Hostname: 'db3', Port: 3306 }]);
  const ended = await h.get('/api/end-downtime/db3/3306');
  assert.deepEqual(ended.body, { Code: 'OK', Message: 'Downtime ended: db3:3306', Details: { Hostname: 'db3', Port: 3306 } });
  assert.deepEqual((await h.get('/api/downtimed')).json, []);
  assert.equal((await h.get('/api/begin-downtime/db3/3306/ops/kernel/2weeks')).status, 400);
  assert.equal((await h.get('/api/end-downtime/nope/3306')).status, 404);
});

test('discover publishes the command and answers the Instance once a snapshot lists it', async (t) => {
  const h = await harness(t, { commandWaitMs: 150 });
  const known = await h.get('/api/discover/db2/3306?alias=orders');
  assert.equal(known.body.Message, 'Instance discovered: db2:3306');
  assert.deepEqual((known.body.Details as { Key: unknown }).Key, { Hostname: 'db2', Port: 3306 });
  assert.deepEqual(h.commands.published[0], { key: 'orders', command: { kind: 'discover', requestedBy: 'api:anonymous', instance: { host: 'db2', port: 3306 }, alias: 'orders' }, correlationId: undefined });
  const unknown = await h.get('/api/discover/db9/3306');
  assert.equal(unknown.status, 504);
  assert.equal(unknown.body.Code, 'ERROR');
  assert.match(unknown.body.Message as string, /^discovery of db9:3306: command cmd-2 was published on baton.commands but neither the instance nor a failure was seen within 150 ms/);
  assert.equal(h.commands.published[1]?.key, 'db9:3306');
  assert.equal((await h.get('/api/discover/db9/3306?alias=has%20space')).status, 400);
});

test('discover of a host the detector cannot reach answers 502 with the reason the detector dead-lettered it with', async (t) => {
  const h = await harness(t);
  const refused = await h.get('/api/discover/down1/3306');
  assert.equal(refused.status, 502);
  assert.deepEqual(refused.body, {
    Code: 'ERROR',
    Message: 'discovery of down1:3306 failed: no instance answered at down1:3306: connect ECONNREFUSED',
    Details: { Hostname: 'down1', Port: 3306, commandId: 'cmd-1' },
  });
});

test('forget retires the cluster of its primary; a replica is refused (409); forget-cluster retires any', async (t) => {
  const h = await harness(t);
  const replica = await h.get('/api/forget/db2/3306');
  assert.equal(replica.status, 409);
  assert.match(replica.body.Message as string, /forget-cluster\/orders/);
  const primary = await h.get('/api/forget/db1/3306');
  assert.deepEqual(primary.body, { Code: 'OK', Message: 'Cluster forgotten: orders', Details: { ClusterName: 'orders', ClusterAlias: 'orders' } });
  assert.deepEqual(h.commands.published.map((p) => p.command), [{ kind: 'forget', requestedBy: 'api:anonymous', clusterId: 'orders' }]);
  const other = await h.get('/api/forget-cluster/10.0.0.6:3306');
  assert.equal(other.body.Message, 'Cluster forgotten: 10.0.0.5:3306');
  assert.equal((await h.get('/api/forget-cluster/nope')).status, 404);
});

test('ack routes acknowledge the recoveries in scope, lift their blocks, and answer the count', async (t) => {
  const h = await harness(t);
  h.audit.rows.push(recoveryRecord({ id: 1, uid: 'rec-1' }), recoveryRecord({ id: 2, uid: 'rec-2', failed: { host: 'db2', port: 3306 } }), recoveryRecord({ id: 3, uid: 'rec-3', clusterId: 'other', clusterAlias: 'other', failed: { host: 'x1', port: 3306 } }));
  h.state.flags.set('block|orders', JSON.stringify({ uid: 'rec-2', state: 'resolved' }));

  const byInstance = await h.get('/api/ack-recovery/instance/db1/3306?comment=seen');
  assert.deepEqual(byInstance.body, { Code: 'OK', Message: 'Acknowledged 1 recoveries on db1:3306', Details: 1 });
  assert.deepEqual(h.commands.published.at(-1)?.command, { kind: 'ack-recoveries', requestedBy: 'api:anonymous', scope: 'instance', instance: { host: 'db1', port: 3306 }, comment: 'seen' });
  assert.equal(h.audit.rows[0]?.acknowledgedComment, 'seen');

  const byCluster = await h.post('/api/ack-recovery/cluster/db3:3306?comment=done', { headers: { 'x-baton-user': 'bob' } });
  assert.deepEqual(byCluster.body, { Code: 'OK', Message: 'Acknowledged 1 recoveries on orders', Details: 1 });
  assert.equal(h.state.flags.has('block|orders'), false, 'the cluster block is lifted before the route answers');
  assert.equal(h.audit.rows[1]?.acknowledgedBy, 'api:bob');

  assert.equal((await h.get('/api/ack-recovery/cluster/alias/orders?comment=again')).body.Details, 0);
  assert.equal((await h.get('/api/ack-recovery/uid/rec-3?comment=x')).body.Details, 1);
  assert.equal((await h.get('/api/ack-recovery/3?comment=x')).body.Details, 0);
  assert.equal((await h.get('/api/ack-all-recoveries?comment=all')).body.Message, 'Acknowledged 0 recoveries on all clusters');
});

test('a cluster ack answers once its block is lifted, even when the next recovery takes a block of its own at once', async (t) => {
  const h = await harness(t);
  h.audit.rows.push(recoveryRecord({ id: 1, uid: 'rec-1' }));
  h.state.flags.set('block|orders', JSON.stringify({ uid: 'rec-1', state: 'resolved' }));
  h.commands.afterApply = (c) => {
    if (c.kind === 'ack-recoveries') h.state.flags.set('block|orders', JSON.stringify({ uid: 'rec-next', state: 'running' }));
  };
  const acked = await h.post('/api/ack-recovery/cluster/orders?comment=reviewed');
  assert.deepEqual(acked.body, { Code: 'OK', Message: 'Acknowledged 1 recoveries on orders', Details: 1 });
  assert.equal(acked.status, 200);
});

test("an ack never lifts a running recovery's block nor waits for it: it answers, saying the block was kept", async (t) => {
  const h = await harness(t);
  h.audit.rows.push(recoveryRecord({ id: 1, uid: 'rec-1' }), recoveryRecord({ id: 2, uid: 'rec-run', failed: { host: 'db2', port: 3306 }, outcome: null, isSuccessful: false, successor: null, endedAt: null }));
  const running = JSON.stringify({ uid: 'rec-run', state: 'running' });
  h.state.flags.set('block|orders', running);

  const byCluster = await h.post('/api/ack-recovery/cluster/orders?comment=reviewed');
  assert.equal(byCluster.status, 200, JSON.stringify(byCluster.body));
  assert.deepEqual(byCluster.body, { Code: 'OK', Message: 'Acknowledged 1 recoveries on orders; recovery block of orders kept: recovery rec-run is still running', Details: 1 });
  assert.equal(h.state.flags.get('block|orders'), running, 'the running block stays');
  assert.deepEqual(h.audit.rows.map((r) => [r.uid, r.acknowledged]), [['rec-1', true], ['rec-run', false]]);

  for (const url of ['/api/ack-recovery/uid/rec-run?comment=x', '/api/ack-recovery/instance/db2/3306?comment=x', '/api/ack-all-recoveries?comment=x']) {
    const r = await h.get(url);
    assert.equal(r.status, 200, url);
    assert.equal(r.body.Details, 0, url);
    assert.match(r.body.Message as string, /; recovery block of orders kept: recovery rec-run is still running$/, url);
  }
  assert.equal(h.state.flags.get('block|orders'), running);
});

test('an ack whose running recovery resolves meanwhile answers without waiting for that block', async (t) => {
  const h = await harness(t, { commandWaitMs: 2000 });
  h.audit.rows.push(recoveryRecord({ id: 1, uid: 'rec-run', outcome: null, endedAt: null }));
  h.state.flags.set('block|orders', JSON.stringify({ uid: 'rec-run', state: 'running' }));
  h.commands.afterApply = (c) => {
    if (c.kind === 'ack-recoveries') h.state.flags.set('block|orders', JSON.stringify({ uid: 'rec-run', state: 'resolved' }));
  };
  const acked = await h.post('/api/ack-recovery/cluster/orders?comment=reviewed');
  assert.equal(acked.status, 200, JSON.stringify(acked.body));
  assert.equal(acked.body.Details, 0);
});

test('ack routes need a comment (400) and a known target (404)', async (t) => {
  const h = await harness(t);
  for (const url of ['/api/ack-all-recoveries', '/api/ack-recovery/cluster/orders', '/api/ack-recovery/cluster/orders?comment=', '/api/ack-recovery/uid/rec-1', '/api/ack-recovery/instance/db1/3306']) {
    const r = await h.get(url);
    assert.equal(r.status, 400, url);
    assert.match(r.body.Message as string, /^bad parameter comment: /, url);
  }
  for (const url of ['/api/ack-recovery/cluster/nope?comment=x', '/api/ack-recovery/cluster/alias/nope?comment=x', '/api/ack-recovery/uid/nope?comment=x', '/api/ack-recovery/77?comment=x', '/api/ack-recovery/instance/db9/3306?comment=x']) {
    assert.equal((await h.get(url)).status, 404, url);
  }
  assert.equal((await h.get('/api/ack-recovery/0?comment=x')).status, 400);
  assert.deepEqual(h.commands.published, []);
});
