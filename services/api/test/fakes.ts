/**
 * In-memory ports for the route tests, and a fake executor that applies published commands to
 * them the way the real services do (the Redis flags, acknowledgements, a recover's row), so a
 * route's publish-then-confirm path runs end to end inside one process.
 */
import type { Command, InstanceKey, InstanceObservation } from '@baton/contracts';
import { instanceId } from '@baton/contracts';
import { formatCandidateValue, formatDowntimeValue, formatMaintenanceValue } from '@baton/state';
import type { AckScope, AuditReader, BlockedRecord, CommandPublisher, DetectionRecord, RecoveryRecord, RecoveryStepRecord, StateReader } from '../src/ports.ts';
import type { ClusterSnapshot } from '@baton/contracts';
import type { AnalysisMemory } from '@baton/domain';
import { DeadLetterBook, NotAttemptedBook, RegistryTable } from '../src/adapters/kafka-adapters.ts';

export class FakeState implements StateReader {
  readonly cached = new Map<string, ClusterSnapshot>();
  readonly flags = new Map<string, string>();
  disabled = false;
  down = false;

  add(snapshot: ClusterSnapshot): this {
    this.cached.set(snapshot.clusterId, snapshot);
    return this;
  }
  async snapshots() {
    this.#check();
    return [...this.cached.values()];
  }
  async snapshot(clusterId: string) {
    return this.cached.get(clusterId) ?? null;
  }
  /** Memory the analyzer cached with a cluster's snapshot (analysisState); absent = none cached. */
  readonly memories = new Map<string, AnalysisMemory>();
  async analysisState(clusterId: string) {
    const snapshot = this.cached.get(clusterId);
    return snapshot ? { snapshot, memory: this.memories.get(clusterId) ?? null } : null;
  }
  async recoveriesDisabled() {
    this.#check();
    return this.disabled;
  }
  async downtime(c: string, i: string) {
    return this.flags.get(`downtime|${c}|${i}`) ?? null;
  }
  async candidate(c: string, i: string) {
    return this.flags.get(`candidate|${c}|${i}`) ?? null;
  }
  async recoveryBlock(c: string) {
    return this.flags.get(`block|${c}`) ?? null;
  }
  async maintenance(c: string, instances: readonly string[]) {
    return instances.map((i) => this.flags.get(`maintenance|${c}|${i}`) ?? null);
  }
  async ping() {
    this.#check();
  }
  #check(): void {
    if (this.down) throw Object.assign(new Error('redis connection refused'), { retryable: true });
  }
}

export function recoveryRecord(over: Partial<RecoveryRecord> & { id: number; uid: string }): RecoveryRecord {
  return {
    clusterId: 'orders',
    clusterAlias: 'orders',
    failed: { host: 'db1', port: 3306 },
    analysis: 'DeadMaster',
    recoveryType: 'MasterRecoveryGTID',
    commandHint: '',
    countReplicas: 2,
    replicaHosts: ['db2:3306', 'db3:3306'],
    detectionUid: 'det-1',
    forced: false,
    requestId: null,
    processingNode: 'executor-1',
    successor: { host: 'db2', port: 3306 },
    successorAlias: null,
    successorPosition: '0-1-100',
    isSuccessful: true,
    outcome: 'successful',
    lostReplicas: [],
    participants: ['db1:3306', 'db2:3306', 'db3:3306'],
    errors: [],
    fencingResult: 'unreachable',
    startedAt: new Date('2026-11-26T19:30:01.000Z'),
    endedAt: new Date('2026-11-26T19:30:02.000Z'),
    acknowledged: false,
    acknowledgedBy: null,
    acknowledgedAt: null,
    acknowledgedComment: null,
    ...over,
  };
}

export class FakeAudit implements AuditReader {
  readonly rows: RecoveryRecord[] = [];
  readonly stepRows: RecoveryStepRecord[] = [];
  readonly detectionRows: DetectionRecord[] = [];
  readonly blockedRows: BlockedRecord[] = [];
  down = false;

