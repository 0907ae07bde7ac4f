/**
 * Fencing the old primary, as the recovery records it (issue 5 step 10, W3): the SQL fence
 * (read_only=1 where it answers, short budget: @baton/mysql `fence`) and, when configured, Baton's
 * fence hook (`recovery.fenceProcesses`), requested right after the SQL attempt with its outcome as
 * {fencedBySql} / {sqlFenceResult}. Both are best effort: neither stops the promotion — except in
 * force-master-failover of a live primary, where the SQL fence is required (liveFenceProblem). Pure.
 */
import type { FenceResult } from '@baton/mysql';
import type { HookOutcome } from '../ports.ts';

/** What the fence hook came to; null when it did not run (no entries, or skipProcesses). */
export type FenceHookStatus = 'succeeded' | 'failed' | 'no-result';

export interface FencingRecord {
  sql: FenceResult;
  /** The fence hook's outcome; null when it was not requested. */
  hook: HookOutcome | null;
}

export function fenceHookStatus(hook: HookOutcome | null): FenceHookStatus | null {
  if (!hook || hook.status === 'none-configured') return null;
  return hook.status;
}

/** Why the fence hook did not succeed, for AllErrors and the step message; null when it did or did not run. */
export function fenceHookError(hook: HookOutcome | null): string | null {
  if (!hook) return null;
  if (hook.status === 'failed') return hook.result.error ?? 'failed';
  if (hook.status === 'no-result') return hook.error ?? 'no result';
  return null;
}

/** Fenced by either means: read_only=1 verified, or a fence hook that succeeded. */
export function isFenced(record: FencingRecord): boolean {
  return record.sql.fenced || fenceHookStatus(record.hook) === 'succeeded';
}

/**
 * The recovery row's fencing result (`recoveries.fencing_result`, at most 64 characters): the SQL
 * fence's reason (fenced, unreachable, access-denied, timeout, failed, not-verified), followed by
 * the fence hook's status when it ran: `unreachable`, `unreachable; hook succeeded`,
 * `fenced; hook failed`, `timeout; hook no-result`. null when fencing never started.
 */
export function fencingResultText(record: FencingRecord | null): string | null {
  if (!record) return null;
  const hook = fenceHookStatus(record.hook);
  return hook ? `${record.sql.reason}; hook ${hook}` : record.sql.reason;
}

/** The `fenced` step: succeeded when fenced by either means; failed when a configured hook failed too; else info (a crashed primary refuses SQL). */
export function fencedStepStatus(record: FencingRecord): 'succeeded' | 'failed' | 'info' {
  if (isFenced(record)) return 'succeeded';
  return fenceHookStatus(record.hook) ? 'failed' : 'info';
}

const livenessText = { dead: 'provably dead', 'not-answering': 'not answering (may be hung or cut off, and writable)', alive: 'answering' } as const;

export function fencedStepMessage(record: FencingRecord): string {
  const { sql } = record;
  const bySql = sql.fenced
    ? `${sql.instance} set read_only${sql.readLockHeld ? ' (global read lock held)' : ''}`
    : `${sql.instance} not fenced by SQL: ${sql.reason}, ${livenessText[sql.liveness]}`;
  const status = fenceHookStatus(record.hook);
  if (!status) return bySql;
  if (status === 'succeeded') return `${bySql}; fence hook succeeded`;
  return `${bySql}; fence hook ${status === 'failed' ? 'failed' : 'gave no result'}: ${fenceHookError(record.hook) ?? ''}`;
}

/** The values a hook gets about the SQL fence once it ran ('' before, as any placeholder without a value). */
export function sqlFenceValues(sql: FenceResult | null | undefined): Record<string, string> {
  if (!sql) return {};
  return { fencedBySql: String(sql.fenced), sqlFenceResult: sql.reason };
}

/**
 * force-master-failover of a live primary: why its SQL fence does not count (null when it does).
 * Required there, not best effort: read_only=1 verified AND every client connection killed (an open
 * session of an account with SUPER/READ_ONLY ADMIN could still write; a killed one reconnects to
 * find the new primary).
 */
export function liveFenceProblem(sql: FenceResult): string | null {
  if (!sql.fenced) return sql.error ? `${sql.reason}: ${sql.error}` : sql.reason;
  if (sql.killError) return `read_only set, but the client connections could not be listed: ${sql.killError}`;
  if (sql.unkilledConnections > 0) return `read_only set, but ${sql.unkilledConnections} client connection(s) were not killed`;
  return null;
}

/** The fence got as far as sending SET GLOBAL read_only (it connected and was let in): undoing it may be needed. */
export function mayHaveSetReadOnly(sql: FenceResult): boolean {
  return sql.reason !== 'unreachable' && sql.reason !== 'access-denied';
}

/**
 * recovery.requireFenceBeforePromotion: why the promotion may not go ahead (null when it may). A
 * primary that is provably dead (connection refused on a host that answers) needs no fence; any
 * other needs the SQL fence or a fence hook that succeeded.
 */
export function requiredFenceProblem(record: FencingRecord, required: boolean): string | null {
  if (!required || isFenced(record) || record.sql.liveness === 'dead') return null;
  const hook = fenceHookStatus(record.hook);
  const hookText = hook === null ? 'no fence hook configured' : `fence hook ${hook}${fenceHookError(record.hook) ? `: ${fenceHookError(record.hook)}` : ''}`;
  return `${record.sql.instance} is not provably dead (${livenessText[record.sql.liveness]}) and was not fenced (SQL fence: ${record.sql.reason}; ${hookText})`;
}
