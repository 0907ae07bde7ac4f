// The executor's metrics read off its audit trail, on a fake monotonic clock (the trail's, which
// measures the phases): each phase from the steps that bound it, the outcome counted once,
// declined recoveries by kind and bounded reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRegistry } from '@baton/metrics';
import { readSample } from '@baton/testing';
import { silentLogger } from '@baton/logging';
import { createAudit, type Audit } from '../src/audit.ts';
import { createExecutorMetrics } from '../src/metrics.ts';
import type { RecoveryStore } from '../src/ports.ts';

/** The real audit, writing nowhere, on the fake monotonic clock. */
const quietAudit = (monotonic: () => number): Audit =>
  createAudit({ events: { publish: async () => undefined }, store: { insertStep: async () => undefined } as unknown as RecoveryStore, logger: silentLogger(), monotonic });
/** Steps whose details do not matter here. */
const any = {} as never;

const bucketCount = (body: string, phase: string): number | undefined => readSample(body, 'baton_recovery_phase_duration_seconds_count', { phase });
const sum = (body: string, phase: string): number | undefined => readSample(body, 'baton_recovery_phase_duration_seconds_sum', { phase });

test('phases from detection to resolved, the outcome counted once, declined recoveries by kind and bounded reason', async () => {
  const registry = createRegistry({ service: 'recovery-executor', defaultMetrics: false });
  let now = 1000;
  const metrics = createExecutorMetrics({ registry });
  const audit = metrics.observe(quietAudit(() => now));
  audit.event('c1', 'det-1', 'detected', 'info', 'DeadMaster', any);
  now = 1040;
  const trail = audit.trail('c1', 'det-1');
  trail.step('registered', 'succeeded', '', any);
  now = 1100;
  trail.step('claimed', 'succeeded', '', any);
  now = 1250;
  trail.step('promoted', 'succeeded', '', any);
  now = 1300;
  trail.step('resolved', 'succeeded', '', { outcome: 'successful' } as never);
  trail.step('resolved', 'succeeded', '', { outcome: 'successful' } as never); // a second resolved does not count again
  assert.deepEqual(trail.phases(), { detectionToClaimMs: 100, claimToPromotedMs: 150, promotedToResolvedMs: 50, totalMs: 300 }, 'the trail measures what the summary event carries');
  audit.event('c1', undefined, 'blocked', 'blocked', '', { reason: 'recently-promoted' } as never);
  audit.event('c1', undefined, 'recovery-skipped', 'skipped', '', { reason: 'free text with db1:3306 in it' } as never);

  const body = await registry.metrics();
  assert.equal(readSample(body, 'baton_recoveries_total', { outcome: 'successful' }), 1);
  assert.equal(readSample(body, 'baton_recoveries_total', { outcome: 'failed' }), 0);
  const expected: Array<[string, number]> = [
    ['detection_to_claim', 0.1], // from the detected event, not the registered step
    ['claim_to_promoted', 0.15],
    ['promoted_to_resolved', 0.05],
    ['total', 0.3],
  ];
  for (const [phase, seconds] of expected) {
    assert.equal(bucketCount(body, phase), 1, phase);
    assert.ok(Math.abs((sum(body, phase) ?? Number.NaN) - seconds) < 1e-9, `${phase}: ${sum(body, phase)}`);
  }
  assert.equal(readSample(body, 'baton_recoveries_declined_total', { kind: 'blocked', reason: 'recently-promoted' }), 1);
  assert.equal(readSample(body, 'baton_recoveries_declined_total', { kind: 'skipped', reason: 'other' }), 1, 'free text is not a label');
  assert.doesNotMatch(body, /db1/);
});
