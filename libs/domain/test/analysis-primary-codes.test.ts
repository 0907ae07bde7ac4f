/**
 * Every primary analysis code (reference §1.2) has a case that produces it and a near miss that does
 * not. Each case names the instance whose row is checked and the code it must (or must not) get.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisEntry, InstanceObservation } from '@baton/contracts';
import { analysisCodes, analyze, primaryAnalysisRules, writableRootRules, type AnalysisCode, type AnalysisContext, type AnalysisPolicyInput } from '../src/index.ts';
import {
  NOW,
  binlogServer,
  dead,
  delayed,
  downtimed,
  epochOf,
  ioConnecting,
  ioStopped,
  lagging,
  partial,
  primary,
  readOnly,
  replica,
  replicatesFrom,
  semiSync,
  set,
  snapshot,
  sqlStopped,
} from './builders.ts';

interface Case {
  name: string;
  instances: () => InstanceObservation[];
  /** the row checked */
  host: string;
  /** expected code; null = no row reported for this host */
  code: AnalysisCode | null;
  policy?: AnalysisPolicyInput;
  context?: AnalysisContext;
}

const p = () => primary('p1');
const deadP = () => primary('p1', dead);

/** co-masters a ↔ b; `a` and `b` get the given modifiers. */
function coMasters(aMods: Parameters<typeof primary>[1][], bMods: Parameters<typeof primary>[1][], extra: (a: InstanceObservation) => InstanceObservation[] = () => []) {
  return () => {
    const a0 = primary('a');
    const b = replica('b', a0, ...bMods);
    const a = [replicatesFrom(b), ...aMods].reduce((i, m) => m(i), a0);
    return [a, b, ...extra(a)];
  };
}

/** p1 → im → replicas built by `build(im)`. */
function intermediate(imMods: Parameters<typeof primary>[1][], build: (im: InstanceObservation) => InstanceObservation[]) {
  return () => {
    const top = p();
    const im = replica('im', top, ...imMods);
    return [top, im, ...build(im)];
  };
}

const staleContext: AnalysisContext = {
  staleCoordinates: { 'p1:3306': { coordinates: { file: 'mysql-bin.000001', pos: 1680 }, firstSeenAt: new Date(NOW - 60_000).toISOString() } },
};

