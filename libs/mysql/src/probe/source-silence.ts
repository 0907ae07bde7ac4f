/**
 * How long a replica's source has been silent, as one prober's successive readings bound it.
 *
 * While its source lives, a replica's IO thread receives something at least every heartbeat period:
 * an event (the received position and GTIDs move) or, when the source is idle, a heartbeat (the
 * received-heartbeat count moves). A frozen or cut-off source sends neither, long before the IO
 * thread gives up on it (slave_net_timeout). So the prober remembers, per replica, the first
 * reading that showed the current (source, heartbeat count, received position, received GTIDs);
 * the silence is the time since then. It is a lower bound (the change happened at most one probe
 * interval before that reading), so it can only make a failover later, never earlier.
 *
 * Unknown (null): the IO thread is not running (the analysis sees that directly), the server reports
 * no heartbeat count (without it an idle source cannot be told from a silent one), or this is the
 * first reading of this source.
 */
import type { ReplicationState } from '@baton/contracts';

export interface SourceProgress {
  readonly signature: string;
  readonly sinceMs: number;
}

export interface SourceSilence {
  /** what to remember for the next reading */
  readonly progress: SourceProgress | null;
  readonly silentMs: number | null;
}

const sourceOf = (r: ReplicationState): string => `${r.sourceHost}:${r.sourcePort}`;
const signatureOf = (r: ReplicationState): string =>
  `${sourceOf(r)}|${r.receivedHeartbeats ?? ''}|${r.readCoordinates ? `${r.readCoordinates.file}:${r.readCoordinates.pos}` : ''}|${r.gtidIoPos}`;

/** A reading that can tell silence: the IO thread runs and the server counts received heartbeats. */
const hasEvidence = (r: ReplicationState | null): r is ReplicationState => r !== null && r.ioThread === 'Yes' && (r.receivedHeartbeats ?? null) !== null;

/**
 * A one-off reading (the recovery's own refresh) against an earlier observation that carries the
 * detector's silence: nothing changed since then, so the silence has grown by the time between the
 * two readings; anything changed, it is 0 (the source is alive); no earlier silence, unknown.
 */
export function extendedSourceSilence(previous: ReplicationState | null, previousAtMs: number, current: ReplicationState | null, atMs: number): number | null {
  if (!hasEvidence(current) || previous === null || previous.ioThread !== 'Yes' || !Number.isFinite(previousAtMs)) return null;
  if (signatureOf(previous) !== signatureOf(current)) return 0;
  const before = previous.sourceSilentMs ?? null;
  return before === null ? null : before + Math.max(0, atMs - previousAtMs);
}

export function sourceSilence(previous: SourceProgress | null, replication: ReplicationState | null, atMs: number): SourceSilence {
  if (!hasEvidence(replication)) return { progress: null, silentMs: null };
  const signature = signatureOf(replication);
  if (previous === null || !previous.signature.startsWith(`${sourceOf(replication)}|`)) return { progress: { signature, sinceMs: atMs }, silentMs: null };
  if (previous.signature !== signature) return { progress: { signature, sinceMs: atMs }, silentMs: 0 };
  return { progress: previous, silentMs: Math.max(0, atMs - previous.sinceMs) };
}
