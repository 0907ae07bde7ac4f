/**
 * Two writable roots in one cluster: Baton's own cluster-level rule (orchestrator has none: its
 * codes are per instance, and a writable root without replicas is simply NoProblem).
 *
 * A writable root is an instance that answers (its last check is valid), is writable
 * (read_only = 0) and has no replication source; binlog servers are never one. One per cluster is
 * the primary. With two or more, each is ranked by its promotion epoch (baton_meta.promotion_epoch,
 * written by Baton into every primary it promotes, replicated to its replicas); an instance without
 * one ranks below every epoch:
 *   stale   its epoch is lower than the highest → MultipleWritableMasters (fence it, never promote:
 *           an old primary that came back writable, a replica someone made writable by hand)
 *   tied    it shares the highest epoch with another root → MultipleWritableMastersUndecided
 *           (two roots made by hand without an epoch: Baton cannot tell which one is newer)
 *   newest  the only root at the highest epoch: the primary; its own code stands
 *   none    not a writable root, or the only one
 */
import type { InstanceKey, InstanceObservation } from '@baton/contracts';
import { hasNoSource } from './instance-health.ts';

export interface WritableRoot {
  readonly key: InstanceKey;
  readonly promotionEpoch: number | null;
}

export type WritableRootStanding = 'none' | 'newest' | 'stale' | 'tied';

/** Answers, read_only = 0, no replication source, not a binlog server. */
export function isWritableRoot(i: InstanceObservation, lastCheckValid: boolean): boolean {
  return lastCheckValid && i.readOnly === false && hasNoSource(i.replication) && !i.isBinlogServer;
}

/** Epochs, newest first; null (no epoch) after every epoch. */
export function compareEpochsNewestFirst(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return b - a;
}

function compareRoots(a: WritableRoot, b: WritableRoot): number {
  return (
    compareEpochsNewestFirst(a.promotionEpoch, b.promotionEpoch) ||
    (a.key.host < b.key.host ? -1 : a.key.host > b.key.host ? 1 : 0) ||
    a.key.port - b.key.port
  );
}

/** The writable roots among `instances` (with their validity), newest first, then by host and port. */
export function writableRootsOf(instances: readonly InstanceObservation[], valid: readonly boolean[]): WritableRoot[] {
  return instances
    .filter((i, n) => isWritableRoot(i, valid[n] === true))
    .map((i) => ({ key: { host: i.host, port: i.port }, promotionEpoch: i.promotionEpoch ?? null }))
    .sort(compareRoots);
}

/** Where a root stands among the cluster's writable roots (see the module comment). */
export function writableRootStanding(f: { readonly isWritableRoot: boolean; readonly promotionEpoch: number | null; readonly writableRoots: readonly WritableRoot[] }): WritableRootStanding {
  if (!f.isWritableRoot || f.writableRoots.length < 2) return 'none';
  const newest = (f.writableRoots[0] as WritableRoot).promotionEpoch;
  if (compareEpochsNewestFirst(f.promotionEpoch, newest) > 0) return 'stale';
  const atNewest = f.writableRoots.filter((r) => r.promotionEpoch === newest).length;
  return atNewest > 1 ? 'tied' : 'newest';
}
