/**
 * detector.seeds: at start every seed is discovered and registered (like orchestrator's
 * DiscoverySeeds, injected at every start: a seed still in the config brings a forgotten cluster
 * back). A seed that cannot be discovered (down, unreachable, the registry unreadable) is tried
 * again with capped back-off until it works or the detector stops. Registering the same topology
 * again publishes nothing (see register-cluster.ts).
 */
import type { ClusterRegistration, InstanceKey } from '@baton/contracts';
import type { Publisher } from '@baton/kafka';
import type { Logger } from '@baton/logging';
import type { DiscoverySettings } from './config.ts';
import { keyId } from './instance-set.ts';
import { registerCluster } from './register-cluster.ts';

export interface SeedRegistrationOptions {
  seeds: ReadonlyArray<{ seed: InstanceKey; alias?: string }>;
  discovery: DiscoverySettings;
  publisher: Pick<Publisher, 'publish'>;
  registrations: () => Promise<ReadonlyMap<string, ClusterRegistration>>;
  logger: Logger;
  /** Back-off between attempts of one seed: initial, doubled up to max (default 1 s → 30 s). */
  retryInitialMs?: number;
  retryMaxMs?: number;
}

export function registerSeeds(options: SeedRegistrationOptions): { firstAttempt: Promise<void>; stop: () => void } {
  const { logger } = options;
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  // one registry read per round of attempts, shared by the seeds of that round
  let round: Promise<ReadonlyMap<string, ClusterRegistration>> | undefined;
  const registrations = (): Promise<ReadonlyMap<string, ClusterRegistration>> => {
    round ??= options.registrations().finally(() => setTimeout(() => (round = undefined), 0).unref());
    return round;
  };

  async function attempt(entry: { seed: InstanceKey; alias?: string }, delayMs: number): Promise<void> {
    if (stopped) return;
    try {
      await registerCluster(entry.seed, {
        ...options.discovery,
        publisher: options.publisher,
        registrations,
        registeredBy: 'config seed',
        logger,
        ...(entry.alias === undefined ? {} : { alias: entry.alias }),
      });
    } catch (error) {
      if (stopped) return;
      const next = Math.min(delayMs * 2, options.retryMaxMs ?? 30_000);
      logger.warn({ err: error, seed: keyId(entry.seed), alias: entry.alias, retryInMs: delayMs }, 'config seed not registered; will retry');
      const timer = setTimeout(() => {
        timers.delete(timer);
        void attempt(entry, next);
      }, delayMs);
      timer.unref();
      timers.add(timer);
    }
  }

  const initial = options.retryInitialMs ?? 1000;
  return {
    firstAttempt: Promise.all(options.seeds.map((s) => attempt(s, initial))).then(() => undefined),
    stop: () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
