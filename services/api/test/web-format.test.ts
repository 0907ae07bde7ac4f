/**
 * The web page's pure logic (web/format.js, plain JavaScript the browser loads unbuilt): the tree
 * and roles from Instance JSON, lag and flags, a recovery's outcome in words, step offsets, and
 * "why was this not recovered" for blocked recoveries and for problems the analysis shows now.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildTree,
  durationText,
  instanceFlags,
  lagText,
  outcomeText,
  stepTimeline,
  whyBlocked,
  whyNotRecovering,
  type AnalysisJson,
  type BlockedJson,
  type InstanceRow,
  type TreeNode,
} from '../web/format.js';

const noKey = { Hostname: '', Port: 0 };
const key = (port: number) => ({ Hostname: '127.0.0.1', Port: port });
const row = (port: number, source: number | null, over: Partial<InstanceRow> = {}): InstanceRow => ({
  Key: key(port),
  MasterKey: source === null ? noKey : key(source),
  ReadOnly: source !== null,
  IsLastCheckValid: true,
  ReplicationIOThreadRuning: source !== null,
  ReplicationSQLThreadRuning: source !== null,
  SecondsBehindMaster: source === null ? { Int64: 0, Valid: false } : { Int64: 2, Valid: true },
  ...over,
});
const shape = (nodes: TreeNode[]): unknown[] => nodes.map((n) => [n.key.replace('127.0.0.1:', ''), n.role, ...(n.children.length ? [shape(n.children)] : [])]);

test('buildTree: replicas under their source, roles as the ASCII topology names them', () => {
  const cases: Array<{ name: string; rows: InstanceRow[]; want: unknown[] }> = [
    { name: 'primary with two replicas', rows: [row(3, 1), row(1, null), row(2, 1)], want: [['1', 'primary', [['2', 'replica'], ['3', 'replica']]]] },
    { name: 'intermediate primary', rows: [row(1, null), row(2, 1), row(3, 2)], want: [['1', 'primary', [['2', 'intermediate', [['3', 'replica']]]]]] },
    {
      name: 'after a failover: the new primary first, the dead old one standalone',
      rows: [row(1, null, { IsLastCheckValid: false }), row(2, null, { ReadOnly: false }), row(3, 2)],
      want: [['2', 'primary', [['3', 'replica']]], ['1', 'standalone']],
    },
    {
      name: 'after the last replica was promoted: the reachable root is the primary',
      rows: [row(1, null, { IsLastCheckValid: false }), row(2, null, { IsLastCheckValid: false }), row(3, null, { ReadOnly: false })],
      want: [['3', 'primary'], ['1', 'standalone'], ['2', 'standalone']],
    },
    { name: 'nothing answers: every root a primary', rows: [row(1, null, { IsLastCheckValid: false }), row(2, null, { IsLastCheckValid: false })], want: [['1', 'primary'], ['2', 'primary']] },
    { name: 'a lone server is a primary', rows: [row(1, null)], want: [['1', 'primary']] },
    { name: 'a source not in the cluster: a root', rows: [row(2, 9)], want: [['2', 'primary']] },
    { name: 'a ring has no root and is still shown', rows: [row(1, 2), row(2, 1)], want: [['1', 'primary', [['2', 'replica']]]] },
    { name: 'numeric port order', rows: [row(10, null), row(9, 10), row(100, 10)], want: [['10', 'primary', [['9', 'replica'], ['100', 'replica']]]] },
  ];
  for (const c of cases) assert.deepEqual(shape(buildTree(c.rows)), c.want, c.name);
});

test('lag and flags of an instance', () => {
  assert.equal(lagText(row(1, null)), null, 'a primary has no lag');
  assert.equal(lagText(row(2, 1)), 'lag 2s');
  assert.equal(lagText(row(2, 1, { SecondsBehindMaster: { Int64: 0, Valid: false } })), 'lag unknown');
  const labels = (r: InstanceRow) => instanceFlags(r).map((f) => f.label);
  assert.deepEqual(labels(row(1, null)), ['writable']);
  assert.deepEqual(labels(row(2, 1)), ['read_only']);
  assert.deepEqual(labels(row(2, 1, { ReplicationIOThreadRuning: false, IsDowntimed: true, DowntimeOwner: 'ops', DowntimeReason: 'maint', PromotionRule: 'prefer' })), [
    'read_only',
    'not replicating (IO No, SQL Yes)',
    'downtimed',
    'promotion: prefer',
  ]);
  assert.deepEqual(labels(row(1, null, { IsLastCheckValid: false, LastError: 'ECONNREFUSED' })), ['unreachable', 'last seen writable']);
  assert.equal(instanceFlags(row(2, 1, { IsDowntimed: true, DowntimeOwner: 'ops', DowntimeReason: 'maint', DowntimeEndTimestamp: 'T' })).find((f) => f.label === 'downtimed')?.title, 'ops: maint (until T)');
});

test('a recovery in words, and its steps with offsets from its start', () => {
  const cases: Array<[Parameters<typeof outcomeText>[0], string]> = [
    [{ IsActive: true, IsSuccessful: false, Outcome: '' }, 'running'],
    [{ IsActive: false, IsSuccessful: true, Outcome: 'successful', AllErrors: ['ignored'] }, 'succeeded'],
    [{ IsActive: false, IsSuccessful: false, Outcome: 'failed', AllErrors: ['first', 'no replica could be promoted'] }, 'failed: no replica could be promoted'],
    [{ IsActive: false, IsSuccessful: false, Outcome: 'not-needed', AllErrors: [] }, 'not needed: the executor\u2019s own probes no longer showed the failure'],
    [{ IsActive: false, IsSuccessful: false, Outcome: 'not-attempted', AllErrors: ['another recovery holds the cluster lock'] }, 'not attempted: another recovery holds the cluster lock'],
  ];
  for (const [recovery, want] of cases) assert.equal(outcomeText(recovery), want, JSON.stringify(recovery));

  const steps = [
    { Id: 2, Seq: 2, AuditAt: '2026-01-01T00:00:01.250Z', Step: 'promoted', Message: 'm', Ok: true },
    { Id: 1, Seq: 1, AuditAt: '2026-01-01T00:00:00.100Z', Step: 'registered', Message: 'm', Ok: null },
  ];
  const timeline = stepTimeline({ IsActive: false, IsSuccessful: true, Outcome: 'successful', RecoveryStartTimestamp: '2026-01-01T00:00:00.000Z' }, steps);
  assert.deepEqual(timeline.map((e) => [e.step.Step, e.offsetMs]), [['registered', 100], ['promoted', 1250]]);
  assert.deepEqual([0, 850, 2400, 185_000, 7_260_000, null].map(durationText), ['0 ms', '850 ms', '2.4 s', '3 min 5 s', '2 h 1 min', '']);
});

const now = Date.parse('2026-01-01T00:10:00.000Z');
const blocked = (reason: string, over: Partial<BlockedJson> = {}): BlockedJson => ({
  FailedInstanceKey: key(2),
  ClusterName: 'orders',
  Analysis: 'DeadMaster',
  Reason: reason,
  BlockingRecoveryUID: 'uid-1',
  TimesBlocked: 3,
  LastBlockedTimestamp: '2026-01-01T00:09:30.000Z',
  ...over,
});

test('whyBlocked: each reason of the executor in words', () => {
  const cases: Array<[BlockedJson, RegExp]> = [
    [blocked('recovery-block'), /^DeadMaster on 127\.0\.0\.1:2 was not recovered: cluster orders is in the anti-flapping block left by recovery uid-1 \(RecoveryPeriodBlockSeconds\)\. Acknowledge that recovery to lift the block, or wait until it expires\. Blocked 3 times, last 30\.0 s ago\.$/],
    [blocked('recently-promoted', { TimesBlocked: 1 }), /127\.0\.0\.1:2 is the primary that recovery uid-1 promoted moments ago.*anti-flapping.*Blocked once, last 30\.0 s ago\.$/],
    [blocked('recovery-in-flight', { BlockingRecoveryUID: '' }), /^DeadMaster on 127\.0\.0\.1:2 was not recovered: an earlier recovery of cluster orders was still running, and no second recovery starts beside it\./],
    [blocked('something-new'), /was not recovered: something-new\. Blocked 3 times/],
  ];
  for (const [b, want] of cases) assert.match(whyBlocked(b, now), want, b.Reason);
});

test('whyNotRecovering: the executor\'s gates in its order, null when it would recover', () => {
  const entry = (over: Partial<AnalysisJson> = {}): AnalysisJson => ({
    AnalyzedInstanceKey: key(2),
    Analysis: 'DeadMaster',
    IsActionableRecovery: true,
    ClusterDetails: { ClusterName: 'orders', HasAutomatedMasterRecovery: true },
    ...over,
  });
  const open = { recoveriesDisabled: false, blocked: [], now };
  const cases: Array<{ name: string; entry: AnalysisJson; context?: Parameters<typeof whyNotRecovering>[1]; want: RegExp | null }> = [
    { name: 'would recover', entry: entry(), want: null },
    { name: 'no problem', entry: entry({ Analysis: 'NoProblem', IsActionableRecovery: false }), want: null },
    { name: 'not actionable', entry: entry({ Analysis: 'UnreachableMaster', IsActionableRecovery: false }), want: /UnreachableMaster on 127\.0\.0\.1:2 is reported, not recovered/ },
    { name: 'intermediate', entry: entry({ Analysis: 'DeadIntermediateMaster' }), want: /does not recover dead intermediate primaries yet/ },
    { name: 'switch off', entry: entry(), context: { ...open, recoveriesDisabled: true }, want: /automated recoveries are disabled globally/ },
    { name: 'switch off wins over the filters', entry: entry({ ClusterDetails: { ClusterName: 'orders', HasAutomatedMasterRecovery: false } }), context: { ...open, recoveriesDisabled: true }, want: /disabled globally/ },
    { name: 'filters', entry: entry({ ClusterDetails: { ClusterName: 'orders', HasAutomatedMasterRecovery: false } }), want: /cluster orders does not match RecoverMasterClusterFilters/ },
    { name: 'downtimed', entry: entry({ IsDowntimed: true, SkippableDueToDowntime: true }), want: /the instance is downtimed/ },
    { name: 'blocked', entry: entry(), context: { ...open, blocked: [blocked('recovery-block')] }, want: /anti-flapping block left by recovery uid-1/ },
    { name: 'a block of another instance', entry: entry(), context: { ...open, blocked: [blocked('recovery-block', { FailedInstanceKey: key(3) })] }, want: null },
  ];
  for (const c of cases) {
    const got = whyNotRecovering(c.entry, c.context ?? open);
    if (c.want === null) assert.equal(got, null, c.name);
    else assert.match(got ?? '', c.want, c.name);
  }
});
