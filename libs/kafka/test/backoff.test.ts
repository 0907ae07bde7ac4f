import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, sleep } from '../src/index.ts';

const opts = { baseMs: 100, capMs: 1000 };

test('the delay doubles per attempt between half and all of base * 2^(n-1)', () => {
  const expected = [100, 200, 400, 800];
  expected.forEach((ceiling, i) => {
    assert.equal(backoffDelay(i + 1, opts, () => 0), ceiling / 2, `low end of attempt ${i + 1}`);
    assert.equal(backoffDelay(i + 1, opts, () => 0.999999), ceiling, `high end of attempt ${i + 1}`);
  });
});

test('the delay never exceeds the cap, even for huge attempt numbers', () => {
  for (const attempt of [5, 6, 10, 100, 2000]) {
    const high = backoffDelay(attempt, opts, () => 0.999999);
    assert.equal(high, 1000);
    assert.equal(backoffDelay(attempt, opts, () => 0), 500);
  }
});

test('jitter stays within [ceiling/2, ceiling] for random draws', () => {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let attempt = 1; attempt <= 8; attempt++) {
    const ceiling = Math.min(1000, 100 * 2 ** (attempt - 1));
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(attempt, opts, random);
      assert.ok(d >= ceiling / 2 && d <= ceiling, `attempt ${attempt}: ${d}`);
    }
  }
});

test('a zero base gives no delay; bad attempt numbers are refused', () => {
  assert.equal(backoffDelay(3, { baseMs: 0, capMs: 1000 }, () => 0.5), 0);
  assert.throws(() => backoffDelay(0, opts), RangeError);
  assert.throws(() => backoffDelay(1.5, opts), RangeError);
});

test('sleep rejects with the reason as soon as its signal aborts', async () => {
  const controller = new AbortController();
  const reason = new Error('stop');
  const pending = sleep(60_000, controller.signal);
  controller.abort(reason);
  await assert.rejects(pending, (e) => e === reason);
  await assert.rejects(sleep(1, controller.signal), (e) => e === reason);
  await sleep(1);
});
