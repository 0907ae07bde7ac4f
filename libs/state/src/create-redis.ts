/**
 * The one way services open Redis: explicit connect and command timeouts, a bounded number of
 * retries per command, capped reconnect back-off, authentication (requirepass or an ACL user),
 * TLS, and connection events logged without flooding and without the password.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '@baton/logging';
import { redactUrl } from '@baton/logging';
import { ConfigError, DependencyUnavailableError, readTlsFiles, type ReadPemFile, type TlsFilesConfig } from '@baton/errors';

/** TLS towards Redis (config.redis.tls); the files are read when the client is created. */
export type RedisTlsConfig = TlsFilesConfig;
export type { ReadPemFile };

export interface RedisConnectionConfig {
  /** redis://[user[:password]@]host[:port][/db], or rediss:// for TLS. */
  url: string;
  /** ACL user; default the URL's. */
  username?: string;
  /** Replaces a password in the URL. */
  password?: string;
  tls?: RedisTlsConfig;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  maxRetriesPerRequest: number;
}

/** Reconnect back-off: 100 ms, 200 ms, ... capped at 2 s. */
export const reconnectDelayMs = (attempt: number): number => Math.min(attempt * 100, 2000);

const errorLogIntervalMs = 10_000;

/** Node TLS options from a TLS section: CA, client certificate and key read from their files. */
export function redisTlsOptions(tls: RedisTlsConfig | undefined, readFile: ReadPemFile = readFileSync): TlsConnectionOptions {
  const options: TlsConnectionOptions = { rejectUnauthorized: tls?.rejectUnauthorized ?? true, ...(tls ? readTlsFiles('redis', tls, readFile) : {}) };
  if (tls?.servername !== undefined) options.servername = tls.servername;
  return options;
}

/**
 * The ioredis options for `config`: host, port and db from the URL; the URL's credentials unless
 * `username`/`password` are given; TLS when the URL is rediss:// or `tls.enabled`. Query
 * parameters of the URL are not read.
 */
export function redisOptions(config: RedisConnectionConfig, name = 'baton', readFile: ReadPemFile = readFileSync): RedisOptions {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new ConfigError([{ key: 'redis.url', problem: 'must be a redis:// or rediss:// URL' }], 'redis');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError([{ key: 'redis.url', problem: 'must be a redis:// or rediss:// URL' }], 'redis');
  }
  const options: RedisOptions = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    connectTimeout: config.connectTimeoutMs,
    commandTimeout: config.commandTimeoutMs,
    maxRetriesPerRequest: config.maxRetriesPerRequest,
    retryStrategy: reconnectDelayMs,
    connectionName: name,
  };
  const db = url.pathname.replace(/^\//, '');
  if (db !== '') {
    if (!/^\d+$/.test(db)) throw new ConfigError([{ key: 'redis.url', problem: `database "${db}" must be a number` }], 'redis');
    options.db = Number(db);
  }
  const username = config.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = config.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
  // ioredis sends AUTH <user> <password> with a username, AUTH <password> without; '' = none
  if (username) {
    options.username = username;
    options.password = password ?? '';
  } else if (password) {
    options.password = password;
  }
  if (url.protocol === 'rediss:' || config.tls?.enabled) options.tls = redisTlsOptions(config.tls, readFile);
  return options;
}

/**
 * ioredis attaches the failed command (name and arguments) to its errors and hands the same
 * object to the 'error' listeners and to the rejected commands; AUTH's and HELLO's arguments
 * hold the password. Replaces them in place. Returns `err`.
 */
export function scrubRedisError<T>(err: T): T {
  const command = (err as { command?: { name?: unknown; args?: unknown } } | null)?.command;
  if (command && typeof command.name === 'string' && /^(auth|hello)$/i.test(command.name) && Array.isArray(command.args)) {
    command.args = ['[redacted]'];
  }
  return err;
}

export function createRedis(config: RedisConnectionConfig, logger: Logger, name = 'baton'): Redis {
  const options = redisOptions(config, name);
  const log = logger.child({ redis: redactUrl(config.url), ...(options.username ? { redisUser: options.username } : {}), tls: options.tls !== undefined });
  const redis = new Redis(options);
  let lastErrorLog = 0;
  let lastMessage = '';
  // registered first, so it runs before any rejected command's handlers see the error
  redis.on('error', (err: Error) => {
    scrubRedisError(err);
    const now = Date.now();
    if (err.message === lastMessage && now - lastErrorLog < errorLogIntervalMs) return;
    lastErrorLog = now;
    lastMessage = err.message;
    log.warn({ err }, 'redis connection error');
  });
  redis.on('ready', () => {
    lastMessage = '';
    log.info('redis ready');
  });
  redis.on('reconnecting', (delayMs: number) => log.debug({ delayMs }, 'redis reconnecting'));
  redis.on('end', () => log.info('redis connection closed'));
  return redis;
}

/** Resolves once the client is ready; DependencyUnavailableError after `timeoutMs`. */
export async function waitForRedis(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new DependencyUnavailableError('redis not ready before the deadline', { timeoutMs, status: redis.status }));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
