/**
 * Readable snapshot builders for the analysis tests. Every time is relative to NOW; the snapshot is
 * observed at NOW with a 1 s poll interval, so the validity window is 2 s (1 s poll + 1 s margin).
 *
 *   const p = primary('p1', dead);
 *   const s = snapshot([p, replica('r1', p, ioConnecting()), replica('r2', p, ioConnecting())]);
 */
import { replicationState, unknownInstance, type ClusterSnapshot, type InstanceObservation, type ReplicationState } from '@baton/contracts';

export const NOW = Date.parse('2026-11-26T19:30:00.000Z');
export const PORT = 3306;

export function at(offsetMs: number): string {
  return new Date(NOW + offsetMs).toISOString();
}

export type Mod = (i: InstanceObservation) => InstanceObservation;

/** A stable server id per name, so tests do not depend on construction order. */
export function serverIdOf(name: string): number {
  let h = 5381;
  for (const ch of name) h = ((h * 33) ^ ch.charCodeAt(0)) >>> 0;
  return (h % 1_000_000) + 1;
}

function healthyTimes(): Partial<InstanceObservation> {
  return { lastSeenAt: at(-200), lastCheckedAt: at(-200), lastAttemptedAt: at(-200), lastCheckPartialSuccess: true };
}

/** A healthy, writable MariaDB primary at `name`:3306 with binlogs (domain 0, its own server id). */
export function primary(name = 'p1', ...mods: Mod[]): InstanceObservation {
  const id = serverIdOf(name);
  const base = unknownInstance(name, PORT, {
    ...healthyTimes(),
    serverId: id,
    version: '10.11.19-MariaDB',
    flavour: 'mariadb',
    readOnly: false,
    superReadOnly: null,
    logBin: true,
    logSlaveUpdates: true,
    binlogFormat: 'ROW',
    binlogCoordinates: { file: 'mysql-bin.000001', pos: 1680 },
    mariadbGtid: { currentPos: `0-${id}-100`, slavePos: '', binlogPos: `0-${id}-100`, strictMode: true, domainId: 0 },
  });
  return mods.reduce((i, m) => m(i), base);
}

function replicationFrom(source: InstanceObservation, over: Partial<ReplicationState> = {}): ReplicationState {
  return replicationState(source, {
    readCoordinates: { file: 'mysql-bin.000001', pos: 1680 },
    execCoordinates: { file: 'mysql-bin.000001', pos: 1680 },
    gtidIoPos: source.mariadbGtid?.binlogPos ?? '',
    heartbeatPeriodSeconds: 1,
    ...over,
  });
}

/** A healthy read-only MariaDB replica of `source`, replicating with GTID (slave_pos), logging its updates. */
export function replica(name: string, source: InstanceObservation, ...mods: Mod[]): InstanceObservation {
  const pos = source.mariadbGtid?.currentPos ?? '0-1-100';
  const base = primary(name, (i) => ({
    ...i,
    readOnly: true,
    replication: replicationFrom(source),
    mariadbGtid: { currentPos: pos, slavePos: pos, binlogPos: pos, strictMode: true, domainId: 0 },
  }));
  return mods.reduce((i, m) => m(i), base);
}

export function snapshot(instances: InstanceObservation[], over: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return {
    clusterId: 'c1',
    clusterAlias: 'c1',
    observedAt: at(0),
    detectorId: 'd1',
    sequence: 1,
    reason: 'tick',
    pollIntervalMs: 1000,
    instances,
    ...over,
  };
}

// ---- modifiers ---------------------------------------------------------------------------------

/** Plain overrides. */
export const set =
  (over: Partial<InstanceObservation>): Mod =>
  (i) => ({ ...i, ...over });

const repl =
  (over: Partial<ReplicationState>): Mod =>
  (i) => {
    if (!i.replication) throw new Error(`${i.host} does not replicate`);
    return { ...i, replication: { ...i.replication, ...over } };
  };

/** The last probe failed (lastChecked after lastSeen): invalid at once. Keeps its last-known state. */
export const dead: Mod = (i) => ({ ...i, lastSeenAt: at(-10_000), lastCheckedAt: at(-100), lastAttemptedAt: at(-100), lastCheckPartialSuccess: false });

