/**
 * The clusters this detector monitors, kept equal to the clusters it owns. Ownership changes
 * (from the registry consumer) are applied one at a time, in order: stopped clusters close their
 * connections, new ones start from the latest snapshot another detector left in Redis (so
 * lastSeenAt and the instances it learnt survive a handover), changed registrations add seeds.
 * Sequence numbers are per detector and cluster and keep increasing if a cluster comes back.
 */
import { assertSchema, ClusterSnapshotV1, type ClusterRegistration, type ClusterSnapshot, type InstanceObservation } from '@baton/contracts';
import type { Logger } from '@baton/logging';
import type { ProberSettings } from '@baton/mysql';
import type { createRedis, Keys } from '@baton/state';
import { createRedisAnnotations } from './annotation-cache.ts';
import { ClusterMonitor, type ProberFactory } from './cluster-monitor.ts';
import type { Limiter } from './limiter.ts';
import { diffOwnership } from './registry-table.ts';
import type { RunRequest } from './run-queue.ts';

type Redis = ReturnType<typeof createRedis>;

export interface ClusterFleetOptions {
  detectorId: string;
  settings: ProberSettings;
  limiter: Limiter;
  redis: Redis;
  keys: Keys;
  createProber: ProberFactory;
  publish: (snapshot: ClusterSnapshot, correlationId: string | undefined) => Promise<void>;
  logger: Logger;
  /** detector.unseenInstanceForgetHours, in ms (0 = never). */
  forgetUnseenAfterMs?: number;
}

export class ClusterFleet {
  readonly #options: ClusterFleetOptions;
  readonly #monitors = new Map<string, { monitor: ClusterMonitor; registration: ClusterRegistration }>();
  readonly #sequences = new Map<string, number>();
  #chain: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(options: ClusterFleetOptions) {
    this.#options = options;
  }

  /** Queues a reconciliation with the clusters owned now. */
  own(owned: ReadonlyMap<string, ClusterRegistration>): Promise<void> {
    const snapshot = new Map(owned);
    this.#chain = this.#chain.then(() => this.#reconcile(snapshot)).catch((error: unknown) => this.#options.logger.error({ err: error }, 'ownership change failed'));
    return this.#chain;
  }

  clusterIds(): string[] {
    return [...this.#monitors.keys()].sort();
  }

  monitor(clusterId: string): ClusterMonitor | undefined {
    return this.#monitors.get(clusterId)?.monitor;
  }

  /** Queues a run for an owned cluster; false when not owned here. */
  request(clusterId: string, request: RunRequest): boolean {
    const entry = this.#monitors.get(clusterId);
    if (!entry) return false;
    entry.monitor.request(request);
    return true;
  }

  stats(): { clusters: number; instances: number; published: number; publishFailures: number } {
    let instances = 0;
    let published = 0;
    let publishFailures = 0;
    for (const { monitor } of this.#monitors.values()) {
      const s = monitor.stats();
      instances += s.instances;
      published += s.published;
      publishFailures += s.publishFailures;
    }
    return { clusters: this.#monitors.size, instances, published, publishFailures };
  }

  /** Stops every cluster (no new ownership is applied afterwards). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#chain;
    const all = [...this.#monitors.values()];
    this.#monitors.clear();
    await Promise.allSettled(all.map(({ monitor }) => monitor.stop()));
  }

  async #reconcile(owned: ReadonlyMap<string, ClusterRegistration>): Promise<void> {
    if (this.#stopped) return;
    const current = new Map([...this.#monitors].map(([id, e]) => [id, e.registration]));
    const change = diffOwnership(current, owned);
    if (change.started.length + change.stopped.length + change.updated.length === 0) return;
    const { logger } = this.#options;
    logger.info(
      { started: change.started.map((r) => r.clusterId), stopped: change.stopped, updated: change.updated.map((r) => r.clusterId) },
      'owned clusters changed',
    );
    const stopping = change.stopped.map((id) => {
      const entry = this.#monitors.get(id);
      this.#monitors.delete(id);
      return entry?.monitor.stop();
    });
    for (const registration of change.updated) {
      const entry = this.#monitors.get(registration.clusterId);
      if (!entry) continue;
      entry.monitor.update(registration);
      entry.registration = registration;
    }
    const initials = await Promise.all(change.started.map((r) => this.#lastSnapshot(r.clusterId)));
    change.started.forEach((registration, i) => {
      if (this.#stopped) return;
      const monitor = this.#create(registration, initials[i]);
      this.#monitors.set(registration.clusterId, { monitor, registration });
      monitor.start();
    });
    await Promise.allSettled(stopping);
  }

  #create(registration: ClusterRegistration, initial: InstanceObservation[] | undefined): ClusterMonitor {
    const o = this.#options;
    const { clusterId } = registration;
    return new ClusterMonitor({
      registration,
      detectorId: o.detectorId,
      settings: o.settings,
      limiter: o.limiter,
      annotations: createRedisAnnotations({ redis: o.redis, keys: o.keys, clusterId, logger: o.logger }),
      createProber: o.createProber,
      publish: o.publish,
      nextSequence: () => {
        const next = (this.#sequences.get(clusterId) ?? -1) + 1;
        this.#sequences.set(clusterId, next);
        return next;
      },
      logger: o.logger,
      ...(initial ? { initial } : {}),
      ...(o.forgetUnseenAfterMs === undefined ? {} : { forgetUnseenAfterMs: o.forgetUnseenAfterMs }),
    });
  }

  /** The latest snapshot the analyzer cached for the cluster, if any and valid. */
  async #lastSnapshot(clusterId: string): Promise<InstanceObservation[] | undefined> {
    try {
      const raw = await this.#options.redis.get(this.#options.keys.snapshot(clusterId));
      if (raw === null) return undefined;
      const snapshot: unknown = JSON.parse(raw);
      assertSchema(ClusterSnapshotV1, snapshot, 'cached snapshot');
      return (snapshot as ClusterSnapshot).instances;
    } catch (error) {
      this.#options.logger.warn({ err: error, clusterId }, 'cached snapshot not usable; starting from nothing');
      return undefined;
    }
  }
}
