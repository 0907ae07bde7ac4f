/**
 * The executor's Prometheus metrics, read off its audit trail: everything the executor records
 * (a recovery's steps, skipped, blocked and not-attempted recoveries) goes through the audit, so
 * a decorator of the audit counts it without another call in the protocol. Labels are bounded:
 * outcome, reason (the executor's closed sets; anything else is `other`) and phase — never a
 * cluster or an instance.
 *
 * Phases of a recovery, on this process's monotonic clock, as its trail measures them (phases.ts,
 * the definition the `summary` event shares): detection_to_claim, claim_to_promoted,
 * promoted_to_resolved, and total (observed for a successful recovery only), each observed once,
 * at the step that ends it. A recovery counts once, with its outcome, at its `resolved` step (or `abandoned`: its epoch
 * passed to another executor). Skips and blocks are counted as the executor records them: a
 * repeated one at most once a minute per cluster and instance (the executor's note throttle).
 */
import { Counter, counterFollowing, durationBucketsSeconds, Histogram, type Registry } from '@baton/metrics';
import type { RecoveryPhases } from '@baton/contracts';
import type { Audit, RecoveryTrail } from './audit.ts';
import type { RecoveryOutcome } from './ports.ts';

/** Every RecoveryOutcome, and abandoned (the epoch passed to another executor). */
const recoveryOutcomes = ['successful', 'failed', 'not-needed', 'skipped', 'not-attempted', 'abandoned'] as const satisfies ReadonlyArray<RecoveryOutcome | 'abandoned'>;
/** Metric phase label → the trail's phase (phases.ts). */
const phaseLabels = [
  ['detection_to_claim', 'detectionToClaimMs'],
  ['claim_to_promoted', 'claimToPromotedMs'],
  ['promoted_to_resolved', 'promotedToResolvedMs'],
  ['total', 'totalMs'],
] as const satisfies ReadonlyArray<readonly [string, keyof RecoveryPhases]>;

/** Reasons the executor records for skipped (gate, already recovered), blocked and not-attempted recoveries. */
export const skipReasons = [
  'not-actionable',
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

export interface ExecutorMetricsOptions {
  registry: Registry;
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

  const observeTrail = (trail: RecoveryTrail): RecoveryTrail => {
    const observed = new Set<string>();
    let counted = false;
    return {
      get uid() {
        return trail.uid;
      },
      get steps() {
        return trail.steps;
      },
      write: (what, work) => trail.write(what, work),
      flush: (timeoutMs) => trail.flush(timeoutMs),
      phases: () => trail.phases(),
      step(step, status, message, ...details) {
        const n = trail.step(step, status, message, ...details);
        steps.inc({ status });
        let outcome: string | undefined;
        if (!counted && (step === 'resolved' || step === 'abandoned')) {
          counted = true;
          const given = (details[0] as { outcome?: unknown } | undefined)?.outcome;
          outcome = step === 'abandoned' ? 'abandoned' : String(given ?? 'failed');
          recoveries.inc({ outcome: (recoveryOutcomes as readonly string[]).includes(outcome) ? outcome : 'failed' });
        }
        const now = trail.phases();
        for (const [phase, key] of phaseLabels) {
          const ms = now[key];
          if (ms === null || observed.has(phase)) continue;
          observed.add(phase);
          if (phase !== 'total' || outcome === 'successful') phases.observe({ phase }, ms / 1000);
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
        trail: (clusterId, correlationId, uid, afterSeq) => observeTrail(audit.trail(clusterId, correlationId, uid, afterSeq)),
        event(clusterId, correlationId, step, status, message, ...details) {
          audit.event(clusterId, correlationId, step, status, message, ...details);
          const kind = declinedSteps[step];
          if (kind) declined.inc({ kind, reason: bounded((details[0] as { reason?: unknown } | undefined)?.reason) });
        },
        background: (what, work) => audit.background(what, work),
        drain: (timeoutMs) => audit.drain(timeoutMs),
        stats: () => audit.stats(),
      };
    },
  };
}
