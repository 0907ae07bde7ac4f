// The recovery-event contract: `step` is one of the table's steps and its details have that
// step's shape (a discriminated union on `step`), checked when an event is encoded or decoded,
// and named in the JSON Schema consumers read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageValidationError } from '@baton/errors';
import { createEnvelope, encodeMessage, jsonSchemaFiles, recoveryStepNames, recoverySteps, topics, type RecoveryEvent } from '../src/index.ts';

const base = { recoveryUid: 'r-1', clusterId: 'main', sequence: 3, at: '2026-11-26T19:30:00.000Z', status: 'succeeded' as const, message: 'm' };
const encode = (event: unknown) => encodeMessage(topics.recoveryEvents, createEnvelope('recovery-event', event as RecoveryEvent, { producer: 'test' }));

const summary = {
  clusterAlias: 'main',
  failed: 'db1:3306',
  analysisCode: 'DeadMaster',
  successor: 'db2:3306',
  outcome: 'successful',
  lostReplicas: [{ instance: 'db4:3306', kind: 'move-failed', reason: 'replication not running' }],
  lostTransactions: null,
  phases: { detectionToClaimMs: 12, claimToPromotedMs: 80.5, promotedToResolvedMs: 30, totalMs: 122.5 },
  startedAt: '2026-11-26T19:30:00.000Z',
  endedAt: '2026-11-26T19:30:00.200Z',
  detectionUid: 'det-1',
  forced: false,
  commandHint: '',
  takeover: false,
  retried: false,
  blockReleased: false,
  fencing: 'unreachable',
  oldPrimaryNotMoved: null,
  errors: [],
};

const valid: Array<{ name: string; event: Record<string, unknown> }> = [
  { name: 'promoted', event: { ...base, step: 'promoted', details: { successor: 'db2:3306', position: '0-1-5', epoch: 4 } } },
  { name: 'promoted, refused candidate', event: { ...base, status: 'failed', step: 'promoted', details: { candidate: 'db2:3306', problems: ['read_only=1'], restoredReadOnly: true } } },
  { name: 'a hook step with stdout and stderr', event: { ...base, step: 'post-failover-hooks', details: { status: 'succeeded', runs: [{ name: 'notify', status: 'succeeded', exitCode: 0, durationMs: 12, error: null, stdout: 'ok', stderr: '' }] } } },
  { name: 'an extra field on a step is accepted (details are open)', event: { ...base, step: 'released', details: { released: true, note: 'later field' } } },
  { name: 'summary', event: { ...base, step: 'summary', details: summary } },
  { name: 'empty details', event: { ...base, step: 'successor-downtime-ended', details: {} } },
];

for (const v of valid) test(`valid recovery event: ${v.name}`, () => assert.doesNotThrow(() => encode(v.event)));

const invalid: Array<{ name: string; event: Record<string, unknown>; problem: RegExp }> = [
  { name: 'unknown step', event: { ...base, step: 'promotedd', details: {} }, problem: /\/payload\/step: "promotedd" is not one of detected, / },
  { name: 'a step without its required detail', event: { ...base, step: 'replicas-moved', details: { moved: ['db2:3306'] } }, problem: /\/payload\/details\/failed/ },
  { name: 'a detail of the wrong type', event: { ...base, step: 'released', details: { released: 'yes' } }, problem: /\/payload\/details\/released/ },
  { name: 'summary with an unknown outcome', event: { ...base, step: 'summary', details: { ...summary, outcome: 'great' } }, problem: /\/payload\/details\/outcome/ },
  { name: 'summary without its phases', event: { ...base, step: 'summary', details: { ...summary, phases: undefined } }, problem: /\/payload\/details\/phases/ },
  {
    name: 'a hook run whose stdout is not a string',
    event: { ...base, step: 'fence-hook', details: { status: 'failed', runs: [{ name: 'stonith', status: 'failed', exitCode: 1, durationMs: 5, error: null, stdout: 42, stderr: '', outputTruncated: false }] } },
    problem: /\/payload\/details\/runs\/0\/stdout/,
  },
  { name: 'an unknown top-level field', event: { ...base, step: 'released', details: { released: true }, extra: 1 }, problem: /\/payload/ },
];

for (const c of invalid) {
  test(`invalid recovery event fails validation: ${c.name}`, () => {
    assert.throws(
      () => encode(c.event),
      (error: unknown) => error instanceof MessageValidationError && c.problem.test(error.message),
    );
  });
}

test('the JSON Schema names every step with its description and its details', () => {
  const schema = jsonSchemaFiles()['recovery-event.v1.schema.json'] as { anyOf: Array<{ title: string; properties: { step: { const: string; description: string }; details: unknown } }> };
  assert.deepEqual(
    schema.anyOf.map((v) => v.properties.step.const),
    recoveryStepNames,
  );
  for (const v of schema.anyOf) {
    const step = v.properties.step.const as keyof typeof recoverySteps;
    assert.equal(v.properties.step.description, recoverySteps[step].description);
    assert.ok(v.properties.details, step);
  }
});
