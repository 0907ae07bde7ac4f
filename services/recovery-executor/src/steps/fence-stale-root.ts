/**
 * The response to MultipleWritableMasters: the cluster has two or more writable roots and this one
 * holds an older promotion epoch than the newest (an old primary that came back writable, or a
 * replica someone made writable by hand). It is fenced — never is anything promoted: read_only=1,
 * every client connection killed, MariaDB's global read lock held by the fence keeper, which keeps
 * it fenced (durably, in every executor) until it rejoins as a replica. Audited as
 * `stale-primary-fenced` (recovery event and step row).
 */
import { randomUUID } from 'node:crypto';
import { instanceId, type AnalysisEntry } from '@baton/contracts';
import type { Audit } from '../audit.ts';
import type { FenceKeeping, TopologyAccess } from '../ports.ts';

export interface FenceStaleRootDeps {
  topology: TopologyAccess;
  keeper: FenceKeeping;
  audit: Pick<Audit, 'event'>;
  /** A statement's budget: the instance answers (the analysis saw it writable). */
  timeoutMs: number;
}

export async function fenceStaleRoot(deps: FenceStaleRootDeps, clusterId: string, entry: AnalysisEntry, correlationId: string | undefined): Promise<boolean> {
  const target = { host: entry.instance.host, port: entry.instance.port };
  const id = instanceId(target);
  // a demoted primary this process keeps fenced: its keeper fences it (two fencers kill each other's sessions)
  if (deps.keeper.watches(clusterId, target)) return false;
  const uid = `fence-${randomUUID()}`;
  const session = deps.topology.open(clusterId);
  try {
    const result = await session.fence(target, { timeoutMs: deps.timeoutMs, hold: (held) => deps.keeper.adopt(clusterId, held) });
    if (result.fenced) await deps.keeper.persist({ clusterId, instance: target, recoveryUid: uid, epoch: null });
    else await deps.keeper.release(clusterId, target);
    deps.audit.event(
      clusterId,
      correlationId,
      'stale-primary-fenced',
      result.fenced ? 'succeeded' : 'failed',
      result.fenced
        ? `${id} is writable with an older promotion epoch than the cluster's newest: fenced (read_only=1, ${result.killedConnections} client connection(s) killed${result.readLockHeld ? ', global read lock held' : ''}); nothing promoted`
        : `${id} is writable with an older promotion epoch than the cluster's newest and could not be fenced: ${result.reason}${result.error ? `: ${result.error}` : ''}`,
      {
        instance: id,
        code: entry.code,
        fenceUid: uid,
        fenced: result.fenced,
        reason: result.reason,
        liveness: result.liveness,
        killedConnections: result.killedConnections,
        readLockHeld: result.readLockHeld,
        ...(result.error ? { error: result.error } : {}),
        elapsedMs: Math.round(result.elapsedMs),
      },
    );
    return result.fenced;
  } finally {
    await session.close();
  }
}
