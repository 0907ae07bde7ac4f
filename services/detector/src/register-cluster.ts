/**
 * Registering a cluster: discover the whole topology from one seed (the primary above it, every
 * replica below, recursively — @baton/mysql discoverTopology) and publish a registration to the
 * compacted registry (key = cluster id). The detectors that own the registry partition start
 * probing it.
 *
 * The cluster id is stable: an explicit alias, or the primary's host:port at FIRST discovery. A
 * later discovery (a config seed at every start, a `discover` after a failover) that finds an
 * instance some ACTIVE registration already lists reuses that registration's id, whatever the
 * primary is now. A forgotten registration lends nothing (its hosts may serve another cluster
 * since); an alias that names a registration re-registers that id. A registration that would say
 * exactly what the registry already says is not published again.
 *
 * Used by the detector (config seeds at start, `discover`/`forget` commands on baton.commands) and
 * by the `baton discover host:port [--alias]` CLI (registerClusterWithConfig).
 *
 * An alias outside the safe set of @baton/config (letters, digits, `. _ - :`; it reaches hooks as
 * {failureClusterAlias} and, as the id, {failureCluster}) is not used, whoever sent it: the cluster
 * gets the id and alias it would have without one, and registerCluster logs a warning naming the
 * seed and the refused value. The api and config load refuse such aliases before they get here.
 */
import { isClusterAlias, type BatonConfig } from '@baton/config';
import { createEnvelope, topics, type ClusterRegistration, type InstanceKey } from '@baton/contracts';
import { BatonError } from '@baton/errors';
import { createProducer, createPublisher, kafkaFromConfig, signerFromConfig, type Publisher } from '@baton/kafka';
import type { Logger } from '@baton/logging';
import { discoverTopology, type DiscoveredTopology, type ProbeCredentials } from '@baton/mysql';
import { discoverySettingsFromConfig, parseInstanceKey, topicNamesFromConfig } from './config.ts';
import { keyId } from './instance-set.ts';
import { readRegistry } from './read-registry.ts';

export const producerName = 'detector';

export interface RegisterClusterOptions {
  alias?: string;
  /** Who asked: 'config seed', 'command:<requestedBy>', 'cli' (default 'discover'). */
  registeredBy?: string;
  credentials: ProbeCredentials;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  publisher: Pick<Publisher, 'publish'>;
  /** The registry as it stands; without it every discovery is a first discovery. */
  registrations?: () => Promise<ReadonlyMap<string, ClusterRegistration>>;
  logger?: Logger;
  now?: () => Date;
  /** For tests: replaces discoverTopology. */
  discover?: typeof discoverTopology;
}

export interface RegisterClusterResult {
  clusterId: string;
  registration: ClusterRegistration;
  /** False when the registry already held exactly this registration. */
  published: boolean;
  /** The id came from an existing registration (not from the alias or the current primary). */
  reusedClusterId: boolean;
  topology: DiscoveredTopology;
}

export interface ResolvedRegistration {
  registration: ClusterRegistration;
  changed: boolean;
  reusedClusterId: boolean;
  /** The alias given, when it was outside the safe set and therefore not used. */
  refusedAlias?: string;
}

const lower = (k: InstanceKey): string => keyId(k).toLowerCase();

/** The registration a discovery leads to, given the registry as it stands (pure). */
export function resolveRegistration(input: {
  topology: DiscoveredTopology;
  alias?: string;
  existing: ReadonlyMap<string, ClusterRegistration>;
  registeredBy: string;
  now: Date;
}): ResolvedRegistration {
  const { topology, existing } = input;
  if (!topology.primary || topology.instances.length === 0) {
    const reason = topology.unreachable.map((u) => `${keyId(u.key)}: ${u.error}`).join('; ');
    throw new BatonError('BATON_DISCOVERY_FAILED', `no topology found from the seed (${reason || 'nothing answered'})`, { retryable: false });
  }
  const refusedAlias = input.alias !== undefined && !isClusterAlias(input.alias) ? input.alias : undefined;
  const givenAlias = refusedAlias === undefined ? input.alias : undefined;
  const found = new Set(topology.instances.map(lower));
  const overlap = (r: ClusterRegistration): number => r.seeds.filter((s) => found.has(lower(s))).length;
  const named = givenAlias !== undefined ? existing.get(givenAlias) : undefined;
  let previous = named && named.status === 'active' && overlap(named) > 0 ? named : undefined;
  if (!previous) {
    // the ACTIVE registration sharing the most instances with what was found, then the oldest; a
    // forgotten one is gone (its hosts may since serve another cluster) and lends no id
    const candidates = [...existing.values()].filter((r) => r.status === 'active' && overlap(r) > 0);
    candidates.sort((a, b) => overlap(b) - overlap(a) || Date.parse(a.registeredAt) - Date.parse(b.registeredAt));
    previous = candidates[0] ?? named;
  }
  const clusterId = previous?.clusterId ?? givenAlias ?? keyId(topology.primary);
  const alias = givenAlias ?? previous?.alias ?? clusterId;
  const seeds = topology.instances.map((k) => ({ host: k.host, port: k.port }));
  const same =
    previous !== undefined &&
    previous.status === 'active' &&
    previous.alias === alias &&
    previous.seeds.length === seeds.length &&
    previous.seeds.every((s) => found.has(lower(s)));
  return {
    registration: { clusterId, alias, seeds, status: 'active', registeredAt: input.now.toISOString(), registeredBy: input.registeredBy },
    changed: !same,
    reusedClusterId: previous !== undefined && previous.clusterId !== (givenAlias ?? keyId(topology.primary)),
    ...(refusedAlias === undefined ? {} : { refusedAlias }),
  };
}

