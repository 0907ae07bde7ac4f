/**
 * Detection benchmark (issue 3): `npm run bench:detection [runs]`.
 * - crashToDeadMasterMs: kill -9 of a primary → the DeadMaster analysis consumed from
 *   baton.analyses, through the real detector, broker and analyzer; each run on a fresh 1+3
 *   topology registered as its own cluster.
 * - analyzeSnapshotsPerSec: analyze() throughput over 1,000 clusters of 4 instances.
 * Writes bench/results/detection.json.
 */
import { startTopology } from '@baton/testing';
import { startPipeline } from '../test/support/pipeline.ts';
import { measureAnalyze } from './analyze-workload.ts';
import { summarize, writeReport } from './report.ts';

const runs = Number(process.argv[2] ?? 12);
const admin = { user: 'baton', password: 'baton-pass' };
const pipeline = await startPipeline({ admin, label: 'bench' });
const samples: number[] = [];
try {
  for (let run = 0; run < runs; run++) {
    const topology = await startTopology({ replicas: 3 });
    try {
      const alias = `bench-${run}`;
      await pipeline.register(topology, alias);
      const crashAt = Date.now();
      await topology.primary.kill();
      const seen = await pipeline.waitForCode(alias, topology.primary, 'DeadMaster', { afterMs: crashAt });
      samples.push(seen.receivedAtMs - crashAt);
      console.error(`run ${run + 1}/${runs}: ${seen.receivedAtMs - crashAt} ms`);
    } finally {
      await topology.stop();
    }
  }
} finally {
  await pipeline.stop();
}

const clusters = 1000;
const analyzed = measureAnalyze(clusters, 20);
writeReport('detection', {
  crashToDeadMasterMs: { ...summarize(samples), runs: samples.length },
  analyzeSnapshotsPerSec: Math.round((clusters / analyzed.medianMs) * 1000),
  analyzeWorkload: `${clusters} clusters × 4 instances, median of 20 passes: ${analyzed.medianMs.toFixed(1)} ms`,
  pollIntervalMs: pipeline.config.detector.pollIntervalMs,
});
process.exit(0);
