/**
 * Recovery events as a test collects them (in-process pipeline or services as processes), and the
 * one way to wait for one: the first event received at or after `afterMs` that matches, or a
 * timeout naming the last events seen.
 */
import type { RecoveryEvent } from '@baton/contracts';
import { waitFor } from '@baton/testing';

export interface Seen<T> {
  payload: T;
  correlationId?: string | undefined;
  receivedAtMs: number;
}

export interface WaitForEventOptions {
  timeoutMs?: number;
  afterMs?: number;
  description?: string;
}

export async function waitForRecoveryEvent(
  events: ReadonlyArray<Seen<RecoveryEvent>>,
  predicate: (e: RecoveryEvent) => boolean,
  o: WaitForEventOptions,
  defaults: { timeoutMs: number; intervalMs: number },
): Promise<RecoveryEvent> {
  const after = o.afterMs ?? 0;
  let found: RecoveryEvent | undefined;
  await waitFor(
    () => {
      found = events.find((e) => e.receivedAtMs >= after && predicate(e.payload))?.payload;
      return found !== undefined;
    },
    { description: o.description ?? 'a recovery event', timeoutMs: o.timeoutMs ?? defaults.timeoutMs, intervalMs: defaults.intervalMs },
  ).catch((error: unknown) => {
    const recent = events.slice(-15).map((e) => `${e.payload.clusterId}:${e.payload.step}:${e.payload.status}`);
    throw new Error(`${(error as Error).message}; recent events ${recent.join(' ') || 'none'}`, { cause: error });
  });
  return found as RecoveryEvent;
}
