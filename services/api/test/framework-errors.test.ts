/**
 * Every status fastify (or Node's HTTP parser) answers by itself comes in Baton's envelope
 * ({Code: "ERROR", Message, Details}, JSON), not fastify's {error, code, message, statusCode}:
 * table-driven through inject for what the router and the request pipeline produce, and over a
 * real socket for what Node's parser refuses before fastify sees a request (inject cannot reach it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { InjectOptions } from 'fastify';
import { harness, TOKEN } from './harness.ts';

const bearer = { authorization: `Bearer ${TOKEN}` };
/** A POST with a body of that content type to a state-changing route (the token sent). */
const postBody = (contentType: string, payload: string): InjectOptions => ({ method: 'POST', url: '/api/disable-global-recoveries', headers: { ...bearer, 'content-type': contentType }, payload });

interface Case {
  name: string;
  request: InjectOptions;
  status: number;
  message: RegExp;
  details?: unknown;
}

const cases: Case[] = [
  { name: 'unknown route', request: { method: 'GET', url: '/api/no-such-route' }, status: 404, message: /^no such route: GET \/api\/no-such-route$/ },
  { name: 'unknown route under no prefix', request: { method: 'GET', url: '/nothing/here?x=1' }, status: 404, message: /^no such route: GET \/nothing\/here$/ },
  // fastify produces no 405: a method a route does not have is an unknown route
  { name: 'POST to a GET-only route (no 405 in fastify)', request: { method: 'POST', url: '/api/clusters' }, status: 404, message: /^no such route: POST \/api\/clusters$/ },
  { name: 'DELETE to a route', request: { method: 'DELETE', url: '/api/disable-global-recoveries' }, status: 404, message: /^no such route: DELETE/ },
  {
    name: 'unknown route with a 5,000-character path (echoed cut short)',
    request: { method: 'GET', url: `/api/nope/${'x'.repeat(5000)}` },
    status: 404,
    message: /^no such route: GET \/api\/nope\/x+… \(5010 characters\)$/,
  },
  {
    name: '5,000-character path parameter',
    request: { method: 'GET', url: `/api/cluster/${'x'.repeat(5000)}` },
    status: 414,
    message: /^URI too long: a path parameter exceeds 1024 characters in \/api\/cluster\/x+… \(5013 characters\)$/,
    details: { code: 'FST_ERR_MAX_PARAM_LENGTH' },
  },
  {
    name: '5,000-character instance host',
    request: { method: 'GET', url: `/api/instance/${'h'.repeat(5000)}/3306` },
    status: 414,
    message: /^URI too long/,
    details: { code: 'FST_ERR_MAX_PARAM_LENGTH' },
  },
  {
    name: 'a long but legal-length parameter reaches validation',
    request: { method: 'GET', url: `/api/cluster/${'x'.repeat(300)}` },
    status: 400,
    message: /^bad parameter clusterHint: must NOT have more than 255 characters$/,
    details: { field: 'clusterHint', in: 'params' },
  },
  { name: 'bad percent-encoding', request: { method: 'GET', url: '/api/cluster/%E0%A4%A' }, status: 400, message: /^bad URL: \/api\/cluster\/%E0%A4%A is not valid percent-encoding$/, details: { code: 'FST_ERR_BAD_URL' } },
  { name: 'parameter validation', request: { method: 'GET', url: '/api/instance/db1/70000' }, status: 400, message: /^bad parameter port: /, details: { field: 'port', in: 'params' } },
  { name: 'querystring validation', request: { method: 'GET', url: '/api/audit-recovery?unacknowledged=maybe' }, status: 400, message: /^bad parameter unacknowledged: /, details: { field: 'unacknowledged', in: 'querystring' } },
  {
    name: 'invalid JSON body',
    request: postBody('application/json', '{"comment": '),
    status: 400,
    message: /not valid JSON/,
    details: { code: 'FST_ERR_CTP_INVALID_JSON_BODY' },
  },
  {
    name: 'empty JSON body',
    request: postBody('application/json', ''),
    status: 400,
    message: /cannot be empty/,
    details: { code: 'FST_ERR_CTP_EMPTY_JSON_BODY' },
  },
  {
    name: 'body too large',
    request: postBody('application/json', JSON.stringify({ pad: 'x'.repeat(1_100_000) })),
    status: 413,
    message: /too large/,
    details: { code: 'FST_ERR_CTP_BODY_TOO_LARGE' },
  },
  {
    name: 'unsupported content type',
    request: postBody('application/xml', '<x/>'),
    status: 415,
    message: /Unsupported Media Type/,
    details: { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' },
  },
];

test('every status fastify produces is answered in the envelope', async (t) => {
  const h = await harness(t);
  for (const c of cases) {
    const res = await h.app.inject(c.request);
    assert.equal(res.statusCode, c.status, c.name);
    assert.match(String(res.headers['content-type']), /^application\/json/, c.name);
    const body = res.json() as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['Code', 'Message', 'Details'], `${c.name}: ${res.body.slice(0, 200)}`);
    assert.equal(body['Code'], 'ERROR', c.name);
    assert.match(body['Message'] as string, c.message, c.name);
    if (c.details !== undefined) assert.deepEqual(body['Details'], c.details, c.name);
  }
  assert.deepEqual(h.commands.published, [], 'nothing refused was published');
});

/** Sends raw bytes to the listening api and reads the whole answer (the server closes the socket). */
async function raw(port: number, request: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body });
    });
  });
}

test("what Node's HTTP parser refuses (431 URL too long, 400 malformed request) is answered in the envelope too", async (t) => {
  const h = await harness(t);
  const address = await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = Number(new URL(address).port);
  for (const [request, status, message] of [
    [`GET /api/cluster/${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431, /^Request header fields too large/],
    ['GARBAGE\r\n\r\n', 400, /^Bad request: the HTTP request could not be parsed$/],
  ] as const) {
    const res = await raw(port, request);
    assert.equal(res.status, status, request.slice(0, 30));
    assert.match(res.headers, /content-type: application\/json/i);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    assert.equal(body['Code'], 'ERROR');
    assert.match(body['Message'] as string, message);
  }
});
