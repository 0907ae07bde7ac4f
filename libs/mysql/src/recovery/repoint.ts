/**
 * Step 3: move a replica under the new primary and wait (bounded) until both replication threads
 * run. `repointAll` does it for many replicas, at most `maxConcurrency` at a time (orchestrator's
 * MaxConcurrentReplicaOperations, default 5), and reports each one separately: one replica that
 * fails does not stop the others.
 */
import { performance } from 'node:perf_hooks';
import type { InstanceKey, ReplicationState } from '@baton/contracts';
import type { InstanceConnection } from '../instance-connection.ts';
import { dialectOf } from './dialect.ts';
import { mapWithConcurrency } from './limit.ts';
import { pointAt, type PointAtOptions } from './point-at.ts';
import { readReplicaStatus } from './replica-state.ts';
import { stepError, type RecoveryStepError } from './step-error.ts';

export interface RepointOptions extends PointAtOptions {
  /** Bound of the wait for Slave_IO_Running = Yes and Slave_SQL_Running = Yes. Default 5000 ms. */
  waitTimeoutMs?: number;
  /** Pause between status reads while waiting. Default 5 ms. */
  pollIntervalMs?: number;
}

export type RepointOutcome = 'running' | 'timeout' | 'io-thread-stopped' | 'sql-thread-stopped';

export interface RepointResult {
  instance: string;
  /** Both threads were seen running. */
  running: boolean;
  outcome: RepointOutcome;
  /** The last state read. */
  replication: ReplicationState | null;
  previousSource: InstanceKey | null;
  elapsedMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function repoint(conn: InstanceConnection, newSource: InstanceKey, options: RepointOptions): Promise<RepointResult> {
  const started = performance.now();
  const step = 'repoint';
  const d = await dialectOf(conn, step);
  const previousSource = await pointAt(conn, d, step, newSource, options);
  const waitTimeoutMs = options.waitTimeoutMs ?? 5000;
  const pollIntervalMs = options.pollIntervalMs ?? 5;
  const waitStarted = performance.now();
  for (;;) {
    const { state } = await readReplicaStatus(conn, d, step);
    const outcome: RepointOutcome | null =
      state?.ioThread === 'Yes' && state.sqlThread === 'Yes'
        ? 'running'
        : !state || state.sqlThread !== 'Yes'
          ? 'sql-thread-stopped'
          : state.ioThread === 'No'
            ? 'io-thread-stopped'
            : performance.now() - waitStarted >= waitTimeoutMs
              ? 'timeout'
              : null;
    if (outcome) {
      return { instance: conn.instance, running: outcome === 'running', outcome, replication: state, previousSource, elapsedMs: performance.now() - started };
    }
    await sleep(pollIntervalMs);
  }
}

export type RepointAllEntry =
  | { instance: string; ok: true; result: RepointResult }
  | { instance: string; ok: false; error: RecoveryStepError };

export interface RepointAllOptions extends RepointOptions {
  /** Replicas moved at the same time. Default 5 (MaxConcurrentReplicaOperations). */
  maxConcurrency?: number;
  /** Called as each replica's repoint returns, before the others finish. */
  onRepointed?: (instance: string) => void;
}

/** Repoints every replica; the entries are in the order of `replicas`. Never rejects. */
export async function repointAll(
  replicas: readonly InstanceConnection[],
  newSource: InstanceKey,
  options: RepointAllOptions,
): Promise<RepointAllEntry[]> {
  const { maxConcurrency = 5, ...rest } = options;
  const { onRepointed, ...each } = rest;
  const settled = await mapWithConcurrency(replicas, maxConcurrency, async (conn) => {
    const result = await repoint(conn, newSource, each);
    onRepointed?.(conn.instance);
    return result;
  });
  return settled.map((s, i): RepointAllEntry => {
    const instance = (replicas[i] as InstanceConnection).instance;
    return s.status === 'fulfilled' ? { instance, ok: true, result: s.value } : { instance, ok: false, error: stepError(s.reason, 'repoint', instance) };
  });
}
