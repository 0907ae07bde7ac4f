/**
 * The analyzer's Prometheus metrics: snapshots analysed and skipped (read from the analyzer's
 * counters at each scrape), analyses published, the codes those analyses carry (one count per
 * row with a problem; the codes are orchestrator's closed set, so the label stays bounded), and
 * how long a snapshot waited from its Kafka timestamp to the end of its analysis.
 */
import { Counter, counterFollowing, Gauge, Histogram, type Registry } from '@baton/metrics';
import type { Envelope } from '@baton/contracts';
import type { AnalysisPublisher, AnalyzerStats } from './analyze-and-publish.ts';

export interface AnalyzerMetrics {
  publisher(inner: AnalysisPublisher): AnalysisPublisher;
  setStats(read: () => AnalyzerStats): void;
  /** A snapshot analysed `delayMs` after its Kafka timestamp. */
  observeSnapshotDelay(delayMs: number): void;
}

/** Consume-to-process delays are milliseconds when all is well: 1 ms to 30 s. */
const delayBucketsSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createAnalyzerMetrics(registry: Registry): AnalyzerMetrics {
  let stats: (() => AnalyzerStats) | undefined;
  counterFollowing(registry, 'baton_analyzer_snapshots_analysed_total', 'Cluster snapshots analysed.', () => stats?.().analysed);
  counterFollowing(registry, 'baton_analyzer_snapshots_skipped_total', 'Cluster snapshots skipped (older than one already analysed).', () => stats?.().skipped);
  new Gauge({ name: 'baton_analyzer_clusters', help: 'Clusters this analyzer has analysed.', registers: [registry], collect() { this.set(stats?.().clusters ?? 0); } });
  const published = new Counter({ name: 'baton_analyzer_analyses_published_total', help: 'Analyses published.', registers: [registry] });
  const byCode = new Counter({ name: 'baton_analyzer_analysis_codes_total', help: 'Rows with a problem in published analyses, by analysis code.', labelNames: ['code'], registers: [registry] });
  const delay = new Histogram({
    name: 'baton_analyzer_snapshot_delay_seconds',
    help: "From a snapshot's Kafka timestamp (the detector's clock) to the end of its analysis: the wait in the topic plus the analysis.",
    buckets: delayBucketsSeconds,
    registers: [registry],
  });
  return {
    observeSnapshotDelay(delayMs) {
      delay.observe(delayMs / 1000);
    },
    setStats(read) {
      stats = read;
    },
    publisher: (inner) => ({
      async publish(clusterId: string, envelope: Envelope<'analysis'>) {
        await inner.publish(clusterId, envelope);
        published.inc();
        for (const entry of envelope.payload.entries) if (entry.code !== 'NoProblem') byCode.inc({ code: entry.code });
      },
    }),
  };
}
