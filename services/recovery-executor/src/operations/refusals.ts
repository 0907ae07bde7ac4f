/**
 * Whether a topology operation may touch the servers, decided on the executor's own fresh probe of
 * the cluster (pure: the snapshot, the maintenance locks and the policy in, a refusal or a plan out).
 * orchestrator's checks for relocate/move-up by GTID (moveInstanceBelowViaGTID, MoveUp) and for
 * set-read-only/set-writeable, plus what Baton adds:
 *
 *   relocate X below Y   X and Y in the cluster and answering; X a replica (the primary is not moved:
 *                        that is a failover); X replicating by GTID (MariaDB Using_Gtid Slave_Pos /
 *                        Current_Pos, MySQL auto-position) — file/position replication is refused, a
 *                        change of source by coordinates needs the source's equivalent coordinates,
 *                        which Baton does not compute; Y not X nor one of X's replicas, however deep
 *                        (a cycle); X can replicate from Y (libs/domain canReplicateFrom: log_bin,
 *                        log_slave_updates, flavour, versions, binlog format, server ids, SQL delay,
 *                        purged GTIDs); X not under maintenance
 *   relocate-replicas    each direct replica of X (but Y, when Y is one of them) checked as above;
 *                        the refused ones are named, the others moved
 *   move-up X            X's source S must be a replica itself; then relocate X below S's source
 *   set-read-only X      refused on the cluster's primary unless forced (it stops the cluster's writes:
 *                        a fence)
 *   set-writeable X      refused unless forced everywhere: on a replica it makes a second writer
 *                        (errant transactions, then a split brain at the next failover), on the
 *                        primary it may undo a fence Baton keeps on a demoted primary
 */
import { instanceId, type ClusterSnapshot, type InstanceKey, type InstanceObservation } from '@baton/contracts';
import { buildTopologyIndex, canReplicateFrom, hasNoSource, keyOf, usesMariadbGtid, usesOracleGtid, type CanReplicateOptions, type TopologyIndex } from '@baton/domain';

/** Why an operation was refused, for the api's status and the audit. */
export type RefusalCode =
  | 'unknown-instance'
  | 'not-answering'
  | 'maintenance'
  | 'not-replica'
  | 'not-gtid'
  | 'cycle'
  | 'cannot-replicate'
  | 'no-grandparent'
  | 'primary'
  | 'replica'
  | 'recovery-running'
  | 'cluster-locked'
  | 'already-in-maintenance'
  | 'not-in-maintenance';

export interface Refusal {
  code: RefusalCode;
  reason: string;
}

export interface OperationPolicy extends CanReplicateOptions {
  /** `host:port` (lower-case host) of every instance under maintenance. */
  maintenance: ReadonlySet<string>;
}

const refuse = (code: RefusalCode, reason: string): Refusal => ({ code, reason });
const k = (i: InstanceKey): string => keyOf(i.host, i.port);

/** The refreshed observation answered (a probe that failed keeps the previous facts, with lastError). */
export const answered = (o: InstanceObservation): boolean => o.lastError === null && o.lastSeenAt !== null;

export const usesGtid = (o: InstanceObservation): boolean => usesMariadbGtid(o) || usesOracleGtid(o);

export class TopologyView {
  readonly index: TopologyIndex;

  constructor(snapshot: ClusterSnapshot) {
    this.index = buildTopologyIndex(snapshot.instances);
  }

  find(key: InstanceKey): InstanceObservation | undefined {
    const n = this.index.indexByKey.get(k(key));
    return n === undefined ? undefined : this.index.instances[n];
  }

  /** The instance's source when it is in the snapshot (null: no source, or outside the snapshot). */
  sourceOf(key: InstanceKey): InstanceObservation | null {
    const n = this.index.indexByKey.get(k(key));
    const s = n === undefined ? -1 : (this.index.sourceIndex[n] as number);
    return s >= 0 ? (this.index.instances[s] as InstanceObservation) : null;
  }

  /** Direct replicas, in host:port order. */
  replicasOf(key: InstanceKey): InstanceObservation[] {
    const n = this.index.indexByKey.get(k(key));
    return n === undefined ? [] : (this.index.replicasOf[n] as number[]).map((r) => this.index.instances[r] as InstanceObservation);
  }

  /** Every instance replicating from `key`, however deep (a cycle is walked once). */
  descendantsOf(key: InstanceKey): Set<string> {
    const seen = new Set<string>();
    const queue = [k(key)];
    while (queue.length > 0) {
      const at = queue.shift() as string;
      const n = this.index.indexByKey.get(at);
      if (n === undefined) continue;
      for (const r of this.index.replicasOf[n] as number[]) {
        const rk = k(this.index.instances[r] as InstanceObservation);
        if (!seen.has(rk)) {
          seen.add(rk);
          queue.push(rk);
        }
      }
    }
    return seen;
  }

  /** `ancestor` is upstream of `key` (its source, its source's source, …). */
  isUpstreamOf(ancestor: InstanceKey, key: InstanceKey): boolean {
    return this.descendantsOf(ancestor).has(k(key));
  }

  /** The cluster's primary: the top-level instance (no source) with replicas, else the only one. */
  isPrimary(key: InstanceKey): boolean {
    const n = this.index.indexByKey.get(k(key));
    if (n === undefined) return false;
    const o = this.index.instances[n] as InstanceObservation;
    if (!hasNoSource(o.replication)) return false;
    return (this.index.replicasOf[n] as number[]).length > 0 || this.index.instances.length === 1;
  }
}