export async function publishRegistration(publisher: Pick<Publisher, 'publish'>, registration: ClusterRegistration, now: Date): Promise<void> {
  const envelope = createEnvelope('cluster-registration', registration, { producer: producerName, occurredAt: now.toISOString() });
  await publisher.publish(topics.clusterRegistry, registration.clusterId, envelope);
}

/** Discovers the topology around `seed` ("host:port" or a key) and registers it. */
export async function registerCluster(seed: InstanceKey | string, options: RegisterClusterOptions): Promise<RegisterClusterResult> {
  const key = typeof seed === 'string' ? parseInstanceKey(seed) : seed;
  const now = options.now ?? (() => new Date());
  const discover = options.discover ?? discoverTopology;
  const [topology, existing] = await Promise.all([
    discover(key, options.credentials, {
      connectTimeoutMs: options.connectTimeoutMs,
      queryTimeoutMs: options.queryTimeoutMs,
      ...(options.logger ? { logger: options.logger } : {}),
    }),
    options.registrations?.() ?? Promise.resolve(new Map<string, ClusterRegistration>()),
  ]);
  const at = now();
  const resolved = resolveRegistration({
    topology,
    existing,
    registeredBy: options.registeredBy ?? 'discover',
    now: at,
    ...(options.alias === undefined ? {} : { alias: options.alias }),
  });
  const { registration } = resolved;
  if (resolved.refusedAlias !== undefined) {
    options.logger?.warn(
      { seed: keyId(key), refusedAlias: resolved.refusedAlias, clusterId: registration.clusterId, alias: registration.alias },
      'cluster alias refused (only letters, digits and . _ - :, 1 to 128): the cluster keeps its default id and alias',
    );
  }
  if (resolved.changed) await publishRegistration(options.publisher, registration, at);
  options.logger?.info(
    {
      clusterId: registration.clusterId,
      alias: registration.alias,
      seed: keyId(key),
      instances: registration.seeds.map(keyId),
      unreachable: topology.unreachable.map((u) => keyId(u.key)),
      published: resolved.changed,
      reusedClusterId: resolved.reusedClusterId,
    },
    resolved.changed ? 'cluster registered' : 'cluster already registered as discovered',
  );
  return { clusterId: registration.clusterId, registration, published: resolved.changed, reusedClusterId: resolved.reusedClusterId, topology };
}

/** Publishes status 'forgotten' for a registered cluster; null when it is unknown or already forgotten. */
export async function forgetCluster(
  clusterId: string,
  options: { publisher: Pick<Publisher, 'publish'>; registrations: () => Promise<ReadonlyMap<string, ClusterRegistration>>; registeredBy?: string; now?: () => Date; logger?: Logger },
): Promise<ClusterRegistration | null> {
  const current = (await options.registrations()).get(clusterId);
  if (!current || current.status === 'forgotten') {
    options.logger?.warn({ clusterId, known: current !== undefined }, 'forget: cluster not registered or already forgotten');
    return null;
  }
  const at = (options.now ?? (() => new Date()))();
  const registration: ClusterRegistration = { ...current, status: 'forgotten', registeredAt: at.toISOString(), registeredBy: options.registeredBy ?? 'forget' };
  await publishRegistration(options.publisher, registration, at);
  options.logger?.info({ clusterId }, 'cluster forgotten');
  return registration;
}

/**
 * For the CLI: opens Kafka from the configuration, reads the registry, discovers and registers,
 * and closes everything again.
 */
export async function registerClusterWithConfig(
  seed: InstanceKey | string,
  options: { alias?: string; registeredBy?: string; config: Pick<BatonConfig, 'kafka' | 'mysql' | 'security'>; logger: Logger },
): Promise<RegisterClusterResult> {
  const { config, logger } = options;
  const names = topicNamesFromConfig(config.kafka);
  const signer = signerFromConfig(config.security);
  const kafka = kafkaFromConfig(config.kafka, 'discover', logger);
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    return await registerCluster(seed, {
      ...discoverySettingsFromConfig(config),
      publisher: createPublisher({ producer, names, logger, signer }),
      registrations: () => readRegistry({ kafka, names, logger, signer, groupIdPrefix: config.kafka.groupIdPrefix }),
      registeredBy: options.registeredBy ?? 'cli',
      logger,
      ...(options.alias === undefined ? {} : { alias: options.alias }),
    });
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}
