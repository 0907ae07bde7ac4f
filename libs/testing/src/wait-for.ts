import { BatonError } from '@baton/errors';

/** A condition a test or a launcher waited for did not hold before its deadline. */
export class WaitTimeoutError extends BatonError {
  static override readonly code = 'BATON_TEST_WAIT_TIMEOUT';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(WaitTimeoutError.code, message, { ...options, retryable: false });
  }
}

export interface WaitForOptions {
  /** What is awaited, for the error message. */
  description: string;
  /** Deadline from the first check. Default 10 s. */
  timeoutMs?: number;
  /** Pause between checks. Default 20 ms. */
  intervalMs?: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `check` until it returns a truthy value and resolves with that value. A check that
 * throws counts as "not yet"; its last error is attached to the timeout error. Use this instead
 * of fixed sleeps: tests wait for conditions with a bounded deadline and never assert timings.
 */
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitForOptions): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let lastValue: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      lastValue = value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError !== undefined ? `last error: ${describe(lastError)}` : `last value: ${JSON.stringify(lastValue)}`;
      throw new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${options.description} (${detail})`, { cause: lastError });
    }
    await sleep(intervalMs);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
