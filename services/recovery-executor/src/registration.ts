/**
 * The Redis side of the protocol (design/architecture.md, "State"; every key from createKeys):
 *   grace:<i>            emergency grace period (SET PX)
 *   io-restart-*:<i>     IO-thread restart throttles (SET NX PX)
 *   detection:<i>        one failure detection per active period (SET NX PX, value = detection uid)
 *   recoveries-disabled  the global switch (no TTL)
 *   recovery-block       anti-flapping, keyed on the stable cluster id (fix W13); value = BlockValue
 *                        JSON; every change is a compare-and-swap (scripts/swap-block-1.lua)
 *   recovery-lock        the lease (LeaseManager: fencing token, renewals)
 *   downtime:<i>         downtimes the executor puts on lost replicas and the failed primary
 *
 * Registration, as orchestrator's AttemptRecoveryRegistration: a block held by any recovery stops
 * an automatic one (reason `recently-promoted` when the failed instance is that recovery's
 * successor, else `recovery-block`); a forced one replaces the block of a RESOLVED recovery
 * (orchestrator acknowledges the completed recoveries implicitly) but never that of a running one
 * (reason `recovery-running`): two recoveries of one cluster never run at once, and the running
 * one keeps the block its successor's anti-flapping depends on. A block whose recovery still says
 * `running` while nobody holds the cluster's lock and the lock's TTL has passed belongs to a
 * crashed executor (orchestrator's AcknowledgeCrashedRecoveries): it is taken over, forced or not.
 *
 * Every change of the block is a compare-and-swap on its holder's uid (or on its absence, or on
 * its holder having resolved): nothing deletes or overwrites it blindly, acknowledgements included
 * (commands.ts lifts only blocks of resolved recoveries, by uid and state).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { ClusterSnapshot } from '@baton/contracts';
import type { Logger } from '@baton/logging';
import { exists, formatDowntimeValue, runScript, setFlag, type Keys, type LeaseManager, type LuaScript } from '@baton/state';
import type { BlockValue, RecoveryState, RefusalReason, RegisterOutcome } from './ports.ts';

function loadScript(file: string): LuaScript {
  const source = readFileSync(new URL(`./scripts/${file}`, import.meta.url), 'utf8');
  const keyCount = Number(/-(\d+)\.lua$/.exec(file)?.[1]);
  return { name: file, keyCount, source, sha: createHash('sha1').update(source).digest('hex') };
}

const swapBlockScript = loadScript('swap-block-1.lua');

/** The detection key of an instance, for one actionability or (no `actionable`) both. */
export function detectionKeys(keys: Keys, clusterId: string, instance: string, actionable?: boolean): string[] {
  const actionableKey = keys.detection(clusterId, instance);
  const otherKey = keys.detection(clusterId, `${instance}|not-actionable`);
  return actionable === undefined ? [actionableKey, otherKey] : [actionable ? actionableKey : otherKey];
}

/** What a swap expects of the current block (ARGV[1] of swap-block-1.lua), besides a holder's uid. */
export const expectAbsent = '';
/** Absent, or held by a resolved recovery: what a forced registration may replace. */
export const expectAbsentOrResolved = '~';
/** Anything or nothing: a takeover continuing the recovery its journal names (holdBlock). */
export const expectAnyHolder = '*';

export interface BlockSwap {
  swapped: boolean;
  /** The value before a swap, or the one that refused it (null: none, or not a block value). */
  current: BlockValue | null;
}

/**
 * One compare-and-swap of the block at `key` (swap-block-1.lua): `expected` is one of the modes
 * above or a holder's uid, which must then also be in `state` when given; `value` '' deletes;
 * `ttlMs` 0 keeps the TTL.
 */
export async function swapBlock(redis: Redis, key: string, expected: string, value: string, ttlMs: number, state: '' | BlockValue['state'] = ''): Promise<BlockSwap> {
  const reply = (await runScript(redis, swapBlockScript, [key], [expected, value, String(ttlMs), state])) as [number, string?];
  return { swapped: reply[0] === 1, current: parseBlockValue(reply[1]) };
}

/**
 * An acknowledgement's lift of the block at `key`: deleted only while `uid` holds it AND has
 * resolved. A running recovery's block stays whoever acknowledges (its successor-to-be needs it
 * for anti-flapping, and a forced recovery must not start beside it).
 */
