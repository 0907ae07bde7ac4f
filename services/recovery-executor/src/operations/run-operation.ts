/**
 * Operator topology operations (orchestrator's relocate, relocate-replicas, move-up,
 * set-read-only, set-writeable, begin-maintenance, end-maintenance), from baton.commands:
 *
 *   1  once per requestId (processed key, set once the result is out: a command redelivered after
 *      this executor died mid-operation runs again — every operation is idempotent — and answers),
 *      audited as a trail of its own whose uid is the requestId: `operation-started`, then exactly
 *      one `operation-result` (events on baton.recovery-events AND recovery_steps rows; the api
 *      waits for the result event)
 *   2  maintenance: the Redis lock itself (SET NX with its TTL; DEL) — no server is touched
 *   3  the others never race a failover: refused while a recovery of the cluster runs or lies
 *      crashed (the takeover will finish it), then the cluster's recovery lock (the lease a recovery
 *      claims, renewed) is held for the whole operation — a recovery that starts meanwhile finds it
 *      held and is not attempted (its next analysis tries again once the lock is released); a lease
 *      lost (expired, or taken over) stops the operation before its next change to a server
 *   4  the executor's own probe of the cluster (the cached snapshot says who its members are),
 *      the maintenance locks, then refusals.ts decides
 *   5  relocation: unless the target is upstream of them, the moved instances stop replicating
 *      first (IO thread stopped, relay log applied: their positions no longer move) and the target
 *      waits, for all of them at once (bounded: InstanceBulkOperationsWaitTimeoutSeconds), until it
 *      has applied what each has — a MariaDB replica whose new source lacks its position stops with
 *      error 1236; one the target cannot catch up with replicates again from where it was; then
 *      repoint by GTID
 *      (@baton/mysql repoint: STOP SLAVE, CHANGE MASTER TO … MASTER_USE_GTID=slave_pos / auto-position,
 *      START SLAVE, both threads seen running)
 *   6  a second probe of the instances changed: the result carries their observations, so the api
 *      answers the Instance JSON as it is now, not as the analyzer's cache last saw it
 */
import { instanceId, type ClusterSnapshot, type Command, type InstanceKey, type InstanceObservation } from '@baton/contracts';
import { keyOf } from '@baton/domain';
import type { Logger } from '@baton/logging';
import { exists, formatMaintenanceValue, markProcessed, parseMaintenanceValue, type Keys } from '@baton/state';
import type { Redis } from 'ioredis';
import type { Audit, RecoveryTrail } from '../audit.ts';
import type { RecoveryState } from '../ports.ts';
import type { ExecutorSettings } from '../settings.ts';
import { moveUpTarget, readOnlyRefusal, relocateRefusal, relocateReplicasPlan, TopologyView, type OperationPolicy, type Refusal, type RefusalCode } from './refusals.ts';
import type { OperationServers, OperationSession } from './servers.ts';
import { prepareMove } from '../steps/move-below.ts';

export type OperationCommand = Extract<Command, { kind: 'relocate' | 'relocate-replicas' | 'move-up' | 'set-read-only' | 'set-writeable' | 'begin-maintenance' | 'end-maintenance' }>;
export type OperationKind = OperationCommand['kind'];

export const operationKinds: readonly OperationKind[] = ['relocate', 'relocate-replicas', 'move-up', 'set-read-only', 'set-writeable', 'begin-maintenance', 'end-maintenance'];

export const isOperationCommand = (c: Command): c is OperationCommand => (operationKinds as readonly string[]).includes(c.kind);

/** The audit step names an operation records (recovery events and recovery_steps rows). */
export const operationSteps = { started: 'operation-started', result: 'operation-result' } as const;

/** What the `operation-result` event's details hold (the api reads them by requestId). */
export interface OperationResultDetails {
  requestId: string;
  operation: OperationKind;
  ok: boolean;
  /** Set when refused before anything was changed. */
  refused: RefusalCode | null;
  /** The instances moved (relocate, relocate-replicas, move-up) or changed, `host:port`. */
  changed: string[];
  /** Instances not moved or changed, with why. */
  failed: Array<{ instance: string; error: string }>;
  /** Fresh observations of the instances named and changed (the api renders them). */
  instances: InstanceObservation[];
}

export interface OperationDeps {
  redis: Redis;
  keys: Keys;
  state: Pick<RecoveryState, 'runningRecovery' | 'acquireLease' | 'cachedSnapshot'>;
  servers: OperationServers;
  audit: Audit;
  logger: Logger;
  settings: Pick<ExecutorSettings, 'processedTtlMs' | 'bulkWaitTimeoutMs' | 'promotionPolicy'>;
  clock?: () => Date;
}

type Outcome = Omit<OperationResultDetails, 'requestId' | 'operation'> & { message: string; extra?: Record<string, unknown> };

