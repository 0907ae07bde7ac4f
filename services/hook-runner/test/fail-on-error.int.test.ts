/**
 * Orchestrator's list semantics: entries run in list order; with failOnError (PreFailover) the
 * first failure stops the list and fails the result with the hook's exit code and output; without
 * it (the Post* lists) every entry runs and a failure is only reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookKindFailsOnError } from '@baton/contracts';
import { startRunnerFixture } from './support.ts';

test('a failing PreFailover hook fails the result with its exit code and output; later entries do not run', async (t) => {
  const list = (dir: string): unknown[] => [
    `echo first >> ${dir}/order.log`,
    `echo second >> ${dir}/order.log; echo 'about to fail for {failedHost}'; echo oops >&2; exit 7`,
    `echo third >> ${dir}/order.log`,
    ['/nonexistent/program', '--flag'],
  ];
  const fx = await startRunnerFixture({ recovery: (dir) => ({ PreFailoverProcesses: list(dir), PostFailoverProcesses: list(dir) }) });
  t.after(() => fx.teardown());
  const log = join(fx.dir, 'order.log');

  assert.equal(hookKindFailsOnError.PreFailoverProcesses, true);
  const pre = await fx.send('PreFailoverProcesses', { failedHost: 'db1' }, { failOnError: hookKindFailsOnError.PreFailoverProcesses });
  const [result] = await fx.results(pre.requestId);
  assert.ok(result);
  assert.equal(result.ok, false);
  assert.deepEqual(result.runs.map((r) => r.status), ['succeeded', 'failed', 'skipped', 'skipped']);
  const failed = result.runs[1];
  assert.equal(failed?.exitCode, 7);
  assert.equal(failed?.output, 'about to fail for db1\noops\n');
  assert.equal(failed?.name, 'PreFailoverProcesses[1]');
  assert.match(result.error ?? '', /PreFailoverProcesses\[1\] failed: exit code 7; 2 later hook\(s\) skipped/);
  assert.deepEqual(result.runs.slice(2).map((r) => r.attempts), [0, 0]);
  assert.equal(readFileSync(log, 'utf8'), 'first\nsecond\n', 'entries ran in list order and stopped at the failure');

  assert.equal(hookKindFailsOnError.PostFailoverProcesses, false);
  const post = await fx.send('PostFailoverProcesses', { failedHost: 'db1' }, { failOnError: hookKindFailsOnError.PostFailoverProcesses });
  const [after] = await fx.results(post.requestId);
  assert.ok(after);
  assert.equal(after.ok, false, 'a failure is still reported');
  assert.deepEqual(after.runs.map((r) => r.status), ['succeeded', 'failed', 'succeeded', 'failed']);
  assert.match(after.runs[3]?.error ?? '', /could not start: .*ENOENT/);
  assert.equal(readFileSync(log, 'utf8'), 'first\nsecond\nfirst\nsecond\nthird\n');
  assert.equal(existsSync(log), true);
});
