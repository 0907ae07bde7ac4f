/**
 * A recovery's phases, from the steps that bound them, on one process's monotonic clock — the one
 * definition the executor's metrics (baton_recovery_phase_duration_seconds) and the `summary`
 * event both read:
 *   detectionToClaim    the `detected` event of its detection (same correlation id, seen by this
 *                       process) — or, without one, its `registered` step — to `claimed`
 *   claimToPromoted     `claimed` to the first successful `promoted`
 *   promotedToResolved  that `promoted` to `resolved`
 *   total               the start of detectionToClaim to `resolved`
 * A bound this process did not see (a takeover's trail has no `registered` nor `claimed`) leaves
 * its phases null. Pure: the caller passes the times in.
 */
import type { RecoveryPhases, RecoveryStatus } from '@baton/contracts';

export interface PhaseTracker {
  /** One recorded step at `nowMs`; `detectedAtMs`: when this process saw the recovery's detection, if it did. */
  step(step: string, status: RecoveryStatus, nowMs: number, detectedAtMs?: number): void;
  phases(): RecoveryPhases;
}

const span = (from: number | undefined, to: number | undefined): number | null => (from === undefined || to === undefined ? null : Math.max(0, to - from));

export function createPhaseTracker(): PhaseTracker {
  let start: number | undefined;
  let claimed: number | undefined;
  let promoted: number | undefined;
  let resolved: number | undefined;
  return {
    step(step, status, nowMs, detectedAtMs) {
      if (step === 'registered' && start === undefined) start = detectedAtMs ?? nowMs;
      else if (step === 'claimed' && claimed === undefined) claimed = nowMs;
      else if (step === 'promoted' && status === 'succeeded' && promoted === undefined) promoted = nowMs;
      else if (step === 'resolved' && resolved === undefined) resolved = nowMs;
    },
    phases: () => ({
      detectionToClaimMs: span(start, claimed),
      claimToPromotedMs: span(claimed, promoted),
      promotedToResolvedMs: span(promoted, resolved),
      totalMs: span(start, resolved),
    }),
  };
}
