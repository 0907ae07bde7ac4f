/**
 * Structure warnings at their thresholds, the ReduceReplicationAnalysisCount filter for writable
 * roots, and the codes a fully downtimed set of replicas makes skippable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyzeFacts,
  downtimeVerdict,
  passesReductionFilter,
  structureWarningsOf,
  type AnalysisCode,
  type ReplicationCounts,
  type ReplicationFacts,
  type StructureWarningCode,
} from '../src/index.ts';
import { NOW, primary, replica, snapshot } from './builders.ts';

const base: ReplicationFacts = (() => {
  const p = primary('p1');
  return analyzeFacts(snapshot([p, replica('r1', p), replica('r2', p)]), NOW)[0]!;
})();

function facts(over: Partial<Omit<ReplicationFacts, 'counts'>> & { counts?: Partial<ReplicationCounts> } = {}): ReplicationFacts {
  return { ...base, ...over, counts: { ...base.counts, ...over.counts } };
}

test('the base row (primary, two healthy MariaDB GTID replicas) has no warning', () => {
  assert.deepEqual(structureWarningsOf(facts()), []);
});

type WarningCase = [name: string, f: ReplicationFacts, code: StructureWarningCode, expected: boolean];
const fileAndPos = { mariadbGtidImmediateTopology: false, oracleGtidImmediateTopology: false, binlogServerImmediateTopology: false };
const fmt = (s: number, m: number, r: number) => ({ CountStatementBasedLoggingReplicas: s, CountMixedBasedLoggingReplicas: m, CountRowBasedLoggingReplicas: r });
const semi = (enabled: boolean, status: boolean, wait: number, clients: number) => ({
  semiSyncMasterEnabled: enabled,
  semiSyncMasterStatus: status,
  semiSyncMasterWaitForReplicaCount: wait,
  semiSyncMasterClients: clients,
});

const warningCases: WarningCase[] = [
  ['file/position replication with one replica is no failover problem', facts({ ...fileAndPos, counts: { CountReplicas: 1, CountValidReplicas: 1 } }), 'NoFailoverSupportStructureWarning', false],
  ['file/position replication with two replicas has no failover support', facts({ ...fileAndPos }), 'NoFailoverSupportStructureWarning', true],
  ['only STATEMENT replicas do not mix formats (with MIXED)', facts({ counts: fmt(2, 0, 0) }), 'StatementAndMixedLoggingReplicasStructureWarning', false],
  ['only STATEMENT replicas do not mix formats (with ROW)', facts({ counts: fmt(2, 0, 0) }), 'StatementAndRowLoggingReplicasStructureWarning', false],
  ['only MIXED replicas do not mix formats (with ROW)', facts({ counts: fmt(0, 2, 0) }), 'MixedAndRowLoggingReplicasStructureWarning', false],
  ['STATEMENT and MIXED replicas mix formats', facts({ counts: fmt(1, 1, 0) }), 'StatementAndMixedLoggingReplicasStructureWarning', true],
  ['STATEMENT and ROW replicas mix formats', facts({ counts: fmt(1, 0, 1) }), 'StatementAndRowLoggingReplicasStructureWarning', true],
  ['MIXED and ROW replicas mix formats', facts({ counts: fmt(0, 1, 1) }), 'MixedAndRowLoggingReplicasStructureWarning', true],
  ['replicas with the source gtid_mode', facts({ gtidMode: 'ON', minReplicaGtidMode: 'ON', maxReplicaGtidMode: 'ON' }), 'DifferentGTIDModesStructureWarning', false],
  ['source ON, replicas OFF..ON', facts({ gtidMode: 'ON', minReplicaGtidMode: 'OFF', maxReplicaGtidMode: 'ON' }), 'DifferentGTIDModesStructureWarning', true],
  ['source OFF, replicas OFF..ON', facts({ gtidMode: 'OFF', minReplicaGtidMode: 'OFF', maxReplicaGtidMode: 'ON' }), 'DifferentGTIDModesStructureWarning', true],
  ['source gtid_mode unknown (never read)', facts({ gtidMode: null, minReplicaGtidMode: 'ON', maxReplicaGtidMode: 'ON' }), 'DifferentGTIDModesStructureWarning', false],
  ['semi-sync fell back: enabled, off, 0 of 1 clients', facts(semi(true, false, 1, 0)), 'NotEnoughValidSemiSyncReplicasStructureWarning', true],
  ['semi-sync off with as many clients as it waits for', facts(semi(true, false, 1, 1)), 'NotEnoughValidSemiSyncReplicasStructureWarning', false],
  ['semi-sync master side not enabled', facts(semi(false, false, 1, 0)), 'NotEnoughValidSemiSyncReplicasStructureWarning', false],
  ['semi-sync settings on an intermediate master', facts({ ...semi(true, false, 1, 0), isMaster: false }), 'NotEnoughValidSemiSyncReplicasStructureWarning', false],
];
for (const [name, f, code, expected] of warningCases) {
  test(`${code}: ${name} → ${expected ? 'warned' : 'not warned'}`, () => assert.equal(structureWarningsOf(f).includes(code), expected));
}

test('reduction filter: a healthy writable root is analysed only when another writable root exists', () => {
  const root = { key: { host: 'p1', port: 3306 }, promotionEpoch: 1 };
  const other = { key: { host: 'p2', port: 3306 }, promotionEpoch: 2 };
  const leaf = (isWritableRoot: boolean, writableRoots: (typeof root)[]) =>
    facts({ isWritableRoot, writableRoots, counts: { CountReplicas: 0, CountValidReplicas: 0, CountValidReplicatingReplicas: 0 }, someReplicaInvalid: false, someReplicaNotReplicating: false, someReplicaFailingToConnect: false });
  assert.equal(passesReductionFilter(leaf(true, [root])), false, 'the only writable root, no replicas');
  assert.equal(passesReductionFilter(leaf(true, [other, root])), true, 'one of two writable roots');
  assert.equal(passesReductionFilter(leaf(false, [other, root])), false, 'a healthy leaf replica while two roots exist');
});

const replicasDowntimed: AnalysisCode[] = [
  'AllMasterReplicasNotReplicating',
  'AllMasterReplicasNotReplicatingOrDead',
  'MasterSingleReplicaDead',
  'AllCoMasterReplicasNotReplicating',
  'DeadIntermediateMasterWithSingleReplica',
  'DeadIntermediateMasterWithSingleReplicaFailingToConnect',
  'DeadIntermediateMasterAndReplicas',
  'DeadIntermediateMasterAndSomeReplicas',
  'AllIntermediateMasterReplicasFailingToConnectOrDead',
  'AllIntermediateMasterReplicasNotReplicating',
];
for (const code of replicasDowntimed) {
  test(`${code} with every replica downtimed is skippable`, () => {
    const v = downtimeVerdict(facts({ isDowntimed: false, counts: { CountReplicas: 2, CountDowntimedReplicas: 2 } }), code);
    assert.deepEqual(v, { isReplicasDowntimed: true, skippableDueToDowntime: true });
  });
}
test('DeadMaster with every replica downtimed is still reported', () => {
  assert.deepEqual(downtimeVerdict(facts({ isDowntimed: false, counts: { CountReplicas: 2, CountDowntimedReplicas: 2 } }), 'DeadMaster'), {
    isReplicasDowntimed: false,
    skippableDueToDowntime: false,
  });
});
