/**
 * Errors of the recovery steps. Every statement runs through `runStatement`, which wraps a
 * failure in a RecoveryStepError naming the step and the statement (a fixed label such as
 * 'CHANGE MASTER TO', never the SQL text with its values) and keeps the server's errno, code and
 * SQLSTATE. The connection layer already drops mysql2's `sql` field (errors.ts); on top of that,
 * for a statement carrying a secret (the replication password), the secret and every quoted span
 * are scrubbed from the messages and stacks of the error and its causes, because a server
 * message can quote a value back, even truncated: "String 'xxxx...' is too long for
 * MASTER_PASSWORD (should be no longer than 96)" (errno 1470, seen on MariaDB 10.11).
 *
 * Codes:
 *   BATON_RECOVERY_STATEMENT_TIMEOUT  the statement outlived its timeout; the connection is gone (retryable)
 *   BATON_RECOVERY_STATEMENT_FAILED   the server or the network refused it; retryable as the cause is
 *   BATON_RECOVERY_UNSUPPORTED        neither MariaDB nor MySQL, or a feature the server lacks (semi-sync)
 *   BATON_RECOVERY_INVALID_ARGUMENT   a port, timeout or host that cannot be right
 */
import { BatonError, ProbeTimeoutError, type BatonErrorOptions } from '@baton/errors';
import type { InstanceConnection } from '../instance-connection.ts';

export const recoveryErrorCodes = {
  statementTimeout: 'BATON_RECOVERY_STATEMENT_TIMEOUT',
  statementFailed: 'BATON_RECOVERY_STATEMENT_FAILED',
  unsupported: 'BATON_RECOVERY_UNSUPPORTED',
  invalidArgument: 'BATON_RECOVERY_INVALID_ARGUMENT',
} as const;

export type RecoveryErrorCode = (typeof recoveryErrorCodes)[keyof typeof recoveryErrorCodes];

export type RecoveryStep = 'drain' | 'promote' | 'catch-up' | 'repoint' | 'detach' | 'reattach' | 'fence' | 'unfence' | 'sync' | 'read-position' | 'semi-sync';

export class RecoveryStepError extends BatonError {
  declare readonly step: RecoveryStep;
  declare readonly instance: string;
  /** The statement's label ('STOP SLAVE', 'CHANGE MASTER TO', ...); absent when no statement ran. */
  declare readonly statement?: string;
  declare readonly errno?: number;
  declare readonly mysqlCode?: string;
  /**
   * promote(): set when the statement failed after the candidate was (or may have been) writable:
   * true when it was set back to read_only=1 and reads so, false when it may still be writable.
   */
  declare readonly restoredReadOnly?: boolean;

  constructor(code: RecoveryErrorCode, message: string, options: BatonErrorOptions & { step: RecoveryStep; instance: string }) {
    super(code, message, options);
  }
}

const mask = '[redacted]';

function scrubText(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value !== 'string') return value;
  let out = value;
  for (const secret of secrets) out = out.split(secret).join(mask);
  // The server may quote a value only in part: ER_WRONG_STRING_LENGTH (1470) shows the first 70
  // characters of an over-long MASTER_PASSWORD. So on each line everything from the first to the
  // last quote goes too.
  return out.replace(/'.*'/g, `'${mask}'`);
}

/**
 * Removes every secret, and every quoted span, from the message, sqlMessage, sql and stack of
 * `error` and its cause chain (in place). Does nothing without a non-empty secret.
 */
export function scrubSecrets(error: unknown, secrets: readonly string[]): void {
  const live = secrets.filter((s) => s.length > 0);
  if (live.length === 0) return;
  const seen = new Set<unknown>();
  let current = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as { message?: unknown; sqlMessage?: unknown; sql?: unknown; stack?: unknown; cause?: unknown };
    for (const field of ['message', 'sqlMessage', 'sql', 'stack'] as const) {
      if (typeof e[field] === 'string') {
        try {
          (e as Record<string, unknown>)[field] = scrubText(e[field], live);
        } catch {
          // read-only field: leave it
        }
      }
    }
    current = e.cause;
  }
}

/** Runs one statement of a step; a failure becomes a RecoveryStepError (see the module comment). */
export async function runStatement<T>(
  conn: InstanceConnection,
  step: RecoveryStep,
  statement: string,
  run: () => Promise<T>,
  secrets: readonly string[] = [],
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    scrubSecrets(error, secrets);
    throw stepError(error, step, conn.instance, statement);
  }
}

export function stepError(error: unknown, step: RecoveryStep, instance: string, statement?: string): RecoveryStepError {
  if (error instanceof RecoveryStepError) return error;
  const e = (error ?? {}) as { message?: unknown; retryable?: unknown; errno?: unknown; mysqlCode?: unknown; code?: unknown; sqlState?: unknown };
  const timedOut = error instanceof ProbeTimeoutError;
  const what = statement ? `${step}: ${statement}` : step;
  const detail = typeof e.message === 'string' ? e.message : String(error);
  return new RecoveryStepError(timedOut ? recoveryErrorCodes.statementTimeout : recoveryErrorCodes.statementFailed, `${what} failed on ${instance}: ${detail}`, {
    cause: error,
    step,
    instance,
    ...(statement ? { statement } : {}),
    errno: typeof e.errno === 'number' ? e.errno : undefined,
    mysqlCode: typeof e.mysqlCode === 'string' ? e.mysqlCode : typeof e.code === 'string' ? e.code : undefined,
    sqlState: typeof e.sqlState === 'string' ? e.sqlState : undefined,
    retryable: timedOut || e.retryable === true,
  });
}

export function invalidArgument(step: RecoveryStep, instance: string, message: string): RecoveryStepError {
  return new RecoveryStepError(recoveryErrorCodes.invalidArgument, `${step}: ${message}`, { step, instance });
}
