/**
 * Orchestrator's list semantics: entries run in list order; with failOnError (PreFailover) the
 * first failure stops the list and fails the result with the hook's exit code and output; without
 * it (the Post* lists) every entry runs and a failure is only reported. Each process run also
 * carries its stdout and stderr apart (4 KiB each, what the executor audits), with the values of
 * the runner's secret variables redacted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookKindFailsOnError } from '@baton/contracts';
import { planted, startRunnerFixture } from './support.ts';

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
  assert.equal(failed?.stdout, 'about to fail for db1\n');
  assert.equal(failed?.stderr, 'oops\n');
  assert.equal(failed?.streamsTruncated, false);
  assert.equal(result.runs[0]?.stdout, '', 'the first entry printed nothing (it wrote to a file)');
  assert.equal(result.runs[2]?.stdout, undefined, 'a skipped entry has no streams');
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

test('stdout and stderr apart, each cut to 4 KiB (start and end kept), the runner\'s secret values redacted even split across writes', async (t) => {
  // the hook does not inherit the planted secret; it prints the value on its own, in two writes
  const half = planted.value.length >> 1;
  const [first, second] = [planted.value.slice(0, half), planted.value.slice(half)];
  const script = `printf 'pw=${first}'; sleep 0.05; printf '${second} done\\n'; head -c 10000 /dev/zero | tr '\\0' e >&2; echo ' err-end' >&2`;
  const fx = await startRunnerFixture({ recovery: () => ({ PostFailoverProcesses: [{ name: 'chatty', argv: ['sh', '-c', script], timeoutMs: 5000 }] }) });
  t.after(() => fx.teardown());
  const request = await fx.send('PostFailoverProcesses', {});
  const [result] = await fx.results(request.requestId);
  const run = result?.runs[0];
  assert.equal(run?.status, 'succeeded', run?.error);
  assert.equal(run?.stdout, 'pw=[redacted] done\n');
  assert.equal(run?.streamsTruncated, true, 'stderr was cut');
  assert.ok(run?.stderr?.startsWith('eee'), run?.stderr?.slice(0, 20));
  assert.ok(run?.stderr?.endsWith('ee err-end\n'), run?.stderr?.slice(-20));
  assert.match(run?.stderr ?? '', /\[\.\.\. \d+ bytes of stderr omitted \.\.\.\]/);
  assert.ok(Buffer.byteLength(run?.stderr ?? '') < 4096 + 100, `stderr bounded: ${Buffer.byteLength(run?.stderr ?? '')} bytes`);
  assert.equal(run?.outputTruncated, false, 'the combined output keeps its own, larger bound (hooks.maxOutputBytes)');
  assert.ok(!JSON.stringify(result).includes(planted.value), 'the secret is nowhere in the result');
});
