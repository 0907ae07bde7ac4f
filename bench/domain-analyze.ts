/**
 * Micro-benchmark: analyze() over 1,000 clusters of 4 instances (1 primary + 3 replicas), a mix of
 * healthy and dead primaries. Run: npx tsx bench/domain-analyze.ts [clusters] [rounds]
 */
import { measureAnalyze } from './analyze-workload.ts';

const clusters = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 20);
const { medianMs, minMs, rowsPerPass } = measureAnalyze(clusters, rounds);
console.log(`${clusters} clusters × 4 instances: median ${medianMs.toFixed(1)} ms per pass (${((medianMs * 1000) / clusters).toFixed(1)} µs per cluster), min ${minMs.toFixed(1)} ms; ${rowsPerPass} rows per pass`);
