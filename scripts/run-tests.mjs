#!/usr/bin/env node
// Finds the test files and hands them to node's own test runner (through tsx for TypeScript).
//   unit: *.test.ts that are not *.int.test.ts (no network, seconds)
//   int:  *.int.test.ts (real Kafka, Redis, MariaDB)
//   all:  both, unit first
// Node 20's --test takes no globs, hence this script.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const mode = process.argv[2] ?? 'all';
const filter = process.argv[3];
const skip = new Set(['node_modules', '.git', 'dist', '.sandbox', 'target']);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const files = ['libs', 'services', 'test'].flatMap((d) => walk(join(root, d), [])).sort();
const unit = files.filter((f) => !f.endsWith('.int.test.ts'));
const int = files.filter((f) => f.endsWith('.int.test.ts'));
const selected = (mode === 'unit' ? unit : mode === 'int' ? int : [...unit, ...int]).filter((f) => !filter || f.includes(filter));
if (selected.length === 0) {
  console.error(`no test files for mode ${mode}${filter ? ` and filter ${filter}` : ''}`);
  process.exit(1);
}
const concurrency = process.env.BATON_TEST_CONCURRENCY ?? (mode === 'unit' ? '2' : '3');
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    // A hung file, or one that leaked a handle and never exits, fails after 5 minutes instead of
    // holding CI until its hard limit (the timeout bounds each file and each test). Not
    // --test-force-exit: with concurrency it silently drops test verdicts (nodejs/node#64833).
    `--test-timeout=${process.env.BATON_TEST_TIMEOUT_MS ?? '300000'}`,
    '--test-reporter=spec',
    ...selected,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
