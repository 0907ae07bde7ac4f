/**
 * Issue 11: an analysis's age is judged without another host's clock. Skew between the analyzer's
 * analyzedAt and the executor's clock changes nothing; an analysis is dropped (logged at warn,
 * counted in stats().droppedStaleAnalyses) only when a later analysis of its cluster was received,
 * or when it waited in the executor, receipt to job start by the executor's monotonic clock, longer
 * than maxAnalysisAgeMs. Every port is faked (test/fakes.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterAnalysis } from '@baton/contracts';
import type { RecoverCommand } from '../src/executor.ts';
import { analysisOf, deadPrimaryCluster, harness, healthyCluster, primary, recordingLogger, T0, type Harness } from './fakes.ts';

const iso = (ms: number): string => new Date(ms).toISOString();
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A dead primary as an analyzer (and its detector) whose clock reads `atMs` saw it. */
const deadAt = (atMs: number): ClusterAnalysis => analysisOf(deadPrimaryCluster({ at: atMs }));
/** The all-clear that follows a problem (hasProblem false, no problem rows). */
const allClearAt = (atMs: number): ClusterAnalysis => ({ ...analysisOf(healthyCluster({ at: atMs })), entries: [], hasProblem: false });

function staleHarness(): Harness & { warnings: () => Array<Record<string, unknown>> } {
  const { logger, lines } = recordingLogger();
  const h = harness({ logger });
  return Object.assign(h, { warnings: () => lines.filter((l) => l.level === 40 && /^stale analysis dropped/.test(l.msg)) });
}

function recovered(h: Harness): void {
  assert.equal(h.log.filter((c) => c === 'register').length, 1, h.log.join(' '));
  assert.ok(h.log.some((c) => c.startsWith('promote:')), h.log.join(' '));
  assert.equal(h.executor.results().length, 1);
  assert.equal(h.executor.results()[0]?.outcome, 'successful');
}

/** Holds the cluster's worker with a job ahead of the analyses: a forced recover whose snapshot read waits for `release`. */
async function holdWorker(h: Harness): Promise<() => void> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const read = h.state.cachedSnapshot;
  let first = true;
  h.state.cachedSnapshot = async () => {
    if (first) {
      first = false;
      await gate;
    }
    return read();
  };
  const command: RecoverCommand = { kind: 'recover', requestedBy: 'api:ops', clusterId: 'c1', instance: primary, skipProcesses: true, commandHint: '', requestId: 'r-hold' };
  assert.equal(await h.executor.recover(command, undefined), true);
  await turn();
  return release;
}

for (const [label, skewMs] of [
  ['30 s ahead of', -30_000],
  ['30 s behind', 30_000],
] as const) {
  test(`the executor's clock ${label} the analyzer's: a fresh dead-primary analysis is recovered`, async () => {
    const h = staleHarness();
    const analysis = deadAt(T0 + skewMs);
    assert.equal(analysis.analyzedAt, iso(T0 + skewMs));
    assert.equal(h.executor.handleAnalysis(analysis, 'det-1'), 'queued');
    await h.settle();
    recovered(h);
    assert.equal(h.executor.stats().droppedStaleAnalyses, 0);
    assert.deepEqual(h.warnings(), []);
  });
}

test('superseded in the same batch (a backlog): only the newest analysis of the cluster is acted on, the older one is dropped, logged and counted', async () => {
  const h = staleHarness();
  // both handed over before either job starts, as a consumer does with one fetched batch
  assert.equal(h.executor.handleAnalysis(deadAt(T0 - 4000), 'det-1'), 'queued');
  assert.equal(h.executor.handleAnalysis(deadAt(T0), 'det-1'), 'queued');
  await h.settle();
  recovered(h);
  assert.equal(h.executor.stats().droppedStaleAnalyses, 1);
  const [warning, ...more] = h.warnings();
  assert.deepEqual(more, []);
  assert.equal(warning?.['reason'], 'superseded');
  assert.equal(warning?.['stage'], 'start');
  assert.equal(warning?.['analyzedAt'], iso(T0 - 4000));
  assert.equal(warning?.['receivedAt'], iso(h.now.ms), 'the local receipt time, from the executor clock');
  assert.deepEqual(warning?.['supersededBy'], { analyzedAt: iso(T0), receivedAt: iso(h.now.ms) });
  assert.match(String(warning?.['msg']), /analysis of 2026-11-26T19:29:56.000Z received at .* superseded by the analysis of 2026-11-26T19:30:00.000Z/);
});

