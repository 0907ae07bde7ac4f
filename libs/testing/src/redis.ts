/**
 * A Redis for tests. `ensureRedis()` picks, once per process:
 *  1. BATON_REDIS_URL when set (CI or a developer's own server);
 *  2. 127.0.0.1:6379 when it answers PING;
 *  3. otherwise its own `redis-server` (no persistence) on a free port, a child of this process
 *     that is stopped at process exit (`startRedisServer()` gives a test one of its own, which it
 *     may also crash and restart empty on the same port).
 * Tests share the server, so every test uses its own key prefix (`uniqueKeyPrefix`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { DependencyUnavailableError } from '@baton/errors';
import { allocatePorts } from './ports.ts';
import { dieWithParent, markOwned, onProcessExit, sweepStaleDirs } from './process-cleanup.ts';
import { scratchRoot } from './mariadb/template.ts';
import { waitFor } from './wait-for.ts';

export interface RedisEndpoint {
  /** redis://host:port (with credentials and db when BATON_REDIS_URL had them). */
  url: string;
  host: string;
  port: number;
  /** Where it came from: the environment, the machine's server on 6379, or started here. */
  source: 'env' | 'local' | 'spawned';
}

export interface OwnedRedis extends RedisEndpoint {
  /** The current server's PID (a new one after restart()). */
  readonly pid: number;
  /**
   * A crash and a restart: SIGKILLs the server and starts a new one on the same port, with no
   * data (it never persists), resolving once it answers PING. The port and the dir stay owned
   * until stop(). Clients see their connections drop and reconnect to an empty server.
   */
  restart(): Promise<void>;
  /** Kills the server (SIGKILL: it keeps no data), removes its dir, releases its port. Safe twice. */
  stop(): Promise<void>;
}

let endpoint: Promise<RedisEndpoint> | undefined;

export function ensureRedis(): Promise<RedisEndpoint> {
  endpoint ??= resolveRedis().catch((error: unknown) => {
    endpoint = undefined;
    throw error;
  });
  return endpoint;
}

async function resolveRedis(): Promise<RedisEndpoint> {
  const fromEnv = process.env['BATON_REDIS_URL'];
  if (fromEnv) {
    const parsed = new URL(fromEnv);
    return { url: fromEnv, host: parsed.hostname, port: Number(parsed.port || 6379), source: 'env' };
  }
  if (await pingRedis('127.0.0.1', 6379)) return { url: 'redis://127.0.0.1:6379', host: '127.0.0.1', port: 6379, source: 'local' };
  // Lives until process exit: every later ensureRedis() in this process shares it.
  const { url, host, port } = await startRedisServer();
  return { url, host, port, source: 'spawned' };
}

/** True when host:port answers PING with PONG within `timeoutMs` (no auth). */
export function pingRedis(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let reply = '';
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}

/**
 * A fresh `redis-server --port <free> --bind 127.0.0.1 --save "" --appendonly no`, a child of this
 * process (killed at process exit at the latest). For tests that need a Redis of their own.
 */
export async function startRedisServer(): Promise<OwnedRedis> {
  sweepStaleDirs(scratchRoot(), 'baton-redis-');
  const ports = await allocatePorts(1);
  const port = ports.first;
  const dir = mkdtempSync(join(scratchRoot(), 'baton-redis-'));
  markOwned(dir);
  const [cmd, args] = dieWithParent(process.env['BATON_REDIS_SERVER'] ?? 'redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', dir, '--logfile', join(dir, 'redis.log'),
  ]);
  // the current server; restart() replaces it
  let server = spawnServer(cmd, args);
  let stopped = false;
  const cleanup = (): void => {
    if (server.running) server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    ports.release();
  };
  const unregister = onProcessExit(cleanup);
  let stopping: Promise<void> | undefined;
  let restarting: Promise<void> = Promise.resolve();
  const kill = async (): Promise<void> => {
    if (server.running) server.child.kill('SIGKILL');
    await server.exited;
  };
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      stopped = true;
      unregister();
      await restarting.catch(() => undefined);
      await kill();
      cleanup();
    })();
    return stopping;
  };
  const answering = (): Promise<void> =>
    waitFor(
      () => {
        if (!server.running) throw new DependencyUnavailableError(`redis-server exited during start (see ${dir}/redis.log)`);
        return pingRedis('127.0.0.1', port, 200);
      },
      { description: `redis-server on 127.0.0.1:${port}`, timeoutMs: 10_000 },
    ).then(() => undefined);
  try {
    await answering();
  } catch (error) {
    await stop();
    throw new DependencyUnavailableError(`could not start redis-server: ${(error as Error).message}`, { cause: error });
  }
  const restart = (): Promise<void> => {
    // one restart at a time; each one a kill and a start of its own
    restarting = restarting.catch(() => undefined).then(async () => {
      if (stopped) throw new DependencyUnavailableError(`redis-server on 127.0.0.1:${port} was stopped: cannot restart it`);
      await kill();
      server = spawnServer(cmd, args);
      await answering().catch((error: unknown) => {
        throw new DependencyUnavailableError(`could not restart redis-server: ${(error as Error).message}`, { cause: error });
      });
    });
    return restarting;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    source: 'spawned',
    get pid() {
      return server.child.pid as number;
    },
    restart,
    stop,
  };
}

interface RedisChild {
  child: ChildProcess;
  running: boolean;
  exited: Promise<void>;
}

function spawnServer(cmd: string, args: string[]): RedisChild {
  const child = spawn(cmd, args, { stdio: 'ignore' });
  const state: RedisChild = { child, running: true, exited: Promise.resolve() };
  state.exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  }).then(() => {
    state.running = false;
  });
  return state;
}

/** A key prefix no other test (or test process) uses: `baton-test:<label>:<pid>:<random>:`. */
export function uniqueKeyPrefix(label = 'test'): string {
  return `baton-test:${label}:${process.pid}:${randomBytes(4).toString('hex')}:`;
}
