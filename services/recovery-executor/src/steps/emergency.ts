/**
 * Step 2, emergency operations (reference §1.5) for one analysed row, from emergencyOperationsFor:
 *   probe-instance            nothing here: the analyzer already asked the detector (throttled by
 *                             the emergent-read key); asking twice would only double the probes
 *   begin-grace-period +      UnreachableMaster(…)WithLaggingReplicas: when the analysed
 *   restart-io-thread         instance's restart throttle is free, open its grace period (a
 *                             dead-primary code maps to the no-op while it lives) and restart the IO
 *                             thread of each lagging replica whose own throttle is free. MariaDB-GTID
 *                             replicas are skipped, as orchestrator does (they need the cached
 *                             snapshot to be told apart; without it every replica is restarted)
 *   record-stale-coordinates  nothing: the analyzer tracks stale coordinates on every snapshot
 * The restarts run in the background (orchestrator: goroutines); the grace key is set before this
 * returns, so the next analysis of the instance already sees it.
 */
import { instanceId, type AnalysisEntry, type ClusterSnapshot, type InstanceKey } from '@baton/contracts';
import { emergencyOperationsFor } from '@baton/domain';
import type { Logger } from '@baton/logging';
import type { RecoveryState, TopologyAccess } from '../ports.ts';

export interface EmergencyDeps {
  state: RecoveryState;
  topology: TopologyAccess;
  logger: Logger;
  /** Starts background work (tracked for shutdown). */
  background: (what: string, work: () => Promise<void>) => void;
}

export interface EmergencyOutcome {
  gracePeriodOpened: boolean;
  restarting: InstanceKey[];
}

const needsSnapshot = new Set(['UnreachableMasterWithLaggingReplicas', 'UnreachableIntermediateMasterWithLaggingReplicas']);

export function needsCachedSnapshot(code: string): boolean {
  return needsSnapshot.has(code);
}

export async function runEmergencyOperations(clusterId: string, entry: AnalysisEntry, snapshot: ClusterSnapshot | null, deps: EmergencyDeps): Promise<EmergencyOutcome> {
  const ops = emergencyOperationsFor(entry, snapshot ?? undefined, { skipMariadbGtidReplicas: true });
  const grace = ops.find((op) => op.kind === 'begin-grace-period');
  const outcome: EmergencyOutcome = { gracePeriodOpened: false, restarting: [] };
  if (!grace) return outcome;
  const primary = instanceId(grace.instance);
  if (!(await deps.state.takeIoRestartSlot(clusterId, 'primary', primary))) return outcome;
  await deps.state.openGracePeriod(clusterId, primary);
  outcome.gracePeriodOpened = true;
  for (const op of ops) {
    if (op.kind !== 'restart-io-thread') continue;
    if (!(await deps.state.takeIoRestartSlot(clusterId, 'replica', instanceId(op.instance)))) continue;
    outcome.restarting.push(op.instance);
    deps.background('io-thread restart', async () => {
      try {
        await deps.topology.restartIoThread(op.instance);
        deps.logger.info({ clusterId, primary, replica: instanceId(op.instance), reason: op.reason }, 'io thread restarted');
      } catch (error) {
        deps.logger.warn({ clusterId, primary, replica: instanceId(op.instance), err: error }, 'io thread restart failed');
      }
    });
  }
  return outcome;
}
