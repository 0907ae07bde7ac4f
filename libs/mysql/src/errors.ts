/**
 * mysql2 errors → Baton errors, classified by error code (never by message text):
 *   - a connect or query timeout → ProbeTimeoutError (retryable);
 *   - access denied → ProbeAuthError (not retryable);
 *   - anything else → BatonError 'BATON_MYSQL_ERROR', retryable for network failures only.
 * The server's errno, code and SQLSTATE are kept as fields. The SQL text is dropped from the
 * error (and from its cause): mysql2 records it with values interpolated, which would put
 * replication passwords from CHANGE MASTER TO into logs. For the same reason the messages of
 * errors that quote the statement's values are withheld.
 */
import { BatonError, ProbeAuthError, ProbeTimeoutError } from '@baton/errors';

export const mysqlErrorCode = 'BATON_MYSQL_ERROR';

/**
 * Errors whose message quotes a value of the statement, which may be a password:
 * ER_PARSE_ERROR ("near '…'") and ER_WRONG_STRING_LENGTH ("String '…' is too long", e.g. an
 * over-long MASTER_PASSWORD).
 */
const quotingErrnos = new Map<number, string>([
  [1064, 'SQL syntax error (statement text withheld)'],
  [1470, 'a value of the statement is too long (value withheld)'],
]);

interface Mysql2Error extends Error {
  code?: string;
  errno?: number;
  sqlState?: string;
  sqlMessage?: string;
  sql?: string;
  fatal?: boolean;
}

const authCodes = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_NOT_SUPPORTED_AUTH_MODE']);
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
]);

export function isQueryTimeout(error: unknown): boolean {
  return (error as Mysql2Error | undefined)?.code === 'PROTOCOL_SEQUENCE_TIMEOUT';
}

export interface ErrorContext {
  /** "host:port" of the server. */
  instance: string;
  /** What was being done: "connect" or "query". */
  operation: 'connect' | 'query';
  timeoutMs?: number;
}

export function toBatonError(error: unknown, context: ErrorContext): BatonError {
  if (error instanceof BatonError) return error;
  const e = (error ?? {}) as Mysql2Error;
  delete e.sql;
  const withheld = e.errno === undefined ? undefined : quotingErrnos.get(e.errno);
  if (withheld) e.message = e.sqlMessage = withheld;
  const fields = { cause: error, instance: context.instance, operation: context.operation, errno: e.errno, mysqlCode: e.code, sqlState: e.sqlState };
  if (isQueryTimeout(error) || e.code === 'ETIMEDOUT') {
    return new ProbeTimeoutError(`mysql ${context.operation} timed out`, { ...fields, timeoutMs: context.timeoutMs });
  }
  if (e.code && authCodes.has(e.code)) return new ProbeAuthError('mysql access denied', fields);
  const retryable = Boolean(e.code && networkCodes.has(e.code)) || (e.fatal === true && !e.sqlState);
  return new BatonError(mysqlErrorCode, e.sqlMessage ?? e.message ?? 'mysql error', { ...fields, retryable });
}