export function liftResolvedBlock(redis: Redis, key: string, uid: string): Promise<BlockSwap> {
  return swapBlock(redis, key, uid, '', 0, 'resolved');
}

export function parseBlockValue(raw: string | null | undefined): BlockValue | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<BlockValue>;
    if (typeof v.uid !== 'string') return null;
    return {
      uid: v.uid,
      failed: typeof v.failed === 'string' ? v.failed : '',
      successor: typeof v.successor === 'string' ? v.successor : null,
      state: v.state === 'resolved' ? 'resolved' : 'running',
      owner: typeof v.owner === 'string' ? v.owner : '',
      startedAtMs: typeof v.startedAtMs === 'number' ? v.startedAtMs : 0,
      ...(typeof v.resolvedAtMs === 'number' ? { resolvedAtMs: v.resolvedAtMs } : {}),
    };
  } catch {
    return null;
  }
}

/** Why `blockedBy` stops a recovery of `failed` (pure). */
export function blockReason(blockedBy: BlockValue | null, failed: string): 'recently-promoted' | 'recovery-block' {
  return blockedBy?.successor !== null && blockedBy?.successor === failed ? 'recently-promoted' : 'recovery-block';
}

/** A running recovery whose lock is gone for longer than the lock's TTL crashed with its executor (pure). */
export function isCrashed(blockedBy: BlockValue, lockHeld: boolean, nowMs: number, lockTtlMs: number): boolean {
  return blockedBy.state === 'running' && !lockHeld && nowMs - blockedBy.startedAtMs > lockTtlMs;
}

/**
 * Why a registration of `failed` was refused by `blockedBy` (pure). A forced one is refused only
 * by a recovery still running (the swap replaces any resolved block), or by a value that is not a
 * block (null: left to its TTL); an automatic one by any block (blockReason).
 */
export function refusalReason(blockedBy: BlockValue | null, failed: string, forced: boolean): RefusalReason {
  if (forced) return blockedBy?.state === 'running' ? 'recovery-running' : 'recovery-block';
  return blockReason(blockedBy, failed);
}

/**
 * The block of a recovery that is running now (pure): running and not crashed. A forced recover
 * is refused at once while there is one; a crashed one is taken over by the registration instead.
 */
export function runningRecoveryOf(block: BlockValue | null, lockHeld: boolean, nowMs: number, lockTtlMs: number): BlockValue | null {
  return block?.state === 'running' && !isCrashed(block, lockHeld, nowMs, lockTtlMs) ? block : null;
}

export interface RedisRecoveryStateOptions {
  redis: Redis;
  keys: Keys;
  leases: LeaseManager;
  logger: Logger;
  gracePeriodMs: number;
  ioRestartThrottleMs: number;
  detectionPeriodMs: number;
  recoveryBlockMs: number;
  lockTtlMs: number;
  now?: () => number;
}

export class RedisRecoveryState implements RecoveryState {
  readonly #o: RedisRecoveryStateOptions;
  readonly #now: () => number;