const cases: Case[] = [
  // 1
  { name: 'dead primary alone', instances: () => [deadP()], host: 'p1', code: 'DeadMasterWithoutReplicas' },
  { name: 'near miss: dead primary with a replica is not WithoutReplicas', instances: () => { const m = deadP(); return [m, replica('r1', m, ioConnecting())]; }, host: 'p1', code: 'DeadMaster' },
  // 2
  {
    name: 'dead primary, every replica reachable and failing to connect',
    instances: () => { const m = deadP(); return [m, replica('r1', m, ioConnecting()), replica('r2', m, ioConnecting(2013))]; },
    host: 'p1',
    code: 'DeadMaster',
  },
  {
    name: 'near miss: one replica still replicating → UnreachableMaster, not DeadMaster',
    instances: () => { const m = deadP(); return [m, replica('r1', m, ioConnecting()), replica('r2', m)]; },
    host: 'p1',
    code: 'UnreachableMaster',
  },
  // 3
  { name: 'dead primary and every replica dead', instances: () => { const m = deadP(); return [m, replica('r1', m, dead), replica('r2', m, dead)]; }, host: 'p1', code: 'DeadMasterAndReplicas' },
  {
    name: 'near miss: one replica reachable → DeadMasterAndSomeReplicas',
    instances: () => { const m = deadP(); return [m, replica('r1', m, dead), replica('r2', m, ioConnecting())]; },
    host: 'p1',
    code: 'DeadMasterAndSomeReplicas',
  },
  // 4
  {
    name: 'dead primary, some replicas dead, the reachable ones not replicating',
    instances: () => { const m = deadP(); return [m, replica('r1', m, dead), replica('r2', m, ioConnecting()), replica('r3', m, ioStopped)]; },
    host: 'p1',
    code: 'DeadMasterAndSomeReplicas',
  },
  {
    name: 'near miss: a reachable replica still replicates → UnreachableMaster',
    instances: () => { const m = deadP(); return [m, replica('r1', m, dead), replica('r2', m)]; },
    host: 'p1',
    code: 'UnreachableMaster',
  },
  // 5
  {
    name: 'unreachable primary, every replica replicating but lagging',
    instances: () => { const m = deadP(); return [m, replica('r1', m, lagging(60)), replica('r2', m, lagging(30))]; },
    host: 'p1',
    code: 'UnreachableMasterWithLaggingReplicas',
  },
  {
    name: 'unreachable primary, lagging replicas plus an SQL-delayed one (delayed are not lagging; the others all lag)',
    instances: () => { const m = deadP(); return [m, replica('r1', m, lagging(60)), replica('r2', m, delayed(3600))]; },
    host: 'p1',
    code: 'UnreachableMasterWithLaggingReplicas',
  },
  {
    name: 'near miss: one replica within the lag threshold → UnreachableMaster',
    instances: () => { const m = deadP(); return [m, replica('r1', m, lagging(60)), replica('r2', m, lagging(10))]; },
    host: 'p1',
    code: 'UnreachableMaster',
  },
  {
    name: 'near miss: only delayed replicas (none lagging beyond its delay) → UnreachableMaster',
    instances: () => { const m = deadP(); return [m, replica('r1', m, delayed(3600)), replica('r2', m, delayed(600))]; },
    host: 'p1',
    code: 'UnreachableMaster',
  },
  // 6
  { name: 'unreachable primary (no partial success), replicas replicating', instances: () => { const m = deadP(); return [m, replica('r1', m), replica('r2', m)]; }, host: 'p1', code: 'UnreachableMaster' },
  {
    name: 'near miss: partial success and no replica failing to connect → nothing reported',
    instances: () => { const m = primary('p1', partial); return [m, replica('r1', m), replica('r2', m)]; },
    host: 'p1',
    code: null,
  },
  // 7
  {
    name: 'partially reachable primary, one replica failing to connect, another replicating',
    instances: () => { const m = primary('p1', partial); return [m, replica('r1', m), replica('r2', m, ioConnecting())]; },
    host: 'p1',
    code: 'UnreachableMaster',
  },
  // 8
  {
    name: 'semi-sync primary waiting with too few clients, coordinates stale',
    instances: () => { const m = primary('p1', semiSync({ wait: 1, clients: 0 })); return [m, replica('r1', m)]; },
    context: staleContext,
    host: 'p1',
    code: 'LockedSemiSyncMaster',
  },
  {
    name: 'near miss: same without stale-coordinates history → Hypothesis',
    instances: () => { const m = primary('p1', semiSync({ wait: 1, clients: 0 })); return [m, replica('r1', m)]; },
    host: 'p1',
    code: 'LockedSemiSyncMasterHypothesis',
  },
  {
    name: 'near miss: coordinates recorded only 5 s ago (threshold 10 s) → Hypothesis',
    instances: () => { const m = primary('p1', semiSync({ wait: 1, clients: 0 })); return [m, replica('r1', m)]; },
    context: { staleCoordinates: { 'p1:3306': { coordinates: { file: 'mysql-bin.000001', pos: 1680 }, firstSeenAt: new Date(NOW - 5000).toISOString() } } },
    host: 'p1',
    code: 'LockedSemiSyncMasterHypothesis',
  },
  { name: 'near miss: enough semi-sync clients → not locked', instances: () => { const m = primary('p1', semiSync({ wait: 1, clients: 1 })); return [m, replica('r1', m)]; }, host: 'p1', code: null },
  // 9
  {
    name: 'more semi-sync clients than waited for, EnforceExactSemiSyncReplicas',
    instances: () => { const m = primary('p1', semiSync({ wait: 1, clients: 2 })); return [m, replica('r1', m), replica('r2', m)]; },
    policy: { enforceExactSemiSyncReplicas: true },
    host: 'p1',
    code: 'MasterWithTooManySemiSyncReplicas',
  },
  {
    name: 'near miss: same without EnforceExactSemiSyncReplicas',
    instances: () => { const m = primary('p1', semiSync({ wait: 1, clients: 2 })); return [m, replica('r1', m), replica('r2', m)]; },
    host: 'p1',
    code: null,
  },
  // 10
  {
    name: 'read-only primary with replicating replicas, RecoverNonWriteableMaster',
    instances: () => { const m = primary('p1', readOnly); return [m, replica('r1', m)]; },
    policy: { recoverNonWriteableMaster: true },
    host: 'p1',
    code: 'NoWriteableMasterStructureWarning',
  },
  {
    name: 'near miss: without RecoverNonWriteableMaster it is only a structure warning (code NoProblem)',
    instances: () => { const m = primary('p1', readOnly); return [m, replica('r1', m)]; },
    host: 'p1',
    code: 'NoProblem',
  },
  // 11
  { name: 'reachable primary, its single replica not replicating', instances: () => { const m = p(); return [m, replica('r1', m, sqlStopped)]; }, host: 'p1', code: 'MasterSingleReplicaNotReplicating' },
  { name: 'near miss: the single replica replicates → nothing', instances: () => { const m = p(); return [m, replica('r1', m)]; }, host: 'p1', code: null },
  // 12
  { name: 'reachable primary, its single replica dead', instances: () => { const m = p(); return [m, replica('r1', m, dead)]; }, host: 'p1', code: 'MasterSingleReplicaDead' },
  { name: 'near miss: the single replica reachable but stopped → SingleReplicaNotReplicating', instances: () => { const m = p(); return [m, replica('r1', m, ioStopped)]; }, host: 'p1', code: 'MasterSingleReplicaNotReplicating' },
  // 13
  {
    name: 'reachable primary, no replica replicating',
    instances: () => { const m = p(); return [m, replica('r1', m, ioStopped), replica('r2', m, sqlStopped)]; },
    host: 'p1',
    code: 'AllMasterReplicasNotReplicating',
  },
  { name: 'near miss: one replica replicating → nothing', instances: () => { const m = p(); return [m, replica('r1', m, ioStopped), replica('r2', m)]; }, host: 'p1', code: null },
  // 14
  {
    name: 'reachable primary, replicas dead or not replicating',
    instances: () => { const m = p(); return [m, replica('r1', m, dead), replica('r2', m, ioStopped)]; },
    host: 'p1',
    code: 'AllMasterReplicasNotReplicatingOrDead',
  },
  {
    name: 'near miss (QUIRK kept): every replica dead under a reachable primary matches no code (only NoFailoverSupport: no valid GTID replica)',
    instances: () => { const m = p(); return [m, replica('r1', m, dead), replica('r2', m, dead)]; },
    host: 'p1',
    code: 'NoProblem',
  },
  // 15
  { name: 'dead co-master whose replicas are not replicating', instances: coMasters([dead], [ioConnecting()]), host: 'a', code: 'DeadCoMaster' },
  { name: 'near miss: its co-master still replicates from it → UnreachableCoMaster', instances: coMasters([dead], []), host: 'a', code: 'UnreachableCoMaster' },
  // 16
  {
    name: 'dead co-master, one replica dead, the other not replicating',
    instances: coMasters([dead], [ioConnecting()], (a) => [replica('r3', a, dead)]),
    host: 'a',
    code: 'DeadCoMasterAndSomeReplicas',
  },
  {
    name: 'near miss: the other replica reachable too → DeadCoMaster',
    instances: coMasters([dead], [ioConnecting()], (a) => [replica('r3', a, ioConnecting())]),
    host: 'a',
    code: 'DeadCoMaster',
  },
  // 17
  { name: 'unreachable co-master with a replicating replica', instances: coMasters([dead], []), host: 'a', code: 'UnreachableCoMaster' },
  { name: 'near miss: partial success → nothing', instances: coMasters([partial], []), host: 'a', code: null },
  // 18
  { name: 'reachable co-master, its replicas not replicating', instances: coMasters([], [sqlStopped]), host: 'a', code: 'AllCoMasterReplicasNotReplicating' },
  { name: 'near miss: replicas replicating → nothing', instances: coMasters([], []), host: 'a', code: null },
  // 19
  {
    name: 'dead intermediate master, its single replica failing to connect',
    instances: intermediate([dead], (im) => [replica('r1', im, ioConnecting())]),
    host: 'im',
    code: 'DeadIntermediateMasterWithSingleReplicaFailingToConnect',
  },
  {
    name: 'near miss: the single replica stopped without a connect error → WithSingleReplica',
    instances: intermediate([dead], (im) => [replica('r1', im, ioStopped)]),
    host: 'im',
    code: 'DeadIntermediateMasterWithSingleReplica',
  },
  {
    name: 'errno 2013 while Connecting counts as failing to connect even with an unfamiliar message',
    instances: intermediate([dead], (im) => [replica('r1', im, ioConnecting(2013, 'Lost connection to server during query'))]),
    host: 'im',
    code: 'DeadIntermediateMasterWithSingleReplicaFailingToConnect',
  },
  {
    name: 'MySQL 8 wording "error connecting to source" counts as failing to connect',
    instances: intermediate([dead], (im) => [replica('r1', im, ioConnecting(0, "Error connecting to source 'repl@im:3306'. This was attempt 1/86400"))]),
    host: 'im',
    code: 'DeadIntermediateMasterWithSingleReplicaFailingToConnect',
  },
  // 20
  { name: 'dead intermediate master, its single replica not replicating', instances: intermediate([dead], (im) => [replica('r1', im, sqlStopped)]), host: 'im', code: 'DeadIntermediateMasterWithSingleReplica' },
  { name: 'near miss: the single replica replicates → UnreachableIntermediateMaster', instances: intermediate([dead], (im) => [replica('r1', im)]), host: 'im', code: 'UnreachableIntermediateMaster' },
  // 21
  {
    name: 'dead intermediate master, all its replicas reachable and not replicating',
    instances: intermediate([dead], (im) => [replica('r1', im, ioConnecting()), replica('r2', im, ioConnecting())]),
    host: 'im',
    code: 'DeadIntermediateMaster',
  },
  {
    name: 'near miss: one replica dead → DeadIntermediateMasterAndSomeReplicas',
    instances: intermediate([dead], (im) => [replica('r1', im, ioConnecting()), replica('r2', im, dead)]),
    host: 'im',
    code: 'DeadIntermediateMasterAndSomeReplicas',
  },
  // 22
  {
    name: 'dead intermediate master, some replicas dead, the rest not replicating',
    instances: intermediate([dead], (im) => [replica('r1', im, ioStopped), replica('r2', im, dead)]),
    host: 'im',
    code: 'DeadIntermediateMasterAndSomeReplicas',
  },
  {
    name: 'near miss: the reachable replica replicates → UnreachableIntermediateMaster',
    instances: intermediate([dead], (im) => [replica('r1', im), replica('r2', im, dead)]),
    host: 'im',
    code: 'UnreachableIntermediateMaster',
  },
  // 23
  { name: 'dead intermediate master and all its replicas', instances: intermediate([dead], (im) => [replica('r1', im, dead), replica('r2', im, dead)]), host: 'im', code: 'DeadIntermediateMasterAndReplicas' },
  {
    name: 'near miss: intermediate master reachable → AllIntermediateMasterReplicasNotReplicating',
    instances: intermediate([], (im) => [replica('r1', im, dead), replica('r2', im, dead)]),
    host: 'im',
    code: 'AllIntermediateMasterReplicasNotReplicating',
  },
  // 24
  {
    name: 'unreachable intermediate master, all replicas lagging',
    instances: intermediate([dead], (im) => [replica('r1', im, lagging(100)), replica('r2', im, lagging(20))]),
    host: 'im',
    code: 'UnreachableIntermediateMasterWithLaggingReplicas',
  },
  {
    name: 'near miss: one replica on time → UnreachableIntermediateMaster',
    instances: intermediate([dead], (im) => [replica('r1', im, lagging(100)), replica('r2', im)]),
    host: 'im',
    code: 'UnreachableIntermediateMaster',
  },
  // 25
  { name: 'unreachable intermediate master, replicas replicating', instances: intermediate([dead], (im) => [replica('r1', im), replica('r2', im)]), host: 'im', code: 'UnreachableIntermediateMaster' },
  { name: 'near miss: partial success → nothing', instances: intermediate([partial], (im) => [replica('r1', im), replica('r2', im)]), host: 'im', code: null },
  // 26
  {
    name: 'reachable intermediate master, replicas failing to connect or dead',
    instances: intermediate([], (im) => [replica('r1', im, ioConnecting()), replica('r2', im, dead)]),
    host: 'im',
    code: 'AllIntermediateMasterReplicasFailingToConnectOrDead',
  },
  {
    // F < V: one valid replica fails to connect, the other is reachable and merely stopped
    name: 'near miss: fewer replicas failing to connect than valid → AllIntermediateMasterReplicasNotReplicating (not actionable)',
    instances: intermediate([], (im) => [replica('r1', im, ioConnecting()), replica('r2', im, sqlStopped), replica('r3', im, dead)]),
    host: 'im',
    code: 'AllIntermediateMasterReplicasNotReplicating',
  },
  {
    name: 'near miss: a single replica is not enough → AllIntermediateMasterReplicasNotReplicating',
    instances: intermediate([], (im) => [replica('r1', im, ioConnecting())]),
    host: 'im',
    code: 'AllIntermediateMasterReplicasNotReplicating',
  },
  // 27
  { name: 'reachable intermediate master, its replica not replicating', instances: intermediate([], (im) => [replica('r1', im, sqlStopped)]), host: 'im', code: 'AllIntermediateMasterReplicasNotReplicating' },
  { name: 'near miss: the replica replicates → nothing', instances: intermediate([], (im) => [replica('r1', im)]), host: 'im', code: null },
  // 28
  { name: 'binlog server failing to connect to its master', instances: () => { const m = p(); return [m, replica('b1', m, binlogServer, ioConnecting())]; }, host: 'b1', code: 'BinlogServerFailingToConnectToMaster' },
  { name: 'near miss: a plain replica → FirstTierReplicaFailingToConnectToMaster', instances: () => { const m = p(); return [m, replica('b1', m, ioConnecting())]; }, host: 'b1', code: 'FirstTierReplicaFailingToConnectToMaster' },
  // 29
  { name: 'first-tier replica failing to connect', instances: () => { const m = p(); return [m, replica('r1', m, ioConnecting()), replica('r2', m)]; }, host: 'r1', code: 'FirstTierReplicaFailingToConnectToMaster' },
  {
    name: 'near miss: a second-tier replica failing to connect is not first tier → nothing',
    instances: intermediate([], (im) => [replica('r1', im, ioConnecting()), replica('r2', im)]),
    host: 'r1',
    code: null,
  },
  {
    name: 'near miss: Connecting with errno 0 (first seconds of a hung source) is not failing yet',
    instances: () => { const m = p(); return [m, replica('r1', m, ioConnecting(0, '')), replica('r2', m)]; },
    host: 'r1',
    code: null,
  },
  // 30, 31 (Baton): two writable roots, told apart by their promotion epoch
  {
    name: 'an old primary back writable with epoch 3 beside the primary Baton promoted at epoch 5',
    instances: () => { const old = primary('p1', epochOf(3)); return [old, replica('r1', old), primary('p2', epochOf(5))]; },
    host: 'p1',
    code: 'MultipleWritableMasters',
  },
  {
    name: 'an old primary without an epoch (Baton never promoted it) beside one at epoch 1: no epoch is the oldest',
    instances: () => [primary('p1'), primary('p2', epochOf(1))],
    host: 'p1',
    code: 'MultipleWritableMasters',
  },
  {
    name: 'a downtimed old primary is still reported (a failover downtimes the very instance that comes back)',
    instances: () => [primary('p1', downtimed()), primary('p2', epochOf(2))],
    host: 'p1',
    code: 'MultipleWritableMasters',
  },
  {
    name: 'near miss: the newest root keeps its own code (a healthy leaf: nothing)',
    instances: () => [primary('p1', epochOf(3)), primary('p2', epochOf(5))],
    host: 'p2',
    code: null,
  },
  {
    name: 'near miss: one writable root and one read-only root is one primary',
    instances: () => { const m = p(); return [m, replica('r1', m), primary('p2', readOnly, epochOf(9))]; },
    host: 'p1',
    code: null,
  },
  {
    name: 'near miss: a writable replica replicates, so it is no root',
    instances: () => { const m = p(); return [m, replica('r1', m, set({ readOnly: false }), epochOf(7))]; },
    host: 'p1',
    code: null,
  },
  {
    name: 'near miss: a root that does not answer is not a writable root (its own code stands)',
    instances: () => [primary('p1', dead), primary('p2', epochOf(2))],
    host: 'p1',
    code: 'DeadMasterWithoutReplicas',
  },
  {
    name: 'two roots made by hand, neither with an epoch: undecided',
    instances: () => [primary('p1'), primary('p2')],
    host: 'p2',
    code: 'MultipleWritableMastersUndecided',
  },
  {
    name: 'two roots at the same epoch: undecided (both of them)',
    instances: () => [primary('p1', epochOf(4)), primary('p2', epochOf(4))],
    host: 'p1',
    code: 'MultipleWritableMastersUndecided',
  },
  {
    name: 'near miss: of three roots at 5, 5 and 3 the one at 3 is stale, not undecided',
    instances: () => [primary('p1', epochOf(5)), primary('p2', epochOf(5)), primary('p3', epochOf(3))],
    host: 'p3',
    code: 'MultipleWritableMasters',
  },
  {
    name: 'near miss: a lone writable root without an epoch is just the primary',
    instances: () => { const m = p(); return [m, replica('r1', m), replica('r2', m)]; },
    policy: { includeNoProblem: true },
    host: 'p1',
    code: 'NoProblem',
  },
  // NoProblem
  { name: 'healthy cluster reports nothing', instances: () => { const m = p(); return [m, replica('r1', m), replica('r2', m)]; }, host: 'p1', code: null },
  {
    name: 'healthy cluster with includeNoProblem reports NoProblem for the primary',
    instances: () => { const m = p(); return [m, replica('r1', m), replica('r2', m)]; },
    policy: { includeNoProblem: true },
    host: 'p1',
    code: 'NoProblem',
  },
];

