import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';
import { PinoPretty } from 'pino-pretty';
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

/** json: one JSON object per line (production, log shippers, the chaos tests' log readers); pretty: pino-pretty lines for people. */
export type LogFormat = 'json' | 'pretty';

export interface RootLoggerOptions {
  service: string;
  version?: string;
  level?: string;
  /** Default json; the configuration's `logging.format` (BATON__LOGGING__FORMAT). */
  format?: LogFormat;
  destination?: DestinationStream;
}

/**
 * The pino-pretty stream of `format: pretty`: one line per entry (time, level, `service: message`,
 * then the entry's fields inline), written synchronously like pino's own stdout, so nothing is
 * lost when a process exits; colours only on a terminal.
 */
export function prettyStream(destination?: DestinationStream): DestinationStream {
  return PinoPretty({
    sync: true,
    singleLine: true,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'pid,hostname,service,version,instanceId',
    messageFormat: '{service}: {msg}',
    colorize: destination === undefined && process.stdout.isTTY === true,
    ...(destination ? { destination } : {}),
  });
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
  if (options.format === 'pretty') return pino(config, prettyStream(options.destination));
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
