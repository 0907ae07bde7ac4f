import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';
import { hostname } from 'node:os';

export type { Logger } from 'pino';

/**
 * Paths whose values never reach a log line: passwords, DSNs, tokens, hook secrets.
 * Keep the list here so every process redacts the same things.
 */
export const redactPaths: readonly string[] = [
  'password',
  '*.password',
  '*.*.password',
  'dsn',
  '*.dsn',
  '*.*.dsn',
  'token',
  '*.token',
  '*.*.token',
  'apiToken',
  '*.apiToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'secret',
  '*.secret',
  '*.*.secret',
];

export interface RootLoggerOptions {
  service: string;
  version?: string;
  level?: string;
  destination?: DestinationStream;
}

/** One root logger per process, with the service identity bound and secrets redacted. */
export function createLogger(options: RootLoggerOptions): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env['BATON_LOG_LEVEL'] ?? 'info',
    base: {
      service: options.service,
      version: options.version ?? '0.1.0',
      instanceId: `${hostname()}:${process.pid}`,
    },
    redact: { paths: [...redactPaths], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A logger that discards everything, for unit tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Removes the password from a mysql:// or redis:// URL before it is logged. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1[redacted]@');
}
