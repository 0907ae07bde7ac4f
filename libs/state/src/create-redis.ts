/**
 * The one way services open Redis: explicit connect and command timeouts, a bounded number of
 * retries per command, capped reconnect back-off, and connection events logged without flooding.
 */
import { Redis } from 'ioredis';
import type { Logger } from '@baton/logging';
import { redactUrl } from '@baton/logging';
import { DependencyUnavailableError } from '@baton/errors';

export interface RedisConnectionConfig {
  url: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  maxRetriesPerRequest: number;
}

/** Reconnect back-off: 100 ms, 200 ms, ... capped at 2 s. */
export const reconnectDelayMs = (attempt: number): number => Math.min(attempt * 100, 2000);

const errorLogIntervalMs = 10_000;

export function createRedis(config: RedisConnectionConfig, logger: Logger, name = 'baton'): Redis {
  const log = logger.child({ redis: redactUrl(config.url) });
  const redis = new Redis(config.url, {
    connectTimeout: config.connectTimeoutMs,
    commandTimeout: config.commandTimeoutMs,
    maxRetriesPerRequest: config.maxRetriesPerRequest,
    retryStrategy: reconnectDelayMs,
    connectionName: name,
  });
  let lastErrorLog = 0;
  let lastMessage = '';
  redis.on('error', (err: Error) => {
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
