/**
 * Writes that must not delay a publish (the Redis snapshot cache, the change log): started after
 * the analysis is on the topic, never awaited by the handler, errors logged. Tracked so shutdown
 * can wait for them, and bounded so a slow backend cannot pile up work without limit.
 */
import type { Logger } from '@baton/logging';

export interface BackgroundWritesOptions {
  logger: Logger;
  /** Writes in flight at once; past it new writes are dropped (and logged). Default 1000. */
  maxPending?: number;
}

export interface BackgroundStats {
  started: number;
  failed: number;
  dropped: number;
}

export class BackgroundWrites {
  private readonly pending = new Set<Promise<void>>();
  private readonly logger: Logger;
  private readonly maxPending: number;
  private readonly counters: BackgroundStats = { started: 0, failed: 0, dropped: 0 };

  constructor(options: BackgroundWritesOptions) {
    this.logger = options.logger;
    this.maxPending = options.maxPending ?? 1000;
  }

  /** Starts `write` unless too many are in flight; never throws, never rejects. */
  run(what: string, context: Record<string, unknown>, write: () => Promise<void>): void {
    if (this.pending.size >= this.maxPending) {
      this.counters.dropped += 1;
      this.logger.warn({ ...context, what, pending: this.pending.size }, 'background write dropped');
      return;
    }
    this.counters.started += 1;
    const running: Promise<void> = Promise.resolve()
      .then(write)
      .catch((error: unknown) => {
        this.counters.failed += 1;
        this.logger.error({ ...context, what, err: error }, 'background write failed');
      })
      .finally(() => this.pending.delete(running));
    this.pending.add(running);
  }

  get size(): number {
    return this.pending.size;
  }

  stats(): BackgroundStats {
    return { ...this.counters };
  }

  /** Resolves when every write started so far has ended, or at `timeoutMs` (then false). */
  async drain(timeoutMs = 5000): Promise<boolean> {
    if (this.pending.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([Promise.allSettled([...this.pending]).then(() => true as const), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}