function rowFor(entries: AnalysisEntry[], host: string): AnalysisEntry | undefined {
  return entries.find((e) => e.instance.host === host);
}

for (const c of cases) {
  test(`${c.code ?? 'no row'} for ${c.host}: ${c.name}`, () => {
    const entries = analyze(snapshot(c.instances()), NOW, c.policy ?? {}, c.context ?? {});
    const row = rowFor(entries, c.host);
    if (c.code === null) assert.equal(row, undefined, `expected no row for ${c.host}, got ${row?.code}`);
    else assert.equal(row?.code, c.code, `rows: ${entries.map((e) => `${e.instance.host}=${e.code}`).join(' ')}`);
  });
}

test('every analysis code except group replication is produced by at least one case', () => {
  const produced = new Set(cases.map((c) => c.code));
  for (const code of analysisCodes) assert.ok(produced.has(code), `no case produces ${code}`);
});

test("Baton's writable-root rows come first in classify and only the stale one is actionable", () => {
  assert.deepEqual(writableRootRules.map((r) => [r.row, r.code, r.isActionable]), [
    [30, 'MultipleWritableMasters', true],
    [31, 'MultipleWritableMastersUndecided', false],
  ]);
});

test('the rule table is in the reference order and actionable exactly where a real recovery exists', () => {
  assert.deepEqual(
    primaryAnalysisRules.map((r) => r.row),
    [1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29],
  );
  const actionable = primaryAnalysisRules.filter((r) => r.isActionable).map((r) => r.code);
  assert.deepEqual(actionable, [
    'DeadMaster',
    'DeadMasterAndSomeReplicas',
    'LockedSemiSyncMaster',
    'MasterWithTooManySemiSyncReplicas',
    'NoWriteableMasterStructureWarning',
    'DeadCoMaster',
    'DeadCoMasterAndSomeReplicas',
    'DeadIntermediateMasterWithSingleReplicaFailingToConnect',
    'DeadIntermediateMaster',
    'DeadIntermediateMasterAndSomeReplicas',
    'AllIntermediateMasterReplicasFailingToConnectOrDead',
  ]);
});

