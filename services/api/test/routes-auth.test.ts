/**
 * The guard of every state-changing route: refused without the token or with a wrong one (401),
 * in read-only mode (403), with authentication on and no token configured (403) — and nothing is
 * published then; allowed with the token in either header, by GET or POST, or with authentication
 * off; HTTP basic auth with the token as its password (orchestrator-client). The list below is checked against the OpenAPI document, so a new state-changing route
 * cannot miss these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@baton/logging';
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
  '/api/force-master-takeover/{clusterHint}/{designatedHost}/{designatedPort}': '/api/force-master-takeover/orders/db2/3306',
  '/api/graceful-master-takeover/{clusterHint}': '/api/graceful-master-takeover/orders',
  '/api/graceful-master-takeover/{clusterHint}/{designatedHost}/{designatedPort}': '/api/graceful-master-takeover/orders/db2/3306',
  '/api/graceful-master-takeover-auto/{clusterHint}': '/api/graceful-master-takeover-auto/orders',
  '/api/graceful-master-takeover-auto/{clusterHint}/{designatedHost}/{designatedPort}': '/api/graceful-master-takeover-auto/orders/db2/3306',
  '/api/ack-recovery/cluster/{clusterHint}': '/api/ack-recovery/cluster/orders?comment=x',
  '/api/ack-recovery/cluster/alias/{clusterAlias}': '/api/ack-recovery/cluster/alias/orders?comment=x',
  '/api/ack-recovery/instance/{host}/{port}': '/api/ack-recovery/instance/db1/3306?comment=x',
  '/api/ack-recovery/uid/{uid}': '/api/ack-recovery/uid/rec-1?comment=x',
  '/api/ack-recovery/{recoveryId}': '/api/ack-recovery/1?comment=x',
  '/api/ack-all-recoveries': '/api/ack-all-recoveries?comment=x',
  '/api/disable-global-recoveries': '/api/disable-global-recoveries',
  '/api/enable-global-recoveries': '/api/enable-global-recoveries',
  '/api/relocate/{host}/{port}/{belowHost}/{belowPort}': '/api/relocate/db3/3306/db2/3306',
  '/api/relocate-replicas/{host}/{port}/{belowHost}/{belowPort}': '/api/relocate-replicas/db1/3306/db2/3306',
  '/api/move-up/{host}/{port}': '/api/move-up/db3/3306',
  '/api/set-read-only/{host}/{port}': '/api/set-read-only/db3/3306',
  '/api/set-writeable/{host}/{port}': '/api/set-writeable/db3/3306?force=true',
  '/api/begin-maintenance/{host}/{port}/{owner}/{reason}': '/api/begin-maintenance/db3/3306/ops/rebuild',
  '/api/end-maintenance/{host}/{port}': '/api/end-maintenance/db3/3306',
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

test('a state-changing request a browser marks cross-site is refused (403) even with the token; same-origin and non-browser ones pass', async (t) => {
  const h = await harness(t);
  for (const url of Object.values(mutating)) {
    const r = await h.get(url, { headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(r.status, 403, url);
    assert.match(r.body.Message as string, /another site/);
  }
  assert.deepEqual(h.commands.published, []);
  assert.equal((await h.post('/api/disable-global-recoveries', { headers: { 'sec-fetch-site': 'same-origin' } })).status, 200);
  assert.equal((await h.get('/api/clusters', { headers: { 'sec-fetch-site': 'cross-site' } })).status, 200, 'reads still answer');
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

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

test('HTTP basic auth (orchestrator-client: ORCHESTRATOR_AUTH_USER / ORCHESTRATOR_AUTH_PASSWORD) is accepted when its password is the token; the user is recorded as requestedBy', async (t) => {
  const h = await harness(t);
  const r = await h.get('/api/begin-downtime/db3/3306/ops/kernel', { token: null, headers: basic('dba.alice', TOKEN) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.Code, 'OK');
  assert.equal(h.commands.published.at(-1)?.command.requestedBy, 'api:dba.alice');
  // the basic-auth user wins over X-Baton-User; a password may hold ':'; POST as well as GET
  const colon = await harness(t, { token: `${TOKEN}:x` });
  const p = await colon.post('/api/end-downtime/db3/3306', { token: null, headers: { ...basic('bob', `${TOKEN}:x`), 'x-baton-user': 'mallory' } });
  assert.equal(p.status, 200, p.text);
  assert.equal(colon.commands.published.at(-1)?.command.requestedBy, 'api:bob');
  // a user name outside the safe set is not recorded
  await h.get('/api/end-downtime/db3/3306', { token: null, headers: basic('x y', TOKEN) });
  assert.equal(h.commands.published.at(-1)?.command.requestedBy, 'api:anonymous');
});

test('every token form on a state-changing route: Bearer, X-Baton-Token and basic auth pass; a wrong one is a 401 in the envelope', async (t) => {
  const h = await harness(t);
  const forms: Array<[string, Record<string, string>, number, string | null]> = [
    ['bearer', { authorization: `Bearer ${TOKEN}` }, 200, 'api:anonymous'],
    ['bearer + X-Baton-User', { authorization: `bearer ${TOKEN}`, 'x-baton-user': 'carol' }, 200, 'api:carol'],
    ['X-Baton-Token', { 'x-baton-token': TOKEN }, 200, 'api:anonymous'],
    ['basic', basic('dave', TOKEN), 200, 'api:dave'],
    ['basic, empty user', basic('', TOKEN), 200, 'api:anonymous'],
    ['basic, wrong password', basic('dave', 'wrong-token-0123456789'), 401, null],
    ['basic, the token as the user', basic(TOKEN, ''), 401, null],
    ['basic, password prefix of the token', basic('dave', TOKEN.slice(0, -1)), 401, null],
    ['basic, no colon', { authorization: `Basic ${Buffer.from(TOKEN).toString('base64')}` }, 401, null],
    ['basic, not base64', { authorization: 'Basic !!!' }, 401, null],
    ['bearer, wrong', { authorization: 'Bearer nope' }, 401, null],
  ];
  for (const [name, headers, status, requestedBy] of forms) {
    const before = h.commands.published.length;
    for (const method of ['GET', 'POST'] as const) {
      const r = method === 'GET' ? await h.get('/api/disable-global-recoveries', { token: null, headers }) : await h.post('/api/enable-global-recoveries', { token: null, headers });
      assert.equal(r.status, status, `${method} ${name}: ${r.text}`);
      assert.deepEqual(Object.keys(r.body), ['Code', 'Message', 'Details'], name);
      if (status === 401) {
        assert.equal(r.body.Code, 'ERROR');
        assert.equal(r.body.Message, 'Unauthorized: wrong api token', name);
        assert.ok(!r.text.includes(TOKEN.slice(0, 8)), `${name}: the answer does not echo the credentials`);
      } else {
        assert.equal(h.commands.published.at(-1)?.command.requestedBy, requestedBy, name);
      }
    }
    if (status === 401) assert.equal(h.commands.published.length, before, `${name} published nothing`);
  }
  const none = await h.get('/api/disable-global-recoveries', { token: null });
  assert.match(none.body.Message as string, /Bearer <token>, X-Baton-Token, or the password of HTTP basic auth/);
});

test('without the token, basic auth with a wrong password is refused (401) on every state-changing route', async (t) => {
  const h = await harness(t);
  for (const url of Object.values(mutating)) {
    const r = await h.get(url, { token: null, headers: basic('dba', `${TOKEN}x`) });
    assert.equal(r.status, 401, url);
    assert.equal(r.body.Code, 'ERROR');
  }
  assert.deepEqual(h.commands.published, []);
});

test('neither the token nor a basic-auth password reaches the log', async (t) => {
  const lines: string[] = [];
  const logger = createLogger({ service: 'api-test', level: 'trace', destination: { write: (line: string) => void lines.push(line) } });
  const h = await harness(t, {}, undefined, { logger });
  const wrong = 'wrong-password-0123456789';
  await h.get('/api/disable-global-recoveries', { token: null, headers: basic('dba', TOKEN) });
  await h.get('/api/disable-global-recoveries', { token: null, headers: basic('dba', wrong) });
  await h.get('/api/disable-global-recoveries', { token: wrong });
  h.state.down = true; // a 503 that the api logs, with the credentials on the request
  const down = await h.get('/api/check-global-recoveries', { token: null, headers: basic('dba', TOKEN) });
  assert.equal(down.status, 503);
  await h.get('/api/health', { headers: { 'x-baton-token': TOKEN } });
  assert.ok(lines.length > 0, 'the api logged something');
  const log = lines.join('');
  for (const secret of [TOKEN, wrong, Buffer.from(`dba:${TOKEN}`).toString('base64'), Buffer.from(`dba:${wrong}`).toString('base64')]) {
    assert.ok(!log.includes(secret), `the log holds ${secret}`);
  }
});
