/**
 * InstanceProber: one instance, one persistent connection, one probe at a time.
 *
 *   - The connection is opened on the first probe and kept. When it breaks (server gone, query
 *     timeout — the connection destroys itself then) `onConnectionBroken(key)` fires at once, so
 *     the detector can probe the whole cluster now rather than at the next tick; the next probe
 *     reconnects. Closing the prober does not fire it.
 *   - Connect timeout and per-query timeout must both be below the poll interval: a hung server
 *     then fails its probe before the next one is due, and `lastAttemptedAt` (stamped when the
 *     attempt starts) runs ahead of `lastSeenAt` while it hangs.
 *   - `probe()` while a probe is running returns that probe's promise (no overlap on one socket).
 *   - `observation` is always the latest knowledge, including an attempt in flight.
 *   - Data center / region / physical environment: see location.ts. The detect queries run on the
 *     first probe and then every `locationRefreshMs`.
 *   - Promotion rule and downtime are not read here: `annotate(key)` (detector, from Redis) supplies
 *     them on every probe, success or failure.
 */
import { BatonError } from '@baton/errors';
import { unknownInstance, type InstanceKey, type InstanceObservation } from '@baton/contracts';
import type { Logger } from '@baton/logging';
import { connectInstance, type InstanceConnection, type InstanceConnectOptions } from '../instance-connection.ts';
import { compileLocation, resolveLocation, type CompiledLocation, type DetectedLocation, type LocationSettings } from './location.ts';
import { attemptStarted, probeFailed, probeSucceeded, type InstanceAnnotations } from './observation.ts';
import { readDetectedLocation, readInstance, type ReadProgress } from './read-instance.ts';
import { sourceSilence, type SourceProgress } from './source-silence.ts';

export interface ProbeCredentials {
  user: string;
  password: string;
}

export interface InstanceProberOptions {
  key: InstanceKey;
  credentials: ProbeCredentials;
  connectTimeoutMs: number;
  /** Timeout of every probe statement. */
  queryTimeoutMs: number;
  /** Both timeouts must be below it (RangeError otherwise): a hung server's probe ends before the next is due. */
  pollIntervalMs: number;
  location?: LocationSettings;
  /** How often the detect queries run again. Default 60 000 ms. */
  locationRefreshMs?: number;
  /** Promotion rule and downtime from elsewhere; a throwing callback keeps the previous values. */
  annotate?: (key: InstanceKey) => InstanceAnnotations | undefined | Promise<InstanceAnnotations | undefined>;
  /** The persistent connection broke (not called for connects that fail, nor on close()). */
  onConnectionBroken?: (key: InstanceKey, error: Error | undefined) => void;
  /** Knowledge to start from (e.g. the last snapshot); default unknownInstance(key). */
  initial?: InstanceObservation;
  now?: () => Date;
  logger?: Logger;
  /** For tests: replaces connectInstance. */
  connect?: (options: InstanceConnectOptions) => Promise<InstanceConnection>;
}