  async recoveries(q: Parameters<AuditReader['recoveries']>[0]) {
    const newest = [...this.rows].sort((a, b) => b.id - a.id);
    const page = (list: RecoveryRecord[], n: number) => list.slice(n * 20, n * 20 + 20);
    switch (q.by) {
      case 'recent':
        return page(newest.filter((r) => (q.clusterId === undefined || r.clusterId === q.clusterId) && (!q.unacknowledgedOnly || !r.acknowledged)), q.page);
      case 'alias':
        return page(newest.filter((r) => r.clusterAlias === q.alias), q.page);
      case 'id':
        return newest.filter((r) => r.id === q.id);
      case 'uid':
        return newest.filter((r) => r.uid === q.uid);
      case 'request':
        return newest.filter((r) => r.requestId === q.requestId);
      case 'active':
        return newest.filter((r) => r.clusterId === q.clusterId && r.endedAt === null);
    }
  }
  async steps(uid: string) {
    return this.stepRows.filter((s) => s.recoveryUid === uid).sort((a, b) => a.seq - b.seq);
  }
  async detections(q: Parameters<AuditReader['detections']>[0]) {
    const newest = [...this.detectionRows].sort((a, b) => b.id - a.id);
    if (q.by === 'id') return newest.filter((d) => d.id === q.id);
    const list = q.by === 'alias' ? newest.filter((d) => d.clusterAlias === q.alias) : newest;
    return list.slice(q.page * 20, q.page * 20 + 20);
  }
  async blocked(clusterId?: string) {
    return this.blockedRows.filter((b) => clusterId === undefined || b.clusterId === clusterId);
  }
  inScope(scope: AckScope): RecoveryRecord[] {
    return this.rows.filter((r) => {
      if (r.acknowledged) return false;
      if (scope.scope === 'cluster') return r.clusterId === scope.clusterId || r.clusterAlias === scope.clusterId;
      if (scope.scope === 'instance') return instanceId(r.failed) === instanceId(scope.instance);
      if (scope.scope === 'uid') return r.uid === scope.uid;
      return true;
    });
  }
  async unacknowledged(scope: AckScope) {
    return this.inScope(scope).map((r) => ({ uid: r.uid, clusterId: r.clusterId, running: r.endedAt === null }));
  }
  async acknowledged(uids: readonly string[]) {
    return this.rows.filter((r) => r.acknowledged && uids.includes(r.uid)).map((r) => r.uid);
  }
  async ping() {
    if (this.down) throw new Error('backend unreachable');
  }
}

export interface Published {
  key: string;
  command: Command;
  correlationId: string | undefined;
}

/** How the fake executor answers a recover command. */
export type RecoverBehaviour = { kind: 'promote'; successor: InstanceKey } | { kind: 'fail'; errors: string[] } | { kind: 'not-attempted'; reason: string; runningRecoveryUid?: string } | { kind: 'silent' };

export class FakeCommands implements CommandPublisher {
  readonly published: Published[] = [];
  /** false: nothing applies the commands (no executor running). */
  executorRunning = true;
  recoverBehaviour: RecoverBehaviour = { kind: 'promote', successor: { host: 'db2', port: 3306 } };
  /** What the fake detector dead-letters: a discover of a host named `down*` (it does not answer). */
  readonly deadLetters = new DeadLetterBook();
  #nextId = 100;

  constructor(
    private readonly state: FakeState,
    private readonly audit: FakeAudit,
    private readonly book: NotAttemptedBook,
    private readonly registry: RegistryTable,
  ) {}

  /** Runs after the fake executor applied a command (what the real pipeline does next). */
  afterApply: ((command: Command) => void) | undefined;

