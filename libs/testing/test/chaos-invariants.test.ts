// The chaos invariants fed hand-made histories: each must flag the broken one and pass the clean one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkAckedWrites,
  checkReportedLoss,
  type ReportedLoss,
  checkFinalTopology,
  checkPromotions,
  checkRecoveryRows,
  checkSplitBrain,
  formatReport,
  type FinalInstance,
  type PromotionStep,
  type Sample,
} from '../src/chaos/index.ts';

const A = '127.0.0.1:3301';
const B = '127.0.0.1:3302';
const C = '127.0.0.1:3303';

/** A sample from a compact notation: 'W' writable, 'r' read-only, '-' not answered, in A, B, C order. */
function sample(atMs: number, states: string): Sample {
  const ids = [A, B, C];
  return {
    atMs,
    instances: [...states].map((s, i) => ({
      id: ids[i] as string,
      answered: s !== '-',
      writable: s === '-' ? null : s === 'W',
      readOnly: s === '-' ? null : s !== 'W',
    })),
  };
}
const history = (...states: string[]): Sample[] => states.map((s, i) => sample(1000 + i * 25, s));

test('checkSplitBrain', async (t) => {
  const cases: Array<{ name: string; samples: Sample[]; expect: Array<{ ids: string[]; atMs: number; samples: number }> }> = [
    { name: 'empty history', samples: [], expect: [] },
    { name: 'healthy: one primary throughout', samples: history('Wrr', 'Wrr', 'Wrr'), expect: [] },
    { name: 'clean failover: primary dies, B promoted', samples: history('Wrr', '-rr', '-rr', '-Wr', '-Wr', 'rWr'), expect: [] },
    { name: 'fenced old primary comes back read-only', samples: history('Wrr', '-Wr', 'rWr'), expect: [] },
    { name: 'frozen writable old primary does not count while it does not answer', samples: history('Wrr', '-Wr', '-Wr'), expect: [] },
    { name: 'nobody writable', samples: history('rrr', '---'), expect: [] },
    {
      name: 'old primary thawed writable next to the new one',
      samples: history('Wrr', '-Wr', 'WWr', 'WWr', 'rWr'),
      expect: [{ ids: [A, B], atMs: 1050, samples: 2 }],
    },
    {
      name: 'two episodes, and a change of the writable set is a new episode',
      samples: history('WWr', 'Wrr', 'WWr', 'WWW', 'rWr'),
      expect: [
        { ids: [A, B], atMs: 1000, samples: 1 },
        { ids: [A, B], atMs: 1050, samples: 1 },
        { ids: [A, B, C], atMs: 1075, samples: 1 },
      ],
    },
    { name: 'split brain in the very last sample', samples: history('Wrr', 'WrW'), expect: [{ ids: [A, C], atMs: 1025, samples: 1 }] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const violations = checkSplitBrain(c.samples);
      assert.deepEqual(
        violations.map((v) => {
          const d = v.details as { writable: string[]; samples: number };
          return { ids: d.writable, atMs: v.atMs, samples: d.samples };
        }),
        c.expect,
      );
      for (const v of violations) {
        assert.equal(v.invariant, 'split-brain');
        for (const id of (v.details as { writable: string[] }).writable) assert.ok(v.message.includes(id), `${id} named in: ${v.message}`);
        assert.equal((v.details as { sample: Sample }).sample.atMs, v.atMs, 'the sample itself is attached');
      }
    });
  }
});

test('checkSplitBrain with a cut-off primary returning: only its bounded window right after the heal is allowed', async (t) => {
  // A is the old primary, cut off; B the new one. history() samples every 25 ms from 1000.
  const returning = { id: A, fromMs: 1025, withinMs: 50 };
  const cases: Array<{ name: string; samples: Sample[]; violations: number }> = [
    { name: 'writable for two samples right after the heal, then fenced', samples: history('-Wr', 'WWr', 'WWr', 'rWr'), violations: 0 },
    { name: 'still writable past the window', samples: history('-Wr', 'WWr', 'WWr', 'WWr', 'WWr', 'rWr'), violations: 1 },
    { name: 'writable before the heal time', samples: history('WWr', 'WWr', 'rWr'), violations: 1 },
    { name: 'a third writable instance in the window', samples: history('-Wr', 'WWW', 'rWr'), violations: 1 },
    { name: 'two writable that are not the returning one', samples: history('-WW', 'rWr'), violations: 1 },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.equal(checkSplitBrain(c.samples, { returning }).length, c.violations);
      // without the allowance every one of them is a split brain
      assert.ok(checkSplitBrain(c.samples).length >= 1);
    });
  }
});

