import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FenceReason, FenceResult } from '@baton/mysql';
import type { HookOutcome } from '../src/ports.ts';
import { fencedStepStatus, fencingResultText, isFenced, requiredFenceProblem, type FencingRecord } from '../src/steps/fencing.ts';

const sql = (reason: FenceReason): FenceResult => ({ instance: 'db1:3306', fenced: reason === 'fenced', reason, liveness: reason === 'unreachable' ? 'dead' : 'alive', readLockHeld: null, readOnly: null, killedConnections: 0, unkilledConnections: 0, elapsedMs: 1 });
const result = (ok: boolean) => ({ requestId: 'r', hookKind: 'fenceProcesses' as const, clusterId: 'c1', recoveryUid: 'u', ok, runs: [], error: ok ? null : 'exit 1' });
const hooks: Array<HookOutcome | null> = [
  null,
  { status: 'none-configured' },
  { status: 'succeeded', result: result(true) },
  { status: 'failed', result: result(false) },
  { status: 'no-result', waitedMs: 5 },
];
const reasons: FenceReason[] = ['fenced', 'unreachable', 'access-denied', 'timeout', 'failed', 'not-verified'];

test('the fencing result names the SQL fence, then the hook when it ran, within the 64 characters of recoveries.fencing_result', () => {
  assert.equal(fencingResultText(null), null);
  assert.equal(fencingResultText({ sql: sql('unreachable'), hook: null }), 'unreachable');
  assert.equal(fencingResultText({ sql: sql('unreachable'), hook: { status: 'none-configured' } }), 'unreachable');
  assert.equal(fencingResultText({ sql: sql('fenced'), hook: hooks[3] ?? null }), 'fenced; hook failed');
  assert.equal(fencingResultText({ sql: sql('timeout'), hook: hooks[4] ?? null }), 'timeout; hook no-result');
  for (const reason of reasons) for (const hook of hooks) assert.ok((fencingResultText({ sql: sql(reason), hook }) ?? '').length <= 64);
});

test('fenced by either means; the step fails only when a configured hook failed and SQL did not fence', () => {
  const record = (reason: FenceReason, hook: HookOutcome | null): FencingRecord => ({ sql: sql(reason), hook });
  assert.equal(isFenced(record('fenced', hooks[3] ?? null)), true);
  assert.equal(isFenced(record('unreachable', hooks[2] ?? null)), true);
  assert.equal(isFenced(record('unreachable', hooks[4] ?? null)), false);
  assert.equal(fencedStepStatus(record('fenced', hooks[3] ?? null)), 'succeeded');
  assert.equal(fencedStepStatus(record('unreachable', null)), 'info', 'a crashed primary refusing SQL is the normal case');
  assert.equal(fencedStepStatus(record('unreachable', hooks[3] ?? null)), 'failed');
});

test('requireFenceBeforePromotion: only a primary that is provably dead, or fenced by either means, may be failed over', () => {
  const record = (reason: FenceReason, liveness: FenceResult['liveness'], hook: HookOutcome | null): FencingRecord => ({ sql: { ...sql(reason), liveness }, hook });
  const cases: Array<{ name: string; record: FencingRecord; required: boolean; problem: RegExp | null }> = [
    { name: 'policy off: a hung primary with no fence is failed over', record: record('unreachable', 'not-answering', null), required: false, problem: null },
    { name: 'connection refused: provably dead, no fence needed', record: record('unreachable', 'dead', hooks[3] ?? null), required: true, problem: null },
    { name: 'fenced by SQL', record: record('fenced', 'alive', null), required: true, problem: null },
    { name: 'hung, fence hook succeeded (STONITH)', record: record('unreachable', 'not-answering', hooks[2] ?? null), required: true, problem: null },
    { name: 'hung, fence hook failed', record: record('unreachable', 'not-answering', hooks[3] ?? null), required: true, problem: /not provably dead \(not answering.*SQL fence: unreachable; fence hook failed: exit 1/ },
    { name: 'hung, fence hook gave no result', record: record('timeout', 'not-answering', hooks[4] ?? null), required: true, problem: /fence hook no-result/ },
    { name: 'hung, no fence hook configured', record: record('unreachable', 'not-answering', null), required: true, problem: /no fence hook configured/ },
    { name: 'answers but the SQL fence failed, no hook', record: record('failed', 'alive', { status: 'none-configured' }), required: true, problem: /not provably dead \(answering\)/ },
  ];
  for (const c of cases) {
    const problem = requiredFenceProblem(c.record, c.required);
    if (c.problem === null) assert.equal(problem, null, c.name);
    else assert.match(problem ?? '', c.problem, c.name);
  }
});