test('DeadMaster entry carries the counts, flags and replicas the executor needs', () => {
  const m = deadP();
  const [entry] = analyze(snapshot([m, replica('r2', m, ioConnecting()), replica('r1', m, ioConnecting())]), NOW);
  assert.ok(entry);
  assert.equal(entry.code, 'DeadMaster');
  assert.equal(entry.isActionable, true);
  assert.equal(entry.isMaster, true);
  assert.equal(entry.lastCheckValid, false);
  assert.equal(entry.sourceKey, null);
  assert.equal(entry.replicationDepth, 0);
  assert.deepEqual(entry.replicas, [{ host: 'r1', port: 3306 }, { host: 'r2', port: 3306 }]);
  assert.equal(entry.counts.CountReplicas, 2);
  assert.equal(entry.counts.CountValidReplicas, 2);
  assert.equal(entry.counts.CountValidReplicatingReplicas, 0);
  assert.equal(entry.counts.CountReplicasFailingToConnectToMaster, 2);
  assert.equal(entry.description, 'Master cannot be reached by orchestrator and none of its replicas is replicating');
  assert.equal(entry.flags?.['IsClusterMaster'], true);
  assert.equal(entry.flags?.['IsReadOnly'], false);
  assert.equal(entry.flags?.['IsFailingToConnectToMaster'], false);
  assert.equal(entry.flags?.['MariaDBGTIDImmediateTopology'], true);
  assert.equal(entry.flags?.['OracleGTIDImmediateTopology'], false);
  assert.equal(entry.errantGtid, '');
  assert.equal(entry.maxReplicaErrantGtid, '');
});
