/**
 * W2: every run has a deadline. A hook that outlives it is killed with everything it started
 * (its process group), and reported timed-out; an async (`&`) hook is not waited for but is still
 * killed at its own deadline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@baton/testing';
import { isRunning, startRunnerFixture } from './support.ts';

test('a hook past its deadline is killed with its children and reported timed-out; an & hook is only started', async (t) => {
  const fx = await startRunnerFixture({
    hooks: { killGracePeriodMs: 500, defaultTimeoutMs: 15_000 },
    recovery: (dir) => ({
      PreGracefulTakeoverProcesses: [
        {
          name: 'hangs',
          // the hook starts a child, records its pid, then hangs itself
          run: `sleep 600 & echo $! > ${dir}/child.pid; echo "hook running"; sleep 600`,
          timeoutMs: 1500,
        },
        `touch ${dir}/after-timeout`,
      ],
      PostMasterFailoverProcesses: [
        // orchestrator's async form: a trailing " &"; its deadline is hooks.defaultTimeoutMs (15 s here)
        `echo $$ > ${dir}/async.pid; sleep 600; touch ${dir}/async-finished &`,
        `echo $$ > ${dir}/sync-after-async.pid`,
      ],
    }),
  });
  t.after(() => fx.teardown());

  await t.test('timed out: the hook and its child are gone, later entries skipped', async () => {
    const request = await fx.send('PreGracefulTakeoverProcesses', { failedHost: 'db1' }, { failOnError: true });
    const [result] = await fx.results(request.requestId);
    assert.ok(result);
    assert.equal(result.ok, false);
    const [hung, after] = result.runs;
    assert.equal(hung?.status, 'timed-out');
    assert.equal(hung?.exitCode, null);
    assert.ok(hung?.signal === 'SIGTERM' || hung?.signal === 'SIGKILL', String(hung?.signal));
    assert.match(hung?.output ?? '', /hook running/);
    assert.match(hung?.error ?? '', /deadline of 1500 ms/);
    assert.match(result.error ?? '', /hangs timed-out/);
    assert.equal(after?.status, 'skipped');
    assert.equal(existsSync(join(fx.dir, 'after-timeout')), false);

    const childPid = Number(fx.read('child.pid').trim());
    assert.ok(childPid > 0 && hung?.pid !== undefined);
    await waitFor(() => !isRunning(childPid) && !isRunning(hung.pid as number), { description: 'hook and its child sleep gone', timeoutMs: 10_000 });
  });

  await t.test('an & entry is started, not waited for, and still killed at its deadline', async () => {
    const request = await fx.send('PostMasterFailoverProcesses', {});
    const [result] = await fx.results(request.requestId);
    assert.ok(result);
    assert.equal(result.ok, true);
    const [asyncRun, next] = result.runs;
    assert.equal(asyncRun?.status, 'started');
    assert.equal(asyncRun?.async, true);
    assert.equal(next?.status, 'succeeded', 'the list went on without waiting');
    // the result is here while the async hook still sleeps
    const pid = await waitFor(() => (existsSync(join(fx.dir, 'async.pid')) ? Number(fx.read('async.pid').trim()) : undefined), {
      description: 'async hook pid',
    });
    assert.equal(pid, asyncRun?.pid);
    assert.equal(isRunning(pid), true, 'async hook still running after its result was published');
    assert.equal(existsSync(join(fx.dir, 'async-finished')), false);
    // its deadline (15 s) kills it, without the runner stopping
    await waitFor(() => !isRunning(pid), { description: 'async hook killed at its deadline', timeoutMs: 40_000, intervalMs: 200 });
    assert.equal(existsSync(join(fx.dir, 'async-finished')), false);
  });
});
