/**
 * A snapshot document as a user hands it to the CLI: the ClusterSnapshotV1 payload
 * (libs/contracts/schemas/cluster-snapshot.v1.schema.json), or a whole envelope as read from
 * baton.cluster-snapshots. Either way it is validated with the same code as the consumers, and a
 * bad document names its first bad field.
 */
import { ClusterSnapshotV1, assertSchema, decodeMessage, topics, type ClusterSnapshot } from '@baton/contracts';
import { MessageValidationError } from '@baton/errors';

/** An object with a payload and envelope fields is read as an envelope. */
function looksLikeEnvelope(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'payload' in value && ('type' in value || 'schemaVersion' in value);
}

/** Parses and validates `text`; throws MessageValidationError naming the bad field. */
export function parseSnapshotDocument(text: string): ClusterSnapshot {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new MessageValidationError(`not JSON: ${(cause as Error).message}`, { cause });
  }
  if (looksLikeEnvelope(value)) {
    const envelope = decodeMessage(topics.clusterSnapshots, Buffer.from(JSON.stringify(value)));
    return envelope.payload as ClusterSnapshot;
  }
  assertSchema(ClusterSnapshotV1, value, 'snapshot');
  return value as ClusterSnapshot;
}