/** The instance the operation names, present and answering. */
function present(view: TopologyView, key: InstanceKey, role: string): InstanceObservation | Refusal {
  const o = view.find(key);
  if (!o) return refuse('unknown-instance', `${role} ${instanceId(key)} is not a member of the cluster`);
  if (!answered(o)) return refuse('not-answering', `${role} ${instanceId(key)} does not answer: ${o.lastError ?? 'never seen'}`);
  return o;
}

const isRefusal = (x: unknown): x is Refusal => typeof x === 'object' && x !== null && 'code' in x && 'reason' in x;

/** Why `instance` may not be moved below `below` (null: it may). */
export function relocateRefusal(view: TopologyView, instance: InstanceKey, below: InstanceKey, policy: OperationPolicy): Refusal | null {
  const x = present(view, instance, 'instance');
  if (isRefusal(x)) return x;
  const y = present(view, below, 'target');
  if (isRefusal(y)) return y;
  const xi = instanceId(x);
  const yi = instanceId(y);
  if (k(x) === k(y)) return refuse('cycle', `cannot relocate ${xi} below itself`);
  if (policy.maintenance.has(k(x))) return refuse('maintenance', `${xi} is under maintenance (begin-maintenance); end-maintenance first`);
  if (hasNoSource(x.replication)) return refuse('not-replica', `${xi} is not a replica: relocating the cluster's primary is a failover (graceful-master-takeover / force-master-failover)`);
  if (!usesGtid(x)) {
    return refuse(
      'not-gtid',
      `${xi} replicates by file/position (${x.flavour === 'mariadb' ? `Using_Gtid=${x.replication?.usingGtid ?? 'No'}` : 'no auto-position'}): Baton relocates by GTID only; switch it to GTID replication first (MariaDB: CHANGE MASTER TO MASTER_USE_GTID=slave_pos)`,
    );
  }
  if (view.descendantsOf(x).has(k(y))) return refuse('cycle', `${yi} replicates from ${xi}: relocating ${xi} below it would make a replication cycle`);
  const can = canReplicateFrom(x, y, policy);
  if (!can.ok) return refuse('cannot-replicate', `${xi} cannot replicate from ${yi}: ${can.reason}`);
  return null;
}

/** move-up: the instance's source's source, or why not. */
export function moveUpTarget(view: TopologyView, instance: InstanceKey): { ok: true; below: InstanceKey } | { ok: false; refusal: Refusal } {
  const x = present(view, instance, 'instance');
  if (isRefusal(x)) return { ok: false, refusal: x };
  const xi = instanceId(x);
  if (hasNoSource(x.replication)) return { ok: false, refusal: refuse('not-replica', `${xi} is not a replica: nothing to move up`) };
  const source = view.sourceOf(x);
  if (!source) return { ok: false, refusal: refuse('unknown-instance', `the source ${x.replication?.sourceHost}:${x.replication?.sourcePort} of ${xi} is not a member of the cluster`) };
  const grand = view.sourceOf(source);
  if (!grand || hasNoSource(source.replication)) {
    return { ok: false, refusal: refuse('no-grandparent', `the source ${instanceId(source)} of ${xi} is not a replica itself: ${xi} cannot move up`) };
  }
  return { ok: true, below: { host: grand.host, port: grand.port } };
}

export interface ReplicasPlan {
  /** Replicas that may be moved. */
  move: InstanceKey[];
  /** Replicas refused, with why. */
  refused: Array<{ instance: string; refusal: Refusal }>;
}

/** relocate-replicas: the target itself first (present, answering, not below one of the moved ones), then each replica. */
export function relocateReplicasPlan(view: TopologyView, instance: InstanceKey, below: InstanceKey, policy: OperationPolicy): { ok: true; plan: ReplicasPlan } | { ok: false; refusal: Refusal } {
  const x = present(view, instance, 'instance');
  if (isRefusal(x)) return { ok: false, refusal: x };
  const y = present(view, below, 'target');
  if (isRefusal(y)) return { ok: false, refusal: y };
  if (k(x) === k(y)) return { ok: false, refusal: refuse('cycle', `cannot relocate the replicas of ${instanceId(x)} below ${instanceId(x)} itself: they are there`) };
  const plan: ReplicasPlan = { move: [], refused: [] };
  for (const r of view.replicasOf(x)) {
    if (k(r) === k(y)) continue; // the target among them: its siblings go below it
    const refusal = relocateRefusal(view, r, y, policy);
    if (refusal) plan.refused.push({ instance: instanceId(r), refusal });
    else plan.move.push({ host: r.host, port: r.port });
  }
  return { ok: true, plan };
}

/** set-read-only (readOnly true) or set-writeable (false): null when allowed. */
export function readOnlyRefusal(view: TopologyView, instance: InstanceKey, readOnly: boolean, force: boolean, policy: Pick<OperationPolicy, 'maintenance'>): Refusal | null {
  const x = present(view, instance, 'instance');
  if (isRefusal(x)) return x;
  const xi = instanceId(x);
  if (policy.maintenance.has(k(x))) return refuse('maintenance', `${xi} is under maintenance (begin-maintenance); end-maintenance first`);
  if (force) return null;
  const primary = view.isPrimary(x);
  if (readOnly && primary) {
    return refuse('primary', `${xi} is the cluster's primary: read_only=1 stops the cluster's writes (a fence); add ?force=true to do it anyway`);
  }
  if (!readOnly && primary) {
    return refuse('primary', `${xi} is the cluster's primary: it may be read-only because it was fenced (a demoted primary, or another instance writable); check that no other instance of the cluster is writable, then add ?force=true`);
  }
  if (!readOnly) {
    return refuse('replica', `${xi} is a replica: a writable replica is a second writer (its writes are errant transactions, and a split brain at the next failover); add ?force=true to do it anyway`);
  }
  return null;
}
