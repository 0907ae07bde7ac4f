/**
 * The web page's routes (web-page-route.ts) on the api built on fakes: index.html at `<urlPrefix>/`
 * with the prefix filled in and a CSP whose hash admits exactly its import map, the page's files
 * and preact/htm from node_modules, nothing else, and none of it in the OpenAPI document.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { harness } from './harness.ts';
import { renderIndex } from '../src/routes/web-page-route.ts';

test('the page at / with its files; the api routes unchanged beside it', async (t) => {
  const h = await harness(t);
  const page = await h.app.inject({ url: '/' });
  assert.equal(page.statusCode, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.match(page.body, /<meta name="baton-base" content="" \/>/);
  assert.match(page.body, /src="\/web\/app\.js"/);
  const map = /<script type="importmap">(.*?)<\/script>/s.exec(page.body)?.[1] ?? '';
  assert.deepEqual(JSON.parse(map), { imports: { preact: '/web/vendor/preact.mjs', 'preact/hooks': '/web/vendor/hooks.mjs', htm: '/web/vendor/htm.mjs' } });
  const csp = String(page.headers['content-security-policy']);
  assert.ok(csp.includes(`'sha256-${createHash('sha256').update(map).digest('base64')}'`), csp);
  assert.match(csp, /frame-ancestors 'none'/);

  for (const [path, text] of [['/web/app.js', 'preact/hooks'], ['/web/format.js', 'export function whyBlocked'], ['/web/style.css', '.tree'], ['/web/vendor/preact.mjs', 'export'], ['/web/vendor/hooks.mjs', 'from"preact"'], ['/web/vendor/htm.mjs', 'export']] as const) {
    const res = await h.app.inject({ url: path });
    assert.equal(res.statusCode, 200, path);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', path);
    assert.ok(res.body.includes(text), `${path} holds ${text}`);
  }
  assert.match(String((await h.app.inject({ url: '/web/app.js' })).headers['content-type']), /^text\/javascript/);
  for (const path of ['/web/format.d.ts', '/web/../package.json', '/web/vendor/preact.mjs.map', '/web/']) {
    assert.equal((await h.app.inject({ url: path })).statusCode, 404, path);
  }
  assert.equal((await h.get('/api/check-global-recoveries')).status, 200);
  const openapi = (await h.app.inject({ url: '/api/openapi.json' })).json() as { paths: Record<string, unknown> };
  assert.ok(!Object.keys(openapi.paths).some((p) => p === '/' || p.startsWith('/web')), 'the page is not an api route');
});

test('under api.urlPrefix the page and its files move with the api', async (t) => {
  const h = await harness(t, { urlPrefix: '/baton' });
  for (const url of ['/baton', '/baton/']) {
    const page = await h.app.inject({ url });
    assert.equal(page.statusCode, 200, url);
    assert.match(page.body, /content="\/baton"/);
    assert.match(page.body, /src="\/baton\/web\/app\.js"/);
    assert.match(page.body, /"preact":"\/baton\/web\/vendor\/preact\.mjs"/);
  }
  assert.equal((await h.app.inject({ url: '/baton/web/format.js' })).statusCode, 200);
  assert.equal((await h.app.inject({ url: '/' })).statusCode, 404);
});

test('renderIndex escapes what it fills in', () => {
  const { html, csp } = renderIndex('<a href="{{BASE}}/x"></a><script type="importmap">{{IMPORT_MAP}}</script>', '/a"b', { x: '/</script>' });
  assert.match(html, /href="\/a&#34;b\/x"/);
  assert.ok(!html.includes('/</script>"'), html);
  assert.match(csp, /script-src 'self' 'sha256-/);
});
