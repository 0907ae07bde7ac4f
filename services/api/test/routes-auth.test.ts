/**
 * The guard of every state-changing route: refused without the token or with a wrong one (401),
 * in read-only mode (403), with authentication on and no token configured (403) — and nothing is
 * published then; allowed with the token in either header, by GET or POST, or with authentication
 * off. The list below is checked against the OpenAPI document, so a new state-changing route
 * cannot miss these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, TOKEN } from './harness.ts';

/** One request per state-changing route (template → a URL that passes validation). */
const mutating: Record<string, string> = {
  '/api/discover/{host}/{port}': '/api/discover/db9/3306',
  '/api/forget/{host}/{port}': '/api/forget/db1/3306',
  '/api/forget-cluster/{clusterHint}': '/api/forget-cluster/orders',
  '/api/register-candidate/{host}/{port}/{promotionRule}': '/api/register-candidate/db2/3306/prefer',
  '/api/begin-downtime/{host}/{port}/{owner}/{reason}': '/api/begin-downtime/db2/3306/ops/kernel',
  '/api/begin-downtime/{host}/{port}/{owner}/{reason}/{duration}': '/api/begin-downtime/db2/3306/ops/kernel/15m',
  '/api/end-downtime/{host}/{port}': '/api/end-downtime/db2/3306',
  '/api/recover/{host}/{port}': '/api/recover/db1/3306',
  '/api/recover/{host}/{port}/{candidateHost}/{candidatePort}': '/api/recover/db1/3306/db2/3306',
  '/api/recover-lite/{host}/{port}': '/api/recover-lite/db1/3306',
  '/api/recover-lite/{host}/{port}/{candidateHost}/{candidatePort}': '/api/recover-lite/db1/3306/db2/3306',
  '/api/force-master-failover/{clusterHint}': '/api/force-master-failover/orders',
  '/api/ack-recovery/cluster/{clusterHint}': '/api/ack-recovery/cluster/orders?comment=x',
  '/api/ack-recovery/cluster/alias/{clusterAlias}': '/api/ack-recovery/cluster/alias/orders?comment=x',
  '/api/ack-recovery/instance/{host}/{port}': '/api/ack-recovery/instance/db1/3306?comment=x',
  '/api/ack-recovery/uid/{uid}': '/api/ack-recovery/uid/rec-1?comment=x',
  '/api/ack-recovery/{recoveryId}': '/api/ack-recovery/1?comment=x',
  '/api/ack-all-recoveries': '/api/ack-all-recoveries?comment=x',
  '/api/disable-global-recoveries': '/api/disable-global-recoveries',
  '/api/enable-global-recoveries': '/api/enable-global-recoveries',
};

test('the list covers every state-changing route of the OpenAPI document', async (t) => {
  const h = await harness(t);
  const doc = (await h.get('/api/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
  const withPost = Object.entries(doc.paths).filter(([, methods]) => 'post' in methods).map(([path]) => path).sort();
  assert.deepEqual(withPost, Object.keys(mutating).sort());
});

test('without a token, or with a wrong one, every state-changing route is refused (401) and publishes nothing', async (t) => {
  const h = await harness(t);
  for (const url of Object.values(mutating)) {
    for (const [method, token] of [['GET', null], ['POST', null], ['GET', 'wrong-token-0123456789'], ['POST', `${TOKEN}x`]] as const) {
      const r = method === 'GET' ? await h.get(url, { token }) : await h.post(url, { token });
      assert.equal(r.status, 401, `${method} ${url} token=${token}`);
      assert.equal(r.body.Code, 'ERROR');
      assert.match(r.body.Message as string, /^Unauthorized/);
    }
  }
  assert.deepEqual(h.commands.published, []);
});

test('in read-only mode every state-changing route is refused (403), even with the token', async (t) => {
  const h = await harness(t, { readOnly: true });
  for (const url of Object.values(mutating)) {
    const r = await h.post(url);
    assert.equal(r.status, 403, url);
    assert.match(r.body.Message as string, /read-only mode/);
  }
  assert.deepEqual(h.commands.published, []);
  assert.equal((await h.get('/api/clusters', { token: null })).status, 200, 'reads still answer');
});

test('with authentication on and no token configured every state-changing request is refused (403)', async (t) => {
  const h = await harness(t, { token: undefined });
  for (const url of Object.values(mutating)) {
    const r = await h.get(url, { token: 'anything-at-all-0123' });
    assert.equal(r.status, 403, url);
    assert.match(r.body.Message as string, /no api\.token is configured/);
  }
  assert.deepEqual(h.commands.published, []);
});

test('the token is accepted as Authorization: Bearer or X-Baton-Token, by GET or POST; authentication off needs none', async (t) => {
  const h = await harness(t);
  assert.equal((await h.get('/api/disable-global-recoveries')).body.Code, 'OK');
  assert.equal((await h.post('/api/enable-global-recoveries', { token: null, headers: { 'x-baton-token': TOKEN } })).body.Code, 'OK');
  const open = await harness(t, { authentication: false, token: undefined });
  const r = await open.post('/api/disable-global-recoveries', { token: null });
  assert.equal(r.status, 200);
  assert.equal(r.body.Details, 'disabled');
});

test('the guard runs before validation: an unauthorised bad request learns nothing about its parameters', async (t) => {
  const h = await harness(t);
  const r = await h.get('/api/recover/db1/99999', { token: null });
  assert.equal(r.status, 401);
  const authorised = await h.get('/api/recover/db1/99999');
  assert.equal(authorised.status, 400);
  assert.match(authorised.body.Message as string, /^bad parameter port/);
});