  async publish(key: string, command: Command, correlationId?: string) {
    this.published.push({ key, command, correlationId });
    const commandId = `cmd-${this.published.length}`;
    if (this.executorRunning)
      setTimeout(() => {
        if (command.kind === 'discover' && command.instance.host.startsWith('down')) this.deadLetters.note(commandId, `no instance answered at ${instanceId(command.instance)}: connect ECONNREFUSED`);
        this.#apply(command);
        this.afterApply?.(command);
      }, 20);
    return { commandId };
  }

  #apply(c: Command): void {
    const { state, audit } = this;
    switch (c.kind) {
      case 'disable-global-recoveries':
        state.disabled = true;
        return;
      case 'enable-global-recoveries':
        state.disabled = false;
        return;
      case 'register-candidate':
        state.flags.set(`candidate|${c.clusterId}|${instanceId(c.instance)}`, formatCandidateValue({ promotionRule: c.promotionRule }));
        return;
      case 'begin-downtime':
        state.flags.set(`downtime|${c.clusterId}|${instanceId(c.instance)}`, formatDowntimeValue({ owner: c.owner, reason: c.reason, endsAt: c.endsAt }));
        return;
      case 'end-downtime':
        state.flags.delete(`downtime|${c.clusterId}|${instanceId(c.instance)}`);
        return;
      case 'forget':
        this.registry.apply(c.clusterId, null);
        return;
      case 'ack-recoveries': {
        const scope: AckScope =
          c.scope === 'cluster' ? { scope: 'cluster', clusterId: c.clusterId as string } : c.scope === 'instance' ? { scope: 'instance', instance: c.instance as InstanceKey } : c.scope === 'uid' ? { scope: 'uid', uid: c.uid as string } : { scope: 'all' };
        // as the executor: resolved recoveries only, and a block goes only while its holder resolved
        for (const r of audit.inScope(scope).filter((x) => x.endedAt !== null)) {
          Object.assign(r, { acknowledged: true, acknowledgedBy: c.requestedBy, acknowledgedComment: c.comment, acknowledgedAt: new Date() });
          this.#liftResolved(r.clusterId, r.uid);
        }
        if (scope.scope === 'cluster') this.#liftResolved(scope.clusterId, null);
        return;
      }
      case 'recover':
        return this.#recover(c);
      case 'relocate':
      case 'relocate-replicas':
      case 'move-up':
      case 'set-read-only':
      case 'set-writeable':
      case 'begin-maintenance':
      case 'end-maintenance':
        return this.#operate(c);
      case 'discover':
        return;
    }
  }

  /** Deletes the cluster's block if its holder (`uid`, when given) resolved. */
  #liftResolved(clusterId: string, uid: string | null): void {
    const raw = this.state.flags.get(`block|${clusterId}`);
    const block = raw === undefined ? null : (JSON.parse(raw) as { uid: string; state?: string });
    if (block?.state === 'resolved' && (uid === null || block.uid === uid)) this.state.flags.delete(`block|${clusterId}`);
  }

  /**
   * A topology operation as the executor answers it (operation-result by requestId), on the cached
   * snapshot: the instance's source or read_only changed there (as the detector would see it next),
   * the changed observations in the answer. Refusals: maintenance, a primary without force,
   * set-writeable without force; begin on a held lock, end on none.
   */
  #operate(c: Extract<Command, { kind: 'relocate' | 'relocate-replicas' | 'move-up' | 'set-read-only' | 'set-writeable' | 'begin-maintenance' | 'end-maintenance' }>): void {
    const snapshot = this.state.cached.get(c.clusterId) as ClusterSnapshot;
    const id = instanceId(c.instance);
    const flag = (i: string) => `maintenance|${c.clusterId}|${i}`;
    const answer = (ok: boolean, message: string, changed: InstanceObservation[], refused: string | null = null) =>
      this.book.noteOperation(c.requestId, { ok, refused, message, changed: changed.map(instanceId), failed: [], instances: changed });
    const find = (k: InstanceKey) => snapshot.instances.find((i) => instanceId(i) === instanceId(k)) as InstanceObservation;
    const replace = (o: InstanceObservation) => {
      snapshot.instances = snapshot.instances.map((i) => (instanceId(i) === instanceId(o) ? o : i));
      return o;
    };
    const below = (o: InstanceObservation, k: InstanceKey) => replace({ ...o, replication: { ...(o.replication as NonNullable<InstanceObservation['replication']>), sourceHost: k.host, sourcePort: k.port } });
    if (c.kind === 'begin-maintenance') {
      if (this.state.flags.has(flag(id))) return answer(false, `begin-maintenance refused: ${id} is already under maintenance`, [], 'already-in-maintenance');
      this.state.flags.set(flag(id), formatMaintenanceValue({ owner: c.owner, reason: c.reason, beginAt: new Date().toISOString(), endsAt: c.endsAt, requestId: c.requestId }));
      return answer(true, `maintenance begun on ${id}`, []);
    }
    if (c.kind === 'end-maintenance') {
      if (!this.state.flags.delete(flag(id))) return answer(false, `end-maintenance refused: ${id} is not under maintenance`, [], 'not-in-maintenance');
      return answer(true, `maintenance ended on ${id}`, []);
    }
    if (this.state.flags.has(flag(id))) return answer(false, `${c.kind} refused: ${id} is under maintenance (begin-maintenance); end-maintenance first`, [], 'maintenance');
    const x = find(c.instance);
    const isPrimary = x.replication === null;
    switch (c.kind) {
      case 'relocate':
        return answer(true, `${id} relocated below ${instanceId(c.below)}`, [below(x, c.below)]);
      case 'move-up': {
        const source = find({ host: x.replication?.sourceHost ?? '', port: x.replication?.sourcePort ?? 0 });
        if (!source?.replication) return answer(false, `move-up refused: the source of ${id} is not a replica itself`, [], 'no-grandparent');
        return answer(true, `${id} moved up`, [below(x, { host: source.replication.sourceHost, port: source.replication.sourcePort })]);
      }
      case 'relocate-replicas': {
        const replicas = snapshot.instances.filter((i) => i.replication && `${i.replication.sourceHost}:${i.replication.sourcePort}` === id && instanceId(i) !== instanceId(c.below));
        return answer(true, `${replicas.length} replicas of ${id} relocated`, replicas.map((r) => below(r, c.below)));
      }
      case 'set-read-only':
        if (isPrimary && !c.force) return answer(false, `set-read-only refused: ${id} is the cluster's primary: read_only=1 stops the cluster's writes (a fence); add ?force=true`, [], 'primary');
        return answer(true, `read_only=1 set on ${id}`, [replace({ ...x, readOnly: true })]);
      case 'set-writeable':
        if (!c.force) return answer(false, `set-writeable refused: ${id} is a ${isPrimary ? 'primary' : 'replica'}; add ?force=true`, [], isPrimary ? 'primary' : 'replica');
        return answer(true, `read_only=0 set on ${id}`, [replace({ ...x, readOnly: false })]);
    }
  }

  #recover(c: Extract<Command, { kind: 'recover' }>): void {
    const b = this.recoverBehaviour;
    if (b.kind === 'silent') return;
    if (b.kind === 'not-attempted') {
      this.book.note(c.requestId, b.reason, b.runningRecoveryUid);
      return;
    }
    const id = this.#nextId++;
    this.audit.rows.push(
      recoveryRecord({
        id,
        uid: `rec-${id}`,
        clusterId: c.clusterId,
        failed: c.instance,
        forced: true,
        requestId: c.requestId,
        commandHint: c.commandHint,
        successor: b.kind === 'promote' ? b.successor : null,
        isSuccessful: b.kind === 'promote',
        outcome: b.kind === 'promote' ? 'successful' : 'failed',
        errors: b.kind === 'fail' ? b.errors : [],
      }),
    );
  }
}
