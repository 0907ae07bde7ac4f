import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { LeaseNotAcquiredError } from '@baton/errors';
import { silentLogger } from '@baton/logging';
import { waitFor } from '@baton/testing';
import { LeaseManager, scripts, type Lease } from '../src/index.ts';
import { eventually, redisFixture } from './helpers.ts';

const managers = (fixture: Awaited<ReturnType<typeof redisFixture>>) => [
  new LeaseManager({ ...fixture, logger: silentLogger(), owner: 'executor-a' }),
  new LeaseManager({ ...fixture, logger: silentLogger(), owner: 'executor-b' }),
] as const;

// The lease survives any stall shorter than ttl − renewal interval (less a round trip): 300 ms
// is well inside, and so is a slow machine's own hiccup.
const ttlMs = 1000;
const renewEveryMs = 200;
// Renewals are at least renewEveryMs apart (an interval never fires early, nor twice to catch
// up after a stall): this many span more than a TTL.
const renewalsPastTtl = Math.ceil(ttlMs / renewEveryMs) + 1;

/** Holds the thread: no timer and no socket read runs meanwhile. */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy on purpose
  }
}

async function lostReason(lease: Lease): Promise<unknown> {
  await waitFor(() => lease.lost.aborted, { description: 'the lease lost', timeoutMs: 10_000 });
  return lease.lost.reason;
}

interface Seen {
  args: string[];
  source: string;
}

/**
 * What the server receives from one client, seen through MONITOR on a connection of its own.
 * `mark()` sends a PING with a unique marker from that client and waits until the monitor saw it:
 * everything the client sent before is in `seen` then, and the marker tells the client's address
 * among the other tests' traffic. It returns the marker's index.
 */
async function serverView(t: TestContext, redis: Redis) {
  const monitor = await redis.monitor();
  t.after(() => monitor.disconnect());
  const seen: Seen[] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => void seen.push({ args, source }));
  let client = '';
  const mark = async (): Promise<number> => {
    const marker = `lease-test-${randomUUID()}`;
    await redis.ping(marker);
    const at = await waitFor(() => seen.findIndex((c) => c.args[0]?.toLowerCase() === 'ping' && c.args[1] === marker) + 1, { description: 'the marker seen by MONITOR', timeoutMs: 10_000 });
    client = seen[at - 1]!.source;
    return at - 1;
  };
  /** The client's commands after marker `from` (and before marker `to`). */
  const sent = (from: number, to = seen.length): Seen[] => seen.slice(from + 1, to).filter((c) => c.source === client);
  const renewals = (lease: Lease, from: number): Seen[] =>
    sent(from).filter((c) => c.args[0]?.toLowerCase() === 'evalsha' && c.args[1] === scripts.renewLock.sha && c.args[4] === `${lease.token}|${lease.owner}`);
  /** Waits for `count` renewals of `lease` sent after marker `from` (one EVALSHA each, even when it falls back to EVAL), or its loss. */
  const waitForRenewals = (lease: Lease, from: number, count: number): Promise<unknown> =>
    waitFor(() => lease.lost.aborted || renewals(lease, from).length >= count, { description: `${count} renewals`, timeoutMs: 10_000 + count * renewEveryMs });
  return { mark, sent, waitForRenewals };
}

test('acquire, renew, release; a second owner is refused while held; fencing tokens increase', async (t) => {
  const fixture = await redisFixture(t);
  const [a, b] = managers(fixture);
  const first = await a.acquire('c1', 10_000);
  assert.equal(first.owner, 'executor-a');
  assert.ok(first.token >= 1);

  assert.equal(await b.tryAcquire('c1', 10_000), null);
  await assert.rejects(b.acquire('c1', 10_000), (e: unknown) => {
    assert.ok(e instanceof LeaseNotAcquiredError);
    assert.equal((e as unknown as { holder: string }).holder, 'executor-a');
    assert.equal(e.retryable, true);
    return true;
  });
  assert.deepEqual(await a.holder('c1').then((h) => h && { owner: h.owner, token: h.token }), { owner: 'executor-a', token: first.token });

  assert.equal(await first.renew(), true);
  assert.equal(await first.release(), true);
  assert.equal(await first.release(), true, 'release is idempotent');
  assert.equal(await first.renew(), false, 'a released lease cannot be renewed');
  assert.equal(first.lost.aborted, false, 'release is not loss');

  const second = await b.acquire('c1', 10_000);
  assert.ok(second.token > first.token, `${second.token} > ${first.token}`);
  const third = await a.tryAcquire('c2', 10_000);
  assert.ok(third, 'another cluster is independent');
  await second.release();
  await third.release();
  assert.equal(await a.holder('c1'), null);
});

