import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HookRequest } from '@baton/contracts';
import { buildHookEnv } from '../src/hook-env.ts';
import { resolveHookValues } from '../src/placeholders.ts';
import { expandShellCommand } from '../src/shell-expand.ts';

const dir = mkdtempSync(join(tmpdir(), 'baton-shell-expand-'));
const marker = join(dir, 'injected');
test.after(() => rmSync(dir, { recursive: true, force: true }));

function request(values: Record<string, string>): HookRequest {
  return { requestId: 'r-1', hookKind: 'PreFailoverProcesses', clusterId: 'c1', recoveryUid: 'u-1', failOnError: true, values };
}

/** Every single character U+0001..U+00FF, each also between other text, and values built to break quoting. */
const values: string[] = [
  ...Array.from({ length: 255 }, (_, i) => String.fromCharCode(i + 1)),
  ...Array.from({ length: 255 }, (_, i) => `a${String.fromCharCode(i + 1)}b`),
  '',
  `$(touch ${marker})`,
  `\`touch ${marker}\``,
  `; touch ${marker}; #`,
  `' ; touch ${marker} ; '`,
  `" ; touch ${marker} ; "`,
  `'\\''$(touch ${marker})'\\''`,
  `x\ntouch ${marker}\n`,
  `\nEOF\ntouch ${marker}\nEOF\n`,
  `\n\tEND\ntouch ${marker}\n`,
  `\${IFS}$((1+1))\${HOME}$HOME!!*?[a]~`,
  '\\\\\\"\\\'\\`\\$',
  '{failedHost}{nope}${failedHost}',
  'multi\nline\r\nwith\ttabs  and  spaces ',
  'ünïcødé 日本語 🚀 e\u0301',
  'x'.repeat(20_000),
  '-n',
  '%s%d%%',
];

/** A quoting context around a placeholder, and what the shell then prints for value v. */
interface Context {
  name: string;
  statement: (placeholder: string) => string;
  expected: (v: string) => string;
}

const stripTrailingNewlines = (v: string): string => v.replace(/\n+$/, '');
const contexts: Context[] = [
  { name: 'unquoted', statement: (p) => `printf %s ${p}`, expected: (v) => v },
  { name: 'single quotes', statement: (p) => `printf %s '${p}'`, expected: (v) => v },
  { name: 'double quotes', statement: (p) => `printf %s "${p}"`, expected: (v) => v },
  { name: 'inside single-quoted text', statement: (p) => `printf %s 'it is <${p}> here'`, expected: (v) => `it is <${v}> here` },
  { name: 'inside double-quoted text', statement: (p) => `printf %s "it's <${p}> \\"here\\""`, expected: (v) => `it's <${v}> "here"` },
  { name: 'ansi-c quotes', statement: (p) => `printf %s $'\\x3c${p}\\x3e'`, expected: (v) => `<${v}>` },
  { name: 'assignment', statement: (p) => `y=${p}; printf %s "$y"`, expected: (v) => v },
  { name: 'option glued to it', statement: (p) => `printf %s --opt=${p}`, expected: (v) => `--opt=${v}` },
  { name: '$(...) in double quotes', statement: (p) => `printf %s "$(printf %s ${p})"`, expected: stripTrailingNewlines },
  { name: 'backticks in double quotes', statement: (p) => `printf %s "\`printf %s ${p}\`"`, expected: stripTrailingNewlines },
  { name: 'here-document', statement: (p) => `cat <<EOF\n${p}\nEOF`, expected: (v) => `${v}\n` },
  { name: 'here-document <<-', statement: (p) => `cat <<-END\n\t${p}\n\tEND`, expected: (v) => `${v}\n` },
  { name: 'after a comment with quotes', statement: (p) => `# it's a "comment" ${p} $(\nprintf %s ${p}`, expected: (v) => v },
];

for (const context of contexts) {
  test(`every value round-trips through bash -c in context: ${context.name}`, () => {
    const byName = Object.fromEntries(values.map((v, i) => [`v${i}`, v]));
    const resolved = resolveHookValues(request(byName), { hostname: 'h' });
    const source = values.map((_, i) => `${context.statement(`{v${i}}`)}\nprintf '\\0'`).join('\n');
    const { script, warnings } = expandShellCommand(source, resolved);
    assert.deepEqual(warnings, []);
    const result = spawnSync('bash', ['-c', script], { env: buildHookEnv({ PATH: process.env['PATH'] }, resolved.env), stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    assert.equal(result.status, 0, result.stderr.toString());
    const printed = result.stdout.toString('utf8').split('\0').slice(0, -1);
    assert.equal(printed.length, values.length);
    values.forEach((v, i) => assert.equal(printed[i], context.expected(v), `value #${i} ${JSON.stringify(v.slice(0, 40))}`));
    assert.equal(existsSync(marker), false, 'no injected command ran');
  });
}

test('a placeholder without a value is empty; names and aliases both work', () => {
  const resolved = resolveHookValues(request({ failedHost: 'db1', countSlaves: '3' }), { hostname: 'h' });
  const { script, warnings } = expandShellCommand('printf %s "[{successorHost}]" {failedHost} {countReplicas} {countSlaves}', resolved);
  assert.deepEqual(warnings, []);
  const out = spawnSync('bash', ['-c', script], { env: resolved.env as Record<string, string>, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(out.stdout.toString(), '[]db133');
});

test('text that is not a placeholder stays as written: ${VAR}, awk programs, JSON, brace expansion', () => {
  const resolved = resolveHookValues(request({ failedHost: 'db1' }), { hostname: 'h' });
  const command = `echo \${HOME} "\${failedHost}" $'{x}' {a,b} {} { echo; } | awk '{print}' ; curl -d '{"host": "{failedHost}"}'`;
  const { script, warnings } = expandShellCommand(command, resolved);
  assert.equal(
    script,
    `echo \${HOME} "\${failedHost}" $'{x}' {a,b} {} { echo; } | awk '{print}' ; curl -d '{"host": "'"\${BATON_FAILED_HOST}"'"}'`,
  );
  assert.deepEqual(warnings, ['unknown placeholder {x} left as written', 'unknown placeholder {print} left as written']);
});

test('a backslash keeps a placeholder literal', () => {
  const resolved = resolveHookValues(request({ failedHost: 'db1' }), { hostname: 'h' });
  assert.equal(expandShellCommand('echo \\{failedHost} {failedHost}', resolved).script, 'echo \\{failedHost} "${BATON_FAILED_HOST}"');
});

test('a quoted here-document expands nothing: the reference stays literal, with a warning', () => {
  const resolved = resolveHookValues(request({ failedHost: 'db1' }), { hostname: 'h' });
  const { script, warnings } = expandShellCommand("cat <<'EOF'\n{failedHost}\nEOF\necho {failedHost}", resolved);
  assert.equal(script, "cat <<'EOF'\n${BATON_FAILED_HOST}\nEOF\necho \"${BATON_FAILED_HOST}\"");
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] as string, /quoted here-document/);
});
