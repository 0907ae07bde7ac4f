// Time from nothing to a verified 1+3 GTID topology (startTopology), over a few runs.
// Run: npx tsx bench/topology-start.ts [runs] — prints {"topologyStartMs": {"p50", "max", "runs", ...}}.
// The first run includes the per-process mariadb-install-db template (reported separately).
import { startTopology } from '@baton/testing';

const runs = Number(process.argv[2] ?? 5);
const times: number[] = [];
for (let i = 0; i < runs; i += 1) {
  const started = performance.now();
  const topology = await startTopology({ replicas: 3 });
  times.push(Math.round(performance.now() - started));
  await topology.stop();
}
const sorted = [...times].sort((a, b) => a - b);
const p50 = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
console.log(JSON.stringify({ topologyStartMs: { p50, max: sorted[sorted.length - 1] ?? 0, runs, firstRunWithTemplate: times[0], all: times } }));
