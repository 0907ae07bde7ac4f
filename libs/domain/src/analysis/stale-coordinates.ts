/**
 * IsStaleBinlogCoordinates needs history: how long an instance's binlog coordinates have stayed the
 * same. The caller (the analyzer service) keeps this small map across snapshots with
 * `updateStaleCoordinates` and hands it to `analyze` in its context.
 *
 * Orchestrator records coordinates only in the LockedSemiSyncMasterHypothesis emergency operation
 * and expires rows after max(2×lag, 60 s), which makes a truly locked primary flip back to
 * "Hypothesis" every minute. Baton tracks every instance on every snapshot instead: the entry
 * is replaced only when the coordinates move, so "unchanged since" is exact and never expires while
 * the coordinates stand still.
 *
 * One more exception: while a semi-sync primary has fewer semi-sync clients than it waits for
 * acknowledgements from (and still waits: status ON), a move of its coordinates does not count as
 * progress. Each client that retries a write adds its transaction to the binlog before waiting for
 * the acknowledgement nobody sends, so with retrying clients the position creeps on while nothing
 * commits, and orchestrator's test would never call the primary locked. A primary that is merely
 * slow has its acknowledgers connected: this never applies to it.
 */
import type { BinlogCoordinates, ClusterSnapshot, InstanceObservation } from '@baton/contracts';
import { toMillis } from '../time.ts';
import { keyOf } from './topology-index.ts';

export interface StaleCoordinatesEntry {
  readonly coordinates: BinlogCoordinates;
  /** ISO timestamp of the first snapshot that showed these coordinates (the caller's `now`) */
  readonly firstSeenAt: string;
}

/** instance key (`host:port`, host lower-case) → entry. Plain object so it serialises as JSON. */
export type StaleCoordinates = Readonly<Record<string, StaleCoordinatesEntry>>;

/**
 * Next map from the previous one and a snapshot: same coordinates keep their firstSeenAt, changed
 * or new ones start at `now`; instances without coordinates or absent from the snapshot are dropped.
 * Returns `prev` itself when nothing changed.
 */
export function updateStaleCoordinates(prev: StaleCoordinates, snapshot: ClusterSnapshot, now: Date | number): StaleCoordinates {
  const nowIso = new Date(toMillis(now)).toISOString();
  const next: Record<string, StaleCoordinatesEntry> = {};
  let changed = false;
  for (const i of snapshot.instances) {
    if (i.binlogCoordinates === null) continue;
    const k = keyOf(i.host, i.port);
    if (Object.hasOwn(next, k)) continue;
    const old = Object.hasOwn(prev, k) ? prev[k] : undefined;
    if (old && old.coordinates.file === i.binlogCoordinates.file && old.coordinates.pos === i.binlogCoordinates.pos) {
      next[k] = old;
    } else if (old && waitsForMissingAcks(i)) {
      next[k] = { coordinates: { file: i.binlogCoordinates.file, pos: i.binlogCoordinates.pos }, firstSeenAt: old.firstSeenAt };
      changed = true;
    } else {
      next[k] = { coordinates: { file: i.binlogCoordinates.file, pos: i.binlogCoordinates.pos }, firstSeenAt: nowIso };
      changed = true;
    }
  }
  if (!changed && Object.keys(prev).length === Object.keys(next).length) return prev;
  return next;
}

/** A semi-sync primary that waits for more acknowledgements than it has semi-sync clients to send them. */
function waitsForMissingAcks(i: InstanceObservation): boolean {
  const s = i.semiSync;
  return s !== null && s.masterEnabled && s.masterStatus && s.masterWaitForReplicaCount > 0 && s.masterClients < s.masterWaitForReplicaCount;
}

/** IsStaleBinlogCoordinates: a recorded entry with the instance's current coordinates, first seen before now − threshold. */
export function isStaleBinlogCoordinates(
  stale: StaleCoordinates | undefined,
  key: string,
  current: BinlogCoordinates | null,
  nowMs: number,
  thresholdMs: number,
): boolean {
  if (!stale || current === null) return false;
  const e = Object.hasOwn(stale, key) ? stale[key] : undefined;
  if (!e || e.coordinates.file !== current.file || e.coordinates.pos !== current.pos) return false;
  return toMillis(e.firstSeenAt) < nowMs - thresholdMs;
}
