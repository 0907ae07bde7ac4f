import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { BatonError, ProbeAuthError, ProbeTimeoutError } from '@baton/errors';
import { connectInstance, mysqlErrorCode } from '../src/index.ts';
import { server } from './helpers.ts';

const options = { ...server, connectTimeoutMs: 1000, queryTimeoutMs: 2000 };

test('queries and statements on a persistent connection, values bound', async (t) => {
  const conn = await connectInstance(options);
  t.after(() => conn.close());
  assert.equal(conn.instance, `${server.host}:${server.port}`);
  const [row] = await conn.query('SELECT ? + 1 AS n, @@version AS version', [41]);
  assert.equal(row?.['n'], 42);
  assert.match(String(row?.['version']), /\d+\.\d+/);
  const header = await conn.exec('SET @baton_test = ?', ['x']);
  assert.equal(header.affectedRows, 0);
  await conn.close();
  assert.equal(conn.closed, true);
});

test('a query past its timeout fails with ProbeTimeoutError and closes the connection', async () => {
  const conn = await connectInstance(options);
  let closedWith: unknown = 'not closed';
  conn.onClose((e) => (closedWith = e));
  // SLEEP(2) would return a row; only the timeout makes it reject.
  await assert.rejects(conn.query('SELECT SLEEP(2)', [], { timeoutMs: 150 }), (e: unknown) => {
    assert.ok(e instanceof ProbeTimeoutError);
    assert.equal(e.retryable, true);
    return true;
  });
  assert.equal(conn.closed, true);
  assert.equal(closedWith, undefined);
});

test('a connection killed by the server reports closed through onClose', async (t) => {
  const conn = await connectInstance(options);
  const killer = await connectInstance(options);
  t.after(() => killer.close());
  const [row] = await conn.query('SELECT CONNECTION_ID() AS id');
  const closed = new Promise<void>((resolve) => conn.onClose(() => resolve()));
  await killer.exec(`KILL ${Number(row?.['id'])}`);
  await assert.rejects(conn.query('SELECT 1'), BatonError);
  await closed;
  assert.equal(conn.closed, true);
});

test('SQL errors keep errno and code but never the SQL text (which may hold a password)', async (t) => {
  const conn = await connectInstance(options);
  t.after(() => conn.close());
  await assert.rejects(conn.query("SELECT * FROM no_such_db.no_such_table WHERE secret = ?", ['hunter2']), (e: unknown) => {
    assert.ok(e instanceof BatonError);
    assert.equal(e.code, mysqlErrorCode);
    assert.equal(e.retryable, false);
    assert.equal((e as unknown as { errno: number }).errno, 1146);
    assert.doesNotMatch(JSON.stringify({ ...e, cause: { ...(e.cause as object) } }), /hunter2/);
    return true;
  });
});

test('a syntax error does not quote the statement back', async (t) => {
  const conn = await connectInstance(options);
  t.after(() => conn.close());
  await assert.rejects(conn.exec("CHANGE MASTER TO MASTER_PASSWORD = ? GARBAGE", ['hunter2']), (e: unknown) => {
    assert.ok(e instanceof BatonError);
    assert.equal((e as unknown as { errno: number }).errno, 1064);
    assert.doesNotMatch(`${e.message} ${(e.cause as Error).message} ${JSON.stringify({ ...e, cause: { ...(e.cause as object) } })}`, /hunter2/);
    return true;
  });
});

test('bad credentials fail with ProbeAuthError; a refused port with a retryable error', async () => {
  await assert.rejects(connectInstance({ ...options, user: 'baton_no_such_user', password: 'x' }), ProbeAuthError);
  await assert.rejects(connectInstance({ ...options, port: 1 }), (e: unknown) => e instanceof BatonError && e.retryable);
});

test('a server that never answers the handshake fails with ProbeTimeoutError after connectTimeoutMs', async (t) => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const port = (silent.address() as AddressInfo).port;
  // The silent server never greets nor closes: only the connect timeout ends the attempt.
  await assert.rejects(connectInstance({ ...options, host: '127.0.0.1', port, connectTimeoutMs: 200 }), ProbeTimeoutError);
});

test('a connection reset mid-query (a server killed -9 while it answers) reports closed, so the prober opens a new one', async (t) => {
  // a TCP relay to the server whose client side is reset (RST) while a query is in flight
  const relayed: Socket[] = [];
  const relay = createServer((client) => {
    const upstream = connect(server.port, server.host);
    relayed.push(client, upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of relayed) s.destroy();
    relay.close();
  });
  const port = (relay.address() as AddressInfo).port;
  const conn = await connectInstance({ ...options, host: '127.0.0.1', port, queryTimeoutMs: 5000 });
  const closed = new Promise<void>((resolve) => conn.onClose(() => resolve()));
  const running = conn.query('SELECT SLEEP(3)');
  await new Promise((resolve) => setTimeout(resolve, 200));
  (relayed[0] as Socket).resetAndDestroy();
  await assert.rejects(running, BatonError);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
  assert.equal(conn.closed, true, 'closed: a caller that checks it connects again instead of reusing a dead connection');
  await assert.rejects(conn.query('SELECT 1'), BatonError);
});
