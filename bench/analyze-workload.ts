/**
 * The analyze() workload shared by the benchmarks: N clusters of 4 instances (1 primary + 3
 * replicas), every tenth with a dead primary.
 */
import { unknownInstance, type ClusterSnapshot, type InstanceObservation } from '@baton/contracts';
import { analyze, resolveAnalysisPolicy } from '@baton/domain';

const now = Date.parse('2026-11-26T19:30:00.000Z');
const iso = (ms: number) => new Date(now + ms).toISOString();

export function cluster(n: number): ClusterSnapshot {
  const dead = n % 10 === 0;
  const p = unknownInstance(`p${n}`, 3306, {
    lastSeenAt: iso(dead ? -10_000 : -200),
    lastCheckedAt: iso(dead ? -100 : -200),
    lastAttemptedAt: iso(dead ? -100 : -200),
    flavour: 'mariadb',
    serverId: 1,
    readOnly: false,
    logBin: true,
    logSlaveUpdates: true,
    binlogFormat: 'ROW',
    version: '10.11.19-MariaDB',
    mariadbGtid: { currentPos: '0-1-100', slavePos: '', binlogPos: '0-1-100', strictMode: true, domainId: 0 },
  });
  const replicas: InstanceObservation[] = [1, 2, 3].map((r) => ({
    ...p,
    host: `r${n}-${r}`,
    serverId: r + 1,
    readOnly: true,
    lastSeenAt: iso(-200),
    lastCheckedAt: iso(-200),
    lastAttemptedAt: iso(-200),
    mariadbGtid: { currentPos: '0-1-100', slavePos: '0-1-100', binlogPos: '0-1-100', strictMode: true, domainId: 0 },
    replication: {
      sourceHost: p.host, sourcePort: 3306, ioThread: dead ? 'Connecting' : 'Yes', sqlThread: 'Yes',
      lastIoErrno: dead ? 2003 : 0, lastIoError: '', lastSqlErrno: 0, lastSqlError: '', secondsBehindSource: dead ? null : 0,
      sqlDelaySeconds: 0, readCoordinates: null, execCoordinates: null, usingGtid: 'Slave_Pos', autoPosition: false,
      gtidIoPos: '0-1-100', heartbeatPeriodSeconds: 1,
    },
  }));
  return { clusterId: `c${n}`, clusterAlias: `c${n}`, observedAt: iso(0), detectorId: 'd', sequence: 1, reason: 'tick', pollIntervalMs: 1000, instances: [p, ...replicas] };
}


/** Median wall time of one analyze() pass over `clusters` snapshots, after a warm-up pass. */
export function measureAnalyze(clusters: number, rounds: number): { medianMs: number; minMs: number; rowsPerPass: number } {
  const snapshots = Array.from({ length: clusters }, (_, n) => cluster(n));
  const policy = resolveAnalysisPolicy({ includeDowntimed: true });
  let rowsPerPass = 0;
  for (const s of snapshots) rowsPerPass += analyze(s, now, policy).length; // warm-up
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (const s of snapshots) analyze(s, now, policy);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)] ?? 0, minMs: times[0] ?? 0, rowsPerPass };
}
