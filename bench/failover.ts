/**
 * Failover benchmark (issue 5): `npm run bench:failover [runs]` (default 12, at least 10).
 * Each run: a fresh semi-sync 1+3 MariaDB topology registered as its own cluster with the whole
 * pipeline in-process (detector, analyzer, recovery executor; no hooks configured), a steady
 * semi-sync writer, kill -9 of the primary, then
 * - crashToWritableMs: the crash → the executor's `promoted` event (stamped once promote()
 *   verified read_only=0 on the new primary);
 * - crashToAllMovedMs: the crash → its `replicas-moved` event (every other replica replicating
 *   from the new primary);
 * - ackedWritesLost: writes the writer was told were committed that the new primary lacks (sum
 *   over the runs).
 * Writes bench/results/failover.json. BATON_BENCH_STEPS=1 also prints each run's recovery steps
 * with their time since the crash (where the time goes).
 */
import { startTopology, testDatabase, waitFor } from '@baton/testing';
import { startPipeline } from '../test/support/pipeline.ts';
import { summarize, writeReport } from './report.ts';

const runs = Math.max(10, Number(process.argv[2] ?? 12));
const admin = { user: 'baton', password: 'baton-pass' };
const pipeline = await startPipeline({ admin, label: 'bench-failover', executors: 1, env: { BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '["*"]' } });
const writable: number[] = [];
const moved: number[] = [];
let lost = 0;
let acked = 0;
try {
  await waitFor(() => pipeline.executors.every((e) => e.executor.warmedUp()), { description: 'executor warmed up', timeoutMs: 30_000 });
  for (let run = 0; run < runs; run++) {
    const topology = await startTopology({ replicas: 3, semiSync: true });
    try {
      const alias = `failover-${run}`;
      await pipeline.register(topology, alias);
      const writer = await topology.startWriter({ semisync: true });
      await waitFor(() => writer.ackedCount >= 100, { description: '100 acked writes', timeoutMs: 30_000 });
      const crashAt = Date.now();
      await topology.primary.kill();
      const written = await writer.stop();
      const forCluster = (step: string) => pipeline.waitForEvent((e) => e.clusterId === alias && e.step === step, { afterMs: crashAt, timeoutMs: 60_000, description: `${step} of ${alias}` });
      const resolved = await forCluster('resolved');
      if (resolved.status !== 'succeeded') throw new Error(`run ${run + 1}: recovery ${resolved.status}: ${JSON.stringify(resolved.details['errors'])}`);
      const promoted = await forCluster('promoted');
      const allMoved = await forCluster('replicas-moved');
      const successor = topology.instances.find((i) => `${i.host}:${i.port}` === resolved.details['successor']);
      if (!successor) throw new Error(`run ${run + 1}: successor ${String(resolved.details['successor'])} not in the topology`);
      const rows = await successor.query<{ seq: number }>(`SELECT seq FROM ${testDatabase}.writes WHERE writer = ?`, [written.writer]);
      const present = new Set(rows.map((r) => Number(r.seq)));
      const missing = written.acked.filter((s) => !present.has(s)).length;
      lost += missing;
      acked += written.acked.length;
      writable.push(Date.parse(promoted.at) - crashAt);
      moved.push(Date.parse(allMoved.at) - crashAt);
      if (process.env['BATON_BENCH_STEPS']) {
        const steps = pipeline.events.filter((e) => e.payload.clusterId === alias && Date.parse(e.payload.at) >= crashAt).map((e) => `${e.payload.step}+${Date.parse(e.payload.at) - crashAt}`);
        console.error(`  steps: ${steps.join(' ')}`);
      }
      console.error(`run ${run + 1}/${runs}: writable +${writable.at(-1)} ms, all moved +${moved.at(-1)} ms, acked ${written.acked.length}, lost ${missing}`);
    } finally {
      await topology.stop();
    }
  }
} finally {
  await pipeline.stop();
}

writeReport('failover', {
  crashToWritableMs: summarize(writable),
  crashToAllMovedMs: summarize(moved),
  ackedWritesLost: lost,
  ackedWrites: acked,
  runs: writable.length,
  topology: 'MariaDB 1+3, semi-sync, GTID; kill -9 of the primary under a steady semi-sync writer',
  pollIntervalMs: pipeline.config.detector.pollIntervalMs,
});
process.exit(0);
