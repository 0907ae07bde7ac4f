/**
 * Blocks of consecutive free TCP ports for test servers, safe across the parallel test processes
 * that `node --test` runs. Two guards:
 *  1. a lock file per port, created with O_EXCL in a directory shared by all processes
 *     (/dev/shm/baton-ports), holding the owner's PID; a lock whose owner is gone is stale and
 *     is removed (moved aside first, so a fresh lock taken meanwhile is never lost; that block is
 *     skipped on this attempt, so two processes breaking the same stale lock cannot both take it);
 *  2. a bind check on 127.0.0.1 for each port, against servers started by anything else.
 * Locks are released by `release()` or, failing that, at process exit.
 *
 * The default range is 20000–45000 cut at the kernel's ephemeral range
 * (/proc/sys/net/ipv4/ip_local_port_range, 32768 on Debian): an outgoing connection's local port
 * taken from that range could otherwise grab a port between our check and the server's bind.
 */
import { chmodSync, closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { BatonError } from '@baton/errors';
import { isProcessAlive, onProcessExit } from './process-cleanup.ts';

export interface PortBlock {
  /** The ports, consecutive, ascending. */
  readonly ports: readonly number[];
  readonly first: number;
  /** Gives the ports back. Safe to call twice. */
  release(): void;
}

export interface AllocatePortsOptions {
  /** Lowest port (inclusive). Default 20000. */
  min?: number;
  /** Highest port (exclusive). Default min(45000, start of the ephemeral range). */
  max?: number;
  /** Random blocks tried before giving up. Default 200. */
  attempts?: number;
}

export class PortAllocationError extends BatonError {
  static override readonly code = 'BATON_TEST_PORTS_EXHAUSTED';
  constructor(message: string) {
    super(PortAllocationError.code, message, { retryable: true });
  }
}

const lockDir = process.env['BATON_PORT_LOCK_DIR'] ?? '/dev/shm/baton-ports';

export async function allocatePorts(count: number, options: AllocatePortsOptions = {}): Promise<PortBlock> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`port count must be a positive integer, got ${count}`);
  const min = options.min ?? 20_000;
  const max = options.max ?? defaultMax(min, count);
  const attempts = options.attempts ?? 200;
  if (max - min < count) throw new RangeError(`port range ${min}-${max} is smaller than ${count}`);
  ensureLockDir();

  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const first = min + Math.floor(Math.random() * (max - min - count + 1));
    const ports = Array.from({ length: count }, (_, i) => first + i);
    const locked = lockAll(ports);
    if (!locked) continue;
    const free = await Promise.all(ports.map(isPortFree));
    if (free.every(Boolean)) return makeBlock(ports);
    unlockAll(ports);
  }
  throw new PortAllocationError(`no block of ${count} free ports found in ${min}-${max} after ${attempts} attempts`);
}

/** True when nothing listens on 127.0.0.1:port (nor on the wildcard address). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

let lockDirReady = false;
function ensureLockDir(): void {
  if (lockDirReady) return;
  mkdirSync(lockDir, { recursive: true });
  try {
    chmodSync(lockDir, 0o1777); // shared by every user's test processes, like /tmp
  } catch {
    // not ours: fine as long as we can create files in it
  }
  lockDirReady = true;
}

function defaultMax(min: number, count: number): number {
  let max = 45_000;
  try {
    const low = Number.parseInt(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0] ?? '', 10);
    if (Number.isInteger(low) && low - min >= count * 50) max = Math.min(max, low);
  } catch {
    // not Linux, or no procfs: keep the whole range
  }
  return max;
}

function lockPath(port: number): string {
  return join(lockDir, String(port));
}

/** Takes every port's lock or none. A stale lock is removed but the block is still refused. */
function lockAll(ports: readonly number[]): boolean {
  const taken: number[] = [];
  for (const port of ports) {
    if (tryLock(port)) {
      taken.push(port);
      continue;
    }
    unlockAll(taken);
    return false;
  }
  return true;
}

function tryLock(port: number): boolean {
  const path = lockPath(port);
  try {
    const fd = openSync(path, 'wx', 0o666);
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  try {
    const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
    // An empty file is a lock being written right now; only a dead owner makes it stale.
    if (Number.isInteger(owner) && !isProcessAlive(owner)) removeStale(path, owner);
  } catch {
    // someone else removed or replaced it meanwhile
  }
  return false;
}

/**
 * Removes a lock held by a dead process. Not a plain unlink: between reading the dead owner and
 * unlinking, another process may have removed that lock and a third taken the port afresh. The
 * lock is moved aside atomically first; if what was moved is not the dead owner's, it goes back.
 */
function removeStale(path: string, deadOwner: number): void {
  const aside = `${path}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // already gone
  }
  try {
    if (Number.parseInt(readFileSync(aside, 'utf8'), 10) !== deadOwner) linkSync(aside, path);
  } catch {
    // the port was locked again meanwhile: that lock stands
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // nothing to clean
    }
  }
}

function unlockAll(ports: readonly number[]): void {
  for (const port of ports) {
    try {
      const owner = Number.parseInt(readFileSync(lockPath(port), 'utf8'), 10);
      if (owner === process.pid) unlinkSync(lockPath(port));
    } catch {
      // already gone
    }
  }
}

function makeBlock(ports: number[]): PortBlock {
  let released = false;
  const unregister = onProcessExit(() => unlockAll(ports));
  return {
    ports,
    first: ports[0] as number,
    release() {
      if (released) return;
      released = true;
      unregister();
      unlockAll(ports);
    },
  };
}
