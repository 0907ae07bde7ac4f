/**
 * The clusters the api knows — the analyzer's cached snapshots (Redis) joined with the compacted
 * registry — and the resolution of orchestrator's cluster hints: a cluster id, an alias, or the
 * host:port of any member (hostnames compared case-insensitively). A cluster whose snapshot has
 * expired (analyzer or detector down) is still known from the registry, without instances.
 */
import type { ClusterRegistration, ClusterSnapshot, InstanceKey, InstanceObservation } from '@baton/contracts';
import { parseMaintenanceValue, type MaintenanceValue } from '@baton/state';
import { notFound } from './envelope.ts';
import type { RegistryReader, StateReader } from './ports.ts';

export interface ClusterView {
  clusterId: string;
  alias: string;
  snapshot: ClusterSnapshot | null;
  registration: ClusterRegistration | null;
  /** The maintenance locks of the snapshot's instances, by `host:port` as the snapshot names them (begin-maintenance). */
  maintenance?: ReadonlyMap<string, MaintenanceValue>;
}

/** The live maintenance locks of the snapshot's instances (one MGET); empty without a snapshot. */
async function maintenanceOf(state: StateReader, snapshot: ClusterSnapshot | null): Promise<ReadonlyMap<string, MaintenanceValue>> {
  const out = new Map<string, MaintenanceValue>();
  if (!snapshot || snapshot.instances.length === 0) return out;
  const ids = snapshot.instances.map((i) => `${i.host}:${i.port}`);
  const values = await state.maintenance(snapshot.clusterId, ids);
  ids.forEach((id, n) => {
    // the key's TTL ends the lock (Redis expires it): its endsAt is not judged by this host's clock
    const value = parseMaintenanceValue(values[n] ?? null, new Date(0));
    if (value) out.set(id, value);
  });
  return out;
}

export interface InstanceMembership {
  cluster: ClusterView;
  /** The latest observation, or null for a registered seed the snapshot does not (yet) list. */
  instance: InstanceObservation | null;
}

const keyOf = (host: string, port: number): string => `${host.toLowerCase()}:${port}`;

/** `host:port` → key; null when the text is not one. */
export function parseInstanceHint(hint: string): InstanceKey | null {
  const m = /^(.+):(\d{1,5})$/.exec(hint);
  if (!m) return null;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1] as string, port } : null;
}

export class ClusterDirectory {
  readonly #clusters: ClusterView[];

  private constructor(clusters: ClusterView[]) {
    this.#clusters = clusters;
  }

  static async load(state: StateReader, registry: RegistryReader): Promise<ClusterDirectory> {
    const snapshots = await state.snapshots();
    const byId = new Map<string, ClusterView>();
    for (const [clusterId, registration] of registry.registrations()) {
      byId.set(clusterId, { clusterId, alias: registration.alias, snapshot: null, registration });
    }
    const maintenance = await Promise.all(snapshots.map((snapshot) => maintenanceOf(state, snapshot)));
    snapshots.forEach((snapshot, n) => {
      const known = byId.get(snapshot.clusterId);
      byId.set(snapshot.clusterId, {
        clusterId: snapshot.clusterId,
        alias: known?.alias || snapshot.clusterAlias,
        snapshot,
        registration: known?.registration ?? null,
        maintenance: maintenance[n] as ReadonlyMap<string, MaintenanceValue>,
      });
    });
    return new ClusterDirectory([...byId.values()].sort((a, b) => a.clusterId.localeCompare(b.clusterId)));
  }

  /**
   * The cluster a hint names, reading one snapshot when the hint is a cluster id (the common case)
   * and every cached snapshot only for an alias or a member's host:port. 404 when none.
   */
  static async resolve(state: StateReader, registry: RegistryReader, hint: string): Promise<ClusterView> {
    const registration = registry.registrations().get(hint) ?? null;
    // a cluster id never holds braces or spaces (libs/state keys); such a hint is an alias at most
    const snapshot = /^[^{}\s]+$/.test(hint) ? await state.snapshot(hint) : null;
    if (registration || snapshot) {
      return { clusterId: hint, alias: registration?.alias || snapshot?.clusterAlias || '', snapshot, registration, maintenance: await maintenanceOf(state, snapshot) };
    }
    return (await ClusterDirectory.load(state, registry)).cluster(hint);
  }

  clusters(): readonly ClusterView[] {
    return this.#clusters;
  }

  /** The cluster an instance belongs to: a snapshot that lists it (the newest), else a registration seeding it. */
  findInstance(key: InstanceKey): InstanceMembership | null {
    const wanted = keyOf(key.host, key.port);
    let best: InstanceMembership | null = null;
    for (const cluster of this.#clusters) {
      const instance = cluster.snapshot?.instances.find((i) => keyOf(i.host, i.port) === wanted);
      if (instance && (!best?.instance || Date.parse(cluster.snapshot?.observedAt ?? '') > Date.parse(best.cluster.snapshot?.observedAt ?? ''))) {
        best = { cluster, instance };
      }
    }
    if (best) return best;
    for (const cluster of this.#clusters) {
      if (cluster.registration?.seeds.some((s) => keyOf(s.host, s.port) === wanted)) return { cluster, instance: null };
    }
    return null;
  }

  /** The instance, or a 404 naming it. */
  instance(key: InstanceKey): InstanceMembership {
    const found = this.findInstance(key);
    if (!found) throw notFound(`Unknown instance ${key.host}:${key.port}: no cluster lists it`, { Hostname: key.host, Port: key.port });
    return found;
  }

  findCluster(hint: string): ClusterView | null {
    const byId = this.#clusters.find((c) => c.clusterId === hint);
    if (byId) return byId;
    const byAlias = this.#clusters.filter((c) => c.alias !== '' && c.alias === hint);
    if (byAlias.length === 1) return byAlias[0] as ClusterView;
    const key = parseInstanceHint(hint);
    return key ? (this.findInstance(key)?.cluster ?? null) : null;
  }

  /** The cluster a hint names, or a 404 in orchestrator's words. */
  cluster(hint: string): ClusterView {
    const found = this.findCluster(hint);
    if (!found) throw notFound(`Unable to determine cluster name for hint ${hint}`, { hint });
    return found;
  }
}
