/**
 * Snapshot assembly (pure): every instance the cluster has tried at least once, in host/port
 * order, as the probers last saw it. An instance learnt during this run and not tried yet is left
 * out until its first probe (it would otherwise look like an instance that never answered).
 */
import type { ClusterSnapshot, InstanceObservation } from '@baton/contracts';
import type { RunReason } from './run-queue.ts';

export interface SnapshotInput {
  clusterId: string;
  alias: string;
  detectorId: string;
  sequence: number;
  reason: RunReason;
  pollIntervalMs: number;
  observedAt: Date;
  observations: readonly InstanceObservation[];
}

const byHostPort = (a: InstanceObservation, b: InstanceObservation): number =>
  a.host < b.host ? -1 : a.host > b.host ? 1 : a.port - b.port;

export function buildSnapshot(input: SnapshotInput): ClusterSnapshot {
  return {
    clusterId: input.clusterId,
    clusterAlias: input.alias,
    observedAt: input.observedAt.toISOString(),
    detectorId: input.detectorId,
    sequence: input.sequence,
    reason: input.reason,
    pollIntervalMs: input.pollIntervalMs,
    instances: input.observations.filter((o) => o.lastAttemptedAt !== null).sort(byHostPort),
  };
}
