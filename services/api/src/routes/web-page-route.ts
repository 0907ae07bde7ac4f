/**
 * The web page (services/api/web/, nothing to build): `<urlPrefix>/` answers index.html,
 * `<urlPrefix>/web/<file>` its script, pure logic and style, `<urlPrefix>/web/vendor/<file>` preact
 * and htm as their packages ship them (node_modules, resolved like any import). A fixed table of
 * files read once at start: no path from a request reaches the file system. The page reads the read
 * routes and sends the token the user typed with the state-changing ones; it is outside the OpenAPI
 * document. Its Content-Security-Policy allows scripts from the api only, plus the page's import map
 * by its hash.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { ApiSettings } from '../settings.ts';

const webDir = fileURLToPath(new URL('../../web/', import.meta.url));
const requireHere = createRequire(import.meta.url);

const javascript = 'text/javascript; charset=utf-8';

interface Asset {
  type: string;
  body: string;
}

/** The vendored modules: the name the page imports → the file its package ships. */
function vendorFiles(): Record<string, { specifier: string; path: string }> {
  return {
    'preact.mjs': { specifier: 'preact', path: requireHere.resolve('preact') },
    'hooks.mjs': { specifier: 'preact/hooks', path: requireHere.resolve('preact/hooks') },
    'htm.mjs': { specifier: 'htm', path: join(dirname(requireHere.resolve('htm')), 'htm.mjs') }, // htm's require entry is dist/htm.js; its ES module is beside it
  };
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** index.html with the prefix and the import map filled in, and the CSP that admits that import map. */
export function renderIndex(template: string, urlPrefix: string, imports: Record<string, string>): { html: string; csp: string } {
  const importMap = JSON.stringify({ imports }).replace(/</g, '\\u003c');
  const html = template.replaceAll('{{BASE}}', escapeHtml(urlPrefix)).replace('{{IMPORT_MAP}}', () => importMap);
  const hash = createHash('sha256').update(importMap).digest('base64');
  const csp = [
    "default-src 'none'",
    `script-src 'self' 'sha256-${hash}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}

export async function registerWebPage(app: FastifyInstance, settings: Pick<ApiSettings, 'urlPrefix'>): Promise<void> {
  const prefix = settings.urlPrefix;
  const vendor = vendorFiles();
  const imports = Object.fromEntries(Object.entries(vendor).map(([name, v]) => [v.specifier, `${prefix}/web/vendor/${name}`]));
  const index = renderIndex(await readFile(join(webDir, 'index.html'), 'utf8'), prefix, imports);

  const assets = new Map<string, Asset>();
  for (const [name, type] of [['app.js', javascript], ['format.js', javascript], ['style.css', 'text/css; charset=utf-8']] as const) {
    assets.set(`web/${name}`, { type, body: await readFile(join(webDir, name), 'utf8') });
  }
  for (const [name, v] of Object.entries(vendor)) assets.set(`web/vendor/${name}`, { type: javascript, body: await readFile(v.path, 'utf8') });

  const common = { 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' };
  app.get(`${prefix}/`, { schema: { hide: true } }, async (_request, reply) =>
    reply.headers({ ...common, 'content-security-policy': index.csp, 'referrer-policy': 'no-referrer' }).type('text/html; charset=utf-8').send(index.html),
  );
  for (const [path, asset] of assets) {
    app.get(`${prefix}/${path}`, { schema: { hide: true } }, async (_request, reply) => reply.headers(common).type(asset.type).send(asset.body));
  }
}
