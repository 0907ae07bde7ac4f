/**
 * chooseRecovery: the exhaustive code → recovery table (reference §1.2) and the grace period (§1.5).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analysisCodes,
  chooseRecovery,
  isAnalysisCode,
  recoveryFunctionByCode,
  recoveryKindByCode,
  type AnalysisCode,
  type RecoveryFunction,
  type RecoveryKind,
} from '../src/index.ts';

/** orchestrator's function → Baton's kind (functions Baton does not implement register a detection only). */
const expectedKind: Record<RecoveryFunction, RecoveryKind> = {
  checkAndRecoverDeadMaster: 'recover-dead-primary',
  checkAndFenceStaleMaster: 'fence-stale-primary',
  checkAndRecoverDeadIntermediateMaster: 'recover-dead-intermediate-primary',
  checkAndRecoverGenericProblem: 'generic-noop',
  checkAndRecoverLockedSemiSyncMaster: 'generic-noop',
  checkAndRecoverMasterWithTooManySemiSyncReplicas: 'generic-noop',
  checkAndRecoverNonWriteableMaster: 'generic-noop',
  checkAndRecoverDeadCoMaster: 'recover-dead-co-primary',
  none: 'none',
};

test('the table has exactly one decision per analysis code', () => {
  assert.deepEqual(Object.keys(recoveryKindByCode).sort(), [...analysisCodes].sort());
  // A table missing a code does not compile (the real table is checked with `satisfies`):
  // @ts-expect-error — DeadMaster and the other codes have no decision
  const incomplete: Record<AnalysisCode, RecoveryKind> = { NoProblem: 'none' };
  assert.ok(incomplete);
});

/** Codes Baton recovers although orchestrator does not (recovery-choice.ts, deviations). */
const recoveredBeyondOrchestrator: Partial<Record<AnalysisCode, RecoveryKind>> = {
  DeadIntermediateMasterWithSingleReplica: 'recover-dead-intermediate-primary',
  DeadIntermediateMasterAndReplicas: 'recover-dead-intermediate-primary',
};

for (const code of analysisCodes) {
  const kind = recoveredBeyondOrchestrator[code] ?? expectedKind[recoveryFunctionByCode[code]];
  test(`${code} → ${kind} (orchestrator: ${recoveryFunctionByCode[code]})`, () => {
    const c = chooseRecovery(code, { inGracePeriod: false });
    assert.equal(c.kind, kind);
    assert.equal(c.orchestratorFunction, recoveryFunctionByCode[code]);
    assert.equal(c.registersDetection, c.kind !== 'none');
    assert.equal(c.actionable, c.kind === 'recover-dead-primary' || c.kind === 'recover-dead-co-primary' || c.kind === 'recover-dead-intermediate-primary' || c.kind === 'fence-stale-primary');
    assert.equal(c.gracePeriodApplied, false);
  });
}

test('only DeadMaster and DeadMasterAndSomeReplicas recover a dead primary, DeadCoMaster and DeadCoMasterAndSomeReplicas a dead co-primary', () => {
  const recovering = analysisCodes.filter((c) => chooseRecovery(c, { inGracePeriod: false }).kind === 'recover-dead-primary');
  assert.deepEqual(recovering, ['DeadMaster', 'DeadMasterAndSomeReplicas']);
  const coPrimary = analysisCodes.filter((c) => chooseRecovery(c, { inGracePeriod: false }).kind === 'recover-dead-co-primary');
  assert.deepEqual(coPrimary, ['DeadCoMaster', 'DeadCoMasterAndSomeReplicas']);
});

test('two writable roots: the stale one is fenced (actionable, never a promotion), a tie only registers the detection', () => {
  const stale = chooseRecovery('MultipleWritableMasters', { inGracePeriod: false });
  assert.deepEqual([stale.kind, stale.actionable, stale.registersDetection, stale.orchestratorFunction], ['fence-stale-primary', true, true, 'checkAndFenceStaleMaster']);
  assert.equal(chooseRecovery('MultipleWritableMasters', { inGracePeriod: true }).kind, 'fence-stale-primary', 'no grace period for a split brain');
  const tied = chooseRecovery('MultipleWritableMastersUndecided', { inGracePeriod: false });
  assert.deepEqual([tied.kind, tied.actionable, tied.registersDetection], ['generic-noop', false, true]);
});

test('reference rows: generic no-op registers a detection, none does nothing', () => {
  const noop = chooseRecovery('DeadMasterAndReplicas', { inGracePeriod: false });
  assert.deepEqual([noop.kind, noop.actionable, noop.registersDetection], ['generic-noop', false, true]);
  const none = chooseRecovery('DeadMasterWithoutReplicas', { inGracePeriod: false });
  assert.deepEqual([none.kind, none.actionable, none.registersDetection], ['none', false, false]);
  assert.equal(chooseRecovery('DeadIntermediateMasterWithSingleReplica', { inGracePeriod: false }).kind, 'recover-dead-intermediate-primary', 'orchestrator quirk (not mapped) fixed');
  assert.equal(chooseRecovery('UnreachableMaster', { inGracePeriod: false }).kind, 'generic-noop');
});

const graceCases: Array<[AnalysisCode, RecoveryKind, boolean]> = [
  ['DeadMaster', 'generic-noop', true],
  ['DeadMasterAndSomeReplicas', 'generic-noop', true],
  ['LockedSemiSyncMaster', 'generic-noop', false],
  ['DeadIntermediateMaster', 'recover-dead-intermediate-primary', false],
  ['DeadMasterWithoutReplicas', 'none', false],
  ['UnreachableMaster', 'generic-noop', false],
];
for (const [code, kind, applied] of graceCases) {
  test(`in the grace period ${code} → ${kind}`, () => {
    const c = chooseRecovery(code, { inGracePeriod: true });
    assert.equal(c.kind, kind);
    assert.equal(c.gracePeriodApplied, applied);
    assert.equal(c.registersDetection, kind !== 'none');
    if (code === 'DeadMaster') assert.equal(c.actionable, false);
  });
}

test('isAnalysisCode narrows message strings', () => {
  assert.equal(isAnalysisCode('DeadMaster'), true);
  assert.equal(isAnalysisCode('DeadReplicationGroupMemberWithReplicas'), false);
  assert.equal(isAnalysisCode(''), false);
});
