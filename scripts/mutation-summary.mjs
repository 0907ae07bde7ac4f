#!/usr/bin/env node
// Writes docs/mutation/README.md from Stryker's JSON report (reports/mutation/mutation.json, see
// stryker.config.mjs): the score per folder of libs/domain/src and per file, and every mutant that
// no test detected (survived, or not covered), grouped by folder, with a verdict from
// docs/mutation/verdicts.json where one is written. Deterministic: the same report and verdicts give
// the same file, so a rerun after `npm run test:mutation` shows in the diff what changed.
//   node scripts/mutation-summary.mjs [report.json] [out.md]
// Score as Stryker counts it: (killed + timeout) / (killed + timeout + survived + no coverage);
// compile and runtime errors and ignored mutants count nowhere. "Covered" leaves out no coverage.
// A verdict's key is `file|source line|mutator|original|replacement` (the line's text, shortened,
// not its number: numbers move; `#2`, `#3`... for repeats in one file), its value starts
// with "equivalent" (no test can tell) or "gap" (a test could, and should); keys that match no
// undetected mutant any more are listed on stderr, to prune.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const reportPath = resolve(root, process.argv[2] ?? 'reports/mutation/mutation.json');
const outPath = resolve(root, process.argv[3] ?? 'docs/mutation/README.md');
const verdictsPath = resolve(root, 'docs/mutation/verdicts.json');
const srcPrefix = 'libs/domain/src/';

const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const verdicts = existsSync(verdictsPath) ? JSON.parse(readFileSync(verdictsPath, 'utf8')) : {};
delete verdicts.$comment;
const usedVerdicts = new Set();

const rel = (f) => relative(root, resolve(root, f)).split('\\').join('/');
const folderOf = (file) => {
  const rest = file.startsWith(srcPrefix) ? file.slice(srcPrefix.length) : file;
  return rest.includes('/') ? rest.slice(0, rest.indexOf('/')) : '(src)';
};
const blank = () => ({ killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0, ignored: 0 });
const countInto = (c, status) => {
  if (status === 'Killed') c.killed++;
  else if (status === 'Timeout') c.timeout++;
  else if (status === 'Survived') c.survived++;
  else if (status === 'NoCoverage') c.noCoverage++;
  else if (status === 'CompileError' || status === 'RuntimeError') c.errors++;
  else c.ignored++;
};
const total = (c) => c.killed + c.timeout + c.survived + c.noCoverage;
const pct = (n, d) => (d === 0 ? 'n/a' : (Math.round((10000 * n) / d) / 100).toFixed(2));
const score = (c) => pct(c.killed + c.timeout, total(c));
const covered = (c) => pct(c.killed + c.timeout, c.killed + c.timeout + c.survived);
const row = (name, c) =>
  `| ${name} | ${score(c)} | ${covered(c)} | ${total(c) + c.errors + c.ignored} | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} | ${c.errors} |`;
const header = [
  '| | score % | covered % | mutants | killed | timeout | survived | no coverage | errors |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
];

// the source text a mutant replaces, on one line, shortened
function original(source, { start, end }) {
  const lines = source.split('\n');
  let text;
  if (start.line === end.line) text = lines[start.line - 1].slice(start.column - 1, end.column - 1);
  else {
    text = [lines[start.line - 1].slice(start.column - 1), ...lines.slice(start.line, end.line - 1), lines[end.line - 1].slice(0, end.column - 1)].join(' ');
  }
  return shorten(text);
}
function shorten(text) {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 70 ? `${flat.slice(0, 67)}...` : flat;
}
const code = (t) => (t === '' ? '(empty)' : `\`${t.replaceAll('|', '\\|').replaceAll('`', "'")}\``);

const files = Object.keys(report.files).map(rel).sort();
const byFile = new Map(Object.entries(report.files).map(([f, v]) => [rel(f), v]));
const folders = new Map();
const all = blank();
const fileCounts = new Map();
const undetected = new Map(); // folder -> rows
for (const file of files) {
  const { source, mutants } = byFile.get(file);
  const folder = folderOf(file);
  if (!folders.has(folder)) folders.set(folder, blank());
  const c = blank();
  const seenKeys = new Map();
  const inOrder = [...mutants].sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column || a.mutatorName.localeCompare(b.mutatorName) || String(a.replacement).localeCompare(String(b.replacement)));
  for (const m of inOrder) {
    countInto(c, m.status);
    countInto(folders.get(folder), m.status);
    countInto(all, m.status);
    if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
    const orig = original(source, m.location);
    const repl = shorten(m.replacement ?? m.mutatorName);
    const base = `${file}|${shorten(source.split('\n')[m.location.start.line - 1] ?? '')}|${m.mutatorName}|${orig}|${repl}`;
    // the same text can appear on several lines: the 2nd, 3rd... in source order get #2, #3...
    const seen = (seenKeys.get(base) ?? 0) + 1;
    seenKeys.set(base, seen);
    const key = seen === 1 ? base : `${base}#${seen}`;
    if (verdicts[key] !== undefined) usedVerdicts.add(key);
    const rows = undetected.get(folder) ?? [];
    rows.push({
      line: m.location.start.line,
      column: m.location.start.column,
      text: `| ${file.slice(srcPrefix.length)}:${m.location.start.line}:${m.location.start.column} | ${m.mutatorName}${m.status === 'NoCoverage' ? ' (no coverage)' : ''}${m.static ? ' (static)' : ''} | ${code(orig)} | ${code(repl)} | ${verdicts[key] ?? '?'} |`,
      file,
      verdict: verdicts[key],
    });
    undetected.set(folder, rows);
  }
  fileCounts.set(file, c);
}