test('checkAckedWrites', async (t) => {
  const cases: Array<{ name: string; acked: Array<number | string>; present: Array<number | string>; missing: number | null; listed?: Array<number | string> }> = [
    { name: 'nothing acked', acked: [], present: [], missing: null },
    { name: 'every acked write present (failed ones may be there too)', acked: [1, 2, 3], present: [1, 2, 3, 4], missing: null },
    { name: 'a lost acked write', acked: [1, 2, 3, 4], present: [1, 2, 4], missing: 1, listed: [3] },
    { name: 'string ids', acked: ['a', 'b'], present: ['b'], missing: 1, listed: ['a'] },
    { name: 'first N listed, in acked order', acked: Array.from({ length: 30 }, (_, i) => i + 1), present: [1], missing: 29, listed: Array.from({ length: 20 }, (_, i) => i + 2) },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const v = checkAckedWrites(c.acked, new Set(c.present));
      if (c.missing === null) {
        assert.equal(v, null);
        return;
      }
      assert.ok(v);
      assert.equal(v.invariant, 'lost-write');
      const d = v.details as { missing: number; acked: number; firstMissing: unknown[] };
      assert.equal(d.missing, c.missing);
      assert.equal(d.acked, c.acked.length);
      assert.deepEqual(d.firstMissing, c.listed);
      assert.match(v.message, new RegExp(`^${c.missing} of ${c.acked.length} acked writes missing`));
    });
  }
  await t.test('maxListed', () => {
    const v = checkAckedWrites([1, 2, 3], new Set<number>(), { maxListed: 2 });
    assert.deepEqual((v?.details as { firstMissing: number[] }).firstMissing, [1, 2]);
    assert.match(v?.message ?? '', /1, 2, …$/);
  });
});

const primary = (id: string, over: Partial<FinalInstance> = {}): FinalInstance => ({
  id,
  answered: true,
  writable: true,
  replicatingFrom: null,
  ioRunning: false,
  sqlRunning: false,
  channels: [],
  ...over,
});
const replica = (id: string, from: string, over: Partial<FinalInstance> = {}): FinalInstance => ({
  id,
  answered: true,
  writable: false,
  replicatingFrom: from,
  ioRunning: true,
  sqlRunning: true,
  channels: [{ name: '', source: from, ioRunning: true, sqlRunning: true }],
  ...over,
});
const dead = (id: string): FinalInstance => ({ id, answered: false, writable: null, replicatingFrom: null, ioRunning: false, sqlRunning: false, error: 'ECONNREFUSED' });

