/**
 * Freshness, exactly as orchestrator keeps it (reference §0), as pure functions of the previous
 * observation, what the probe learnt and the clock:
 *   attempt start  lastAttemptedAt := now (so a hung probe shows lastAttemptedAt > lastSeenAt)
 *   success        lastSeenAt := lastCheckedAt := lastAttemptedAt := now, partial success true,
 *                  lastError null, every fact replaced by what was read
 *   failure        lastCheckedAt := lastAttemptedAt := now, lastSeenAt unchanged, partial success :=
 *                  "the identity query answered", lastError set; every fact of the previous
 *                  observation kept (the analyzer still knows the last source, GTIDs, replicas…)
 * Times never go backwards for one instance, and a failure is always stamped after the last
 * success (so "lastCheckedAt > lastSeenAt" holds even within one millisecond or after a clock step).
 */
import type { InstanceObservation, PromotionRule } from '@baton/contracts';
import type { Location } from './location.ts';
import { isCoMasterOf, type InstanceFacts } from './map-probe-rows.ts';

/** What the detector knows from elsewhere (Redis): applied to every observation when given. */
export interface InstanceAnnotations {
  promotionRule?: PromotionRule;
  downtime?: InstanceObservation['downtime'];
}

const ms = (t: string | null): number => (t === null ? Number.NEGATIVE_INFINITY : Date.parse(t));

function latest(o: InstanceObservation): number {
  return Math.max(ms(o.lastSeenAt), ms(o.lastCheckedAt), ms(o.lastAttemptedAt));
}

function stamp(previous: InstanceObservation, now: Date, after: number = latest(previous)): string {
  return new Date(Math.max(now.getTime(), after)).toISOString();
}

function annotate(o: InstanceObservation, annotations: InstanceAnnotations | undefined): InstanceObservation {
  if (!annotations) return o;
  return {
    ...o,
    ...(annotations.promotionRule !== undefined ? { promotionRule: annotations.promotionRule } : {}),
    ...(annotations.downtime !== undefined ? { downtime: annotations.downtime } : {}),
  };
}

export function attemptStarted(previous: InstanceObservation, now: Date): InstanceObservation {
  return { ...previous, lastAttemptedAt: stamp(previous, now) };
}

export function probeSucceeded(
  previous: InstanceObservation,
  facts: InstanceFacts,
  extras: { location: Location; annotations?: InstanceAnnotations },
  now: Date,
): InstanceObservation {
  const at = stamp(previous, now);
  return annotate(
    {
      ...previous,
      lastSeenAt: at,
      lastCheckedAt: at,
      lastAttemptedAt: at,
      lastCheckPartialSuccess: true,
      lastError: null,
      serverId: facts.serverId,
      serverUuid: facts.serverUuid,
      version: facts.version,
      flavour: facts.flavour,
      readOnly: facts.readOnly,
      superReadOnly: facts.superReadOnly,
      logBin: facts.logBin,
      logSlaveUpdates: facts.logSlaveUpdates,
      binlogFormat: facts.binlogFormat,
      binlogCoordinates: facts.binlogCoordinates,
      replication: facts.replication,
      mariadbGtid: facts.mariadbGtid,
      mysqlGtid: facts.mysqlGtid,
      semiSync: facts.semiSync,
      connectedReplicas: facts.connectedReplicas,
      ...extras.location,
      isCoMaster: isCoMasterOf(facts),
      isBinlogServer: facts.isBinlogServer,
      promotionEpoch: facts.promotionEpoch,
    },
    extras.annotations,
  );
}

export function probeFailed(
  previous: InstanceObservation,
  failure: { error: string; partialSuccess: boolean; annotations?: InstanceAnnotations },
  now: Date,
): InstanceObservation {
  const at = stamp(previous, now, Math.max(latest(previous), ms(previous.lastSeenAt) + 1));
  return annotate(
    { ...previous, lastCheckedAt: at, lastAttemptedAt: at, lastCheckPartialSuccess: failure.partialSuccess, lastError: failure.error },
    failure.annotations,
  );
}
