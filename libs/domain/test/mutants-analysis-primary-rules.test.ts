/**
 * The primary rule table at its edges: for a given shape of an instance and the counts of its
 * replicas, which code wins. The facts are built from a real snapshot row and then given the counts
 * under test (R = replicas, V = valid, VR = valid and replicating, F = failing to connect,
 * L = lagging, D = delayed), so each case reads like a line of reference §1.2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyze,
  analyzeFacts,
  classify,
  noProblemRule,
  primaryAnalysisRules,
  resolveAnalysisPolicy,
  writableRootRules,
  type AnalysisCode,
  type AnalysisPolicyInput,
  type ReplicationCounts,
  type ReplicationFacts,
} from '../src/index.ts';
import { NOW, primary, replica, snapshot } from './builders.ts';

const base: ReplicationFacts = (() => {
  const p = primary('p1');
  return analyzeFacts(snapshot([p, replica('r1', p)]), NOW)[0]!;
})();

interface Shape {
  master?: boolean;
  coMaster?: boolean;
  valid?: boolean;
  partial?: boolean;
  readOnly?: boolean;
  /** R, V, VR, F, L, D */
  counts?: [number, number, number, number?, number?, number?];
  semiSync?: { enabled: boolean; status: boolean; wait: number; clients: number };
  stale?: boolean;
}

function facts(s: Shape): ReplicationFacts {
  const [R, V, VR, F = 0, L = 0, D = 0] = s.counts ?? [0, 0, 0];
  const counts: ReplicationCounts = {
    ...base.counts,
    CountReplicas: R,
    CountValidReplicas: V,
    CountValidReplicatingReplicas: VR,
    CountReplicasFailingToConnectToMaster: F,
    CountLaggingReplicas: L,
    CountDelayedReplicas: D,
  };
  const master = s.master ?? true;
  return {
    ...base,
    isMaster: master,
    isClusterMaster: master,
    isCoMaster: s.coMaster ?? false,
    lastCheckValid: s.valid ?? true,
    lastCheckPartialSuccess: s.partial ?? (s.valid ?? true),
    isReadOnly: s.readOnly ?? !master,
    isWritableRoot: false,
    writableRoots: [],
    replicationDepth: master ? 0 : 1,
    isFailingToConnectToMaster: false,
    isStaleBinlogCoordinates: s.stale ?? false,
    semiSyncMasterEnabled: s.semiSync?.enabled ?? false,
    semiSyncMasterStatus: s.semiSync?.status ?? false,
    semiSyncMasterWaitForReplicaCount: s.semiSync?.wait ?? 0,
    semiSyncMasterClients: s.semiSync?.clients ?? 0,
    counts,
  };
}

type Case = [name: string, shape: Shape, expected: AnalysisCode, policy?: AnalysisPolicyInput];

