/**
 * A request id runs its hooks once: the same request published twice (two envelopes, one request
 * id) runs the hook once, and both deliveries are answered — the second with the stored result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvelope, topics } from '@baton/contracts';
import { startRunnerFixture } from './support.ts';

test('a duplicated request runs once and both requests get a result', async (t) => {
  const fx = await startRunnerFixture({
    recovery: (dir) => ({ OnFailureDetectionProcesses: [`echo "ran {failedHost}" >> ${dir}/runs.log`] }),
  });
  t.after(() => fx.teardown());

  const request = await fx.send('OnFailureDetectionProcesses', { failedHost: 'db1' }, { failOnError: true });
  // the same request again, as a new message (a producer retry, a re-sent command)
  await fx.publisher.publish(topics.hookRequests, request.clusterId, createEnvelope('hook-request', request, { producer: 'hook-runner-test' }));

  const results = await fx.results(request.requestId, 2);
  assert.equal(results.length, 2);
  assert.deepEqual(results.map((r) => r.ok), [true, true]);
  assert.deepEqual(results.map((r) => r.replayed ?? false), [false, true]);
  assert.deepEqual(results[1]?.runs, results[0]?.runs, 'the repeat carries the first run\'s result');
  assert.equal(fx.read('runs.log'), 'ran db1\n', 'the hook ran once');
  assert.deepEqual(fx.runner.handler.stats(), { ran: 1, replayed: 1, lost: 0 });

  // later still (another runner, a day's TTL): answered from Redis, not run
  await fx.publisher.publish(topics.hookRequests, request.clusterId, createEnvelope('hook-request', request, { producer: 'hook-runner-test' }));
  const third = await fx.results(request.requestId, 3);
  assert.equal(third[2]?.replayed, true);
  assert.equal(fx.read('runs.log'), 'ran db1\n');
});
