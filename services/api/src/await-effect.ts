/**
 * Commands go through baton.commands and another service applies them, but orchestrator's routes
 * answer once the change is made — scripts run `begin-downtime` and then rely on it. So a
 * state-changing route publishes its command and then polls for its effect (the Redis flag, the
 * backend row) until a deadline: OK once seen, a 504 in the envelope if not.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from './envelope.ts';

export interface AwaitOptions {
  timeoutMs: number;
  intervalMs: number;
}

/** The first truthy value `probe` returns before the deadline, else undefined. Probes at least once. */
export async function pollFor<T>(probe: () => Promise<T | null | undefined | false>, o: AwaitOptions): Promise<T | undefined> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    await sleep(Math.min(o.intervalMs, left));
  }
}

/** Waits for `check`; a 504 naming the command when it does not come true in time. */
export async function confirmEffect(check: () => Promise<boolean>, what: string, commandId: string, o: AwaitOptions): Promise<void> {
  const seen = await pollFor(async () => (await check()) || null, o);
  if (!seen) {
    throw new ApiError(
      504,
      `${what}: command ${commandId} was published on baton.commands but its effect was not seen within ${o.timeoutMs} ms (is the service that applies it running?); it may still apply`,
      { commandId },
    );
  }
}
