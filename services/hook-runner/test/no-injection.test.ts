/**
 * No hook injection, end to end without Kafka: hook lists loaded by loadConfig (every accepted
 * form), normalised as the runner normalises them, run as real processes with hostile values
 * ($(…), backticks, `;`, newlines, quotes). Nothing injected runs and each hook gets the exact
 * value. The unsafe form — a placeholder inside the script of an argv `sh -c` — never gets this
 * far: config load refuses it, and the runner would not expand it either.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, placeholderEnvName, placeholderTable } from '@baton/config';
import type { HookRequest } from '@baton/contracts';
import { silentLogger } from '@baton/logging';
import { hookRunnerSettings } from '../src/config.ts';
import { expandArgv, resolveHookValues } from '../src/placeholders.ts';
import { runHookList } from '../src/run-hook-list.ts';
import { ProcessSupervisor } from '../src/run-process.ts';
import { expandShellCommand } from '../src/shell-expand.ts';

function request(values: Record<string, string>): HookRequest {
  return { requestId: 'req-1', hookKind: 'PostFailoverProcesses', clusterId: 'orders', recoveryUid: 'uid-1', failOnError: false, values };
}

test('hostile alias and host values run nothing in shell-string, {run} and argv hooks, and arrive exactly', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-no-injection-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const marker = join(dir, 'pwned');
  const file = join(dir, 'baton.json');
  writeFileSync(
    file,
    JSON.stringify({
      recovery: {
        PostFailoverProcesses: [
          // shell strings: Baton replaces each placeholder by a quoted variable reference
          `printf %s {failureClusterAlias} > ${dir}/shell-alias`,
          `printf %s "host={failedHost}" > ${dir}/shell-host`,
          { name: 'run-form', run: `printf %s '{failureClusterAlias}' > ${dir}/run-alias` },
          // argv: a placeholder is one whole argument; in a shell, only as a positional parameter
          ['sh', '-c', 'printf %s "$1" > "$0"', `${dir}/argv-alias`, '{failureClusterAlias}'],
          { argv: ['/usr/bin/env', 'bash', '-ec', 'printf %s "$1" > "$0"', `${dir}/argv-host`, '{failedHost}'] },
          // the environment variable, quoted, in an argv shell script
          ['sh', '-c', `printf %s "$ORC_FAILURE_CLUSTER_ALIAS" > ${dir}/env-alias`],
        ],
      },
    }),
  );
  const config = loadConfig({ file, env: {} });
  const settings = hookRunnerSettings(config);
  const supervisor = new ProcessSupervisor(silentLogger());
  t.after(() => supervisor.close(100));

  const hostile = `$(touch${'${IFS}'}${marker})\`touch ${marker}\`;touch ${marker}\ntouch ${marker} '"`;
  const values = { failureClusterAlias: `orders${hostile}`, failedHost: `db1${hostile}` };
  const result = await runHookList(request(values), settings.lists.PostFailoverProcesses, {
    supervisor,
    shell: settings.shell,
    killGraceMs: settings.killGraceMs,
    maxOutputBytes: settings.maxOutputBytes,
    inheritedEnv: { PATH: process.env['PATH'] },
    hostname: 'runner-test',
    logger: silentLogger(),
  });

  assert.deepEqual(result.runs.map((r) => [r.name, r.status, r.error ?? null]), settings.lists.PostFailoverProcesses.map((h) => [h.name, 'succeeded', null]));
  assert.equal(existsSync(marker), false, 'no injected command ran');
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
  assert.equal(read('shell-alias'), values.failureClusterAlias);
  assert.equal(read('shell-host'), `host=${values.failedHost}`);
  assert.equal(read('run-alias'), values.failureClusterAlias);
  assert.equal(read('argv-alias'), values.failureClusterAlias);
  assert.equal(read('argv-host'), values.failedHost);
  assert.equal(read('env-alias'), values.failureClusterAlias);
});

test('a shell-string placeholder becomes a quoted variable reference, never the value', () => {
  const values = resolveHookValues(request({ failureClusterAlias: '$(touch${IFS}pwned)' }), { hostname: 'h' });
  assert.equal(expandShellCommand('echo {failureClusterAlias}', values).script, 'echo "${BATON_FAILURE_CLUSTER_ALIAS}"');
  assert.equal(expandShellCommand("echo '{failureClusterAlias}'", values).script, `echo ''"\${BATON_FAILURE_CLUSTER_ALIAS}"''`);
});

test('the runner does not expand placeholders in an argv shell -c script, should such an entry reach it', () => {
  const values = resolveHookValues(request({ failureClusterAlias: '$(touch${IFS}pwned)', failedHost: 'db1' }), { hostname: 'h' });
  const expanded = expandArgv(['/usr/bin/env', 'sh', '-ec', 'echo {failureClusterAlias}', 'sh', '{failedHost}'], values);
  assert.deepEqual(expanded.argv, ['/usr/bin/env', 'sh', '-ec', 'echo {failureClusterAlias}', 'sh', 'db1']);
  assert.deepEqual(expanded.warnings, ['placeholders in the script of sh -c (argv[3]) are not expanded: use the environment variables']);
});

test('the variable config load names for each placeholder is the one the runner sets', () => {
  const names = placeholderTable.flatMap((spec) => [spec.name, ...(spec.aliases ?? [])]);
  const values = resolveHookValues(request(Object.fromEntries([...names.map((n) => [n, `v-${n}`]), ['myValue', 'mine']])), { hostname: 'h' });
  for (const name of [...names, 'myValue']) {
    const variable = placeholderEnvName(name);
    assert.equal(values.env[variable], values.lookup(name)?.value, `${name} → ${variable}`);
  }
});
