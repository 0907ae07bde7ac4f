/**
 * Steps 9–11 of the recoveries made in place — nobody promoted, nothing fenced, nothing moved
 * (reference §2.7), on the same claimed, journaled, epoch-guarded path as the others:
 *
 *   semi-sync (LockedSemiSyncMaster; MasterWithTooManySemiSyncReplicas with
 *   EnforceExactSemiSyncReplicas): the plan of who acknowledges (planSemiSyncReplicas: healthy
 *   replicas in promotion order), the replica side switched on — then, exact only, off — with each
 *   one's IO thread restarted, and the primary's semi-sync clients counted until they reach its
 *   wait count (bounded). A primary that is merely slow never gets here: Locked needs its binlog
 *   position to have stood still for ReasonableLockedSemiSyncMasterSeconds (the analyzer's stale
 *   coordinates), and a primary with enough acknowledgers gets a plan with nothing to do.
 *
 *   non-writeable (NoWriteableMasterStructureWarning with RecoverNonWriteableMaster): never a
 *   demoted primary Baton keeps fenced, never while another member answers writable; then
 *   SET GLOBAL read_only = 0, read back.
 *
 * Both are resolved with the primary itself as the successor (as orchestrator), and their block is
 * given back at the end (recovery.ts): they promoted nobody, so there is no flapping to prevent,
 * and a block held for RecoveryPeriodBlockSeconds would stop a real failover of the cluster (W7).
 */
import { instanceId, type ClusterSnapshot, type InstanceKey } from '@baton/contracts';
import { planSemiSyncReplicas } from '@baton/domain';
import type { RecoveryTrail } from '../audit.ts';
import type { FenceKeeping, TopologySession } from '../ports.ts';
import type { ExecutorSettings } from '../settings.ts';
import { replicasOf } from './decisions.ts';

export interface InPlacePorts {
  session: TopologySession;
  trail: RecoveryTrail;
  settings: ExecutorSettings;
  keeper: FenceKeeping;
  clusterId: string;
  primary: InstanceKey;
  clock: () => Date;
  /** Before the first change: the term proven and the intent journaled. */
  guard: (what: string, intent: { step: string; data: Record<string, unknown> }) => Promise<void>;
}

/** What an in-place recovery came to: `ok` with the text of its resolution, or why not (and whether anything changed). */
export type InPlaceResult = { ok: true; text: string } | { ok: false; reason: string; touched: boolean; outcome: 'failed' | 'not-needed' };

const keyOf = (k: InstanceKey): InstanceKey => ({ host: k.host, port: k.port });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** How long the primary's acknowledgers are counted after the switches. */
const clientsWaitMs = 5000;

