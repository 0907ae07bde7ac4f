/**
 * Prometheus metrics of one Baton process (prom-client). Each process makes one registry with
 * the default process metrics (CPU, memory, event-loop lag, GC, handles) and a `service` label on
 * every series; a service adds its own `baton_…` metrics to it (units in names, durations as
 * histograms in seconds) and serves it as text exposition on `GET /metrics` from a small node:http
 * server bound to 127.0.0.1, never anything else (config key `<section>.metricsPort`, 0 = off),
 * the api's included: metrics are not served on a listener clients reach. Labels stay bounded:
 * no instance or cluster labels.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '@baton/logging';

export { Counter, Gauge, Histogram, Registry };

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

export interface MetricsServerOptions {
  registry: Registry;
  /** Listen port on 127.0.0.1; 0 picks a free one (tests). */
  port: number;
  logger?: Logger;
}

export interface MetricsServer {
  /** The port it listens on (the chosen one when started with 0). */
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Serves `GET /metrics` (and HEAD) of `registry`; anything else is 404, other methods 405. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const host = '127.0.0.1';
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: GET /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
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