class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.reason);
  }
}

const keyOfInstance = (o: InstanceKey): InstanceKey => ({ host: o.host, port: o.port });
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class TopologyOperations {
  readonly #d: OperationDeps;
  readonly #clock: () => Date;

  constructor(deps: OperationDeps) {
    this.#d = deps;
    this.#clock = deps.clock ?? (() => new Date());
  }

  /** Runs the operation once per requestId and publishes its result; never throws for a refusal or a failed change. */
  async run(command: OperationCommand, correlationId: string | undefined): Promise<void> {
    const { redis, keys, audit, logger } = this.#d;
    if (await exists(redis, keys.processed(`operation:${command.requestId}`))) {
      logger.info({ requestId: command.requestId, operation: command.kind }, 'operation request already handled');
      return;
    }
    const trail = audit.trail(command.clusterId, correlationId ?? command.requestId, command.requestId);
    const target = 'below' in command ? command.below : null;
    trail.step(operationSteps.started, 'started', `${command.kind} of ${instanceId(command.instance)}${target ? ` below ${instanceId(target)}` : ''} requested by ${command.requestedBy}`, {
      requestId: command.requestId,
      operation: command.kind,
      instance: instanceId(command.instance),
      below: target ? instanceId(target) : null,
      force: 'force' in command ? command.force : null,
      requestedBy: command.requestedBy,
    });
    let outcome: Outcome;
    try {
      outcome = await this.#perform(command, trail);
    } catch (error) {
      outcome =
        error instanceof Refused
          ? { ok: false, refused: error.refusal.code, changed: [], failed: [], instances: [], message: `${command.kind} refused: ${error.refusal.reason}` }
          : { ok: false, refused: null, changed: [], failed: [{ instance: instanceId(command.instance), error: errorText(error) }], instances: [], message: `${command.kind} failed: ${errorText(error)}` };
    }
    const { message, extra, ...rest } = outcome;
    const details: OperationResultDetails & Record<string, unknown> = { ...extra, requestId: command.requestId, operation: command.kind, ...rest };
    trail.step(operationSteps.result, outcome.ok ? 'succeeded' : outcome.refused ? 'skipped' : 'failed', message, details);
    logger.info({ requestId: command.requestId, operation: command.kind, ok: outcome.ok, refused: outcome.refused, changed: outcome.changed, failed: outcome.failed }, message);
    if (!(await trail.flush(5000))) logger.warn({ requestId: command.requestId, operation: command.kind }, 'the operation result is not yet published (the api may answer 504 though it took effect); it stays queued in the trail');
    await markProcessed(redis, keys, `operation:${command.requestId}`, this.#d.settings.processedTtlMs);
  }

  async #perform(c: OperationCommand, trail: RecoveryTrail): Promise<Outcome> {
    switch (c.kind) {
      case 'begin-maintenance':
        return this.#beginMaintenance(c);
      case 'end-maintenance':
        return this.#endMaintenance(c);
      default:
        return this.#locked(c.clusterId, (lockToken, guard) => this.#topologyOperation(c, trail, lockToken, guard));
    }
  }

  async #beginMaintenance(c: Extract<OperationCommand, { kind: 'begin-maintenance' }>): Promise<Outcome> {
    const { redis, keys } = this.#d;
    const now = this.#clock();
    const ttlMs = Date.parse(c.endsAt) - now.getTime();
    const id = instanceId(c.instance);
    if (!(ttlMs > 0)) throw new Refused({ code: 'already-in-maintenance', reason: `maintenance end ${c.endsAt} is not in the future` });
    const value = formatMaintenanceValue({ owner: c.owner, reason: c.reason, beginAt: now.toISOString(), endsAt: c.endsAt, requestId: c.requestId });
    const key = keys.maintenance(c.clusterId, id);
    const set = await redis.set(key, value, 'PX', Math.ceil(ttlMs), 'NX');
    if (set !== 'OK') {
      const held = parseMaintenanceValue(await redis.get(key), now);
      throw new Refused({ code: 'already-in-maintenance', reason: `${id} is already under maintenance${held ? ` (owner ${held.owner}: ${held.reason}, until ${held.endsAt})` : ''}` });
    }
    return { ok: true, refused: null, changed: [id], failed: [], instances: [], message: `maintenance begun on ${id} by ${c.owner} until ${c.endsAt}: ${c.reason}`, extra: { owner: c.owner, reason: c.reason, endsAt: c.endsAt } };
  }

  async #endMaintenance(c: Extract<OperationCommand, { kind: 'end-maintenance' }>): Promise<Outcome> {
    const id = instanceId(c.instance);
    const removed = await this.#d.redis.del(this.#d.keys.maintenance(c.clusterId, id));
    if (removed === 0) throw new Refused({ code: 'not-in-maintenance', reason: `${id} is not under maintenance` });
    return { ok: true, refused: null, changed: [id], failed: [], instances: [], message: `maintenance ended on ${id}` };
  }

  /** Refused while a recovery runs; else holds the cluster's recovery lock around `work`. */
  async #locked(clusterId: string, work: (lockToken: number, guard: () => void) => Promise<Outcome>): Promise<Outcome> {
    const { state } = this.#d;
    const running = await state.runningRecovery(clusterId, { includeCrashed: true });
    if (running) throw new Refused({ code: 'recovery-running', reason: `recovery ${running.uid} of ${clusterId} (of ${running.failed}) is running, or crashed and waiting for an executor to finish it; try again once it has resolved` });
    const lease = await state.acquireLease(clusterId);
    if (!lease) throw new Refused({ code: 'cluster-locked', reason: `the recovery lock of ${clusterId} is held (a recovery or another operation is in progress); try again` });
    const stopRenewing = lease.autoRenew();
    // before every change to a server: a lease lost (expired, or taken by a recovery's takeover) ends the operation
    const guard = (): void => {
      if (lease.lost.aborted) throw new Error(`the cluster lock of ${clusterId} was lost (${String(lease.lost.reason)}): stopped before changing anything more`);
    };
    try {
      return await work(lease.token, guard);
    } finally {
      stopRenewing();
      await lease.release().catch((error: unknown) => this.#d.logger.warn({ err: error, clusterId }, 'releasing the cluster lock after an operation failed'));
    }
  }

  async #topologyOperation(c: Exclude<OperationCommand, { kind: 'begin-maintenance' | 'end-maintenance' }>, trail: RecoveryTrail, lockToken: number, guard: () => void): Promise<Outcome> {
    const cached = await this.#d.state.cachedSnapshot(c.clusterId);
    if (!cached) throw new Refused({ code: 'unknown-instance', reason: `no recent snapshot of cluster ${c.clusterId}: its members are not known` });
    const session = this.#d.servers.open(c.clusterId);
    try {
      const previous = new Map(cached.instances.map((i) => [instanceId(i), i]));
      const members = new Map<string, InstanceKey>();
      for (const k of [...cached.instances, c.instance, ...('below' in c ? [c.below] : [])]) members.set(keyOf(k.host, k.port), keyOfInstance(k));
      const fresh = await session.refresh(cached.clusterAlias, [...members.values()], previous);
      const view = new TopologyView(fresh);
      const policy: OperationPolicy = {
        maintenance: await this.#maintenanceOf(c.clusterId, fresh),
        reasonableMaintenanceReplicationLagSeconds: this.#d.settings.promotionPolicy.reasonableMaintenanceReplicationLagSeconds,
      };
      trail.step('operation-checked', 'info', `cluster ${c.clusterId} probed (${fresh.instances.length} instances), cluster lock token ${lockToken}`, { lockToken, maintenance: [...policy.maintenance] });
      const reread = async (keys: readonly InstanceKey[]): Promise<InstanceObservation[]> => {
        const again = await session.refresh(cached.clusterAlias, [...members.values()], new Map(fresh.instances.map((i) => [instanceId(i), i])));
        const wanted = new Set(keys.map((k) => keyOf(k.host, k.port)));
        return again.instances.filter((i) => wanted.has(keyOf(i.host, i.port)));
      };
      switch (c.kind) {
        case 'relocate':
        case 'move-up': {
          let below: InstanceKey;
          if (c.kind === 'move-up') {
            const up = moveUpTarget(view, c.instance);
            if (!up.ok) throw new Refused(up.refusal);
            below = up.below;
          } else below = c.below;
          const refusal = relocateRefusal(view, c.instance, below, policy);
          if (refusal) throw new Refused(refusal);
          const [moved] = await this.#move(session, view, [c.instance], below, guard);
          const instances = await reread([c.instance]);
          const id = instanceId(c.instance);
          if (!moved?.ok) return { ok: false, refused: null, changed: [], failed: moved ? [moved] : [], instances, message: `${c.kind} of ${id} below ${instanceId(below)} failed: ${moved?.error ?? 'no result'}`, extra: { below: instanceId(below) } };
          return { ok: true, refused: null, changed: [id], failed: [], instances, message: `${id} relocated below ${instanceId(below)}`, extra: { below: instanceId(below) } };
        }
        case 'relocate-replicas': {
          const planned = relocateReplicasPlan(view, c.instance, c.below, policy);
          if (!planned.ok) throw new Refused(planned.refusal);
          const { move, refused } = planned.plan;
          const results = move.length > 0 ? await this.#move(session, view, move, c.below, guard) : [];
          const changed = results.filter((r) => r.ok).map((r) => r.instance);
          const failed = [...refused.map((r) => ({ instance: r.instance, error: r.refusal.reason })), ...results.filter((r) => !r.ok).map((r) => ({ instance: r.instance, error: r.error }))];
          const instances = await reread([...move, c.below]);
          const text = `${changed.length} of ${move.length + refused.length} replicas of ${instanceId(c.instance)} relocated below ${instanceId(c.below)}`;
          return {
            ok: failed.length === 0,
            // nothing was attempted and something was refused: a refusal, not a failure
            refused: failed.length > 0 && results.length === 0 ? ((refused[0] as { refusal: Refusal }).refusal.code) : null,
            changed,
            failed,
            instances,
            message: failed.length === 0 ? text : `${text}; not relocated: ${failed.map((f) => `${f.instance} (${f.error})`).join('; ')}`,
            extra: { below: instanceId(c.below) },
          };
        }
        case 'set-read-only':
        case 'set-writeable': {
          const readOnly = c.kind === 'set-read-only';
          const refusal = readOnlyRefusal(view, c.instance, readOnly, c.force, policy);
          if (refusal) throw new Refused(refusal);
          const id = instanceId(c.instance);
          const primary = view.isPrimary(c.instance);
          let verified: boolean;
          let facts: Record<string, unknown>;
          guard();
          if (readOnly) {
            const f = await session.setReadOnly(c.instance, primary);
            verified = f.fenced;
            facts = { fence: { reason: f.reason, readOnly: f.readOnly, killedConnections: f.killedConnections, error: f.error ?? null } };
          } else {
            const u = await session.setWriteable(c.instance);
            verified = u.verified;
            facts = { readOnlyAfter: u.readOnly };
          }
          const instances = await reread([c.instance]);
          const what = readOnly ? 'read_only=1' : 'read_only=0';
          const role = primary ? 'primary' : 'replica';
          if (!verified) return { ok: false, refused: null, changed: [], failed: [{ instance: id, error: `${what} did not take` }], instances, message: `${c.kind} of ${id} failed: ${what} not verified`, extra: { forced: c.force, role, ...facts } };
          return { ok: true, refused: null, changed: [id], failed: [], instances, message: `${what} set on ${id} (${role}${c.force ? ', forced' : ''})`, extra: { forced: c.force, role, ...facts } };
        }
      }
    } finally {
      await session.close();
    }
  }

  /**
   * Moves `instances` below `below`. Unless `below` is upstream of them, they stop replicating
   * first (drained: IO thread stopped, relay log applied, so their positions stand still) and
   * `below` applies what each holds, all within one bounded wait; one it cannot catch up with
   * replicates again from its old source and is not moved (steps/move-below.ts, shared with the
   * dead-intermediate recovery); then the repoint by GTID. The entries are in the order of `instances`.
   */
  async #move(
    session: OperationSession,
    view: TopologyView,
    instances: readonly InstanceKey[],
    below: InstanceKey,
    guard: () => void,
  ): Promise<Array<{ instance: string; ok: true } | { instance: string; ok: false; error: string }>> {
    const { ready, failed } = await prepareMove(session, instances, below, {
      isUpstream: (x) => view.isUpstreamOf(below, x),
      timeoutMs: this.#d.settings.bulkWaitTimeoutMs,
      guard,
      onRestartError: (error, notMoved) => this.#d.logger.warn({ err: error, instances: notMoved.map(instanceId) }, 'restarting replication of instances not relocated failed'),
    });
    guard();
    const repointed = ready.length > 0 ? await session.repoint(ready, below) : [];
    const byId = new Map(repointed.map((r) => [r.instance, r]));
    return instances.map((x) => {
      const id = instanceId(x);
      const why = failed.get(id);
      if (why !== undefined) return { instance: id, ok: false as const, error: why };
      const r = byId.get(id);
      if (!r) return { instance: id, ok: false as const, error: 'not repointed' };
      if (!r.ok) return { instance: id, ok: false as const, error: r.error.message };
      return r.result.running ? { instance: id, ok: true as const } : { instance: id, ok: false as const, error: `replication not running after the move (${r.result.outcome}): ${r.result.replication?.lastIoError || r.result.replication?.lastSqlError || 'no error reported'}` };
    });
  }

  /** `host:port` (lower-case host) of the snapshot's instances under maintenance. */
  async #maintenanceOf(clusterId: string, snapshot: ClusterSnapshot): Promise<Set<string>> {
    const { redis, keys } = this.#d;
    if (snapshot.instances.length === 0) return new Set();
    // one MGET: every key of a cluster hashes to its slot
    const values = await redis.mget(...snapshot.instances.map((i) => keys.maintenance(clusterId, instanceId(i))));
    const now = this.#clock();
    return new Set(snapshot.instances.filter((_, n) => parseMaintenanceValue(values[n] ?? null, now) !== null).map((i) => keyOf(i.host, i.port)));
  }
}
