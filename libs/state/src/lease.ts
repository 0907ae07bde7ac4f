/**
 * Per-cluster recovery lease: one recovery in flight per cluster, whatever number of executors
 * run. Acquisition hands out a fencing token that only grows, so a write stamped with an older
 * token can be refused downstream. The lease is lost — and `lost` aborts — when a renewal finds
 * another holder, or when no renewal has been confirmed before the TTL that was last set runs
 * out (measured on the local monotonic clock from the moment the confirming request was sent).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { Logger } from '@baton/logging';
import { LeaseNotAcquiredError } from '@baton/errors';
import type { Keys } from './keys.ts';
import { runScript, scripts } from './scripts.ts';

export type LeaseLossReason = 'taken' | 'expired';

export interface Lease {
  readonly clusterId: string;
  /** Fencing token: larger than every token handed out before for this cluster. */
  readonly token: number;
  readonly owner: string;
  readonly ttlMs: number;
  /** Aborts (reason: LeaseLossReason) when the lease is lost; never aborts after release(). */
  readonly lost: AbortSignal;
  /** Extends the TTL; false when the lease is no longer held. Throws on Redis errors. */
  renew(): Promise<boolean>;
  /** Stops renewing and deletes the lock if still held; true when it was. Idempotent. */
  release(): Promise<boolean>;
  /** Renews every `everyMs` (default ttl/2) until release or loss; returns a stop function. */
  autoRenew(everyMs?: number): () => void;
}

export interface LeaseHolder {
  token: number;
  owner: string;
  pttlMs: number;
}

export interface LeaseManagerOptions {
  redis: Redis;
  keys: Keys;
  logger: Logger;
  /** Identifies this process in the lock value; default host:pid:random. */
  owner?: string;
}

function parseHolder(value: string, pttlMs: number): LeaseHolder {
  const cut = value.indexOf('|');
  return { token: Number(value.slice(0, cut)), owner: value.slice(cut + 1), pttlMs };
}

export class LeaseManager {
  readonly owner: string;
  private readonly redis: Redis;
  private readonly keys: Keys;
  private readonly logger: Logger;

  constructor(options: LeaseManagerOptions) {
    this.redis = options.redis;
    this.keys = options.keys;
    this.logger = options.logger;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  /** The lease, or null when another owner holds it. */
  async tryAcquire(clusterId: string, ttlMs: number): Promise<Lease | null> {
    const result = await this.attempt(clusterId, ttlMs);
    return 'lease' in result ? result.lease : null;
  }

  /** The lease, or LeaseNotAcquiredError (retryable) naming the current holder. */
  async acquire(clusterId: string, ttlMs: number): Promise<Lease> {
    const result = await this.attempt(clusterId, ttlMs);
    if ('lease' in result) return result.lease;
    throw new LeaseNotAcquiredError('recovery lock held by another owner', {
      clusterId,
      holder: result.holder.owner,
      holderToken: result.holder.token,
      holderPttlMs: result.holder.pttlMs,
    });
  }

  /**
   * The lease whoever holds it now: for a takeover the backend's epoch already decided (the
   * holder stopped renewing its recovery). A former holder's next renewal is refused.
   */
  async takeOver(clusterId: string, ttlMs: number): Promise<Lease> {
    const result = await this.attempt(clusterId, ttlMs, scripts.takeOverLock);
    if (!('lease' in result)) throw new Error('take-over-lock returned no lease');
    return result.lease;
  }

  /** Who holds the cluster's lock now, if anyone. */
  async holder(clusterId: string): Promise<LeaseHolder | null> {
    const key = this.keys.recoveryLock(clusterId);
    const [value, pttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
    return value === null ? null : parseHolder(value, pttl);
  }

  private async attempt(clusterId: string, ttlMs: number, script = scripts.acquireLock): Promise<{ lease: Lease } | { holder: LeaseHolder }> {
    if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`ttlMs must be a positive integer, got ${ttlMs}`);
    const lockKey = this.keys.recoveryLock(clusterId);
    const sentAt = performance.now();
    const reply = (await runScript(
      this.redis,
      script,
      [lockKey, this.keys.recoveryLockToken(clusterId)],
      [this.owner, ttlMs],
    )) as [number, number | string, number?];
    if (reply[0] !== 1) return { holder: parseHolder(String(reply[1]), Number(reply[2])) };
    const token = Number(reply[1]);
    const lease = new RedisLease({
      redis: this.redis,
      logger: this.logger.child({ clusterId, token }),
      clusterId,
      lockKey,
      token,
      owner: this.owner,
      ttlMs,
      confirmedUntil: sentAt + ttlMs,
    });
    return { lease };
  }
}

interface RedisLeaseInit {
  redis: Redis;
  logger: Logger;
  clusterId: string;
  lockKey: string;
  token: number;
  owner: string;
  ttlMs: number;
  confirmedUntil: number;
}

class RedisLease implements Lease {
  readonly clusterId: string;
  readonly token: number;
  readonly owner: string;
  readonly ttlMs: number;
  private readonly controller = new AbortController();
  private readonly value: string;
  private readonly redis: Redis;
  private readonly logger: Logger;
  private readonly lockKey: string;
  private expiryTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private released = false;
  private releasing: Promise<boolean> | undefined;

  constructor(init: RedisLeaseInit) {
    this.clusterId = init.clusterId;
    this.token = init.token;
    this.owner = init.owner;
    this.ttlMs = init.ttlMs;
    this.redis = init.redis;
    this.logger = init.logger;
    this.lockKey = init.lockKey;
    this.value = `${init.token}|${init.owner}`;
    this.armExpiry(init.confirmedUntil);
  }

  get lost(): AbortSignal {
    return this.controller.signal;
  }

  async renew(): Promise<boolean> {
    if (this.released || this.lost.aborted) return false;
    const sentAt = performance.now();
    const renewed = (await runScript(this.redis, scripts.renewLock, [this.lockKey], [this.value, this.ttlMs])) === 1;
    if (this.released || this.lost.aborted) return false;
    if (!renewed) {
      this.markLost('taken');
      return false;
    }
    this.armExpiry(sentAt + this.ttlMs);
    return true;
  }

  release(): Promise<boolean> {
    this.releasing ??= this.doRelease();
    return this.releasing;
  }

  autoRenew(everyMs = Math.floor(this.ttlMs / 2)): () => void {
    this.stopAutoRenew();
    if (this.released || this.lost.aborted) return () => undefined;
    this.renewTimer = setInterval(() => {
      this.renew().catch((err: unknown) => this.logger.warn({ err }, 'lease renewal failed'));
    }, Math.max(1, everyMs));
    this.renewTimer.unref();
    return () => this.stopAutoRenew();
  }

  private async doRelease(): Promise<boolean> {
    const wasLost = this.lost.aborted;
    this.released = true;
    this.stopAutoRenew();
    clearTimeout(this.expiryTimer);
    if (wasLost) return false;
    return (await runScript(this.redis, scripts.releaseLock, [this.lockKey], [this.value])) === 1;
  }

  private stopAutoRenew(): void {
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  private armExpiry(confirmedUntil: number): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = setTimeout(() => this.markLost('expired'), Math.max(0, confirmedUntil - performance.now()));
    this.expiryTimer.unref();
  }

  private markLost(reason: LeaseLossReason): void {
    if (this.released || this.lost.aborted) return;
    this.stopAutoRenew();
    clearTimeout(this.expiryTimer);
    this.logger.warn({ reason }, 'lease lost');
    this.controller.abort(reason);
  }
}
