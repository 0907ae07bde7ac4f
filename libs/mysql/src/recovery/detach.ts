/**
 * Orchestrator's reversible detach (orchestrator-behaviour §2.5 step 6, DetachLostReplicasAfterMasterFailover):
 * a replica that was not moved under the new primary (lost: ahead of it, or its move failed)
 * gets its source host prefixed with '//', so its IO thread stops trying the dead primary — which
 * could come back and feed it transactions nobody else has. Coordinates and credentials stay;
 * `reattachReplica` strips the prefix again.
 *
 *   STOP SLAVE; SHOW [ALL] SLAVE[S] STATUS; CHANGE MASTER TO MASTER_HOST = '//<host>'
 *
 * Replication is left stopped. A replica that is already detached is left as it is
 * (`alreadyDetached`); an instance without replication throws BATON_RECOVERY_INVALID_ARGUMENT.
 */
import { performance } from 'node:perf_hooks';
import type { InstanceConnection } from '../instance-connection.ts';
import { changeHostSql, dialectOf } from './dialect.ts';
import { readReplicaStatus } from './replica-state.ts';
import { invalidArgument, runStatement, type RecoveryStep } from './step-error.ts';

export const detachedHostPrefix = '//';

export interface DetachOptions {
  statementTimeoutMs?: number;
}

export interface DetachResult {
  instance: string;
  /** The source host before ('//...' when it was already detached). */
  oldHost: string;
  /** The source host now. */
  newHost: string;
  /** Nothing was changed: the host already carried the prefix. */
  alreadyDetached: boolean;
  elapsedMs: number;
}

export function detachedHost(host: string): string {
  return host.startsWith(detachedHostPrefix) ? host : `${detachedHostPrefix}${host}`;
}

export function attachedHost(host: string): string {
  return host.startsWith(detachedHostPrefix) ? host.slice(detachedHostPrefix.length) : host;
}

export async function detachReplica(conn: InstanceConnection, options: DetachOptions = {}): Promise<DetachResult> {
  return rewriteHost(conn, 'detach', options, detachedHost);
}

/** Undoes detachReplica (strips the '//' prefix) and starts replication when `start` is true (default). */
export async function reattachReplica(conn: InstanceConnection, options: DetachOptions & { start?: boolean } = {}): Promise<DetachResult> {
  const result = await rewriteHost(conn, 'reattach', options, attachedHost);
  if (options.start !== false) {
    const d = await dialectOf(conn, 'reattach');
    const q = options.statementTimeoutMs === undefined ? {} : { timeoutMs: options.statementTimeoutMs };
    await runStatement(conn, 'reattach', d.startReplica, () => conn.exec(d.startReplica, [], q));
  }
  return result;
}

async function rewriteHost(conn: InstanceConnection, step: RecoveryStep, options: DetachOptions, rewrite: (host: string) => string): Promise<DetachResult> {
  const started = performance.now();
  const q = options.statementTimeoutMs === undefined ? {} : { timeoutMs: options.statementTimeoutMs };
  const d = await dialectOf(conn, step);
  await runStatement(conn, step, d.stopReplica, () => conn.exec(d.stopReplica, [], q));
  const { state } = await readReplicaStatus(conn, d, step);
  if (!state || !state.sourceHost) throw invalidArgument(step, conn.instance, 'the instance has no replication source configured');
  const oldHost = state.sourceHost;
  const newHost = rewrite(oldHost);
  if (newHost !== oldHost) {
    const sql = changeHostSql(d);
    await runStatement(conn, step, d.changeSource, () => conn.exec(sql, [newHost], q));
  }
  return {
    instance: conn.instance,
    oldHost,
    newHost,
    alreadyDetached: step === 'detach' && newHost === oldHost,
    elapsedMs: performance.now() - started,
  };
}
