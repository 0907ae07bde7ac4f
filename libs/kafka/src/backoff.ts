export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** No delay exceeds this, jitter included. */
  capMs: number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 100, capMs: 5000 };

/**
 * Capped exponential backoff with "equal jitter": the delay after failed attempt n (1-based) is
 * drawn from [d/2, d] where d = min(cap, base * 2^(n-1)). Half of it is guaranteed, so retries never
 * hammer; the other half spreads consumers that failed together. `random` returns [0, 1).
 */
export function backoffDelay(attempt: number, options: BackoffOptions = defaultBackoff, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer >= 1, got ${attempt}`);
  const base = Math.max(0, options.baseMs);
  const cap = Math.max(0, options.capMs);
  // 2^(attempt-1) overflows to Infinity for large attempts; min() keeps it at cap
  const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
