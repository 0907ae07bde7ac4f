import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeRequest, reasonOf, RunQueue, type PendingRun } from '../src/run-queue.ts';
import { deferred } from './fakes.ts';

test('requests made during a run coalesce into one run after it, never overlapping', async () => {
  const runs: PendingRun[] = [];
  let active = 0;
  let maxActive = 0;
  const gates = [deferred<void>(), deferred<void>()];
  const queue = new RunQueue(
    async (run) => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      runs.push(run);
      await gates[runs.length - 1]?.promise;
      active -= 1;
    },
    (error) => assert.fail(String(error)),
  );
  queue.request({ reason: 'tick' });
  await new Promise((r) => setImmediate(r));
  assert.equal(runs.length, 1);
  // a burst of broken connections and a tick while the first run is in flight
  for (let i = 0; i < 5; i++) queue.request({ reason: 'connection-broken' });
  queue.request({ reason: 'tick' });
  gates[0]?.resolve();
  await new Promise((r) => setImmediate(r));
  assert.equal(runs.length, 2, 'exactly one extra run for the whole burst');
  assert.equal(reasonOf(runs[1] as PendingRun), 'connection-broken');
  gates[1]?.resolve();
  await queue.idle();
  assert.equal(runs.length, 2);
  assert.equal(maxActive, 1);
  assert.equal(queue.runs, 2);
});

test('requests of one turn of the event loop make one run', async () => {
  const runs: PendingRun[] = [];
  const queue = new RunQueue(async (run) => void runs.push(run), () => undefined);
  queue.request({ reason: 'probe-request', instances: ['a:1'], correlationId: 'd1' });
  queue.request({ reason: 'probe-request', instances: ['b:1'] });
  await queue.idle();
  assert.equal(runs.length, 1);
  assert.deepEqual([...(runs[0]?.instances as Set<string>)].sort(), ['a:1', 'b:1']);
  assert.equal(runs[0]?.correlationId, 'd1');
});

test('merging: the whole cluster wins over a subset, the reason names the waiting requester', () => {
  let p = mergeRequest(undefined, { reason: 'probe-request', instances: ['a:1'] });
  assert.equal(reasonOf(p), 'probe-request');
  p = mergeRequest(p, { reason: 'tick' });
  assert.equal(p.instances, 'all');
  assert.equal(reasonOf(p), 'probe-request');
  assert.equal(reasonOf(mergeRequest(mergeRequest(undefined, { reason: 'tick' }), { reason: 'connection-broken' })), 'connection-broken');
  assert.equal(mergeRequest(undefined, { reason: 'probe-request', instances: [] }).instances, 'all', 'no instances named = all');
});

test('a failing run is reported and the queue keeps going; stop drops what is pending', async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const queue = new RunQueue(async () => {
    calls += 1;
    if (calls === 1) throw new Error('boom');
  }, (e) => errors.push(e));
  queue.request({ reason: 'tick' });
  await queue.idle();
  queue.request({ reason: 'tick' });
  await queue.idle();
  assert.equal(calls, 2);
  assert.equal(errors.length, 1);
  await queue.stop();
  queue.request({ reason: 'tick' });
  await queue.idle();
  assert.equal(calls, 2, 'no run after stop');
});
