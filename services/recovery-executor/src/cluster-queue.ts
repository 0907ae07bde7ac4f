/**
 * One worker per cluster, so a recovery never holds up the consumer (other clusters on the same
 * partition go on) and one cluster's work runs one job at a time, in order. While a job runs, new
 * jobs for the same cluster wait; a newer job under the same key (an analysis of the same
 * instance) replaces the waiting one: the analysis stream says where things stand now, there is
 * no backlog worth replaying.
 */
import type { Logger } from '@baton/logging';

interface Slot<J> {
  running: Promise<void> | null;
  pending: Map<string, J>;
}

export class ClusterQueue<J> {
  readonly #slots = new Map<string, Slot<J>>();
  readonly #run: (clusterId: string, job: J) => Promise<void>;
  readonly #logger: Logger;
  #replaced = 0;

  constructor(run: (clusterId: string, job: J) => Promise<void>, logger: Logger) {
    this.#run = run;
    this.#logger = logger;
  }

  /** Queues `job` for `clusterId` under `key`; a job waiting under the same key is replaced. */
  push(clusterId: string, key: string, job: J): void {
    let slot = this.#slots.get(clusterId);
    if (!slot) {
      slot = { running: null, pending: new Map() };
      this.#slots.set(clusterId, slot);
    }
    if (slot.pending.has(key)) this.#replaced += 1;
    slot.pending.delete(key); // re-inserted last: the newest job runs last
    slot.pending.set(key, job);
    if (!slot.running) this.#start(clusterId, slot);
  }

  #start(clusterId: string, slot: Slot<J>): void {
    slot.running = (async () => {
      for (;;) {
        const next = slot.pending.entries().next();
        if (next.done) break;
        const [key, job] = next.value;
        slot.pending.delete(key);
        try {
          await this.#run(clusterId, job);
        } catch (error) {
          this.#logger.error({ err: error, clusterId }, 'cluster job failed');
        }
      }
    })().finally(() => {
      slot.running = null;
      if (slot.pending.size > 0) this.#start(clusterId, slot);
      else this.#slots.delete(clusterId);
    });
  }

  /** Drops every job not started yet (shutdown). */
  clearPending(): number {
    let dropped = 0;
    for (const slot of this.#slots.values()) {
      dropped += slot.pending.size;
      slot.pending.clear();
    }
    return dropped;
  }

  /** Waits for the running jobs, at most `timeoutMs`; false at the deadline. */
  async idle(timeoutMs: number): Promise<boolean> {
    const running = [...this.#slots.values()].map((s) => s.running).filter((r): r is Promise<void> => r !== null);
    if (running.length === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([Promise.allSettled(running).then(() => true as const), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  stats(): { clusters: number; pending: number; replaced: number } {
    let pending = 0;
    for (const s of this.#slots.values()) pending += s.pending.size;
    return { clusters: this.#slots.size, pending, replaced: this.#replaced };
  }
}
