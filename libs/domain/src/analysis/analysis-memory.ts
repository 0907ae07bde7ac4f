/**
 * What the analyzer remembers across snapshots that changes an analysis, and the "analysis state"
 * document that carries it with one snapshot, so `baton analyze` reproduces what the service said.
 *
 * The analyzer's per-cluster memory (services/analyzer/src/analyze-and-publish.ts) holds more, but
 * only one part of it reaches analyze(): the stale binlog coordinates behind LockedSemiSyncMaster
 * (stale-coordinates.ts). The rest decides whether and how an analysis is published, never what it
 * says: the detection id and its problem signature (the message's correlationId), the structure
 * warnings last published (a warning-only change is published once), the change-log signatures
 * (rows of analysis_changelog), the last message id, detector, sequence and observedAt (duplicate
 * and older snapshots are skipped) and the time it was last touched (a cluster unseen for
 * clusterIdleMs is forgotten: its stale coordinates start again). The analysis time is the
 * snapshot's observedAt; the policy comes from the configuration.
 *
 * The analysis state document (JSON), version 1:
 *
 *   {
 *     "kind": "baton.analysis-state",          optional on input, always written
 *     "version": 1,                              optional on input, always written
 *     "snapshot": { ClusterSnapshotV1 payload }, required (a whole envelope is accepted too)
 *     "memory": {                                optional: nothing remembered
 *       "staleCoordinates": {                    optional: nothing remembered
 *         "db1:3306": { "coordinates": { "file": "mysql-bin.000001", "pos": 1680 },
 *                       "firstSeenAt": "2026-11-26T19:30:00.000Z" }
 *       }
 *     },
 *     "now": "2026-11-26T19:30:11.000Z"          optional: analyse at this time (default: observedAt)
 *   }
 *
 * staleCoordinates keys are `host:port` with the host in lower case; an entry says since when (the
 * observedAt of the first snapshot that showed them) the instance's binlog coordinates have stood
 * still. The memory may be the one from before the snapshot or the one after it: applying a
 * snapshot to the memory it already went into changes nothing (rememberSnapshot is idempotent).
 */
import type { ClusterSnapshot } from '@baton/contracts';
import { updateStaleCoordinates, type StaleCoordinates } from './stale-coordinates.ts';

export interface AnalysisMemory {
  readonly staleCoordinates: StaleCoordinates;
}

export const emptyAnalysisMemory: AnalysisMemory = Object.freeze({ staleCoordinates: Object.freeze({}) });

/**
 * The memory after `snapshot`, at the snapshot's own observedAt (the time the analyzer analyses it
 * at). Returns `memory` itself when nothing changed; idempotent for the same snapshot.
 */
export function rememberSnapshot(memory: AnalysisMemory, snapshot: ClusterSnapshot): AnalysisMemory {
  const staleCoordinates = updateStaleCoordinates(memory.staleCoordinates, snapshot, Date.parse(snapshot.observedAt));
  return staleCoordinates === memory.staleCoordinates ? memory : { staleCoordinates };
}

export const analysisStateKind = 'baton.analysis-state';
export const analysisStateVersion = 1;

export interface AnalysisStateDocument {
  readonly kind: typeof analysisStateKind;
  readonly version: typeof analysisStateVersion;
  readonly snapshot: ClusterSnapshot;
  readonly memory: AnalysisMemory;
  readonly now?: string;
}

export function analysisStateDocument(snapshot: ClusterSnapshot, memory: AnalysisMemory, now?: string): AnalysisStateDocument {
  return { kind: analysisStateKind, version: analysisStateVersion, snapshot, memory: { staleCoordinates: memory.staleCoordinates }, ...(now === undefined ? {} : { now }) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIso = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v));
const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? JSON.stringify(v) : typeof v);
const pointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

