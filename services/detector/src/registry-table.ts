/**
 * The cluster registry as a state table (pure, no I/O). The registry topic is compacted and keyed
 * by cluster id: the latest record per key is the truth, a 'forgotten' record or a tombstone (null
 * value) retires the cluster. A detector owns the active clusters of the partitions assigned to
 * it, and only once it has read each of them up to the end it saw at assignment ("loaded"), so a
 * replay never starts a cluster that a later record in the same partition forgot.
 *
 * The consumer never commits offsets, so every assignment re-reads its partitions from the start;
 * records at or below a partition's last applied offset are skipped (a replay changes nothing).
 */
import type { ClusterRegistration } from '@baton/contracts';

export interface RegistryRecord {
  partition: number;
  offset: number;
  /** The message key (a cluster id). */
  key: string | null;
  /** null = tombstone for `key`. */
  registration: ClusterRegistration | null;
}

interface PartitionState {
  loaded: boolean;
  lastOffset: number;
  clusters: Map<string, ClusterRegistration>;
}

export class RegistryTable {
  readonly #partitions = new Map<number, PartitionState>();

  /** Replaces the assignment: partitions no longer held are dropped, new ones start unloaded. */
  assign(partitions: readonly number[]): { added: number[]; dropped: number[] } {
    const next = new Set(partitions);
    const dropped = [...this.#partitions.keys()].filter((p) => !next.has(p));
    for (const p of dropped) this.#partitions.delete(p);
    const added = [...next].filter((p) => !this.#partitions.has(p));
    for (const p of added) this.#partitions.set(p, { loaded: false, lastOffset: -1, clusters: new Map() });
    return { added: added.sort((a, b) => a - b), dropped: dropped.sort((a, b) => a - b) };
  }

  assigned(): number[] {
    return [...this.#partitions.keys()].sort((a, b) => a - b);
  }

  isLoaded(partition: number): boolean {
    return this.#partitions.get(partition)?.loaded ?? false;
  }

  /** Applies one record; false when skipped (partition not held, or offset already applied). */
  apply(record: RegistryRecord): boolean {
    const state = this.#partitions.get(record.partition);
    if (!state || record.offset <= state.lastOffset) return false;
    state.lastOffset = record.offset;
    if (record.registration === null) {
      if (record.key !== null) state.clusters.delete(record.key);
      return true;
    }
    // a record keyed differently from its cluster id is still about its cluster id
    if (record.key !== null && record.key !== record.registration.clusterId) state.clusters.delete(record.key);
    state.clusters.set(record.registration.clusterId, record.registration);
    return true;
  }

  /** The partition has been read up to its end; true when this changed it. */
  markLoaded(partition: number): boolean {
    const state = this.#partitions.get(partition);
    if (!state || state.loaded) return false;
    state.loaded = true;
    return true;
  }

  /** Active clusters of the loaded partitions (the latest registration of each, by registeredAt on a tie of ids). */
  owned(): Map<string, ClusterRegistration> {
    const out = new Map<string, ClusterRegistration>();
    for (const state of this.#partitions.values()) {
      if (!state.loaded) continue;
      for (const [id, registration] of state.clusters) {
        if (registration.status !== 'active') continue;
        const other = out.get(id);
        if (!other || Date.parse(other.registeredAt) < Date.parse(registration.registeredAt)) out.set(id, registration);
      }
    }
    return out;
  }
}

export interface OwnershipChange {
  started: ClusterRegistration[];
  stopped: string[];
  /** Still owned, but the registration changed (seeds or alias). */
  updated: ClusterRegistration[];
}

function sameRegistration(a: ClusterRegistration, b: ClusterRegistration): boolean {
  if (a.alias !== b.alias || a.status !== b.status || a.seeds.length !== b.seeds.length) return false;
  const ids = new Set(a.seeds.map((s) => `${s.host}:${s.port}`));
  return b.seeds.every((s) => ids.has(`${s.host}:${s.port}`));
}

/** What to start, stop and update to go from the clusters monitored now to the clusters owned. */
export function diffOwnership(current: ReadonlyMap<string, ClusterRegistration>, owned: ReadonlyMap<string, ClusterRegistration>): OwnershipChange {
  const change: OwnershipChange = { started: [], stopped: [], updated: [] };
  for (const [id, registration] of owned) {
    const before = current.get(id);
    if (!before) change.started.push(registration);
    else if (!sameRegistration(before, registration)) change.updated.push(registration);
  }
  for (const id of current.keys()) if (!owned.has(id)) change.stopped.push(id);
  return change;
}
