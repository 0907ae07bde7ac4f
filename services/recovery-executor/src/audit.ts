/**
 * The audit trail (conventions §13: audit is not logging). Every step of a recovery is one
 * recovery event on baton.recovery-events (sequence numbered from 1, keyed by cluster) AND one
 * recovery_steps row. Writes leave the protocol's critical path: each recovery has one serial
 * chain (events stay in order, rows follow their recovery row) that the protocol never waits for
 * until `flush()` at its end. A failed write is logged, counted and does not fail the recovery.
 *
 * Events outside a recovery (detection registered, recovery blocked, skipped, switch changed)
 * carry recoveryUid '' and sequence 0, and the detection id as correlation id.
 */
import { randomUUID } from 'node:crypto';
import type { RecoveryEvent, RecoveryPhases, RecoveryStatus, RecoveryStep, RecoveryStepDetails } from '@baton/contracts';
import type { Logger } from '@baton/logging';
import { createPhaseTracker } from './phases.ts';
import type { EventSink, RecoveryStore } from './ports.ts';

export type StepStatus = RecoveryStatus;

/** What a producer may pass for `T`: the same shape, its arrays and objects readonly (domain types are). */
type Given<T> = T extends ReadonlyArray<infer U> ? ReadonlyArray<Given<U>> : T extends object ? { readonly [K in keyof T]: Given<T[K]> } : T;

/** A step's details, typed by its step (libs/contracts recovery-steps.ts); optional where every field is. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type DetailsArg<S extends RecoveryStep> = {} extends RecoveryStepDetails<S> ? [details?: Given<RecoveryStepDetails<S>>] : [details: Given<RecoveryStepDetails<S>>];

export interface AuditStats {
  events: number;
  rows: number;
  failed: number;
}

/** One recovery's ordered trail. */
export interface RecoveryTrail {
  readonly uid: string;
  /** Records a step (event + row) in order; returns its sequence number. Never throws. */
  step<S extends RecoveryStep>(step: S, status: StepStatus, message: string, ...details: DetailsArg<S>): number;
  /** Runs a backend write in the trail's order (the recovery row before its steps). */
  write(what: string, work: () => Promise<void>): void;
  /** Every step recorded so far: for tests and the final log line. */
  readonly steps: ReadonlyArray<{ seq: number; step: string; status: StepStatus }>;
  /** The recovery's phase durations so far (phases.ts), on this process's monotonic clock. */
  phases(): RecoveryPhases;
  /** Waits (bounded) until everything recorded so far is written. */
  flush(timeoutMs?: number): Promise<boolean>;
}

export interface Audit {
  /** `afterSeq`: a takeover's trail numbers its steps after its predecessor's. */
  trail(clusterId: string, correlationId: string | undefined, uid?: string, afterSeq?: number): RecoveryTrail;
  /** An event outside any recovery (not awaited by the caller's critical path). */
  event<S extends RecoveryStep>(clusterId: string, correlationId: string | undefined, step: S, status: StepStatus, message: string, ...details: DetailsArg<S>): void;
  /** A backend write outside any recovery, in the background. */
  background(what: string, work: () => Promise<void>): void;
  /** Waits for every pending write (shutdown). */
  drain(timeoutMs?: number): Promise<boolean>;
  stats(): AuditStats;
}

export interface AuditOptions {
  events: EventSink;
  store: RecoveryStore;
  logger: Logger;
  clock?: () => Date;
  /** Monotonic milliseconds for the phase durations (default performance.now). */
  monotonic?: () => number;
}

/** Detection times kept by correlation id (the oldest go first). */
const detectionsKept = 1000;

const okOf = (status: StepStatus): boolean | null => (status === 'succeeded' ? true : status === 'failed' || status === 'blocked' ? false : null);

function withTimeout(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  return Promise.race([work.then(() => true as const), deadline]).finally(() => clearTimeout(timer));
}

export function createAudit(options: AuditOptions): Audit {
  const { events, store, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const monotonic = options.monotonic ?? (() => performance.now());
  /** When this process recorded each detection (`detected`), by correlation id: the start of detectionToClaim. */
  const detections = new Map<string, number>();
  const pending = new Set<Promise<unknown>>();
  const stats: AuditStats = { events: 0, rows: 0, failed: 0 };

  const track = (p: Promise<unknown>): void => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const guarded = (what: string, context: Record<string, unknown>, work: () => Promise<void>) => async (): Promise<void> => {
    try {
      await work();
    } catch (error) {
      stats.failed += 1;
      logger.error({ ...context, what, err: error }, 'audit write failed');
    }
  };

  function trail(clusterId: string, correlationId: string | undefined, uid: string = randomUUID(), afterSeq = 0): RecoveryTrail {
    let chain: Promise<void> = Promise.resolve();
    let seq = afterSeq;
    const steps: Array<{ seq: number; step: string; status: StepStatus }> = [];
    const tracker = createPhaseTracker();
    const enqueue = (work: () => Promise<void>): void => {
      chain = chain.then(work);
      track(chain);
    };
    return {
      uid,
      steps,
      phases: () => tracker.phases(),
      step(step, status, message, ...rest) {
        const details = (rest[0] ?? {}) as Record<string, unknown>;
        seq += 1;
        const n = seq; // the closures below run later, after more steps were numbered
        const at = clock();
        const event = { recoveryUid: uid, clusterId, sequence: n, at: at.toISOString(), step, status, message, details } as RecoveryEvent;
        steps.push({ seq: n, step, status });
        tracker.step(step, status, monotonic(), correlationId === undefined ? undefined : detections.get(correlationId));
        const context = { clusterId, recoveryUid: uid, seq: n, step };
        enqueue(
          guarded('step', context, async () => {
            await Promise.all([
              events.publish(event, correlationId).then(() => void (stats.events += 1)),
              store.insertStep({ recoveryUid: uid, seq: n, at, step, message, ok: okOf(status), details }).then(() => void (stats.rows += 1)),
            ]);
          }),
        );
        return n;
      },
      write(what, work) {
        enqueue(guarded(what, { clusterId, recoveryUid: uid }, work));
      },
      flush: (timeoutMs = 10_000) => withTimeout(chain, timeoutMs),
    };
  }

  return {
    trail,
    event(clusterId, correlationId, step, status, message, ...rest) {
      const details = (rest[0] ?? {}) as Record<string, unknown>;
      if (step === 'detected' && correlationId !== undefined) {
        detections.delete(correlationId);
        detections.set(correlationId, monotonic());
        if (detections.size > detectionsKept) detections.delete(detections.keys().next().value as string);
      }
      const event = { recoveryUid: '', clusterId, sequence: 0, at: clock().toISOString(), step, status, message, details } as RecoveryEvent;
      track(guarded('event', { clusterId, step }, () => events.publish(event, correlationId).then(() => void (stats.events += 1)))());
    },
    background(what, work) {
      track(guarded(what, {}, work)());
    },
    drain: (timeoutMs = 10_000) => withTimeout(Promise.allSettled([...pending]), timeoutMs),
    stats: () => ({ ...stats }),
  };
}