function unknownKey(value: Record<string, unknown>, allowed: readonly string[], at: string): string | undefined {
  const extra = Object.keys(value).find((k) => !allowed.includes(k));
  return extra === undefined ? undefined : `${at}/${pointer(extra)}: unknown field (known: ${allowed.join(', ')})`;
}

/** The first problem of a memory object as `/pointer: reason` (under `at`), or undefined when it is valid. */
export function analysisMemoryProblem(value: unknown, at = ''): string | undefined {
  if (!isObject(value)) return `${at || '/'}: expected an object, got ${describe(value)}`;
  const extra = unknownKey(value, ['staleCoordinates'], at);
  if (extra) return extra;
  const stale = value['staleCoordinates'];
  if (stale === undefined) return undefined;
  const base = `${at}/staleCoordinates`;
  if (!isObject(stale)) return `${base}: expected an object of host:port → entry, got ${describe(stale)}`;
  for (const [key, entry] of Object.entries(stale)) {
    const here = `${base}/${pointer(key)}`;
    const m = /^(.+):(\d{1,5})$/.exec(key);
    if (!m) return `${here}: the key must be host:port`;
    if (key !== key.toLowerCase()) return `${here}: the host must be in lower case (${key.toLowerCase()})`;
    if (!isObject(entry)) return `${here}: expected { coordinates, firstSeenAt }, got ${describe(entry)}`;
    const extraField = unknownKey(entry, ['coordinates', 'firstSeenAt'], here);
    if (extraField) return extraField;
    const c = entry['coordinates'];
    if (!isObject(c)) return `${here}/coordinates: expected { file, pos }, got ${describe(c)}`;
    const extraCoordinate = unknownKey(c, ['file', 'pos'], `${here}/coordinates`);
    if (extraCoordinate) return extraCoordinate;
    if (typeof c['file'] !== 'string' || c['file'] === '') return `${here}/coordinates/file: expected a binlog file name, got ${describe(c['file'])}`;
    if (typeof c['pos'] !== 'number' || !Number.isSafeInteger(c['pos']) || c['pos'] < 0) return `${here}/coordinates/pos: expected an integer ≥ 0, got ${describe(c['pos'])}`;
    if (!isIso(entry['firstSeenAt'])) return `${here}/firstSeenAt: expected an ISO-8601 timestamp, got ${describe(entry['firstSeenAt'])}`;
  }
  return undefined;
}

/**
 * The analyzer's cached memory as stored next to its cached snapshot (Redis
 * keys.analysisMemory(cluster), written with keys.snapshot in one MULTI), tagged with the snapshot
 * it was analysed with: `{ "snapshot": { detectorId, sequence, observedAt }, "memory": { staleCoordinates } }`.
 */
export function cachedAnalysisMemoryValue(snapshot: ClusterSnapshot, memory: AnalysisMemory): string {
  return JSON.stringify({
    snapshot: { detectorId: snapshot.detectorId, sequence: snapshot.sequence, observedAt: snapshot.observedAt },
    memory: { staleCoordinates: memory.staleCoordinates },
  });
}

/** The cached memory when it is valid and was written with this very snapshot (same detector, sequence and observedAt); null otherwise. */
export function pairCachedAnalysisMemory(snapshot: ClusterSnapshot, raw: string | null): AnalysisMemory | null {
  if (!raw) return null;
  let value: { snapshot?: { detectorId?: unknown; sequence?: unknown; observedAt?: unknown }; memory?: unknown };
  try {
    value = JSON.parse(raw) as typeof value;
  } catch {
    return null;
  }
  const of = isObject(value) ? value.snapshot : undefined;
  if (of?.detectorId !== snapshot.detectorId || of?.sequence !== snapshot.sequence || of?.observedAt !== snapshot.observedAt) return null;
  if (analysisMemoryProblem(value.memory) !== undefined) return null;
  return { staleCoordinates: (value.memory as Partial<AnalysisMemory>).staleCoordinates ?? {} };
}
