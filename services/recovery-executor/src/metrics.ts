/**
 * The executor's Prometheus metrics, read off its audit trail: everything the executor records
 * (a recovery's steps, skipped, blocked and not-attempted recoveries) goes through the audit, so
 * a decorator of the audit counts it without another call in the protocol. Labels are bounded:
 * outcome, reason (the executor's closed sets; anything else is `other`) and phase — never a
 * cluster or an instance.
 *
 * Phases of a recovery, on this process's monotonic clock:
 *   detection_to_claim    the `detected` event of its detection (same correlation id, seen by this
 *                         process) — or, without one, its `registered` step — to `claimed`
 *   claim_to_promoted     `claimed` to the first successful `promoted`
 *   promoted_to_resolved  that `promoted` to `resolved`
 *   total                 the start of detection_to_claim to `resolved`
 * A recovery counts once, with its outcome, at its `resolved` step (or `abandoned`: its epoch
 * passed to another executor). Skips and blocks are counted as the executor records them: a
 * repeated one at most once a minute per cluster and instance (the executor's note throttle).
 */
import { Counter, counterFollowing, durationBucketsSeconds, Histogram, type Registry } from '@baton/metrics';
import type { Audit, RecoveryTrail } from './audit.ts';
import type { RecoveryOutcome } from './ports.ts';

/** Every RecoveryOutcome, and abandoned (the epoch passed to another executor). */
const recoveryOutcomes = ['successful', 'failed', 'not-needed', 'skipped', 'not-attempted', 'abandoned'] as const satisfies ReadonlyArray<RecoveryOutcome | 'abandoned'>;
type RecoveryPhase = 'detection_to_claim' | 'claim_to_promoted' | 'promoted_to_resolved' | 'total';

/** Reasons the executor records for skipped (gate, already recovered), blocked and not-attempted recoveries. */
export const skipReasons = [
  'not-actionable',
  'intermediate-primary-not-implemented',
  'recoveries-disabled',
  'cluster-not-opted-in',
  'already-recovered',
  'recovery-block',
  'recently-promoted',
  'recovery-running',
  'executor stopping',
  'other',
] as const;

/** The audit events that are a recovery declined (their `reason` detail is counted). */
const declinedSteps: Record<string, 'skipped' | 'blocked' | 'not-attempted'> = {
  'recovery-skipped': 'skipped',
  blocked: 'blocked',
  'recover-not-attempted': 'not-attempted',
};

const detectionsKept = 1000;

export interface ExecutorMetricsOptions {
  registry: Registry;
  /** Monotonic milliseconds (default performance.now). */
  monotonic?: () => number;
}

export interface ExecutorMetrics {
  /** The audit, counting what passes through it. */
  observe(audit: Audit): Audit;
  /** Set later than construction: the executor is made after its audit. */
  setDroppedStale(read: () => number): void;
}

const bounded = (reason: unknown): string => {
  if (typeof reason !== 'string') return 'other';
  if ((skipReasons as readonly string[]).includes(reason)) return reason;
  return 'other';
};

export function createExecutorMetrics(options: ExecutorMetricsOptions): ExecutorMetrics {
  const { registry } = options;
  const registers = [registry];
  const monotonic = options.monotonic ?? (() => performance.now());
  let droppedStale: (() => number) | undefined;

  const recoveries = new Counter({ name: 'baton_recoveries_total', help: 'Recoveries run by this executor, by outcome (counted at their resolved step, or abandoned).', labelNames: ['outcome'], registers });
  for (const outcome of recoveryOutcomes) recoveries.inc({ outcome }, 0);
  const declined = new Counter({
    name: 'baton_recoveries_declined_total',
    help: 'Recoveries not run, by kind (skipped, blocked, not-attempted) and reason, as the executor records them (a repeat at most once a minute per instance).',
    labelNames: ['kind', 'reason'],
    registers,
  });
  const phases = new Histogram({
    name: 'baton_recovery_phase_duration_seconds',
    help: 'Failover phase durations: detection_to_claim, claim_to_promoted, promoted_to_resolved, total.',
    labelNames: ['phase'],
    buckets: [...durationBucketsSeconds],
    registers,
  });
  const steps = new Counter({ name: 'baton_recovery_steps_total', help: 'Recovery steps recorded, by status.', labelNames: ['status'], registers });
  counterFollowing(registry, 'baton_stale_analyses_dropped_total', 'Analyses dropped as stale (superseded by a later one, or waited longer than maxAnalysisAgeMs).', () => droppedStale?.());

  /** Detection times by correlation id (bounded: the oldest go first). */
  const detections = new Map<string, number>();

  const observeTrail = (trail: RecoveryTrail, correlationId: string | undefined): RecoveryTrail => {
    const at = new Map<string, number>();
    let counted = false;
    const seconds = (from: number | undefined, to: number | undefined): number | undefined => (from === undefined || to === undefined ? undefined : Math.max(0, to - from) / 1000);
    const observePhase = (phase: RecoveryPhase, value: number | undefined): void => {
      if (value !== undefined) phases.observe({ phase }, value);
    };
    return {
      get uid() {
        return trail.uid;
      },
      get steps() {
        return trail.steps;
      },
      write: (what, work) => trail.write(what, work),
      flush: (timeoutMs) => trail.flush(timeoutMs),
      step(step, status, message, details) {
        const n = trail.step(step, status, message, details);
        const now = monotonic();
        steps.inc({ status });
        if (step === 'registered' && !at.has('start')) {
          const detected = correlationId === undefined ? undefined : detections.get(correlationId);
          at.set('start', detected ?? now);
        }
        if (step === 'claimed' && !at.has('claimed')) {
          at.set('claimed', now);
          observePhase('detection_to_claim', seconds(at.get('start'), now));
        }
        if (step === 'promoted' && status === 'succeeded' && !at.has('promoted')) {
          at.set('promoted', now);
          observePhase('claim_to_promoted', seconds(at.get('claimed'), now));
        }
        if (!counted && (step === 'resolved' || step === 'abandoned')) {
          counted = true;
          const outcome = step === 'abandoned' ? 'abandoned' : String(details?.['outcome'] ?? 'failed');
          recoveries.inc({ outcome: (recoveryOutcomes as readonly string[]).includes(outcome) ? outcome : 'failed' });
          if (step === 'resolved') {
            observePhase('promoted_to_resolved', seconds(at.get('promoted'), now));
            if (outcome === 'successful') observePhase('total', seconds(at.get('start'), now));
          }
        }
        return n;
      },
    };
  };

  return {
    setDroppedStale(read) {
      droppedStale = read;
    },
    observe(audit) {
      return {
        trail: (clusterId, correlationId, uid, afterSeq) => observeTrail(audit.trail(clusterId, correlationId, uid, afterSeq), correlationId),
        event(clusterId, correlationId, step, status, message, details) {
          audit.event(clusterId, correlationId, step, status, message, details);
          if (step === 'detected' && correlationId !== undefined) {
            detections.delete(correlationId);
            detections.set(correlationId, monotonic());
            if (detections.size > detectionsKept) detections.delete(detections.keys().next().value as string);
          }
          const kind = declinedSteps[step];
          if (kind) declined.inc({ kind, reason: bounded(details?.['reason']) });
        },
        background: (what, work) => audit.background(what, work),
        drain: (timeoutMs) => audit.drain(timeoutMs),
        stats: () => audit.stats(),
      };
    },
  };
}