/** Like dead, but the first probe query answered. */
export const partial: Mod = (i) => ({ ...dead(i), lastCheckPartialSuccess: true });

/** A probe is stuck: attempted long after the last success, never checked since (lastChecked ≤ lastSeen). */
export const hung: Mod = (i) => ({ ...i, lastSeenAt: at(-10_000), lastCheckedAt: at(-10_000), lastAttemptedAt: at(-100) });

/** Never answered. */
export const neverSeen: Mod = (i) => ({ ...i, lastSeenAt: null, lastCheckedAt: at(-100), lastAttemptedAt: at(-100) });

/** IO thread retrying a source that is down (MariaDB's message, errno 2003 by default). */
export const ioConnecting = (errno = 2003, message?: string): Mod =>
  repl({
    ioThread: 'Connecting',
    lastIoErrno: errno,
    lastIoError:
      message ??
      "error reconnecting to master 'repl@p1:3306' - retry-time: 1  maximum-retries: 100000  message: Can't connect to server on 'p1' (111 \"Connection refused\")",
    secondsBehindSource: null,
  });

/** IO thread stopped by hand, no error. */
export const ioStopped: Mod = repl({ ioThread: 'No', secondsBehindSource: null });
/** SQL thread stopped, IO running. */
export const sqlStopped: Mod = repl({ sqlThread: 'No', secondsBehindSource: null });

export const lagging = (seconds = 60): Mod => repl({ secondsBehindSource: seconds });
export const delayed = (delaySeconds = 3600): Mod => repl({ sqlDelaySeconds: delaySeconds, secondsBehindSource: delaySeconds });

export const downtimed = (endsAt: string | null = null): Mod => set({ downtime: { owner: 'ops', reason: 'test', endsAt } });

/** A root write on the read-only replica: gtid_current_pos/binlog_pos carry its own server id, slave_pos stays. */
export const errantMariadb: Mod = (i) => {
  if (!i.mariadbGtid || i.serverId === null) throw new Error('needs a MariaDB replica');
  const own = `0-${i.serverId}-101`;
  return { ...i, mariadbGtid: { ...i.mariadbGtid, currentPos: own, binlogPos: own } };
};

/** Turn the instance into a MySQL one with the given gtid_executed and auto-position. */
export const mysql = (executed: string, mode = 'ON'): Mod => (i) => ({
  ...i,
  flavour: 'mysql',
  version: '8.0.36',
  mariadbGtid: null,
  mysqlGtid: { mode, executed, purged: '', retrieved: '' },
  replication: i.replication ? { ...i.replication, usingGtid: '', autoPosition: mode === 'ON' } : null,
});

/** Replicates by file/position: no GTID auto-positioning. */
export const noGtid: Mod = repl({ usingGtid: 'No', autoPosition: false });

export const readOnly: Mod = set({ readOnly: true });
/** baton_meta.promotion_epoch as the probe read it. */
export const epochOf = (epoch: number | null): Mod => set({ promotionEpoch: epoch });
export const notLogging: Mod = set({ logSlaveUpdates: false });
export const binlogFormat = (f: 'STATEMENT' | 'MIXED' | 'ROW'): Mod => set({ binlogFormat: f });
export const version = (v: string): Mod => set({ version: v });
export const binlogServer: Mod = set({ isBinlogServer: true });
export const coMaster: Mod = set({ isCoMaster: true });

export const semiSync = (over: { enabled?: boolean; status?: boolean; wait?: number; clients?: number }): Mod =>
  set({
    semiSync: {
      masterEnabled: over.enabled ?? true,
      masterStatus: over.status ?? true,
      masterClients: over.clients ?? 1,
      masterWaitForReplicaCount: over.wait ?? 1,
      masterTimeoutMs: 10_000,
      replicaEnabled: false,
      replicaStatus: false,
    },
  });

/** Make `i` replicate from `source` (re-pointing; used for co-masters). */
export const replicatesFrom = (source: InstanceObservation): Mod => (i) => ({ ...i, replication: replicationFrom(source) });
