/**
 * Rejoin of a returned old primary (recovery.rejoinOldPrimary, default on). When a failed-over
 * primary answers again read-only (the fence keeper fenced it), Baton re-attaches it as a replica of
 * the cluster's current primary if, and only if, its GTID state proves it holds nothing the new
 * primary lacks:
 *
 *   - what it holds is read on the keeper's connection as the loss watcher reads a returning member
 *     (loss-watch.ts readHolding) and recorded into its recovery's lost-transaction report
 *     (LossWatcher.examine: the same compare-and-swap and `loss-report-updated` step) before
 *     anything changes. What it has that the new primary lacks is the report's own arithmetic
 *     (@baton/domain gtidsBeyond) against the report's base, the successor's position at its
 *     promotion — not the successor's position today, which its own writes moved on;
 *   - the current primary is the latest cached snapshot's writable root with the newest promotion
 *     epoch (not blindly the recovery's successor: it may have failed since), re-checked by a probe
 *     (read_only=0, no source), whose position must cover the old primary's too;
 *   - nothing extra: the keeper's global read lock lifted, CHANGE MASTER TO the current primary with
 *     MASTER_USE_GTID = current_pos (a former primary's gtid_slave_pos is empty or stale, its own
 *     transactions are in its binlog; setting gtid_slave_pos would also wait on the read lock),
 *     START SLAVE, both threads seen running; read_only stays 1; the downtime the recovery put on
 *     it ended; `old-primary-rejoined`;
 *   - extra transactions, or anything Baton cannot prove: it stays fenced and detached;
 *     `old-primary-not-rejoined` names the GTIDs (they are in the loss report too) and how to
 *     reinstate it.
 *
 * Only once its recovery ended with a successor, and not after force-master-failover (which leaves
 * the old primary as it is); a switchover re-attaches its old primary itself, and this retries it
 * when that failed.
 * Executors deciding on one instance at once are serialised by a user lock on the instance itself
 * (GET_LOCK); the one that does not get it asks again later, by when the instance replicates and
 * its watch ends.
 */
import { performance } from 'node:perf_hooks';
import { instanceId, parseInstanceId, type ClusterSnapshot, type InstanceKey } from '@baton/contracts';
import { gtidsBeyond, hasNoSource, writableRootsOf, type LossReport } from '@baton/domain';
import type { Logger } from '@baton/logging';
import { connectInstance, holdReadLock, repoint, type InstanceConnection, type InstanceConnectOptions, type Queryable } from '@baton/mysql';
import type { Audit } from './audit.ts';
import type { DemotedPrimary, RejoinAttempt, RejoinPort } from './fence-keeper.ts';
import { readHolding } from './loss-watch.ts';
import { switchoverModeOf } from './steps/decisions.ts';

/** The recovery that demoted it, as its recoveries row says. */
export type DemotingRecovery =
  /** no recovery row: a stale writable root Baton fenced (fence-stale-root.ts), not a failover */
  | { state: 'none' }
  | { state: 'running' }
  | { state: 'ended'; successor: boolean; commandHint: string };

export interface RejoinFacts {
  enabled: boolean;
  /** host:port of the old primary */
  member: string;
  /** what it holds now (readHolding); null when not readable */
  position: string | null;
  recovery: DemotingRecovery;
  /** another recovery of its cluster still running (a later failover, a switchover): its uid */
  clusterRecoveryRunning?: string | null;
  /** its recovery's loss report, with it examined */
  report: LossReport | null;
  /** the cluster's current primary, probed writable; null when none answers */
  primary: { id: string; position: string | null } | null;
}

export type KeepReason = 'disabled' | 'no-recovery' | 'command-hint' | 'no-loss-report' | 'extra-transactions' | 'primary-lacks';
export type WaitReason = 'recovery-running' | 'cluster-recovery-running' | 'no-successor' | 'position-unknown' | 'report-pending' | 'no-current-primary' | 'primary-position-unknown';

export type RejoinDecision =
  | { action: 'rejoin'; source: string }
  | { action: 'keep'; reason: KeepReason; extra: string; count: number | null; detail: string }
  | { action: 'wait'; reason: WaitReason; detail: string };

const keep = (reason: KeepReason, detail: string, extra = '', count: number | null = null): RejoinDecision => ({ action: 'keep', reason, extra, count, detail });
const wait = (reason: WaitReason, detail: string): RejoinDecision => ({ action: 'wait', reason, detail });

