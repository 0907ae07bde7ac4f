/**
 * No hook injection at config load: an argv entry that runs a shell with -c must not put a
 * {placeholder} into the script (the shell would parse the value as code), and a cluster alias
 * (detector.seeds[].alias) is limited to letters, digits and . _ - :. Every hook form, table-driven.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, normalizeHooks, shellScriptArgument } from '../src/index.ts';
import { issueFor, issuesOf, tempFile } from './helpers.ts';

type TestContext = import('node:test').TestContext;

/** Loads a JSON config file with `recovery[list] = [entry]`. */
const loadHook = (t: TestContext, entry: unknown, list = 'PreFailoverProcesses') => () =>
  loadConfig({ file: tempFile(t, 'baton.json', JSON.stringify({ recovery: { [list]: [entry] } })), env: {} });

const fix = /or a shell string hook without a nested shell/;

interface HookCase {
  name: string;
  entry: unknown;
  list?: string;
  /** Refused: the issue's key and what its problem must say. Absent: accepted. */
  refused?: { key: string; problem: RegExp[] };
  /** Accepted: the normalised kind. */
  kind?: 'shell' | 'argv' | 'webhook';
}

const refusedAlias = (key: string, variable = 'ORC_FAILURE_CLUSTER_ALIAS', extra: RegExp[] = []) => ({
  key,
  problem: [new RegExp(`"\\$${variable}"`), /the shell would parse the value as code/, fix, ...extra],
});

