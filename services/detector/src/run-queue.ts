/**
 * One cluster's probe runs, never overlapping, with requests coalesced: whatever arrives while a
 * run is in flight (ticks, broken connections, probe requests) merges into ONE pending run that
 * starts as soon as the current one ends. A burst of broken connections therefore costs one extra
 * snapshot, and a slow run delays the next tick instead of stacking ticks up.
 */

export type RunReason = 'tick' | 'connection-broken' | 'probe-request' | 'settle';

export interface RunRequest {
  reason: RunReason;
  /** Instance ids ("host:port") to re-read; absent = the whole cluster. */
  instances?: readonly string[];
  /** Carried into the snapshot's envelope (a probe request's detection id). */
  correlationId?: string;
}

export interface PendingRun {
  reasons: ReadonlySet<RunReason>;
  /** 'all' as soon as any merged request wanted the whole cluster. */
  instances: ReadonlySet<string> | 'all';
  correlationId?: string;
}

/** A requester waiting for a snapshot names its reason first: probe-request, then connection-broken, then settle, then tick. */
const priority: readonly RunReason[] = ['probe-request', 'connection-broken', 'settle', 'tick'];

export function reasonOf(run: PendingRun): RunReason {
  return priority.find((r) => run.reasons.has(r)) ?? 'tick';
}

export function mergeRequest(pending: PendingRun | undefined, request: RunRequest): PendingRun {
  const reasons = new Set(pending?.reasons ?? []);
  reasons.add(request.reason);
  let instances: ReadonlySet<string> | 'all';
  if (request.instances === undefined || request.instances.length === 0 || pending?.instances === 'all') instances = 'all';
  else instances = new Set([...(pending?.instances ?? []), ...request.instances]);
  const correlationId = request.correlationId ?? pending?.correlationId;
  return { reasons, instances, ...(correlationId === undefined ? {} : { correlationId }) };
}

export class RunQueue {
  readonly #run: (run: PendingRun) => Promise<void>;
  readonly #onError: (error: unknown) => void;
  #pending: PendingRun | undefined;
  #draining: Promise<void> | undefined;
  #stopped = false;
  #runs = 0;

  constructor(run: (run: PendingRun) => Promise<void>, onError: (error: unknown) => void) {
    this.#run = run;
    this.#onError = onError;
  }

  /** Runs started so far. */
  get runs(): number {
    return this.#runs;
  }

  get busy(): boolean {
    return this.#draining !== undefined;
  }

  request(request: RunRequest): void {
    if (this.#stopped) return;
    this.#pending = mergeRequest(this.#pending, request);
    this.#draining ??= this.#drain().finally(() => (this.#draining = undefined));
  }

  /** No new runs; resolves when the one in flight (if any) has ended. */
  stop(): Promise<void> {
    this.#stopped = true;
    this.#pending = undefined;
    return this.idle();
  }

  idle(): Promise<void> {
    return this.#draining ?? Promise.resolve();
  }

  async #drain(): Promise<void> {
    // let the requests of the current turn of the event loop merge into the first run
    await Promise.resolve();
    while (this.#pending && !this.#stopped) {
      const run = this.#pending;
      this.#pending = undefined;
      this.#runs += 1;
      try {
        await this.#run(run);
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}