/**
 * A failover's old primary may rejoin, and so may a switchover's (it re-attaches it itself; this
 * is the retry when that failed); force-master-failover's is left as that command leaves it.
 */
const rejoinsAfter = (commandHint: string): boolean => commandHint === '' || switchoverModeOf(commandHint) !== null;

/** Rejoin, keep fenced (for this watch), or ask again later. */
export function decideRejoin(f: RejoinFacts): RejoinDecision {
  if (!f.enabled) return keep('disabled', 'recovery.rejoinOldPrimary is off');
  if (f.recovery.state === 'none') return keep('no-recovery', 'no failover demoted it (a stale writable root Baton fenced): no loss report says what it holds is on the primary');
  if (f.recovery.state === 'running') return wait('recovery-running', 'its recovery is still running');
  // the current primary may be the one being replaced: nothing is decided until that recovery ends
  if (f.clusterRecoveryRunning) return wait('cluster-recovery-running', `recovery ${f.clusterRecoveryRunning} of its cluster is running`);
  if (!f.recovery.successor) return wait('no-successor', 'its recovery promoted nobody');
  if (!rejoinsAfter(f.recovery.commandHint)) return keep('command-hint', `its recovery ran as ${f.recovery.commandHint}: the old primary is left as that command leaves it`);
  if (f.position === null) return wait('position-unknown', 'its GTID position could not be read');
  if (!f.report) return keep('no-loss-report', 'its recovery has no lost-transaction report to compare it with');
  if (f.report.pending.includes(f.member)) return wait('report-pending', 'its position is not in the loss report yet');
  const entry = f.report.entries.find((e) => e.member === f.member);
  if (entry && entry.missing !== '') return keep('extra-transactions', `it has ${entry.missing}, which the new primary lacks`, entry.missing, entry.count);
  const now = gtidsBeyond(f.report.flavour, f.report.base, f.position);
  if (now.missing !== '') return keep('extra-transactions', `it has ${now.missing}, which the new primary lacks`, now.missing, now.count);
  if (!f.primary || f.primary.id === f.member) return wait('no-current-primary', 'no writable primary of the cluster answers');
  if (f.primary.position === null) return wait('primary-position-unknown', `the GTID position of ${f.primary.id} could not be read`);
  const lacks = gtidsBeyond(f.report.flavour, f.primary.position, f.position);
  if (lacks.missing !== '') return keep('primary-lacks', `the current primary ${f.primary.id} lacks ${lacks.missing}`, lacks.missing, lacks.count);
  return { action: 'rejoin', source: f.primary.id };
}

/** The cluster's writable roots in `snapshot` other than `except`, newest promotion epoch first, none older than `epoch`. */
export function primaryCandidates(snapshot: ClusterSnapshot, except: InstanceKey, epoch: number | null): InstanceKey[] {
  const others = snapshot.instances.filter((i) => !(i.host === except.host && i.port === except.port));
  return writableRootsOf(others, others.map((i) => i.lastError === null))
    .filter((r) => epoch === null || r.promotionEpoch === null || r.promotionEpoch >= epoch)
    .map((r) => r.key);
}

/** What the operator can do with an old primary Baton will not re-attach. */
export function reinstateInstructions(member: string, extra: string, primary: string | null): string {
  const p = primary ?? 'the current primary';
  const what = extra === '' ? 'what it alone may hold' : extra;
  return (
    `to reinstate ${member}, choose: (1) discard ${what}: rebuild it from a healthy replica of ${p} (re-clone), then start it as a replica; ` +
    `or (2) keep it: replay ${what} on ${p} from ${member}'s binlog (mysqlbinlog, reviewed by hand), then rebuild ${member} as in (1). ` +
    'Until then Baton keeps it fenced (read-only, global read lock) and detached'
  );
}

export interface OldPrimaryRejoinOptions {
  db: Queryable;
  audit: Pick<Audit, 'event'>;
  logger: Logger;
  user: string;
  password: string;
  replicationUser: string;
  replicationPassword: string;
  lossReports: { examine(uid: string, member: string, position: string | null, readOnly: boolean): Promise<LossReport | null> };
  /** The cluster's latest cached snapshot. */
  snapshot(clusterId: string): Promise<ClusterSnapshot | null>;
  /** Ends the downtime a recovery put on the instance (not an operator's); true when one was ended. */
  endDowntime(clusterId: string, instance: string): Promise<boolean>;
  /** Bound of the wait for both replication threads. Default 5000 ms. */
  repointTimeoutMs?: number;
  connect?: (options: InstanceConnectOptions) => Promise<InstanceConnection>;
}

