#!/usr/bin/env node
// Mutation testing's fast path (stryker.config.mjs, `npm run test:mutation`). Two modes, both run
// inside Stryker's sandbox (.stryker-tmp/sandbox-*), never in the work tree:
//
//   node scripts/mutation-build.mjs
//     Stryker's buildCommand, after the domain sources in the sandbox were instrumented: bundles
//     each libs/domain/test/*.test.ts (with the instrumented sources, @baton/contracts and typebox)
//     into one plain ESM file under .mutation-build/. Plain node starts a bundled test file in
//     ~0.1 s instead of ~0.6 s under tsx (whose loader hooks make each of typebox's many modules
//     cost), and that start is most of a mutant's time. Types are stripped, not checked, as by tsx.
//
//   node scripts/mutation-build.mjs --run libs/domain/test/<name>.test.ts
//     What the tap runner starts per test file: imports that file's bundle, whose node:test tests
//     then print TAP. The tap runner knows the test by its real path, so Stryker's reports and its
//     incremental mode (which diffs test files) see libs/domain/test/*.test.ts.
import { readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const testDir = 'libs/domain/test';
const outDir = '.mutation-build';
const bundleOf = (testFile) => resolve(outDir, `${basename(testFile, '.ts')}.mjs`);

if (process.argv[2] === '--run') {
  const testFile = process.argv[3];
  if (!testFile) throw new Error('usage: mutation-build.mjs --run <test file>');
  await import(pathToFileURL(bundleOf(testFile)).href);
} else {
  const { build } = await import('esbuild');
  // every test file is bundled; which of them run is the tap runner's choice (tap.testFiles)
  const entryPoints = readdirSync(testDir)
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => `${testDir}/${name}`);
  await build({
    entryPoints,
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // a bundled CommonJS dependency may require() a builtin
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
  console.log(`mutation-build: bundled ${entryPoints.length} test files into ${outDir}/`);
}