/** "BATON_PROBE_TIMEOUT: mysql query timed out (PROTOCOL_SEQUENCE_TIMEOUT)". */
export function describeProbeError(error: unknown): string {
  if (error instanceof BatonError) {
    const detail = (error as unknown as { mysqlCode?: unknown }).mysqlCode;
    const cause = error.cause instanceof Error && error.cause.message !== error.message ? `: ${error.cause.message}` : '';
    return `${error.code}: ${error.message}${cause}${typeof detail === 'string' ? ` (${detail})` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export function assertTimeoutsBelowPollInterval(o: { connectTimeoutMs: number; queryTimeoutMs: number; pollIntervalMs: number }): void {
  for (const name of ['connectTimeoutMs', 'queryTimeoutMs'] as const) {
    if (!(o[name] > 0 && o[name] < o.pollIntervalMs)) {
      throw new RangeError(`${name} (${o[name]}) must be positive and below pollIntervalMs (${o.pollIntervalMs})`);
    }
  }
}

export class InstanceProber {
  readonly key: InstanceKey;
  readonly #options: InstanceProberOptions;
  readonly #location: CompiledLocation;
  readonly #now: () => Date;
  #current: InstanceObservation;
  #connection: InstanceConnection | undefined;
  #connecting: Promise<InstanceConnection> | undefined;
  #inFlight: Promise<InstanceObservation> | undefined;
  #detected: DetectedLocation = {};
  #detectedAtMs = Number.NEGATIVE_INFINITY;
  #sourceProgress: SourceProgress | null = null;
  #closed = false;

  constructor(options: InstanceProberOptions) {
    assertTimeoutsBelowPollInterval(options);
    this.key = { host: options.key.host, port: options.key.port };
    this.#options = options;
    this.#location = compileLocation(options.location);
    this.#now = options.now ?? (() => new Date());
    this.#current = options.initial ? { ...options.initial, host: this.key.host, port: this.key.port } : unknownInstance(this.key.host, this.key.port);
  }

  /** The latest observation (an attempt in flight shows in lastAttemptedAt). */
  get observation(): InstanceObservation {
    return this.#current;
  }

  get probing(): boolean {
    return this.#inFlight !== undefined;
  }

  get connected(): boolean {
    return this.#connection !== undefined && !this.#connection.closed;
  }

  probe(): Promise<InstanceObservation> {
    if (this.#closed) return Promise.reject(new Error(`prober for ${this.key.host}:${this.key.port} is closed`));
    this.#inFlight ??= this.#run().finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  /** Ends the connection (without firing onConnectionBroken) and waits for a running probe. */
  async close(): Promise<void> {
    this.#closed = true;
    const connection = this.#connection;
    this.#connection = undefined;
    await connection?.close();
    await this.#inFlight?.catch(() => undefined);
    await this.#connecting?.then((c) => c.close()).catch(() => undefined);
  }

  async #run(): Promise<InstanceObservation> {
    this.#current = attemptStarted(this.#current, this.#now());
    const progress: ReadProgress = { identityAnswered: false };
    try {
      const conn = await this.#connect();
      const read = await readInstance(conn, this.key.port, progress);
      const silence = sourceSilence(this.#sourceProgress, read.replication, this.#now().getTime());
      this.#sourceProgress = silence.progress;
      const facts = read.replication ? { ...read, replication: { ...read.replication, sourceSilentMs: silence.silentMs } } : read;
      await this.#refreshDetectedLocation(conn);
      const annotations = await this.#annotations();
      const location = resolveLocation(this.#location, this.key.host, this.#detected);
      this.#current = probeSucceeded(this.#current, facts, { location, ...(annotations ? { annotations } : {}) }, this.#now());
    } catch (error) {
      const annotations = await this.#annotations();
      const failure = { error: describeProbeError(error), partialSuccess: progress.identityAnswered, ...(annotations ? { annotations } : {}) };
      this.#current = probeFailed(this.#current, failure, this.#now());
      this.#options.logger?.debug({ err: error, instance: `${this.key.host}:${this.key.port}` }, 'probe failed');
    }
    return this.#current;
  }

  async #connect(): Promise<InstanceConnection> {
    if (this.#connection && !this.#connection.closed) return this.#connection;
    this.#connection = undefined;
    const o = this.#options;
    const connect = o.connect ?? connectInstance;
    this.#connecting = connect({
      host: this.key.host,
      port: this.key.port,
      user: o.credentials.user,
      password: o.credentials.password,
      connectTimeoutMs: o.connectTimeoutMs,
      queryTimeoutMs: o.queryTimeoutMs,
      ...(o.logger ? { logger: o.logger } : {}),
    });
    try {
      const conn = await this.#connecting;
      if (this.#closed) {
        await conn.close();
        throw new Error('prober closed while connecting');
      }
      this.#connection = conn;
      conn.onClose((error) => this.#onClose(conn, error));
      return conn;
    } finally {
      this.#connecting = undefined;
    }
  }

  #onClose(conn: InstanceConnection, error: Error | undefined): void {
    if (this.#connection !== conn) return; // replaced or closed by us
    this.#connection = undefined;
    if (this.#closed) return;
    this.#options.logger?.debug({ err: error, instance: `${this.key.host}:${this.key.port}` }, 'probe connection broken');
    try {
      this.#options.onConnectionBroken?.(this.key, error);
    } catch (err) {
      this.#options.logger?.warn({ err }, 'onConnectionBroken failed');
    }
  }

  async #refreshDetectedLocation(conn: InstanceConnection): Promise<void> {
    if (Object.keys(this.#location.queries).length === 0) return;
    const nowMs = this.#now().getTime();
    if (nowMs - this.#detectedAtMs < (this.#options.locationRefreshMs ?? 60_000)) return;
    this.#detectedAtMs = nowMs;
    this.#detected = { ...this.#detected, ...(await readDetectedLocation(conn, this.#location, this.#options.logger)) };
  }

  async #annotations(): Promise<InstanceAnnotations | undefined> {
    if (!this.#options.annotate) return undefined;
    try {
      return await this.#options.annotate(this.key);
    } catch (err) {
      this.#options.logger?.warn({ err }, 'annotate failed; previous promotion rule and downtime kept');
      return undefined;
    }
  }
}
