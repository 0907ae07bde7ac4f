// In-memory stand-ins for the detector's unit tests: probers whose answers a test scripts, a
// publisher that records, and registrations/observations builders.
import { replicationState, unknownInstance, type ClusterRegistration, type ClusterSnapshot, type InstanceKey, type InstanceObservation } from '@baton/contracts';
import type { InstanceProberOptions, ProberSettings } from '@baton/mysql';
import type { Prober } from '../src/cluster-monitor.ts';

export const key = (host: string, port: number): InstanceKey => ({ host, port });

export function registration(clusterId: string, seeds: InstanceKey[], overrides: Partial<ClusterRegistration> = {}): ClusterRegistration {
  return { clusterId, alias: clusterId, seeds, status: 'active', registeredAt: '2026-01-01T00:00:00.000Z', registeredBy: 'test', ...overrides };
}

export const replication = replicationState;

/** What a scripted probe answers: facts to merge (success), an Error (failure) or a promise of either. */
export type Answer = Partial<InstanceObservation> | Error;

export class FakeProber implements Prober {
  readonly options: InstanceProberOptions;
  observation: InstanceObservation;
  probes = 0;
  closed = false;
  #inFlight: Promise<InstanceObservation> | undefined;
  #answer: (key: InstanceKey) => Answer | Promise<Answer>;

  constructor(options: InstanceProberOptions, answer: (key: InstanceKey) => Answer | Promise<Answer>) {
    this.options = options;
    this.#answer = answer;
    this.observation = options.initial ?? unknownInstance(options.key.host, options.key.port);
  }

  get probing(): boolean {
    return this.#inFlight !== undefined;
  }

  probe(): Promise<InstanceObservation> {
    this.#inFlight ??= this.#run().finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  async #run(): Promise<InstanceObservation> {
    this.probes += 1;
    const at = new Date().toISOString();
    this.observation = { ...this.observation, lastAttemptedAt: at };
    const answer = await this.#answer(this.options.key);
    const done = new Date().toISOString();
    const annotations = (await this.options.annotate?.(this.options.key)) ?? {};
    if (answer instanceof Error) {
      this.observation = { ...this.observation, ...annotations, lastCheckedAt: done, lastAttemptedAt: done, lastError: answer.message };
    } else {
      this.observation = { ...this.observation, ...answer, ...annotations, lastSeenAt: done, lastCheckedAt: done, lastAttemptedAt: done, lastError: null };
    }
    return this.observation;
  }

  /** As the real prober does when its socket dies. */
  breakConnection(): void {
    this.options.onConnectionBroken?.(this.options.key, new Error('connection lost'));
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export const settings: ProberSettings = {
  credentials: { user: 'u', password: 'p' },
  connectTimeoutMs: 30,
  queryTimeoutMs: 30,
  pollIntervalMs: 60_000, // ticks are driven by hand in unit tests
  location: {},
};

export class RecordingPublisher {
  readonly snapshots: Array<{ snapshot: ClusterSnapshot; correlationId: string | undefined }> = [];
  publish = async (snapshot: ClusterSnapshot, correlationId: string | undefined): Promise<void> => {
    this.snapshots.push({ snapshot, correlationId });
  };
}

/** A promise with its resolve function, for probes a test releases by hand. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