test('checkFinalTopology', async (t) => {
  const D = '127.0.0.1:3304';
  const cases: Array<{ name: string; instances: FinalInstance[]; survivors?: string[]; demoted?: string[]; chained?: boolean; problems: RegExp[] }> = [
    { name: 'chained: a replica under a replica of the primary', instances: [primary(A), replica(B, A), replica(C, B)], chained: true, problems: [] },
    { name: 'not chained: a replica under a replica is a violation', instances: [primary(A), replica(B, A), replica(C, B)], problems: [/3303 replicates from 127.0.0.1:3302, not from the primary 127.0.0.1:3301/] },
    { name: 'chained through a stopped replica', instances: [primary(A), replica(B, A, { sqlRunning: false }), replica(C, B)], chained: true, problems: [/3302 replicates from 127.0.0.1:3301 but IO runs, SQL stopped/, /3303 replicates from 127.0.0.1:3302, not from the primary/] },
    { name: 'chained into a circle that misses the primary', instances: [primary(A), replica(C, D), replica(D, C)], chained: true, problems: [/3303 replicates from 127.0.0.1:3304, not from the primary/, /3304 replicates from 127.0.0.1:3303, not from the primary/] },
    { name: 'the demoted old primary kept fenced: a read-only root', instances: [primary(A, { writable: false }), primary(B), replica(C, B)], demoted: [A], problems: [] },
    { name: 'the demoted old primary writable again', instances: [primary(A), primary(B), replica(C, B)], demoted: [A], problems: [/2 answering instances are writable/] },
    { name: 'the demoted old primary is the only writable one', instances: [primary(A), replica(B, A), replica(C, A)], demoted: [A], problems: [/the demoted primary 127.0.0.1:3301 is the writable one/] },
    { name: 'healthy: B primary, C under it, the old primary dead', instances: [dead(A), primary(B), replica(C, B)], problems: [] },
    { name: 'healthy: the old primary back as a replica', instances: [replica(A, B), primary(B), replica(C, B)], survivors: [A, B, C], problems: [] },
    { name: 'two roots: both writable', instances: [primary(A), primary(B), replica(C, B)], problems: [/2 answering instances are writable: 127.0.0.1:3301, 127.0.0.1:3302/] },
    { name: 'two roots: a read-only one replicating from nobody', instances: [primary(A, { writable: false }), primary(B), replica(C, B)], problems: [/3301 replicates from nobody/] },
    { name: 'a replica pointing elsewhere', instances: [dead(A), primary(B), replica(C, A)], problems: [/3303 replicates from 127.0.0.1:3301, not from the primary 127.0.0.1:3302/] },
    { name: 'a replica with its IO thread stopped', instances: [dead(A), primary(B), replica(C, B, { ioRunning: false })], problems: [/3303 replicates from 127.0.0.1:3302 but IO stopped, SQL runs/] },
    { name: 'a primary still configured as a replica', instances: [dead(A), primary(B, { replicatingFrom: A }), replica(C, B)], problems: [/primary 127.0.0.1:3302 still has replication configured/] },
    { name: 'no writable instance', instances: [dead(A), replica(B, A), replica(C, A)], problems: [/no answering instance is writable/] },
    { name: 'an expected survivor missing', instances: [dead(A), primary(B), replica(C, B)], survivors: [A, B, C], problems: [/expected survivor 127.0.0.1:3301 does not answer \(ECONNREFUSED\)/] },
    {
      name: 'a replica with two replication connections',
      instances: [
        dead(A),
        primary(B),
        replica(C, B, { channels: [{ name: '', source: B, ioRunning: true, sqlRunning: true }, { name: 'x', source: A, ioRunning: false, sqlRunning: true }] }),
      ],
      problems: [/3303 has 2 replication connections/],
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const violations = checkFinalTopology({ instances: c.instances }, c.survivors, { demoted: c.demoted ?? [], chained: c.chained === true });
      assert.equal(violations.length, c.problems.length, violations.map((v) => v.message).join('\n'));
      c.problems.forEach((re, i) => {
        assert.equal(violations[i]?.invariant, 'final-topology');
        assert.match(violations[i]?.message ?? '', re);
      });
    });
  }
});

test('checkRecoveryRows', () => {
  const rows = [
    { uid: 'r1', outcome: 'successful', ended_at: new Date(0) },
    { uid: 'r2', outcome: null, ended_at: null },
    { uid: 'r3', outcome: 'failed', ended_at: null },
    { uid: 'r4', outcome: 'not-needed', ended_at: '2025-01-01 00:00:00.000' },
  ];
  const violations = checkRecoveryRows(rows);
  assert.deepEqual(violations.map((v) => v.invariant), ['recovery-running', 'recovery-running']);
  assert.match(violations[0]?.message ?? '', /r2 is still running \(outcome NULL, ended_at NULL\)/);
  assert.match(violations[1]?.message ?? '', /r3 is still running/);
  assert.deepEqual(checkRecoveryRows([]), []);
});

test('checkPromotions', async (t) => {
  const promoted = (recoveryUid: string, failed: string, successor: string | undefined, ok: PromotionStep['ok'] = 1, asText = false): PromotionStep => {
    const details = successor === undefined ? {} : { successor, position: '0-1-10' };
    return { recoveryUid, failed, step: 'promoted', ok, details: asText ? JSON.stringify(details) : details };
  };
  const cases: Array<{ name: string; steps: PromotionStep[]; expect: Array<{ failed: string; re: RegExp }> }> = [
    { name: 'one promotion', steps: [promoted('r1', A, B)], expect: [] },
    { name: 'roll-forward onto the same successor', steps: [promoted('r1', A, B), promoted('r2', A, B, true, true)], expect: [] },
    { name: 'failed and informational promoted steps do not count', steps: [promoted('r1', A, B), promoted('r2', A, C, 0), promoted('r3', A, C, null)], expect: [] },
    { name: 'other steps do not count', steps: [promoted('r1', A, B), { recoveryUid: 'r2', failed: A, step: 'replicas-moved', ok: 1, details: { successor: C } }], expect: [] },
    { name: 'a chain: A replaced by B, later B replaced by C', steps: [promoted('r1', A, B), promoted('r2', B, C)], expect: [] },
    { name: 'double promotion onto two successors', steps: [promoted('r1', A, B), promoted('r2', A, C, true)], expect: [{ failed: A, re: /replaced 2 times, onto 127.0.0.1:3302, 127.0.0.1:3303 \(recoveries r1, r2\)/ }] },
    { name: 'same successor, then another one', steps: [promoted('r1', A, B), promoted('r2', A, B), promoted('r3', A, C, 1, true)], expect: [{ failed: A, re: /replaced 3 times/ }] },
    { name: 'a second promotion naming no successor', steps: [promoted('r1', A, B), promoted('r2', A, undefined)], expect: [{ failed: A, re: /no successor named/ }] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const violations = checkPromotions(c.steps);
      assert.equal(violations.length, c.expect.length, violations.map((v) => v.message).join('\n'));
      c.expect.forEach((e, i) => {
        assert.equal(violations[i]?.invariant, 'double-promotion');
        assert.equal((violations[i]?.details as { failed: string }).failed, e.failed);
        assert.match(violations[i]?.message ?? '', e.re);
      });
    });
  }
});

