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

export function sourceSilence(previous: SourceProgress | null, replication: ReplicationState | null, atMs: number): SourceSilence {
  if (replication === null || replication.ioThread !== 'Yes') return { progress: null, silentMs: null };
  const beats = replication.receivedHeartbeats ?? null;
  if (beats === null) return { progress: null, silentMs: null };
  const read = replication.readCoordinates ? `${replication.readCoordinates.file}:${replication.readCoordinates.pos}` : '';
  const source = `${replication.sourceHost}:${replication.sourcePort}`;
  const signature = `${source}|${beats}|${read}|${replication.gtidIoPos}`;
  if (previous === null || !previous.signature.startsWith(`${source}|`)) return { progress: { signature, sinceMs: atMs }, silentMs: null };
  if (previous.signature !== signature) return { progress: { signature, sinceMs: atMs }, silentMs: 0 };
  return { progress: previous, silentMs: Math.max(0, atMs - previous.sinceMs) };
}
