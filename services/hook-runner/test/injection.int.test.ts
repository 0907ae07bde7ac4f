/**
 * W1: a hostile cluster alias or hostname runs nothing, in a shell-string entry with
 * {placeholders} (unquoted, single- and double-quoted), in an argv entry, and through the
 * environment — and every hook still receives the exact value, byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { planted, startRunnerFixture } from './support.ts';

test('hostile values reach shell, argv and env hooks exactly, and no injected command runs', async (t) => {
  const fx = await startRunnerFixture({
    recovery: (dir) => ({
      PostFailoverProcesses: [
        // shell string with placeholders in three quoting contexts
        `printf %s {failureClusterAlias} > ${dir}/shell-alias; printf %s '{failedHost}' > ${dir}/shell-host-single; printf %s "host={failedHost}" > ${dir}/shell-host-double`,
        // argv entries: the value is one whole argument, no shell parses it
        ['bash', '-c', 'printf %s "$1" > "$0"', `${dir}/argv-host`, '{failedHost}'],
        { name: 'argv-alias', argv: ['bash', '-c', 'printf %s "$1" > "$0"', `${dir}/argv-alias`, 'alias={failureClusterAlias}'] },
        // environment variables, orchestrator's and Baton's names
        `printf %s "$ORC_FAILED_HOST" > ${dir}/env-orc-host; printf %s "$BATON_FAILED_HOST" > ${dir}/env-baton-host; printf %s "$ORC_FAILURE_CLUSTER_ALIAS" > ${dir}/env-orc-alias; printf %s "\${${planted.name}-absent}" > ${dir}/env-secret`,
      ],
    }),
  });
  t.after(() => fx.teardown());
  const marker = join(fx.dir, 'injected');
  const hostile = (what: string): string =>
    `${what}$(touch ${marker})\`touch ${marker}\`;touch ${marker};'"\n touch ${marker} # '\\''" && touch ${marker} || touch ${marker} \${IFS}$HOME`;
  const failedHost = hostile('db1');
  const failureClusterAlias = hostile('orders');

  const request = await fx.send('PostFailoverProcesses', { failedHost, failedPort: '3306', failureClusterAlias });
  const [result] = await fx.results(request.requestId);

  assert.ok(result);
  assert.equal(result.ok, true, JSON.stringify(result.runs.map((r) => [r.name, r.status, r.output, r.error])));
  assert.deepEqual(result.runs.map((r) => r.status), ['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  assert.equal(existsSync(marker), false, 'no injected command ran');
  assert.equal(fx.read('shell-alias'), failureClusterAlias);
  assert.equal(fx.read('shell-host-single'), failedHost);
  assert.equal(fx.read('shell-host-double'), `host=${failedHost}`);
  assert.equal(fx.read('argv-host'), failedHost);
  assert.equal(fx.read('argv-alias'), `alias=${failureClusterAlias}`);
  assert.equal(fx.read('env-orc-host'), failedHost);
  assert.equal(fx.read('env-baton-host'), failedHost);
  assert.equal(fx.read('env-orc-alias'), failureClusterAlias);
  assert.equal(fx.read('env-secret'), 'absent', 'secret-looking variables of the runner do not reach hooks');
});
