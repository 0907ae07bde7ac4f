/**
 * Last-resort cleanup for everything the test helpers start (servers, firewall rules, data dirs,
 * port locks). The normal path is an explicit `stop()`; these hooks run only when the process
 * ends without it (a failed test, an uncaught error, Ctrl-C). They must be synchronous: nothing
 * asynchronous runs inside an 'exit' handler.
 *
 * The children are also started under `setpriv --pdeathsig SIGKILL`, so the kernel kills them
 * even when this process is itself SIGKILLed; `sweepStaleDirs` removes what such a process left.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type SyncCleanup = () => void;

const cleanups = new Set<SyncCleanup>();
let installed = false;

/** Registers `fn` to run at process exit; the returned function unregisters it. */
export function onProcessExit(fn: SyncCleanup): () => void {
  install();
  cleanups.add(fn);
  return () => {
    cleanups.delete(fn);
  };
}

function runAll(): void {
  const pending = [...cleanups].reverse();
  cleanups.clear();
  for (const fn of pending) {
    try {
      fn();
    } catch {
      // keep going: every other resource still needs its cleanup
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      runAll();
      process.removeListener(signal, handler);
      // Nobody else handles it: end the process the way the signal would have.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, handler);
  }
}

/** True while a process with this PID exists (a zombie counts as existing). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const ownerFile = '.baton-owner';

/** Marks a scratch directory as belonging to this process, for `sweepStaleDirs`. */
export function markOwned(dir: string): void {
  writeFileSync(join(dir, ownerFile), `${process.pid}\n`);
}

/**
 * Removes directories under `parent` whose name starts with `prefix` and whose owner process
 * (recorded by `markOwned`) no longer exists. Directories without an owner mark are left alone.
 */
export function sweepStaleDirs(parent: string, prefix: string): string[] {
  const removed: string[] = [];
  if (!existsSync(parent)) return removed;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(parent, name);
    let pid: number;
    try {
      pid = Number.parseInt(readFileSync(join(dir, ownerFile), 'utf8'), 10);
    } catch {
      continue;
    }
    if (isProcessAlive(pid)) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

const setprivPath = existsSync('/usr/bin/setpriv') ? '/usr/bin/setpriv' : undefined;

/**
 * The command line that runs `command args` so that the kernel SIGKILLs it when this process
 * dies (`setpriv --pdeathsig`, which execs: the PID is the command's own). Unwrapped when
 * setpriv is missing; the exit hooks then remain the only guard.
 */
export function dieWithParent(command: string, args: readonly string[]): [string, string[]] {
  return setprivPath ? [setprivPath, ['--pdeathsig', 'SIGKILL', '--', command, ...args]] : [command, [...args]];
}