export async function recoverSemiSyncReplicas(p: InPlacePorts, snapshot: ClusterSnapshot): Promise<InPlaceResult> {
  const id = instanceId(p.primary);
  const primaryObs = snapshot.instances.find((i) => i.host === p.primary.host && i.port === p.primary.port);
  if (!primaryObs || primaryObs.lastError !== null) return { ok: false, reason: `${id} does not answer`, touched: false, outcome: 'failed' };
  const exact = p.settings.semiSyncRecovery.exact;
  const refreshedAtMs = Date.parse(snapshot.observedAt);
  const plan = planSemiSyncReplicas({
    primary: primaryObs,
    replicas: replicasOf(snapshot.instances, p.primary),
    exact,
    policy: p.settings.promotionPolicy,
    reachability: { nowMs: Number.isFinite(refreshedAtMs) ? refreshedAtMs : p.clock().getTime(), windowMs: p.settings.reachabilityWindowMs },
  });
  const names = (ks: readonly InstanceKey[]) => ks.map(instanceId);
  const nothing = plan.enable.length === 0 && plan.disable.length === 0;
  p.trail.step(
    'semi-sync-planned',
    plan.short > 0 ? 'failed' : 'succeeded',
    nothing
      ? plan.short > 0
        ? `no healthy replica of ${id} can acknowledge it (${plan.short} of ${plan.waitCount} missing)`
        : `${id} has its ${plan.waitCount} acknowledger(s): nothing to change`
      : `${id} waits for ${plan.waitCount} acknowledgement(s): semi-sync on ${names(plan.enable).join(', ') || 'none'}${plan.disable.length > 0 ? `, off on ${names(plan.disable).join(', ')}` : ''}${plan.short > 0 ? ` (still ${plan.short} short)` : ''}`,
    { waitCount: plan.waitCount, order: [...plan.order], acknowledging: [...plan.acknowledging], enable: names(plan.enable), disable: names(plan.disable), short: plan.short, exact },
  );
  if (nothing) {
    return plan.short > 0
      ? { ok: false, reason: `no healthy replica of ${id} can acknowledge it: ${plan.short} of ${plan.waitCount} acknowledger(s) missing`, touched: false, outcome: 'failed' }
      : { ok: false, reason: `${id} has enough semi-sync acknowledgers on the executor's own probes`, touched: false, outcome: 'not-needed' };
  }
  await p.guard('switch semi-sync replicas', { step: 'semi-sync-replicas', data: { enable: plan.enable.map(keyOf), disable: plan.disable.map(keyOf) } });
  const counted = async (): Promise<number | null> => {
    let n: number | null = null;
    const until = Date.now() + clientsWaitMs;
    for (;;) {
      n = await p.session.semiSyncClients(p.primary).catch(() => null);
      if ((n !== null && n >= plan.waitCount) || Date.now() >= until) return n;
      await sleep(50);
    }
  };
  // enables first, and the extras switched off only once the enabled ones acknowledge (every
  // enable done): the primary never has fewer acknowledgers than before
  const on = plan.enable.length > 0 ? await p.session.switchSemiSync(plan.enable, true) : [];
  let clients: number | null = await counted();
  const enabledAll = on.every((e) => e.ok);
  const off = plan.disable.length > 0 && enabledAll && clients !== null && clients >= plan.waitCount ? await p.session.switchSemiSync(plan.disable, false) : [];
  if (off.length > 0) clients = await counted();
  const failed = [...on, ...off].flatMap((e) => (e.ok ? [] : [{ instance: e.instance, error: e.error }]));
  const enough = clients !== null && clients >= plan.waitCount;
  p.trail.step('semi-sync-replicas', enough && failed.length === 0 ? 'succeeded' : 'failed', `${id} has ${clients ?? 'an unknown number of'} semi-sync client(s) of ${plan.waitCount} awaited`, {
    enabled: on.filter((e) => e.ok).map((e) => e.instance),
    disabled: off.filter((e) => e.ok).map((e) => e.instance),
    failed,
    clients,
    waitCount: plan.waitCount,
  });
  if (!enough) return { ok: false, reason: `${id} still has ${clients ?? 'an unknown number of'} semi-sync client(s) of ${plan.waitCount} after ${clientsWaitMs} ms${failed.length > 0 ? ` (${failed.map((f) => `${f.instance}: ${f.error}`).join('; ')})` : ''}`, touched: true, outcome: 'failed' };
  return { ok: true, text: `${id} acknowledged by ${clients} semi-sync replica(s) again${plan.enable.length > 0 ? ` (switched on: ${names(plan.enable).join(', ')})` : ''}${plan.disable.length > 0 ? ` (switched off: ${names(plan.disable).join(', ')})` : ''}` };
}

export async function makePrimaryWritable(p: InPlacePorts, snapshot: ClusterSnapshot): Promise<InPlaceResult> {
  const id = instanceId(p.primary);
  const obs = snapshot.instances.find((i) => i.host === p.primary.host && i.port === p.primary.port);
  if (!obs || obs.lastError !== null) return { ok: false, reason: `${id} does not answer`, touched: false, outcome: 'failed' };
  if (obs.readOnly === false) return { ok: false, reason: `${id} is writable already`, touched: false, outcome: 'not-needed' };
  if (await p.keeper.isDemoted(p.clusterId, p.primary)) {
    return { ok: false, reason: `${id} is a demoted primary Baton keeps fenced (a failover replaced it): it is never made writable`, touched: false, outcome: 'failed' };
  }
  const others = snapshot.instances.filter((i) => i.lastError === null && !(i.host === p.primary.host && i.port === p.primary.port)).map(keyOf);
  const writable = others.length === 0 ? [] : await p.session.writable(others, 500);
  if (writable.length > 0) return { ok: false, reason: `${writable.join(', ')} answers and is writable: ${id} is left read-only (never two writable primaries)`, touched: false, outcome: 'failed' };
  await p.guard('make the primary writable', { step: 'make-writable', data: { instance: keyOf(p.primary) } });
  const undone = await p.session.unfence(p.primary);
  p.trail.step('made-writable', undone.verified ? 'succeeded' : 'failed', undone.verified ? `${id} is writable (read_only=0)` : `${id} still reads read_only=${String(undone.readOnly)}`, {
    instance: id,
    readOnly: undone.readOnly,
    elapsedMs: Math.round(undone.elapsedMs),
  });
  return undone.verified ? { ok: true, text: `${id} made writable (read_only=0)` } : { ok: false, reason: `${id} still reads read_only=${String(undone.readOnly)}`, touched: true, outcome: 'failed' };
}
