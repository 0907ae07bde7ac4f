import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Limiter } from '../src/limiter.ts';

test('at most max slots; a release passes the slot to the next waiter', async () => {
  const limiter = new Limiter(2);
  const r1 = await limiter.acquire();
  const r2 = await limiter.acquire();
  let third = false;
  const waiting = limiter.acquire().then((r) => {
    third = true;
    return r;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(third, false);
  assert.equal(limiter.waiting, 1);
  r1();
  r1(); // idempotent
  const r3 = await waiting;
  assert.equal(limiter.active, 2);
  r2();
  r3();
  assert.equal(limiter.active, 0);
});

test('a waiter whose signal aborts leaves the queue without a slot', async () => {
  const limiter = new Limiter(1);
  const release = await limiter.acquire();
  const controller = new AbortController();
  const waiting = limiter.acquire(controller.signal);
  controller.abort(new Error('deadline'));
  await assert.rejects(waiting, /deadline/);
  assert.equal(limiter.waiting, 0);
  release();
  assert.equal(limiter.active, 0);
  await assert.rejects(limiter.acquire(AbortSignal.abort(new Error('already'))), /already/);
  assert.throws(() => new Limiter(0), RangeError);
});