const cases: Case[] = [
  // semi-sync: only a primary's own, enabled and active semi-sync with a wait count can lock it
  ['intermediate master with semi-sync master settings short of acks is not a locked primary', { master: false, semiSync: { enabled: true, status: true, wait: 1, clients: 0 }, counts: [1, 1, 1] }, 'NoProblem'],
  ['primary with semi-sync disabled (plugin loaded, wait count 1, no clients) is not locked', { semiSync: { enabled: false, status: false, wait: 1, clients: 0 }, counts: [1, 1, 1] }, 'NoProblem'],
  ['primary with semi-sync enabled but inactive is not locked', { semiSync: { enabled: true, status: false, wait: 1, clients: 0 }, counts: [1, 1, 1] }, 'NoProblem'],
  ['primary short of semi-sync acks, coordinates moving → hypothesis', { semiSync: { enabled: true, status: true, wait: 2, clients: 1 }, counts: [2, 2, 2] }, 'LockedSemiSyncMasterHypothesis'],
  ['primary short of semi-sync acks, coordinates stale → locked', { semiSync: { enabled: true, status: true, wait: 2, clients: 1 }, counts: [2, 2, 2], stale: true }, 'LockedSemiSyncMaster'],
  ['exactly as many semi-sync clients as the wait count is not too many', { semiSync: { enabled: true, status: true, wait: 2, clients: 2 }, counts: [2, 2, 2] }, 'NoProblem', { enforceExactSemiSyncReplicas: true }],
  ['one semi-sync client more than the wait count is too many', { semiSync: { enabled: true, status: true, wait: 2, clients: 3 }, counts: [3, 3, 3] }, 'MasterWithTooManySemiSyncReplicas', { enforceExactSemiSyncReplicas: true }],
  ['a wait count of 0 never makes semi-sync clients too many', { semiSync: { enabled: true, status: true, wait: 0, clients: 2 }, counts: [2, 2, 2] }, 'NoProblem', { enforceExactSemiSyncReplicas: true }],
  // row 10, with RecoverNonWriteableMaster on
  ['writable primary with replicating replicas is fine', { counts: [2, 2, 2] }, 'NoProblem', { recoverNonWriteableMaster: true }],
  ['read-only primary with replicating replicas is not writeable', { readOnly: true, counts: [2, 2, 1] }, 'NoWriteableMasterStructureWarning', { recoverNonWriteableMaster: true }],
  ['read-only primary without replicas is not flagged', { readOnly: true, counts: [0, 0, 0] }, 'NoProblem', { recoverNonWriteableMaster: true }],
  ['read-only intermediate master (normal) is not a non-writeable primary', { master: false, readOnly: true, counts: [2, 2, 2] }, 'NoProblem', { recoverNonWriteableMaster: true }],
  // rows 12–14 are about primaries only
  ['reachable intermediate master whose single replica is dead', { master: false, counts: [1, 0, 0] }, 'AllIntermediateMasterReplicasNotReplicating'],
  ['reachable primary whose single replica is dead', { counts: [1, 0, 0] }, 'MasterSingleReplicaDead'],
  ['reachable intermediate master, two replicas stopped', { master: false, counts: [2, 2, 0] }, 'AllIntermediateMasterReplicasNotReplicating'],
  ['reachable primary, two replicas stopped', { counts: [2, 2, 0] }, 'AllMasterReplicasNotReplicating'],
  ['reachable primary, one replica dead, one replicating, one stopped', { counts: [3, 2, 1] }, 'NoProblem'],
  ['reachable primary, one replica dead, the others stopped', { counts: [3, 2, 0] }, 'AllMasterReplicasNotReplicatingOrDead'],
  // co-masters (rows 15–17)
  ['dead co-master whose replicas are all dead too', { master: false, coMaster: true, valid: false, counts: [2, 0, 0] }, 'DeadIntermediateMasterAndReplicas'],
  ['dead co-master, some replicas dead, none replicating', { master: false, coMaster: true, valid: false, counts: [3, 2, 0, 2] }, 'DeadCoMasterAndSomeReplicas'],
  ['dead co-master, some replicas dead, one still replicating (no partial answer)', { master: false, coMaster: true, valid: false, partial: false, counts: [3, 2, 1, 1] }, 'UnreachableCoMaster'],
  ['dead co-master, some replicas dead, one still replicating (partial answer)', { master: false, coMaster: true, valid: false, partial: true, counts: [3, 2, 1, 1] }, 'NoProblem'],
  // intermediate masters (rows 19–25)
  ['dead intermediate master whose single replica is dead too', { master: false, valid: false, counts: [1, 0, 0] }, 'DeadIntermediateMasterAndReplicas'],
  ['dead intermediate master, single replica stopped', { master: false, valid: false, counts: [1, 1, 0] }, 'DeadIntermediateMasterWithSingleReplica'],
  ['dead leaf replica (no replicas of its own) gets no intermediate-master code', { master: false, valid: false, counts: [0, 0, 0] }, 'NoProblem'],
  ['reachable intermediate master, every replica lagging', { master: false, counts: [2, 2, 2, 0, 2] }, 'NoProblem'],
  ['reachable primary, every replica lagging', { counts: [2, 2, 2, 0, 2] }, 'NoProblem'],
  ['dead intermediate master, every replica lagging', { master: false, valid: false, counts: [2, 2, 2, 0, 2] }, 'UnreachableIntermediateMasterWithLaggingReplicas'],
  ['reachable intermediate master with a false partial-success flag and replicating replicas', { master: false, partial: false, counts: [2, 2, 2] }, 'NoProblem'],
  ['reachable primary with a false partial-success flag and replicating replicas', { partial: false, counts: [2, 2, 2] }, 'NoProblem'],
  ['dead intermediate master, no partial answer, replicas replicating', { master: false, valid: false, partial: false, counts: [2, 2, 2] }, 'UnreachableIntermediateMaster'],
];

for (const [name, shape, expected, policy] of cases) {
  test(`classify: ${name} → ${expected}`, () => assert.equal(classify(facts(shape), resolveAnalysisPolicy(policy ?? {})).code, expected));
}

test('every rule that reports a problem explains it; NoProblem explains nothing', () => {
  for (const r of [...writableRootRules, ...primaryAnalysisRules]) assert.ok(r.description.trim().length > 0, `${r.code} (row ${r.row}) has a description`);
  assert.equal(noProblemRule.description, '');
  const p = primary('p1');
  const [row] = analyze(snapshot([p]), NOW, { includeNoProblem: true, reduceReplicationAnalysisCount: false });
  assert.equal(row?.code, 'NoProblem');
  assert.equal(row?.description, '');
});
