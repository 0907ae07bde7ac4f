/**
 * TTL flags: grace periods, throttles, detections, blocks, downtimes — a key that exists for a
 * while. Single-key operations, so no script is needed.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';

export interface SetFlagOptions {
  /** Only set when absent; the result then tells whether this caller was first. */
  nx?: boolean;
  /** Stored value (default "1"), e.g. a detection id or a JSON document. */
  value?: string;
}

/** Sets `key` for `ttlMs`. Returns true when written (with nx: when this caller was first). */
export async function setFlag(redis: Redis, key: string, ttlMs: number, options: SetFlagOptions = {}): Promise<boolean> {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`ttlMs must be a positive integer, got ${ttlMs}`);
  const value = options.value ?? '1';
  const reply = options.nx ? await redis.set(key, value, 'PX', ttlMs, 'NX') : await redis.set(key, value, 'PX', ttlMs);
  return reply === 'OK';
}

export async function exists(redis: Redis, key: string): Promise<boolean> {
  return (await redis.exists(key)) === 1;
}

/** Remaining lifetime in ms; null when the key does not exist; Infinity when it has no TTL. */
export async function pttl(redis: Redis, key: string): Promise<number | null> {
  const reply = await redis.pttl(key);
  if (reply === -2) return null;
  if (reply === -1) return Number.POSITIVE_INFINITY;
  return reply;
}

/** Deletes a flag; true when it existed. */
export async function clearFlag(redis: Redis, key: string): Promise<boolean> {
  return (await redis.del(key)) === 1;
}

/**
 * Idempotency guard for message handling: true the first time `messageId` is seen within
 * `ttlMs`, false for every repeat (a redelivery after a rebalance, a duplicate publish).
 */
export function markProcessed(redis: Redis, keys: Keys, messageId: string, ttlMs: number): Promise<boolean> {
  return setFlag(redis, keys.processed(messageId), ttlMs, { nx: true });
}
