import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaseNotAcquiredError } from '@baton/errors';
import { silentLogger } from '@baton/logging';
import { LeaseManager } from '../src/index.ts';
import { eventually, redisFixture } from './helpers.ts';

const managers = (fixture: Awaited<ReturnType<typeof redisFixture>>) => [
  new LeaseManager({ ...fixture, logger: silentLogger(), owner: 'executor-a' }),
  new LeaseManager({ ...fixture, logger: silentLogger(), owner: 'executor-b' }),
] as const;

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
  await eventually(async () => (await b.tryAcquire('c1', 10_000).then((l) => l !== null)), 2000, 'b acquires after expiry');
  const current = await b.holder('c1');
  assert.equal(current?.owner, 'executor-b');
  assert.ok((current?.token ?? 0) > stale.token);
  assert.equal(await stale.renew(), false);
  assert.equal(stale.lost.aborted, true);
  assert.equal(await stale.release(), false);
  assert.equal((await b.holder('c1'))?.owner, 'executor-b', 'the new holder keeps the lock');
});

test('an expired lease aborts its lost signal without any Redis call (bounded wait)', async (t) => {
  const fixture = await redisFixture(t);
  const [a] = managers(fixture);
  const lease = await a.acquire('c1', 120);
  const reason = await new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('lost did not fire within 1 s')), 1000);
    lease.lost.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(lease.lost.reason);
    });
  });
  assert.equal(reason, 'expired');
});

test('autoRenew keeps the lease past its TTL; stopping it lets the lock expire', async (t) => {
  const fixture = await redisFixture(t);
  const [a, b] = managers(fixture);
  const lease = await a.acquire('c1', 300);
  const stop = lease.autoRenew();
  await new Promise((r) => setTimeout(r, 900));
  assert.equal(lease.lost.aborted, false);
  assert.equal(await b.tryAcquire('c1', 1000), null, 'still held after 3 TTLs');
  stop();
  await eventually(async () => (await b.tryAcquire('c1', 1000)) !== null, 2000, 'b acquires once renewals stop');
  assert.equal(lease.lost.aborted, true);
});

test('autoRenew notices a takeover and aborts lost with "taken"', async (t) => {
  const fixture = await redisFixture(t);
  const [a, b] = managers(fixture);
  const lease = await a.acquire('c1', 400);
  lease.autoRenew(50);
  await fixture.redis.del(fixture.keys.recoveryLock('c1'));
  const other = await b.acquire('c1', 10_000);
  await eventually(() => lease.lost.aborted, 1000, 'lost aborts');
  assert.equal(lease.lost.reason, 'taken');
  assert.equal(await lease.release(), false);
  assert.equal((await b.holder('c1'))?.token, other.token);
  await other.release();
});