const lockName = 'baton_rejoin_old_primary';

export class OldPrimaryRejoin implements RejoinPort {
  readonly #o: OldPrimaryRejoinOptions;
  /** The last wait reason logged per instance (each change is logged once). */
  readonly #waits = new Map<string, string>();

  constructor(options: OldPrimaryRejoinOptions) {
    this.#o = options;
  }

  async attempt(d: DemotedPrimary, conn: InstanceConnection): Promise<RejoinAttempt> {
    const [lock] = await conn.query('SELECT GET_LOCK(?, 0) AS got', [lockName]);
    if (Number(lock?.['got']) !== 1) return { outcome: 'wait', reason: 'another executor is deciding its rejoin', unlocked: false };
    try {
      return await this.#attempt(d, conn);
    } finally {
      if (!conn.closed) await conn.query('SELECT RELEASE_LOCK(?) AS released', [lockName]).catch(() => undefined);
    }
  }

  async #attempt(d: DemotedPrimary, conn: InstanceConnection): Promise<RejoinAttempt> {
    const started = performance.now();
    const member = instanceId(d.instance);
    // the global read lock before the position is read: read_only does not stop every account
    // (MariaDB's READ ONLY ADMIN, SUPER), and nothing may commit between what is judged and the
    // repoint (on the keeper's check path it is held already; taking it again is harmless)
    const lockError = await holdReadLock(conn, 2000);
    if (lockError !== null) return { outcome: 'wait', reason: `the global read lock could not be taken: ${lockError}`, unlocked: false };
    const held = await readHolding(conn);
    if (!held.readOnly) return { outcome: 'wait', reason: 'it answers writable', unlocked: false };
    const recovery = await this.#recovery(d.recoveryUid);
    const clusterRecoveryRunning = recovery.state === 'ended' ? await this.#runningRecovery(d.clusterId, d.recoveryUid) : null;
    const eligible = clusterRecoveryRunning === null && recovery.state === 'ended' && recovery.successor && rejoinsAfter(recovery.commandHint) && held.position !== null;
    const report = eligible ? await this.#o.lossReports.examine(d.recoveryUid, member, held.position, true) : null;
    const primary = report && !report.pending.includes(member) ? await this.#currentPrimary(d) : null;
    const decision = decideRejoin({ enabled: true, member, position: held.position, recovery, clusterRecoveryRunning, report, primary: primary ? { id: instanceId(primary.key), position: primary.position } : null });
    if (decision.action === 'wait') {
      if (this.#waits.get(member) !== decision.reason) this.#o.logger.info({ instance: member, recoveryUid: d.recoveryUid, reason: decision.reason }, `rejoin of the old primary waits: ${decision.detail}`);
      this.#waits.set(member, decision.reason);
      return { outcome: 'wait', reason: decision.detail, unlocked: false };
    }
    this.#waits.delete(member);
    if (decision.action === 'keep') {
      if (decision.reason !== 'disabled') this.#notRejoined(d, decision.reason, decision.detail, { extra: decision.extra, count: decision.count, position: held.position, source: primary ? instanceId(primary.key) : null });
      return { outcome: 'kept', reason: decision.detail, unlocked: false };
    }
    const source = parseInstanceId(decision.source);
    // still what was judged: the lock held since the read, so only a lock lost with its connection could change it
    const again = await readHolding(conn);
    if (again.position !== held.position) return { outcome: 'wait', reason: `its position moved while it was judged (${held.position} → ${again.position})`, unlocked: false };
    await conn.exec('UNLOCK TABLES');
    let error = '';
    try {
      const r = await repoint(conn, source, {
        replicationUser: this.#o.replicationUser,
        replicationPassword: this.#o.replicationPassword,
        mariadbUseGtid: 'current_pos',
        formerPrimary: true,
        waitTimeoutMs: this.#o.repointTimeoutMs ?? 5000,
        pollIntervalMs: 50,
      });
      if (!r.running) error = [r.outcome, r.replication?.lastIoError, r.replication?.lastSqlError].filter((x) => x).join(': ');
    } catch (e) {
      error = (e as Error).message;
    }
    if (error !== '') {
      this.#notRejoined(d, 'repoint-failed', `re-attaching it under ${decision.source} failed: ${error}`, { extra: '', count: null, position: held.position, source: decision.source, error });
      return { outcome: 'kept', reason: error, unlocked: true };
    }
    const downtimeEnded = await this.#o.endDowntime(d.clusterId, member).catch((err: unknown) => {
      this.#o.logger.warn({ err, instance: member }, 'ending the downtime of a rejoined old primary failed');
      return false;
    });
    const base = report?.base ?? '';
    this.#o.audit.event(
      d.clusterId,
      undefined,
      'old-primary-rejoined',
      'succeeded',
      `${member}, demoted by recovery ${d.recoveryUid}, holds nothing the new primary lacks (${held.position || 'an empty position'}, within ${base || 'the empty position'}): re-attached as a replica of ${decision.source} (read-only, MASTER_USE_GTID = current_pos)${downtimeEnded ? ', its downtime ended' : ''}`,
      { instance: member, recoveryUid: d.recoveryUid, source: decision.source, position: held.position, sourcePosition: primary?.position ?? null, base, downtimeEnded, elapsedMs: Math.round(performance.now() - started) },
    );
    return { outcome: 'rejoined', reason: `Baton rejoined it as a replica of ${decision.source} (it held nothing the new primary lacks)`, unlocked: true };
  }

  #notRejoined(d: DemotedPrimary, reason: string, detail: string, x: { extra: string; count: number | null; position: string | null; source: string | null; error?: string }): void {
    const member = instanceId(d.instance);
    const instructions = reinstateInstructions(member, x.extra, x.source);
    const failed = reason === 'extra-transactions' || reason === 'primary-lacks' || reason === 'repoint-failed';
    this.#o.logger.warn({ instance: member, recoveryUid: d.recoveryUid, reason, extra: x.extra }, 'old primary not rejoined');
    this.#o.audit.event(d.clusterId, undefined, 'old-primary-not-rejoined', failed ? 'failed' : 'info', `${member}, demoted by recovery ${d.recoveryUid}, stays fenced and detached: ${detail}; ${instructions}`, {
      instance: member,
      recoveryUid: d.recoveryUid,
      reason,
      extra: x.extra,
      count: x.count,
      position: x.position,
      source: x.source,
      ...(x.error ? { error: x.error } : {}),
      instructions,
    });
  }

  async #recovery(uid: string): Promise<DemotingRecovery> {
    const [row] = await this.#o.db.query('SELECT ended_at, successor_host, command_hint FROM recoveries WHERE uid = ?', [uid]);
    if (!row) return { state: 'none' };
    if (row['ended_at'] === null || row['ended_at'] === undefined) return { state: 'running' };
    const successor = row['successor_host'];
    return { state: 'ended', successor: typeof successor === 'string' && successor !== '', commandHint: String(row['command_hint'] ?? '') };
  }

  /** Another recovery of the cluster that has not ended, if any (its uid). */
  async #runningRecovery(clusterId: string, except: string): Promise<string | null> {
    const [row] = await this.#o.db.query('SELECT uid FROM recoveries WHERE cluster_id = ? AND ended_at IS NULL AND uid <> ? ORDER BY id DESC LIMIT 1', [clusterId, except]);
    return row ? String(row['uid']) : null;
  }

  /** The newest writable root of the cached snapshot that a probe finds writable and without a source. */
  async #currentPrimary(d: DemotedPrimary): Promise<{ key: InstanceKey; position: string | null } | null> {
    const snapshot = await this.#o.snapshot(d.clusterId).catch(() => null);
    if (!snapshot) return null;
    for (const key of primaryCandidates(snapshot, d.instance, d.epoch)) {
      const found = await this.#probe(key).catch(() => null);
      if (found) return found;
    }
    return null;
  }

  async #probe(key: InstanceKey): Promise<{ key: InstanceKey; position: string | null } | null> {
    const conn = await (this.#o.connect ?? connectInstance)({ host: key.host, port: key.port, user: this.#o.user, password: this.#o.password, connectTimeoutMs: 1000, queryTimeoutMs: 2000 });
    try {
      const held = await readHolding(conn);
      return !held.readOnly && hasNoSource(held.replication) ? { key, position: held.position } : null;
    } finally {
      conn.destroy();
    }
  }
}