test('formatReport names the scenario and the fault time, and shows the samples around a split brain', () => {
  const samples = Array.from({ length: 40 }, (_, i) => sample(10_000 + i * 25, i >= 20 && i < 22 ? 'WWr' : i >= 10 ? '-Wr' : 'Wrr'));
  const violations = [...checkSplitBrain(samples), checkAckedWrites([1, 2], new Set([1]))].filter((v) => v !== null);
  const report = formatReport({ scenario: 'freeze-primary', faultAtMs: 10_250, violations, samples });
  const lines = report.split('\n');
  assert.match(lines[0] ?? '', /chaos scenario "freeze-primary": 2 violations/);
  assert.match(report, /fault injected at 10250/);
  assert.match(report, /1\. \[split-brain\] at \+250 ms: 2 instances writable at once: 127\.0\.0\.1:3301, 127\.0\.0\.1:3302/);
  assert.match(report, /2\. \[lost-write\]: 1 of 2 acked writes missing on the final primary: 2/);
  // ±250 ms around +250 ms at 25 ms a sample: 21 lines, the violating one marked.
  const shown = lines.filter((l) => /^ {3}[ >] [+-] *\d+ ms {2}/.test(l));
  assert.equal(shown.length, 21);
  assert.match(lines.find((l) => l.startsWith('   >')) ?? '', /\+ {2}250 ms {2}127\.0\.0\.1:3301=RW 127\.0\.0\.1:3302=RW 127\.0\.0\.1:3303=ro/);
  assert.ok(shown.some((l) => /3301=-- 127\.0\.0\.1:3302=RW/.test(l)), 'a sample before the split brain, the old primary not answering');
  // the attached sample is not dumped into the details line
  assert.doesNotMatch(report, /"instances"/);

  assert.match(formatReport({ scenario: 'calm', faultAtMs: 0, violations: [], samples: [] }), /^chaos scenario "calm": no violations/);
});

test('checkReportedLoss: missing acked writes pass only when an exact loss report counts them and a reported member holds them', () => {
  const report = (entries: ReportedLoss['entries'], pending: string[] = []): ReportedLoss => ({ entries, pending });
  const oldPrimary = { member: 'p:1', source: 'returned', count: 2, missing: '0-1-11..0-1-12' };
  const holders = new Map([['p:1', new Set([1, 2, 3, 11, 12])]]);
  assert.equal(checkReportedLoss([], null, holders), null, 'nothing missing');
  assert.match(checkReportedLoss([11, 12], null, holders)?.message ?? '', /no loss report/);
  assert.match(checkReportedLoss([11, 12], report([]), holders)?.message ?? '', /the loss report counts 0/, 'an empty report with writes missing: the violation is seen');
  assert.match(checkReportedLoss([11, 12], report([{ ...oldPrimary, source: 'last-seen' }], ['p:1']), holders)?.message ?? '', /counts 0 .*pending p:1/, 'a last-seen lower bound is not a report');
  assert.match(checkReportedLoss([11, 12, 13], report([oldPrimary]), holders)?.message ?? '', /counts 2/);
  assert.match(checkReportedLoss([11, 12], report([oldPrimary]), new Map([['p:1', new Set([11])]]))?.message ?? '', /on no member the loss report names: 12/);
  assert.equal(checkReportedLoss([11, 12], report([oldPrimary]), holders), null);
});
