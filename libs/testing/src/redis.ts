/**
 * A Redis for tests. `ensureRedis()` picks, once per process:
 *  1. BATON_REDIS_URL when set (CI or a developer's own server);
 *  2. 127.0.0.1:6379 when it answers PING;
 *  3. otherwise its own `redis-server` (no persistence) on a free port, a child of this process
 *     that is stopped at process exit (`startRedisServer()` gives a test one of its own).
 * Tests share the server, so every test uses its own key prefix (`uniqueKeyPrefix`).
 */
import { spawn } from 'node:child_process';
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
  pid: number;
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
  const child = spawn(cmd, args, { stdio: 'ignore' });
  let running = true;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  }).then(() => {
    running = false;
  });
  const cleanup = (): void => {
    if (running) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    ports.release();
  };
  const unregister = onProcessExit(cleanup);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      unregister();
      if (running) child.kill('SIGKILL');
      await exited;
      cleanup();
    })();
    return stopping;
  };
  try {
    await waitFor(
      () => {
        if (!running) throw new DependencyUnavailableError(`redis-server exited during start (see ${dir}/redis.log)`);
        return pingRedis('127.0.0.1', port, 200);
      },
      { description: `redis-server on 127.0.0.1:${port}`, timeoutMs: 10_000 },
    );
  } catch (error) {
    await stop();
    throw new DependencyUnavailableError(`could not start redis-server: ${(error as Error).message}`, { cause: error });
  }
  return { url: `redis://127.0.0.1:${port}`, host: '127.0.0.1', port, source: 'spawned', pid: child.pid as number, stop };
}

/** A key prefix no other test (or test process) uses: `baton-test:<label>:<pid>:<random>:`. */
export function uniqueKeyPrefix(label = 'test'): string {
  return `baton-test:${label}:${process.pid}:${randomBytes(4).toString('hex')}:`;
}
