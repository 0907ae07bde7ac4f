#!/usr/bin/env node
// Finds the test files and hands them to node's own test runner (through tsx for TypeScript).
//   unit:  *.test.ts that are neither *.int.test.ts nor *.chaos.test.ts (no network, seconds)
//   int:   *.int.test.ts (real Kafka, Redis, MariaDB)
//   chaos: *.chaos.test.ts (Baton's services as separate processes, killed, frozen and restarted,
//          with their infrastructure; one file at a time by default, BATON_CHAOS_CONCURRENCY)
//   all:   unit and int in one run, then chaos in a run of its own (its own concurrency)
// Node 20's --test takes no globs, hence this script.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const mode = process.argv[2] ?? 'all';
const filter = process.argv[3];
const skip = new Set(['node_modules', '.git', 'dist', '.sandbox', 'target']);
const modes = ['unit', 'int', 'chaos', 'all'];
if (!modes.includes(mode)) {
  console.error(`unknown mode ${mode}: one of ${modes.join(', ')}`);
  process.exit(2);
}

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

// examples/: the example consumers' own tests (examples/alert-consumer/test/*.int.test.ts against the real broker)
const files = ['libs', 'services', 'test', 'examples'].filter((d) => existsSync(join(root, d))).flatMap((d) => walk(join(root, d), [])).sort();
const isInt = (f) => f.endsWith('.int.test.ts');
const isChaos = (f) => f.endsWith('.chaos.test.ts');
const unit = files.filter((f) => !isInt(f) && !isChaos(f));
const int = files.filter(isInt);
const chaos = files.filter(isChaos);
const pick = (list) => list.filter((f) => !filter || f.includes(filter));
// each run: its files and its concurrency
const runs = (mode === 'unit'
  ? [{ files: pick(unit), concurrency: process.env.BATON_TEST_CONCURRENCY ?? '2' }]
  : mode === 'int'
    ? [{ files: pick(int), concurrency: process.env.BATON_TEST_CONCURRENCY ?? '3' }]
    : mode === 'chaos'
      ? [{ files: pick(chaos), concurrency: process.env.BATON_CHAOS_CONCURRENCY ?? '1' }]
      : [
          { files: pick([...unit, ...int]), concurrency: process.env.BATON_TEST_CONCURRENCY ?? '3' },
          { files: pick(chaos), concurrency: process.env.BATON_CHAOS_CONCURRENCY ?? '1' },
        ]
).filter((run) => run.files.length > 0);
if (runs.length === 0) {
  console.error(`no test files for mode ${mode}${filter ? ` and filter ${filter}` : ''}`);
  process.exit(1);
}

// Each tier runs in a process group of its own. Whatever is still in that group when the tier has
// ended is a process some test started and left behind (a leak that would hold CI's output open
// until its hard limit): it is named and ended, by its group, which holds only what this run started.
function leftovers(group) {
  const ps = spawnSync('ps', ['-eo', 'pid=,pgid=,stat=,args='], { encoding: 'utf8' });
  return (ps.stdout ?? '')
    .split('\n')
    .map((line) => line.trim().match(/^(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/))
    // a zombie (state Z) has ended already: only its parent's wait is missing
    .filter((m) => m && Number(m[2]) === group && !m[3].startsWith('Z'))
    .map((m) => `${m[1]} ${m[4]}`);
}

function runTier(run) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        `--test-concurrency=${run.concurrency}`,
        // A hung file, or one that leaked a handle and never exits, fails after 5 minutes instead of
        // holding CI until its hard limit (the timeout bounds each file and each test). Not
        // --test-force-exit: with concurrency it silently drops test verdicts (nodejs/node#64833).
        `--test-timeout=${process.env.BATON_TEST_TIMEOUT_MS ?? '300000'}`,
        '--test-reporter=spec',
        ...run.files,
      ],
      { cwd: root, stdio: 'inherit', detached: true, env: { ...process.env, NODE_ENV: 'test' } },
    );
    const forward = (signal) => () => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // the group is gone already
      }
    };
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      const left = leftovers(child.pid);
      if (left.length > 0) {
        console.error(`run-tests: ${left.length} process(es) left behind by the tests, ended now:\n  ${left.join('\n  ')}`);
        forward('SIGKILL')();
      }
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

let status = 0;
for (const run of runs) {
  const code = await runTier(run);
  // a failed run does not skip the next: every tier's verdicts are reported
  if (code !== 0 && status === 0) status = code;
}
process.exit(status);