const cases: HookCase[] = [
  { name: 'shell string with a placeholder', entry: 'echo {failureClusterAlias} >> /var/log/hooks.log', kind: 'shell' },
  {
    name: 'shell string running sh -c with a placeholder (the outer shell expands the quoted value into the inner script)',
    entry: 'sh -c "echo {failureClusterAlias}"',
    refused: { key: 'recovery.PreFailoverProcesses[0]', problem: [/after a nested interpreter/, /"\$ORC_FAILURE_CLUSTER_ALIAS"/] },
  },
  { name: 'shell string: eval with a placeholder', entry: 'eval echo {failedHost}', refused: { key: 'recovery.PreFailoverProcesses[0]', problem: [/after a nested interpreter \(eval/] } },
  { name: 'shell string: ssh with a placeholder', entry: { run: 'ssh db1 "restart {failedHost}"' }, refused: { key: 'recovery.PreFailoverProcesses[0].run', problem: [/nested interpreter \(ssh/] } },
  { name: 'shell string: a placeholder before a nested shell is data', entry: 'echo {failedHost} > /tmp/f; sh -c "cat /tmp/f"', kind: 'shell' },
  { name: 'shell string: a nested shell reading the variable', entry: 'sh -c \'echo "$ORC_FAILED_HOST"\'', kind: 'shell' },
  { name: 'argv: the second shell behind sudo -u sh', entry: ['sudo', '-u', 'sh', 'bash', '-c', 'echo {failedHost}'], refused: refusedAlias('recovery.PreFailoverProcesses[0]', 'ORC_FAILED_HOST', [/argv\[5\], the script bash/]) },
  { name: 'argv: a shell -c inside a shell -c script', entry: ['sh', '-c', 'sh -c "{failedHost}"'], refused: refusedAlias('recovery.PreFailoverProcesses[0]', 'ORC_FAILED_HOST') },
  { name: 'argv: tcsh -c', entry: ['tcsh', '-c', 'echo {failedHost}'], refused: refusedAlias('recovery.PreFailoverProcesses[0]', 'ORC_FAILED_HOST') },
  { name: 'argv: su -c', entry: ['su', 'app', '-c', 'echo {failedHost}'], refused: { key: 'recovery.PreFailoverProcesses[0]', problem: [/argv\[3\], the script su runs/] } },
  { name: 'argv: env -S', entry: ['env', '-S', 'sh -c {failedHost}'], refused: { key: 'recovery.PreFailoverProcesses[0]', problem: [/the script env -S runs/] } },
  { name: 'argv: ssh remote command', entry: ['ssh', '-p', '22', 'db1', 'restart', '{failedHost}'], refused: { key: 'recovery.PreFailoverProcesses[0]', problem: [/argv\[5\], the script ssh runs remotely/] } },
  { name: 'argv: ssh to a placeholder host, fixed remote command', entry: ['ssh', '{failedHost}', 'systemctl stop mysqld'], kind: 'argv' },
  { name: 'argv without a shell', entry: ['/usr/local/bin/notify', '--cluster', '{failureClusterAlias}', '--host={failedHost}'], kind: 'argv' },
  {
    name: 'argv sh -c with a placeholder in the script',
    entry: ['sh', '-c', 'echo {failureClusterAlias}'],
    refused: refusedAlias('recovery.PreFailoverProcesses[0]', 'ORC_FAILURE_CLUSTER_ALIAS', [/argv\[2\], the script sh runs with -c, holds \{failureClusterAlias\}/, /use the ORC_\* environment variable, quoted/]),
  },
  { name: 'argv sh -c with the placeholder only as a positional argument', entry: ['sh', '-c', 'echo "$1"', 'x', '{failedHost}'], kind: 'argv' },
  { name: 'argv bash -c with the placeholder as $0', entry: ['bash', '-c', 'printf %s "$0"', '{failedHost}'], kind: 'argv' },
  { name: 'argv sh -c whose script reads the environment variable', entry: ['sh', '-c', 'echo "$ORC_FAILURE_CLUSTER_ALIAS" ${HOME}'], kind: 'argv' },
  { name: 'argv running a shell script file (no -c)', entry: ['bash', '/usr/local/bin/hook.sh', '{failedHost}'], kind: 'argv' },
  {
    name: 'object {argv} with bash -c and a placeholder in the script',
    entry: { name: 'page', argv: ['bash', '-c', 'page --host {failedHost}'], timeoutMs: 1000 },
    refused: refusedAlias('recovery.PreFailoverProcesses[0].argv', 'ORC_FAILED_HOST'),
  },
  { name: 'object {argv} with the placeholder as a positional argument', entry: { argv: ['bash', '-c', 'page --host "$1"', 'page', '{failedHost}'] }, kind: 'argv' },
  { name: 'object {run} with a placeholder', entry: { name: 'drain', run: 'proxy-drain {failedHost}:{failedPort}' }, kind: 'shell' },
  { name: 'webhook', entry: { webhook: { url: 'https://hooks.example.com/baton?cluster={failureClusterAlias}' } }, kind: 'webhook' },
  { name: 'combined flags -ec', entry: ['bash', '-ec', 'echo {failedHost}'], refused: refusedAlias('recovery.PreFailoverProcesses[0]', 'ORC_FAILED_HOST') },
  { name: 'combined flags -xc', entry: ['sh', '-xc', 'echo {failedHost}'], refused: refusedAlias('recovery.PreFailoverProcesses[0]', 'ORC_FAILED_HOST') },
  { name: 'combined flags -lc', entry: ['bash', '-lc', 'echo {failedHost}'], refused: refusedAlias('recovery.PreFailoverProcesses[0]', 'ORC_FAILED_HOST') },
  { name: '-o pipefail -c', entry: ['bash', '-o', 'pipefail', '-c', 'echo {failedHost}'], refused: refusedAlias('recovery.PreFailoverProcesses[0]', 'ORC_FAILED_HOST', [/argv\[4\]/]) },
  { name: '-eo pipefail -c --', entry: ['bash', '-eo', 'pipefail', '-c', '--', 'echo {failedHost}'], refused: refusedAlias('recovery.PreFailoverProcesses[0]', 'ORC_FAILED_HOST', [/argv\[5\]/]) },
  { name: 'bash --norc -c', entry: ['bash', '--norc', '-c', 'echo {failedHost}'], refused: refusedAlias('recovery.PreFailoverProcesses[0]', 'ORC_FAILED_HOST') },
  { name: '/usr/bin/env bash -c', entry: ['/usr/bin/env', 'bash', '-c', 'echo {failedHost}'], refused: refusedAlias('recovery.PreFailoverProcesses[0]', 'ORC_FAILED_HOST', [/argv\[3\], the script bash runs/]) },
  { name: 'env VAR=x sh -c', entry: ['env', 'LC_ALL=C', 'sh', '-c', 'echo {failedHost}'], refused: refusedAlias('recovery.PreFailoverProcesses[0]', 'ORC_FAILED_HOST') },
  { name: 'busybox sh -c', entry: ['busybox', 'sh', '-c', 'echo {failedHost}'], refused: refusedAlias('recovery.PreFailoverProcesses[0]', 'ORC_FAILED_HOST') },
  { name: 'timeout 5 /bin/dash -c', entry: ['timeout', '5', '/bin/dash', '-c', 'echo {failedHost}'], refused: refusedAlias('recovery.PreFailoverProcesses[0]', 'ORC_FAILED_HOST') },
  { name: 'env /usr/bin/env sh -c with positional only', entry: ['/usr/bin/env', 'sh', '-c', 'echo "$1"', 'sh', '{failedHost}'], kind: 'argv' },
  ...['zsh', 'ksh', 'ash', 'fish'].map((shell) => ({
    name: `${shell} -c`,
    entry: [`/bin/${shell}`, '-c', 'echo {failedHost}'],
    refused: refusedAlias('recovery.PreFailoverProcesses[0]', 'ORC_FAILED_HOST', [new RegExp(`the script ${shell} runs with -c`)]),
  })),
  { name: 'fish --command=', entry: ['fish', '--command=echo {failedHost}'], refused: refusedAlias('recovery.PreFailoverProcesses[0]', 'ORC_FAILED_HOST', [/argv\[1\]/]) },
  {
    name: 'several placeholders, one without an ORC_* variable, and a synonym',
    entry: ['sh', '-c', 'fence {failedHost} {fencedBySql} {countSlaves} {failedHost}'],
    list: 'fenceProcesses',
    refused: {
      key: 'recovery.fenceProcesses[0]',
      problem: [/holds \{failedHost\}, \{fencedBySql\}, \{countSlaves\}:/, /"\$ORC_FAILED_HOST", "\$BATON_FENCED_BY_SQL", "\$ORC_COUNT_REPLICAS"/, fix],
    },
  },
  { name: 'another list (OnFailureDetectionProcesses)', entry: ['sh', '-c', 'echo {failureType}'], list: 'OnFailureDetectionProcesses', refused: refusedAlias('recovery.OnFailureDetectionProcesses[0]', 'ORC_FAILURE_TYPE') },
];

for (const c of cases) {
  test(`hook form: ${c.name} is ${c.refused ? 'refused' : 'accepted'} at config load`, (t) => {
    const list = c.list ?? 'PreFailoverProcesses';
    const load = loadHook(t, c.entry, list);
    if (c.refused) {
      const issues = issuesOf(load);
      assert.equal(issues.length, 1, JSON.stringify(issues));
      const { problem } = issueFor(issues, c.refused.key);
      for (const pattern of c.refused.problem) assert.match(problem, pattern);
      return;
    }
    const config = load();
    const lists = config.recovery as unknown as Record<string, readonly unknown[]>;
    const [hook] = normalizeHooks(lists[list] ?? [], config.hooks, list);
    assert.equal(hook?.kind, c.kind);
  });
}

test('an argv shell -c refused from an environment override names the variable and the key', () => {
  const issues = issuesOf(() => loadConfig({ env: { BATON__RECOVERY__POST_FAILOVER_PROCESSES: '[["sh", "-c", "echo {failureClusterAlias}"]]' } }));
  const { problem } = issueFor(issues, 'BATON__RECOVERY__POST_FAILOVER_PROCESSES');
  assert.match(problem, /^recovery\.PostFailoverProcesses\[0\]: argv\[2\]/);
  assert.match(problem, /"\$ORC_FAILURE_CLUSTER_ALIAS"/);
});

test('shellScriptArgument finds the script after the -c option group, and nothing without -c', () => {
  const table: Array<[string[], number | undefined]> = [
    [['sh', '-c', 's'], 2],
    [['sh', '-c', '-e', 's', 'arg0'], 3],
    [['bash', '-O', 'extglob', '-c', 's'], 4],
    [['bash', '+o', 'posix', '-xc', 's'], 4],
    [['bash', '--rcfile', 'f', '-c', 's'], 4],
    [['sh', '-e', 's'], undefined],
    [['sh', '-c'], undefined],
    [['/usr/local/bin/notify', '-c', 's'], undefined],
    [['shellcheck', '-c', 's'], undefined],
    [['fish', '--command', 's'], 2],
  ];
  for (const [argv, index] of table) assert.equal(shellScriptArgument(argv)?.index, index, JSON.stringify(argv));
});

const hostileAliases = ['$(touch${IFS}pwned)', '`touch pwned`', 'a;b', 'a\nb', 'a b', '{failedHost}', "o'rders", 'a|b', 'a&b', 'a/b', 'x'.repeat(129), ''];

test('detector.seeds[].alias: injection values and other characters outside the safe set are refused', (t) => {
  for (const alias of hostileAliases) {
    const file = tempFile(t, 'baton.json', JSON.stringify({ detector: { seeds: [{ host: 'db1', alias }] } }));
    const issues = issuesOf(() => loadConfig({ file, env: {} }));
    assert.match(issueFor(issues, 'detector.seeds[0].alias').problem, /must match \^\[A-Za-z0-9\._:-\]\{1,128\}\$/, JSON.stringify(alias));
  }
});

test('detector.seeds[].alias: letters, digits and . _ - : up to 128 characters are accepted', (t) => {
  for (const alias of ['orders', 'billing-eu_2', 'db1.example.com:3306', 'A.b_C-d:E', 'x'.repeat(128)]) {
    const file = tempFile(t, 'baton.json', JSON.stringify({ detector: { seeds: [{ host: 'db1', alias }] } }));
    assert.equal(loadConfig({ file, env: {} }).detector.seeds[0]?.alias, alias);
  }
});