const folderNames = [...folders.keys()].sort();
const out = [];
out.push('# Mutation testing of libs/domain');
out.push('');
out.push('Written by `node scripts/mutation-summary.mjs` from the JSON report of `npm run test:mutation`');
out.push('(StrykerJS, tap runner, per-test-file coverage, config `stryker.config.mjs`); do not edit by hand:');
out.push('verdicts go in `docs/mutation/verdicts.json`. The full reports (`reports/mutation/mutation.html`,');
out.push('`mutation.json`) and the incremental file stay local (git-ignored).');
out.push('');
out.push(`Mutated: \`libs/domain/src/**/*.ts\` except the index.ts re-exports. Tests: \`libs/domain/test/*.test.ts\``);
out.push('except analyze-scale.test.ts (timing-based).');
out.push('');
out.push(`Thresholds: ${['high', 'low', 'break'].map((k) => `${k} ${report.thresholds?.[k] ?? 'n/a'}`).join(', ')} (the run fails below break).`);
out.push('');
out.push('Running it: `npm run test:mutation` (Stryker, then this summary). Incremental: a rerun retests only');
out.push('the mutants whose source file or covering test files changed; `npm run test:mutation -- --force`');
out.push('retests all (about an hour at concurrency 1 on the 2-core machine; a change in another source');
out.push('file that a mutant\'s tests pass through is not seen by the incremental diff). One file or folder:');
out.push("`npx stryker run --mutate 'libs/domain/src/gtid/**/*.ts'` (its results merge into the incremental file).");
out.push('');
out.push('## Score per folder');
out.push('');
out.push(...header);
for (const f of folderNames) out.push(row(f, folders.get(f)));
out.push(row('**all**', all));
out.push('');
out.push('## Score per file');
out.push('');
out.push(...header);
for (const file of files) out.push(row(file.slice(srcPrefix.length), fileCounts.get(file)));
out.push('');
out.push('## Undetected mutants');
out.push('');
out.push('Survived (covered, no test failed) or not covered by any test. Verdict: **equivalent** (no test can');
out.push('tell it from the original), **gap** (a test could, and should), ? (not judged yet).');
for (const f of folderNames) {
  const rows = (undetected.get(f) ?? []).sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  const kinds = { gap: 0, equivalent: 0, unjudged: 0 };
  for (const r of rows) {
    if (r.verdict === undefined) kinds.unjudged++;
    else if (/^(likely )?equivalent/.test(r.verdict)) kinds.equivalent++;
    else kinds.gap++;
  }
  out.push('');
  out.push(`### ${f} (${rows.length}: ${kinds.gap} gap, ${kinds.equivalent} equivalent or likely so${kinds.unjudged ? `, ${kinds.unjudged} not judged` : ''})`);
  if (rows.length === 0) continue;
  out.push('');
  out.push('| where | mutator | original | replacement | verdict |');
  out.push('|---|---|---|---|---|');
  for (const r of rows) out.push(r.text);
}
out.push('');

mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, out.join('\n'));
const stale = Object.keys(verdicts).filter((k) => !usedVerdicts.has(k));
if (stale.length > 0) console.error(`mutation-summary: ${stale.length} verdict(s) match no undetected mutant:\n  ${stale.join('\n  ')}`);
console.log(`mutation-summary: ${relative(root, outPath)}: score ${score(all)} % over ${total(all)} valid mutants; ${folderNames.map((f) => `${f} ${score(folders.get(f))}`).join(', ')}`);
