/**
 * Micro-benchmark: analyze() over 1,000 clusters of 4 instances (1 primary + 3 replicas), a mix of
 * healthy and dead primaries. Run: npx tsx bench/domain-analyze.ts [clusters] [rounds]
 */
import { unknownInstance, type ClusterSnapshot, type InstanceObservation } from '@baton/contracts';
import { analyze, resolveAnalysisPolicy } from '@baton/domain';

const clusters = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 20);
const now = Date.parse('2026-11-26T19:30:00.000Z');
const iso = (ms: number) => new Date(now + ms).toISOString();

function cluster(n: number): ClusterSnapshot {
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

const snapshots = Array.from({ length: clusters }, (_, n) => cluster(n));
const policy = resolveAnalysisPolicy({ includeDowntimed: true });
let rows = 0;
for (const s of snapshots) rows += analyze(s, now, policy).length; // warm-up
const times: number[] = [];
for (let r = 0; r < rounds; r++) {
  const t0 = performance.now();
  for (const s of snapshots) analyze(s, now, policy);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)] ?? 0;
console.log(`${clusters} clusters × 4 instances: median ${median.toFixed(1)} ms per pass (${((median * 1000) / clusters).toFixed(1)} µs per cluster), min ${times[0]?.toFixed(1)} ms; ${rows} rows per pass`);
