/**
 * A snapshot document as a user hands it to the CLI: the ClusterSnapshotV1 payload
 * (libs/contracts/schemas/cluster-snapshot.v1.schema.json), or a whole envelope as read from
 * baton.cluster-snapshots. Either way it is validated with the same code as the consumers, and a
 * bad document names its first bad field.
 *
 * Or an analysis state document (libs/domain analysis-memory.ts; `baton analysis-state CLUSTER`
 * saves one from a running Baton): `{ kind?, version?, snapshot, memory?, now? }`, the snapshot
 * with what the analyzer remembered across snapshots (the stale binlog coordinates).
 */
import { ClusterSnapshotV1, assertSchema, decodeMessage, topics, type ClusterSnapshot } from '@baton/contracts';
import { analysisMemoryProblem, analysisStateKind, analysisStateVersion, emptyAnalysisMemory, type AnalysisMemory } from '@baton/domain';
import { MessageValidationError } from '@baton/errors';

/** An object with a payload and envelope fields is read as an envelope. */
function looksLikeEnvelope(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'payload' in value && ('type' in value || 'schemaVersion' in value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new MessageValidationError(`not JSON: ${(cause as Error).message}`, { cause });
  }
}

function snapshotOf(value: unknown): ClusterSnapshot {
  if (looksLikeEnvelope(value)) {
    const envelope = decodeMessage(topics.clusterSnapshots, Buffer.from(JSON.stringify(value)));
    return envelope.payload as ClusterSnapshot;
  }
  assertSchema(ClusterSnapshotV1, value, 'snapshot');
  return value as ClusterSnapshot;
}

/** Parses and validates `text`; throws MessageValidationError naming the bad field. */
export function parseSnapshotDocument(text: string): ClusterSnapshot {
  return snapshotOf(parseJson(text));
}

/** What `baton analyze` reads: a snapshot, with the analyzer's memory when the file is an analysis state. */
export interface AnalysisInput {
  snapshot: ClusterSnapshot;
  memory: AnalysisMemory;
  /** The state document's `now`, if it has one. */
  now: string | undefined;
  /** 'state' for an analysis state document, 'snapshot' for a bare payload or an envelope. */
  form: 'state' | 'snapshot';
}

const stateFields = ['kind', 'version', 'snapshot', 'memory', 'now'];

/** An object with a `snapshot` or `memory` field or the state's kind (no snapshot payload or envelope has them) is an analysis state document. */
function looksLikeState(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || looksLikeEnvelope(value)) return false;
  return 'snapshot' in value || 'memory' in value || (value as Record<string, unknown>)['kind'] === analysisStateKind;
}

const invalidState = (problem: string): MessageValidationError =>
  new MessageValidationError(`analysis state is invalid at ${problem}`, { field: problem.split(':')[0] });

/**
 * Parses and validates a snapshot or an analysis state document; throws MessageValidationError
 * naming the bad field (a JSON pointer from the top of the document).
 */
export function parseAnalysisInput(text: string): AnalysisInput {
  const value = parseJson(text);
  if (!looksLikeState(value)) return { snapshot: snapshotOf(value), memory: emptyAnalysisMemory, now: undefined, form: 'snapshot' };

  const extra = Object.keys(value).find((k) => !stateFields.includes(k));
  if (extra !== undefined) throw invalidState(`/${extra}: unknown field (known: ${stateFields.join(', ')})`);
  if (value['kind'] !== undefined && value['kind'] !== analysisStateKind) throw invalidState(`/kind: expected ${JSON.stringify(analysisStateKind)}, got ${JSON.stringify(value['kind'])}`);
  if (value['version'] !== undefined && value['version'] !== analysisStateVersion) throw invalidState(`/version: this baton reads version ${analysisStateVersion}, got ${JSON.stringify(value['version'])}`);
  const now = value['now'];
  if (now !== undefined && (typeof now !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(now) || Number.isNaN(Date.parse(now)))) {
    throw invalidState(`/now: expected an ISO-8601 timestamp (2026-11-26T19:30:00Z), got ${JSON.stringify(now)}`);
  }
  if (value['snapshot'] === undefined) throw invalidState('/snapshot: required (the ClusterSnapshotV1 payload the memory goes with)');
  let snapshot: ClusterSnapshot;
  try {
    snapshot = snapshotOf(value['snapshot']);
  } catch (error) {
    if (!(error instanceof MessageValidationError)) throw error;
    // name the field from the top of the document: /snapshot/instances/1/port
    const message = error.message.startsWith('snapshot is invalid at ') ? error.message.replace('snapshot is invalid at ', 'analysis state is invalid at /snapshot') : `analysis state is invalid at /snapshot: ${error.message}`;
    throw new MessageValidationError(message, { cause: error });
  }
  const memoryValue = value['memory'];
  if (memoryValue === undefined) return { snapshot, memory: emptyAnalysisMemory, now, form: 'state' };
  const problem = analysisMemoryProblem(memoryValue, '/memory');
  if (problem !== undefined) throw invalidState(problem);
  const memory = memoryValue as Partial<AnalysisMemory>;
  return { snapshot, memory: { staleCoordinates: memory.staleCoordinates ?? {} }, now, form: 'state' };
}
