/**
 * Prometheus metrics of one Baton process (prom-client). Each process makes one registry with
 * the default process metrics (CPU, memory, event-loop lag, GC, handles) and a `service` label on
 * every series; a service adds its own `baton_…` metrics to it (units in names, durations as
 * histograms in seconds) and serves it as text exposition on `GET /metrics` from a small node:http
 * server bound to 127.0.0.1, never anything else (config key `<section>.metricsPort`, 0 = off),
 * the api's included: metrics are not served on a listener clients reach. Labels stay bounded:
 * no instance or cluster labels.
 *
 * The same server answers `GET /health/live` and `GET /health/ready` from the process's
 * ServiceHealth (health.ts): 200 with a JSON report when every check passes, 503 with the report
 * (its `reason` says which check failed and why) otherwise.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '@baton/logging';
import type { HealthReport, ServiceHealth } from './health.ts';

export { Counter, Gauge, Histogram, Registry };
export { createServiceHealth, type CheckResult, type HealthCheck, type HealthGate, type HealthReport, type ServiceHealth } from './health.ts';

/** Buckets for failover phases and hook runs: 10 ms to 5 minutes. */
export const durationBucketsSeconds: readonly number[] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export interface CreateRegistryOptions {
  /** The `service` label of every series (detector, analyzer, recovery-executor, hook-runner, api). */
  service: string;
  /** Collect prom-client's default process metrics (default true). */
  defaultMetrics?: boolean;
}

/** A registry of this process: default labels `service`, default process metrics. */
export function createRegistry(options: CreateRegistryOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

/** A counter that follows a monotonic count kept elsewhere (a service's stats), read at each scrape. */
export function counterFollowing(registry: Registry, name: string, help: string, read: () => number | undefined): Counter {
  let last = 0;
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read() ?? last;
      if (now > last) this.inc(now - last);
      last = Math.max(last, now);
    },
  });
}

/** Something that knows its consumer lag per partition (a RunningConsumer of @baton/kafka). */
export interface LagSource {
  lag(): Promise<ReadonlyArray<{ topic: string; partition: number; lag: number }>>;
}

export interface ConsumerLagMetricOptions {
  /** The service's consumers; more can be added later (consumers start after the metrics server). */
  sources?: LagSource[];
  /** How long a scrape waits for the broker; past it the last values are served (default 2 s). */
  timeoutMs?: number;
  logger?: Logger;
}

/**
 * `baton_consumer_lag_messages{topic,partition}`: per partition this process's consumers hold, the
 * messages appended and not yet processed by their group, asked of the broker at each scrape (a
 * scrape never waits longer than timeoutMs: the last values stand then). Returns `add` for
 * consumers started later.
 */
export function consumerLagMetric(registry: Registry, options: ConsumerLagMetricOptions = {}): { add(source: LagSource): void } {
  const sources: LagSource[] = [...(options.sources ?? [])];
  const timeoutMs = options.timeoutMs ?? 2000;
  type Row = { topic: string; partition: string; lag: number };
  // each source's rows of its latest good sample
  const last = new Map<LagSource, Row[]>();
  new Gauge({
    name: 'baton_consumer_lag_messages',
    help: "Messages appended to a partition this process's consumers hold and not yet processed by their group (end offset minus the group's position).",
    labelNames: ['topic', 'partition'],
    registers: [registry],
    async collect() {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const current = [...sources];
      const sampled = Promise.allSettled(current.map((s) => s.lag()));
      const results = await Promise.race([sampled, deadline]).finally(() => clearTimeout(timer));
      if (results === 'timeout') {
        options.logger?.debug({ timeoutMs }, 'consumer lag not sampled in time; serving the last values');
      } else {
        results.forEach((result, i) => {
          const source = current[i] as LagSource;
          if (result.status === 'fulfilled') last.set(source, result.value.map((r) => ({ topic: r.topic, partition: String(r.partition), lag: r.lag })));
          else options.logger?.debug({ err: result.reason }, 'consumer lag sample failed; its last values stand');
        });
      }
      this.reset();
      for (const rows of last.values()) for (const row of rows) this.set({ topic: row.topic, partition: row.partition }, row.lag);
    },
  });
  return { add: (source) => void sources.push(source) };
}

export interface MetricsServerOptions {
  registry: Registry;
  /** Listen port on 127.0.0.1; 0 picks a free one (tests). */
  port: number;
  logger?: Logger;
  /** Answers /health/live and /health/ready (404 there without it). */
  health?: ServiceHealth;
}

export interface MetricsServer {
  /** The port it listens on (the chosen one when started with 0). */
  port: number;
  url: string;
  close(): Promise<void>;
}

const healthPaths: Readonly<Record<string, (health: ServiceHealth) => HealthReport>> = {
  '/health/live': (health) => health.live(),
  '/health/ready': (health) => health.ready(),
};

/**
 * Serves `GET /metrics` (and HEAD) of `registry`, and `/health/live`, `/health/ready` of `health`;
 * anything else is 404, other methods 405.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const host = '127.0.0.1';
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const report = healthPaths[path];
    if (path !== '/metrics' && (report === undefined || options.health === undefined)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: GET /metrics${options.health ? ', /health/live, /health/ready' : ''}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    if (report && options.health) {
      const answer = report(options.health);
      const body = `${JSON.stringify({ status: answer.ok ? 'ok' : 'unavailable', ...answer })}\n`;
      res.writeHead(answer.ok ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    options.registry.metrics().then(
      (body) => {
        res.writeHead(200, { 'content-type': options.registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        options.logger?.warn({ err: error }, 'collecting metrics failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('collecting metrics failed\n');
      },
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}/metrics`;
  options.logger?.info({ url }, 'metrics served');
  let closing: Promise<void> | undefined;
  return {
    port,
    url,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

/**
 * A service's metrics server, when its `<section>.metricsPort` is above 0: started, and its stop
 * step put first among the service's `closers` (the service's stop steps, run in order).
 */
export async function serveServiceMetrics(options: MetricsServerOptions & { closers: Array<{ name: string; run: () => Promise<void> | void }> }): Promise<MetricsServer | undefined> {
  if (options.port <= 0) return undefined;
  const server = await startMetricsServer(options);
  options.closers.unshift({ name: 'metrics server', run: () => server.close() });
  return server;
}