  constructor(options: RedisRecoveryStateOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  inGracePeriod(clusterId: string, instance: string): Promise<boolean> {
    return exists(this.#o.redis, this.#o.keys.grace(clusterId, instance));
  }

  async openGracePeriod(clusterId: string, instance: string): Promise<void> {
    await setFlag(this.#o.redis, this.#o.keys.grace(clusterId, instance), this.#o.gracePeriodMs);
  }

  takeIoRestartSlot(clusterId: string, scope: 'primary' | 'replica', instance: string): Promise<boolean> {
    const key = scope === 'primary' ? this.#o.keys.ioThreadRestartPrimary(clusterId, instance) : this.#o.keys.ioThreadRestartReplica(clusterId, instance);
    return setFlag(this.#o.redis, key, this.#o.ioRestartThrottleMs, { nx: true });
  }

  /**
   * One detection per instance, active period AND actionability (orchestrator's unique key has
   * is_actionable): a hung primary is UnreachableMaster (not actionable) before it is DeadMaster,
   * and the first must not swallow the second.
   */
  registerDetection(clusterId: string, instance: string, detectionUid: string, actionable = true): Promise<boolean> {
    const key = detectionKeys(this.#o.keys, clusterId, instance, actionable)[0] as string;
    return setFlag(this.#o.redis, key, this.#o.detectionPeriodMs, { nx: true, value: detectionUid });
  }

  recoveriesDisabled(): Promise<boolean> {
    return exists(this.#o.redis, this.#o.keys.recoveriesDisabled());
  }

  async registerRecovery(clusterId: string, value: BlockValue, options: { forced: boolean }): Promise<RegisterOutcome> {
    const json = JSON.stringify(value);
    const first = await this.#swap(clusterId, options.forced ? expectAbsentOrResolved : expectAbsent, json, this.#o.recoveryBlockMs);
    if (first.swapped) return { registered: true, replaced: options.forced ? first.current : null };
    const blockedBy = first.current;
    if (blockedBy && isCrashed(blockedBy, await this.#lockHeld(clusterId), this.#now(), this.#o.lockTtlMs)) {
      const takeover = await this.#swap(clusterId, blockedBy.uid, json, this.#o.recoveryBlockMs);
      if (takeover.swapped) {
        this.#o.logger.warn({ clusterId, crashedUid: blockedBy.uid, owner: blockedBy.owner }, 'crashed recovery block taken over');
        return { registered: true, replaced: blockedBy };
      }
      return this.#refused(clusterId, value, options.forced, takeover.current);
    }
    return this.#refused(clusterId, value, options.forced, blockedBy);
  }

  #refused(clusterId: string, value: BlockValue, forced: boolean, blockedBy: BlockValue | null): RegisterOutcome {
    const reason = refusalReason(blockedBy, value.failed, forced);
    if (reason === 'recovery-running') this.#o.logger.info({ clusterId, failed: value.failed, runningUid: blockedBy?.uid, owner: blockedBy?.owner }, 'forced recovery refused: a recovery of the cluster is running');
    return { registered: false, reason, blockedBy };
  }

  async runningRecovery(clusterId: string, options: { includeCrashed?: boolean } = {}): Promise<BlockValue | null> {
    const block = await this.block(clusterId);
    if (block?.state !== 'running') return null;
    if (options.includeCrashed) return block;
    return runningRecoveryOf(block, await this.#lockHeld(clusterId), this.#now(), this.#o.lockTtlMs);
  }

  async #lockHeld(clusterId: string): Promise<boolean> {
    return (await this.#o.leases.holder(clusterId)) !== null;
  }

  async resolveBlock(clusterId: string, value: BlockValue): Promise<boolean> {
    const json = JSON.stringify(value);
    const swap = await this.#swap(clusterId, value.uid, json, 0);
    if (swap.swapped || swap.current !== null) return swap.swapped;
    // no block at all (Redis lost it mid-recovery): anti-flapping still applies to this recovery
    return (await this.#swap(clusterId, expectAbsent, json, this.#o.recoveryBlockMs)).swapped;
  }

  async holdBlock(clusterId: string, value: BlockValue): Promise<void> {
    await this.#swap(clusterId, expectAnyHolder, JSON.stringify(value), this.#o.recoveryBlockMs);
  }

  takeOverLease(clusterId: string) {
    return this.#o.leases.takeOver(clusterId, this.#o.lockTtlMs);
  }

  async releaseBlock(clusterId: string, uid: string): Promise<boolean> {
    return (await this.#swap(clusterId, uid, '', 0)).swapped;
  }

  /** Reads the block (for the api and tests). */
  async block(clusterId: string): Promise<BlockValue | null> {
    return parseBlockValue(await this.#o.redis.get(this.#o.keys.recoveryBlock(clusterId)));
  }

  acquireLease(clusterId: string) {
    return this.#o.leases.tryAcquire(clusterId, this.#o.lockTtlMs);
  }

  async setDowntime(clusterId: string, instance: string, value: Parameters<typeof formatDowntimeValue>[0], ttlMs: number): Promise<void> {
    await setFlag(this.#o.redis, this.#o.keys.downtime(clusterId, instance), ttlMs, { value: formatDowntimeValue(value) });
  }

  async endDowntime(clusterId: string, instance: string): Promise<void> {
    await this.#o.redis.del(this.#o.keys.downtime(clusterId, instance));
  }

  async cachedSnapshot(clusterId: string): Promise<ClusterSnapshot | null> {
    const raw = await this.#o.redis.get(this.#o.keys.snapshot(clusterId));
    if (!raw) return null;
    try {
      return JSON.parse(raw) as ClusterSnapshot;
    } catch {
      return null;
    }
  }

  #swap(clusterId: string, expected: string, value: string, ttlMs: number): Promise<BlockSwap> {
    return swapBlock(this.#o.redis, this.#o.keys.recoveryBlock(clusterId), expected, value, ttlMs);
  }
}
