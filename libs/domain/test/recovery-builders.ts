/**
 * Builders for the candidate-choice tests, on top of builders.ts. The failed primary is p1 (dead);
 * replicas are MariaDB replicas of it whose positions are set by seq number in domain 0.
 *
 *   const r = [replica('r1', P, seq(105)), replica('r2', P, seq(100), rule('prefer'))];
 *   const plan = okPlan(r);
 */
import assert from 'node:assert/strict';
import { instanceId, type InstanceKey, type InstanceObservation, type PromotionRule } from '@baton/contracts';
import { planPromotion, type PromotionInput, type PromotionPlan, type PromotionPlanFailed, type PromotionPlanOk } from '../src/index.ts';
import { NOW, PORT, dead, mysql, primary, replica, serverIdOf, set, type Mod } from './builders.ts';

export const reachability = { nowMs: NOW, windowMs: 2000 };
export const P_ID = serverIdOf('p1');
/** the failed MariaDB primary (its last reading: gtid_binlog_pos 0-P-100) */
export const P = primary('p1', dead);

export const key = (host: string): InstanceKey => ({ host, port: PORT });
export const keys = (...hosts: string[]): InstanceKey[] => hosts.map(key);

const gtid = (n: number, server: number) => `0-${server}-${n}`;

/** Applied (and received) up to seq n of domain 0, from server `server` (default: the failed primary). */
export const seq =
  (n: number, server = P_ID): Mod =>
  (i) => {
    if (!i.mariadbGtid || !i.replication) throw new Error(`${i.host} is not a MariaDB replica`);
    const pos = gtid(n, server);
    return { ...i, mariadbGtid: { ...i.mariadbGtid, slavePos: pos, currentPos: pos, binlogPos: pos }, replication: { ...i.replication, gtidIoPos: pos } };
  };

/** Received up to seq n (Gtid_IO_Pos) without applying it. */
export const received =
  (n: number, server = P_ID): Mod =>
  (i) => {
    if (!i.replication) throw new Error(`${i.host} does not replicate`);
    return { ...i, replication: { ...i.replication, gtidIoPos: gtid(n, server) } };
  };

export const rule = (r: PromotionRule): Mod => set({ promotionRule: r });
export const dc = (dataCenter: string, region = ''): Mod => set({ dataCenter, region });

// ---- MySQL --------------------------------------------------------------------------------------

export const UUID_P = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
export const uuidOf = (name: string) => `00000000-0000-0000-0000-${serverIdOf(name).toString(16).padStart(12, '0')}`;

export const MP = primary('p1', dead, mysql(`${UUID_P}:1-100`), set({ serverUuid: UUID_P }));

export function mysqlReplica(name: string, executed: string, ...mods: Mod[]): InstanceObservation {
  return replica(name, MP, mysql(executed), set({ serverUuid: uuidOf(name) }), (i) => ({ ...i, replication: i.replication && { ...i.replication, gtidIoPos: '' } }), ...mods);
}

export const mysqlSets =
  (over: { retrieved?: string; purged?: string }): Mod =>
  (i) => {
    if (!i.mysqlGtid) throw new Error(`${i.host} is not MySQL`);
    return { ...i, mysqlGtid: { ...i.mysqlGtid, ...over } };
  };

// ---- planning -----------------------------------------------------------------------------------

export function plan(replicas: readonly InstanceObservation[], over: Partial<PromotionInput> = {}): PromotionPlan {
  return planPromotion({ failed: P, replicas, policy: {}, reachability, ...over });
}

export function okPlan(replicas: readonly InstanceObservation[], over: Partial<PromotionInput> = {}): PromotionPlanOk {
  const p = plan(replicas, over);
  if (!p.ok) assert.fail(`expected a plan, got: ${p.reason}`);
  assertPartition(p, replicas);
  return p;
}

export function failedPlan(replicas: readonly InstanceObservation[], over: Partial<PromotionInput> = {}): PromotionPlanFailed {
  const p = plan(replicas, over);
  if (p.ok) assert.fail(`expected a failure, got candidate ${instanceId(p.candidate)}`);
  return p;
}

export const hostOf = (k: InstanceKey | undefined) => k?.host;
export const hostsOf = (ks: readonly { replica: InstanceKey }[] | readonly InstanceKey[]) =>
  ks.map((k) => ('replica' in k ? k.replica.host : k.host));

/** Every input replica is exactly one of candidate / moved / lost. */
export function assertPartition(p: PromotionPlanOk, replicas: readonly InstanceObservation[]): void {
  const placed = [instanceId(p.candidate), ...p.moves.map(instanceId), ...p.lost.map((l) => instanceId(l.replica))].sort();
  assert.deepEqual(placed, replicas.map((r) => instanceId(r)).sort(), 'every replica is exactly one of candidate / moved / lost');
}

export function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}
