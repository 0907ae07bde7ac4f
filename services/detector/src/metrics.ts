/**
 * The detector's Prometheus metrics, taken at its edges (the prober factory and the publish
 * callback) so the monitor itself is untouched. Probe errors are counted by a bounded reason: the
 * BatonError code the prober reports (`BATON_…`), else a class of the network error, else `other`.
 * Tick lag: how much later than pollIntervalMs an instance's probe started after its previous one
 * (0 when on time; probes asked for sooner by a probe request or a settle run count as 0).
 */
import { Counter, Gauge, Histogram, type Registry } from '@baton/metrics';
import type { ClusterSnapshot } from '@baton/contracts';
import type { ProberFactory } from './cluster-monitor.ts';

const lagBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A bounded reason for a probe's lastError. */
export function probeErrorReason(error: string): string {
  const code = /^(BATON_[A-Z0-9_]{1,60}):/.exec(error)?.[1];
  if (code) return code;
  if (/ETIMEDOUT|timed? ?out/i.test(error)) return 'timeout';
  if (/ECONNREFUSED/.test(error)) return 'connection-refused';
  if (/EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN/.test(error)) return 'unreachable';
  if (/ECONNRESET|EPIPE|PROTOCOL_CONNECTION_LOST/.test(error)) return 'connection-lost';
  if (/access denied/i.test(error)) return 'access-denied';
  return 'other';
}

export interface DetectorMetricsOptions {
  registry: Registry;
  pollIntervalMs: number;
  /** Owned clusters and instances, read at each scrape. */
  stats?: () => { clusters: number; instances: number };
  monotonic?: () => number;
}

export interface DetectorMetrics {
  probers(factory: ProberFactory): ProberFactory;
  publisher<A extends unknown[]>(publish: (snapshot: ClusterSnapshot, ...rest: A) => Promise<void>): (snapshot: ClusterSnapshot, ...rest: A) => Promise<void>;
}

export function createDetectorMetrics(options: DetectorMetricsOptions): DetectorMetrics {
  const registers = [options.registry];
  const monotonic = options.monotonic ?? (() => performance.now());
  const probes = new Counter({ name: 'baton_detector_probes_total', help: 'Instance probes finished.', registers });
  const probeErrors = new Counter({ name: 'baton_detector_probe_errors_total', help: 'Instance probes that failed, by reason (error code or class).', labelNames: ['reason'], registers });
  const probeDuration = new Histogram({ name: 'baton_detector_probe_duration_seconds', help: 'Duration of one instance probe.', buckets: lagBucketsSeconds, registers });
  const tickLag = new Histogram({ name: 'baton_detector_tick_lag_seconds', help: 'How much later than pollIntervalMs an instance was probed again.', buckets: lagBucketsSeconds, registers });
  const published = new Counter({ name: 'baton_detector_snapshots_published_total', help: 'Cluster snapshots published.', registers });
  const publishFailures = new Counter({ name: 'baton_detector_snapshot_publish_failures_total', help: 'Cluster snapshots whose publication failed.', registers });
  const read = options.stats;
  new Gauge({ name: 'baton_detector_clusters', help: 'Clusters this detector owns.', registers, collect() { this.set(read?.().clusters ?? 0); } });
  new Gauge({ name: 'baton_detector_instances', help: 'Instances this detector probes.', registers, collect() { this.set(read?.().instances ?? 0); } });

  return {
    probers: (factory) => (proberOptions) => {
      const prober = factory(proberOptions);
      let lastStart: number | undefined;
      return {
        get observation() {
          return prober.observation;
        },
        get probing() {
          return prober.probing;
        },
        close: () => prober.close(),
        async probe() {
          const start = monotonic();
          if (lastStart !== undefined) tickLag.observe(Math.max(0, start - lastStart - options.pollIntervalMs) / 1000);
          lastStart = start;
          const observation = await prober.probe();
          probeDuration.observe((monotonic() - start) / 1000);
          probes.inc();
          if (observation.lastError !== null) probeErrors.inc({ reason: probeErrorReason(observation.lastError) });
          return observation;
        },
      };
    },
    publisher: (publish) => async (snapshot, ...rest) => {
      try {
        await publish(snapshot, ...rest);
        published.inc();
      } catch (error) {
        publishFailures.inc();
        throw error;
      }
    },
  };
}
