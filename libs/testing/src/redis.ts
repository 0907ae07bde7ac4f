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
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

export interface RedisServerOptions {
  /** `requirepass`: the default user needs this password (AUTH <password>). */
  requirePass?: string;
  /** An ACL user (Redis 6+) with every key, channel and command: AUTH <name> <password>. */
  aclUser?: { name: string; password: string };
  /**
   * Also listen for TLS on a port of its own (`tlsPort`, `tlsUrl`); the plain port stays (the
   * readiness check uses it). `authClients`: demand a client certificate signed by `caFile`.
   */
  tls?: { certFile: string; keyFile: string; caFile: string; authClients?: boolean };
}

export interface OwnedRedis extends RedisEndpoint {
  /** With the `tls` option: the TLS port and rediss://127.0.0.1:<tlsPort>. */
  readonly tlsPort?: number;
  readonly tlsUrl?: string;
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
export async function pingRedis(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return (await pingReply(host, port, timeoutMs))?.startsWith('+PONG') ?? false;
}

/** The first reply line to an unauthenticated PING; null when none came within `timeoutMs`. */
function pingReply(host: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let reply = '';
    const finish = (line: string | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(line);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.once('error', () => finish(null));
    socket.once('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      const end = reply.indexOf('\r\n');
      if (end !== -1) finish(reply.slice(0, end));
    });
  });
}

/** A string as a redis.conf argument: double-quoted, backslashes, quotes and control characters escaped. */
function confArg(value: string): string {
  let out = '';
  for (const c of value) {
    const code = c.charCodeAt(0);
    if (c === '\\' || c === '"') out += `\\${c}`;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return `"${out}"`;
}

/** redis.conf lines for the authentication options (none without them). */
function redisAuthConfig(options: RedisServerOptions): string[] {
  const lines: string[] = [];
  if (options.requirePass !== undefined) lines.push(`requirepass ${confArg(options.requirePass)}`);
  if (options.aclUser) {
    const { name, password } = options.aclUser;
    lines.push(`user ${confArg(name)} on ${confArg(`>${password}`)} "~*" "&*" "+@all"`);
  }
  return lines;
}

/**
 * A fresh `redis-server --port <free> --bind 127.0.0.1 --save "" --appendonly no`, a child of this
 * process (killed at process exit at the latest). For tests that need a Redis of their own.
 * `requirePass` and `aclUser` go into a redis.conf in its dir (not onto the command line, where
 * `ps` shows them); `url` carries no credentials. A restart keeps them.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<OwnedRedis> {
  sweepStaleDirs(scratchRoot(), 'baton-redis-');
  const ports = await allocatePorts(options.tls ? 2 : 1);
  const port = ports.first;
  const tlsPort = options.tls ? ports.ports[1] : undefined;
  const tlsArgs = options.tls
    ? ['--tls-port', String(tlsPort), '--tls-cert-file', options.tls.certFile, '--tls-key-file', options.tls.keyFile,
       '--tls-ca-cert-file', options.tls.caFile, '--tls-auth-clients', options.tls.authClients ? 'yes' : 'no']
    : [];
  const dir = mkdtempSync(join(scratchRoot(), 'baton-redis-'));
  markOwned(dir);
  const auth = redisAuthConfig(options);
  const confFile = join(dir, 'redis.conf');
  if (auth.length > 0) writeFileSync(confFile, `${auth.join('\n')}\n`, { mode: 0o600 });
  const [cmd, args] = dieWithParent(process.env['BATON_REDIS_SERVER'] ?? 'redis-server', [
    // the config file must come first
    ...(auth.length > 0 ? [confFile] : []),
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', dir, '--logfile', join(dir, 'redis.log'), ...tlsArgs,
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
        // NOAUTH: up, and asking for the password it was given
        return pingReply('127.0.0.1', port, 200).then((line) => line !== null && (line.startsWith('+PONG') || (auth.length > 0 && line.startsWith('-NOAUTH'))));
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
    ...(tlsPort === undefined ? {} : { tlsPort, tlsUrl: `rediss://127.0.0.1:${tlsPort}` }),
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
