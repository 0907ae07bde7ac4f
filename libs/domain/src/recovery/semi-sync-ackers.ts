/**
 * Semi-sync and the replicas a recovery could not examine. A semi-sync primary acknowledged a
 * commit only once k replicas had received it (MySQL rpl_semi_sync_master_wait_for_slave_count;
 * MariaDB always waits for one). If at least k of its semi-sync replicas cannot be examined
 * (unreachable, or their drain failed), every acknowledgement of some commit may have come from
 * them: an acknowledged transaction may exist that no examined replica has, and promoting one of
 * those would lose it. With fewer than k unexamined, at least one replica that acknowledged each
 * commit is examined, and the planner already requires the candidate to hold everything an
 * examined replica holds.
 *
 * What is read: the failed primary's last snapshot (semi-sync master enabled AND its status ON:
 * a primary that had fallen back to asynchronous replication guaranteed nothing, its last
 * commits are covered by the loss report instead) and each direct replica's
 * rpl_semi_sync_slave_enabled as last seen.
 */
import { instanceId, type InstanceObservation } from '@baton/contracts';

export interface AckerRisk {
  /** an acknowledged transaction may exist on unexamined replicas only */
  readonly atRisk: boolean;
  /** acknowledgements each commit waited for (0 when the primary was not semi-sync) */
  readonly required: number;
  /** the semi-sync replicas that cannot be examined */
  readonly unexamined: readonly string[];
  readonly reason: string;
}

export function unexaminedAckerRisk(failed: InstanceObservation, replicas: readonly InstanceObservation[], examined: (r: InstanceObservation) => boolean): AckerRisk {
  const s = failed.semiSync;
  if (!s?.masterEnabled || !s.masterStatus) {
    const why = !s?.masterEnabled ? 'the failed primary was not semi-sync' : 'the failed primary had fallen back to asynchronous replication (semi-sync status OFF)';
    return { atRisk: false, required: 0, unexamined: [], reason: why };
  }
  const required = Math.max(1, s.masterWaitForReplicaCount);
  const semi = replicas.filter((r) => r.semiSync?.replicaEnabled === true);
  const unexamined = semi.filter((r) => !examined(r)).map(instanceId);
  const atRisk = unexamined.length >= required;
  const reason = atRisk
    ? `${unexamined.join(', ')} (${unexamined.length} semi-sync replica(s) not examined) could hold every acknowledgement of a commit (the primary waited for ${required}): an acknowledged transaction may be on them only`
    : `${semi.length - unexamined.length} of ${semi.length} semi-sync replicas examined; each commit waited for ${required} acknowledgement(s), so one of its acknowledgers is examined`;
  return { atRisk, required, unexamined, reason };
}