test('superseded by the all-clear: the queued dead-primary analysis is dropped, nothing is detected or registered', async () => {
  const h = staleHarness();
  const release = await holdWorker(h);
  assert.equal(h.executor.handleAnalysis(deadAt(T0), 'det-1'), 'queued');
  assert.equal(h.executor.handleAnalysis(allClearAt(T0 + 1000), 'det-1'), 'no-problem');
  release();
  await h.settle();
  assert.ok(!h.log.some((c) => c.startsWith('detection:') || c === 'register'), h.log.join(' '));
  assert.equal(h.executor.stats().droppedStaleAnalyses, 1, 'one analysis, however many of its rows were queued');
  const warnings = h.warnings();
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.['reason'], 'superseded');
  assert.deepEqual(warnings[0]?.['supersededBy'], { analyzedAt: iso(T0 + 1000), receivedAt: iso(h.now.ms) });
});

test('superseded while its detection hooks ran: dropped before registration, the newer analysis recovers (detected once)', async () => {
  const h = staleHarness();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let entered = false;
  const run = h.hooks.run;
  h.hooks.run = async (call) => {
    if (call.kind === 'OnFailureDetectionProcesses') {
      entered = true;
      await gate;
    }
    return run(call);
  };
  h.executor.handleAnalysis(deadAt(T0), 'det-1');
  while (!entered) await turn();
  h.executor.handleAnalysis(deadAt(T0 + 1000), 'det-1');
  release();
  await h.settle();
  recovered(h);
  assert.equal(h.log.filter((c) => c === 'detection:db1:3306').length, 1);
  assert.equal(h.executor.stats().droppedStaleAnalyses, 1);
  const [warning] = h.warnings();
  assert.equal(warning?.['reason'], 'superseded');
  assert.equal(warning?.['stage'], 'registration');
  assert.equal(warning?.['analyzedAt'], iso(T0));
});

test('waited in the executor longer than maxAnalysisAgeMs (its monotonic clock): dropped, logged and counted; the wall clock is not read', async () => {
  const h = staleHarness();
  const max = h.settings.maxAnalysisAgeMs;
  const release = await holdWorker(h);
  assert.equal(h.executor.handleAnalysis(deadAt(T0), 'det-1'), 'queued');
  h.mono.ms += max + 1;
  h.now.ms -= 3_600_000; // a wall clock stepped back an hour changes nothing
  release();
  await h.settle();
  assert.ok(!h.log.some((c) => c.startsWith('detection:') || c === 'register'), h.log.join(' '));
  assert.equal(h.executor.stats().droppedStaleAnalyses, 1);
  const [warning, ...more] = h.warnings();
  assert.deepEqual(more, []);
  assert.equal(warning?.['reason'], 'waited');
  assert.equal(warning?.['waitedMs'], max + 1);
  assert.equal(warning?.['analyzedAt'], iso(T0));
  assert.equal(warning?.['receivedAt'], iso(T0 + 50));
  assert.match(String(warning?.['msg']), new RegExp(`waited ${max + 1} ms in this executor`));
});

test('waited exactly maxAnalysisAgeMs: still acted on', async () => {
  const h = staleHarness();
  const release = await holdWorker(h);
  h.executor.handleAnalysis(deadAt(T0), 'det-1');
  h.mono.ms += h.settings.maxAnalysisAgeMs;
  release();
  await h.settle();
  recovered(h);
  assert.equal(h.executor.stats().droppedStaleAnalyses, 0);
});