test('a stale holder can neither renew nor release the new holder\'s lock, and learns it lost', async (t) => {
  const fixture = await redisFixture(t);
  const [a, b] = managers(fixture);
  const stale = await a.acquire('c1', 150);
  await eventually(async () => (await b.tryAcquire('c1', 10_000).then((l) => l !== null)), 10_000, 'b acquires after expiry');
  const current = await b.holder('c1');
  assert.equal(current?.owner, 'executor-b');
  assert.ok((current?.token ?? 0) > stale.token);
  assert.equal(await stale.renew(), false);
  assert.equal(stale.lost.aborted, true);
  assert.equal(await stale.release(), false);
  assert.equal((await b.holder('c1'))?.owner, 'executor-b', 'the new holder keeps the lock');
});

test('an expired lease aborts its lost signal without any Redis call', async (t) => {
  const fixture = await redisFixture(t);
  const server = await serverView(t, fixture.redis);
  const [a] = managers(fixture);
  const lease = await a.acquire('c1', 120);
  // sent before the expiry timer can run: whatever the lease sends when it expires comes after
  const from = await server.mark();
  assert.equal(await lostReason(lease), 'expired');
  const to = await server.mark();
  assert.deepEqual(server.sent(from, to), [], 'no command between the acquisition and the loss');
});

test('autoRenew keeps the lease past its TTL; stopping it lets the lock expire', async (t) => {
  const fixture = await redisFixture(t);
  const server = await serverView(t, fixture.redis);
  const [a, b] = managers(fixture);
  const lease = await a.acquire('c1', ttlMs);
  const from = await server.mark();
  const stop = lease.autoRenew(renewEveryMs);
  await server.waitForRenewals(lease, from, renewalsPastTtl);
  assert.equal(lease.lost.aborted, false);
  assert.equal(await b.tryAcquire('c1', 1000), null, 'still held past its TTL');
  stop();
  assert.equal(await lostReason(lease), 'expired');
  await eventually(async () => (await b.tryAcquire('c1', 1000)) !== null, 10_000, 'b acquires once renewals stop');
});

test('a 300 ms event-loop stall inside the contract keeps the lease; one longer than the TTL loses it', async (t) => {
  const fixture = await redisFixture(t);
  const server = await serverView(t, fixture.redis);
  const [a, b] = managers(fixture);

  const held = await a.acquire('c1', ttlMs);
  const start = await server.mark();
  held.autoRenew(renewEveryMs);
  await server.waitForRenewals(held, start, 1);
  stall(300);
  const resumed = await server.mark();
  // renewals sent after the stall for longer than a TTL: had none of them been confirmed, the
  // expiry armed before the stall would have fired by now
  await server.waitForRenewals(held, resumed, renewalsPastTtl);
  assert.equal(held.lost.aborted, false);
  assert.equal(await b.tryAcquire('c1', ttlMs), null, 'still held after the stall');
  assert.equal((await a.holder('c1'))?.token, held.token);
  assert.equal(await held.release(), true);

  // no renewal can be confirmed before a 200 ms TTL runs out: lost, and Redis let it go too
  const short = await a.acquire('c2', 200);
  short.autoRenew();
  stall(300);
  assert.equal(await lostReason(short), 'expired');
  await eventually(async () => (await b.tryAcquire('c2', 10_000)) !== null, 10_000, 'b acquires the expired lock');
  assert.equal(await short.release(), false);
});

test('autoRenew notices a takeover and aborts lost with "taken"', async (t) => {
  const fixture = await redisFixture(t);
  const [a, b] = managers(fixture);
  // a TTL no stall outlasts: the loss must come from the takeover
  const lease = await a.acquire('c1', 10_000);
  lease.autoRenew(50);
  await fixture.redis.del(fixture.keys.recoveryLock('c1'));
  const other = await b.acquire('c1', 10_000);
  await eventually(() => lease.lost.aborted, 10_000, 'lost aborts');
  assert.equal(lease.lost.reason, 'taken');
  assert.equal(await lease.release(), false);
  assert.equal((await b.holder('c1'))?.token, other.token);
  await other.release();
});
