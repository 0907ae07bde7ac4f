/**
 * The target of a planned switchover (graceful-master-takeover, -auto, force-master-takeover),
 * chosen and checked on the live topology before anything changes (reference §2.8 steps 1–3):
 *
 *   - the primary has at least one direct replica;
 *   - a designated replica must be one of them; without one, the only direct replica is taken,
 *     else -auto takes the best candidate of a dry-run candidate choice and the plain takeover
 *     refuses ("target instance not indicated");
 *   - graceful (not force): the target replicates (both threads running), its lag is known and
 *     within ReasonableMaintenanceReplicationLagSeconds, and so is its configured SQL delay;
 *   - the target passes every check a dead-primary promotion applies to a requested candidate
 *     (promotion rule must_not, PromotionIgnoreHostnameFilters, log_bin and log_slave_updates,
 *     major version and binlog format, geography): the same planPromotion, run dry, so a takeover
 *     never promotes a replica a failover would refuse. It runs on the replicas as they will be
 *     once the fenced primary's final position is applied (caughtUp): on a live cluster under
 *     writes they are always a few transactions apart, and completeness is what the switchover's
 *     own sync provides (the lag bound says how long that may take), not a reason to refuse.
 *
 * Pure; the executor runs it on its own probes, the api on the cached snapshot (for an early answer).
 */
import { instanceId, type InstanceKey, type InstanceObservation } from '@baton/contracts';
import { formatGtidSet, gtidUnion, tryParseGtidSet } from '../gtid/mysql-gtid-set.ts';
import { planPromotion } from './plan-promotion.ts';
import type { RankedReplica, Reachability } from './promotion-plan.ts';
import { resolvePromotionPolicy, type PromotionPolicyInput } from './promotion-policy.ts';

export type TakeoverMode = 'graceful' | 'graceful-auto' | 'force';

export interface TakeoverTargetInput {
  /** The live primary being switched away from. */
  readonly primary: InstanceObservation;
  /** Its direct replicas as observed now. */
  readonly replicas: readonly InstanceObservation[];
  /** The replica the operator named, if any. */
  readonly designated: InstanceKey | null;
  readonly mode: TakeoverMode;
  readonly policy: PromotionPolicyInput;
  readonly reachability: Reachability;
}

export type TakeoverTarget =
  | { readonly ok: true; readonly target: InstanceKey; readonly how: 'designated' | 'only-replica' | 'best-candidate'; readonly lagSeconds: number | null; readonly ranking: readonly RankedReplica[] }
  | { readonly ok: false; readonly reason: string; readonly ranking: readonly RankedReplica[] };

/** Host names compare without case, as the replicas' configured sources do (replicasOf). */
const sameKey = (a: InstanceKey, b: InstanceKey): boolean => a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port;

/**
 * A direct replica as it will be once it applied everything `primary` has now: the primary's
 * position received and applied (what the replica's own server wrote — errant transactions — is
 * kept), its relay log applied. Everything else (rules, versions, lag) as observed.
 */
export function caughtUp(replica: InstanceObservation, primary: InstanceObservation): InstanceObservation {
  const r = replica.replication && { ...replica.replication, ...(replica.replication.readCoordinates ? { execCoordinates: replica.replication.readCoordinates } : {}) };
  if (replica.mariadbGtid && primary.mariadbGtid) {
    const pos = primary.mariadbGtid.binlogPos;
    return { ...replica, mariadbGtid: { ...replica.mariadbGtid, slavePos: pos }, replication: r && { ...r, gtidIoPos: pos } };
  }
  if (replica.mysqlGtid && primary.mysqlGtid) {
    const own = tryParseGtidSet(replica.mysqlGtid.executed);
    const theirs = tryParseGtidSet(primary.mysqlGtid.executed);
    const executed = own && theirs ? formatGtidSet(gtidUnion(own, theirs)) : replica.mysqlGtid.executed;
    return { ...replica, mysqlGtid: { ...replica.mysqlGtid, executed, retrieved: '' }, replication: r && { ...r, gtidIoPos: '' } };
  }
  return { ...replica, replication: r };
}

export function chooseTakeoverTarget(input: TakeoverTargetInput): TakeoverTarget {
  const p = instanceId(input.primary);
  const { replicas } = input;
  const refuse = (reason: string, ranking: readonly RankedReplica[] = []): TakeoverTarget => ({ ok: false, reason, ranking });
  if (replicas.length === 0) return refuse(`${p} has no direct replica to take over`);
  const names = replicas.map(instanceId).join(', ');

  let target: InstanceKey | null = null;
  let how: 'designated' | 'only-replica' | 'best-candidate';
  if (input.designated) {
    const d = input.designated;
    const found = replicas.find((r) => sameKey(r, d));
    if (!found) return refuse(`${instanceId(d)} must be directly replicating from the primary ${p} (its direct replicas: ${names})`);
    target = { host: found.host, port: found.port };
    how = 'designated';
  } else if (replicas.length === 1) {
    target = replicas[0] as InstanceObservation;
    how = 'only-replica';
  } else if (input.mode === 'graceful-auto') {
    how = 'best-candidate';
  } else {
    return refuse(`target instance not indicated: ${p} has ${replicas.length} direct replicas (${names}); name one, or use graceful-master-takeover-auto`);
  }

  const dry = planPromotion({
    failed: input.primary,
    replicas: replicas.map((r) => caughtUp(r, input.primary)),
    policy: input.policy,
    reachability: input.reachability,
    ...(target ? { requestedCandidate: target } : {}),
  });
  const ranking = dry.ok ? dry.ranking : dry.details.ranking;
  if (!dry.ok) return refuse(target ? dry.reason : `no replica of ${p} can be promoted: ${dry.reason}`, ranking);
  const chosen = replicas.find((r) => sameKey(r, dry.candidate)) as InstanceObservation;
  const id = instanceId(chosen);
  const lag = chosen.replication?.secondsBehindSource ?? null;
  if (input.mode !== 'force') {
    const maxLag = resolvePromotionPolicy(input.policy).reasonableMaintenanceReplicationLagSeconds;
    const r = chosen.replication;
    if (!r || r.ioThread !== 'Yes' || r.sqlThread !== 'Yes') return refuse(`${id} is not replicating (IO thread ${r?.ioThread ?? 'none'}, SQL thread ${r?.sqlThread ?? 'none'})`, ranking);
    if (lag === null) return refuse(`${id}'s replication lag is unknown`, ranking);
    if (lag > maxLag) return refuse(`${id} lags ${lag} s behind ${p}, beyond ReasonableMaintenanceReplicationLagSeconds (${maxLag} s)`, ranking);
    if (r.sqlDelaySeconds > maxLag) return refuse(`${id} is a delayed replica (SQL delay ${r.sqlDelaySeconds} s, beyond ReasonableMaintenanceReplicationLagSeconds ${maxLag} s)`, ranking);
  }
  return { ok: true, target: { host: chosen.host, port: chosen.port }, how, lagSeconds: lag, ranking };
}
