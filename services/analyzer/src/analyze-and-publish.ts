/**
 * One snapshot in, at most one analysis out. Per snapshot:
 *   1. drop it if it is the message just handled for its cluster, or an older snapshot of the same
 *      detector (lower sequence and not observed later — a detector restarting its sequence or
 *      stepping its clock back is still heard);
 *   2. analyze it at the snapshot's observedAt (the detector's clock) with the cluster's
 *      analysis memory (@baton/domain AnalysisMemory: the stale-coordinates history — the only
 *      memory that changes what an analysis says; analysis-memory.ts lists the rest);
 *   3. publish the analysis when it carries a problem (a code other than NoProblem), and once more
 *      when the problem clears (hasProblem false). correlationId is the cluster's detection id: the
 *      same while the same problem set persists, a new one when it changes;
 *   4. only then, without awaiting: cache the snapshot for the api together with the memory it
 *      was analysed with (the api serves both as an analysis state document, which `baton analyze`
 *      replays) and append change-log rows.
 * Per-cluster memory (stale coordinates, detection id, change-log signatures) changes only after
 * the publish succeeded, so a retried message is analysed exactly as the first time.
 *
 * I/O comes in through small ports (publisher, cache, change log, clock, id source): unit tests
 * pass fakes.
 */
import { randomUUID } from 'node:crypto';
import { createEnvelope, instanceId, type AnalysisEntry, type ClusterAnalysis, type ClusterSnapshot, type Envelope, type InstanceKey } from '@baton/contracts';
import { analyze, emergencyOperationsFor, emptyAnalysisMemory, rememberSnapshot, resolveAnalysisPolicy, type AnalysisMemory, type AnalysisPolicyInput, type ResolvedAnalysisPolicy } from '@baton/domain';
import type { Logger } from '@baton/logging';
import { BackgroundWrites, type BackgroundStats } from './background-writes.ts';
import { diffChangelog, type ChangelogSignatures, type ChangelogStore } from './changelog.ts';
import type { SnapshotCache } from './snapshot-cache.ts';

/** Sends one analysis keyed by cluster id; rejects when it could not be sent. */
export interface AnalysisPublisher {
  publish(clusterId: string, envelope: Envelope<'analysis'>): Promise<void>;
}

/**
 * Emergent re-reads (orchestrator's emergency operations that only read): asks the detector to
 * probe these instances now. The implementation throttles per instance (Redis emergent-read key).
 */
export interface ProbeRequester {
  request(clusterId: string, instances: readonly InstanceKey[], reason: string, correlationId: string | undefined): Promise<void>;
}

export interface SnapshotAnalyzerOptions {
  /** Analysis policy; includeNoProblem is forced on (the change log needs every row), the message drops NoProblem rows. */
  policy: AnalysisPolicyInput | ResolvedAnalysisPolicy;
  publisher: AnalysisPublisher;
  cache: SnapshotCache;
  changelog: ChangelogStore;
  logger: Logger;
  /** Wall clock for analyzedAt and state expiry (default: the system clock). */
  clock?: () => Date;
  /** Detection ids (default: random UUIDs). */
  newDetectionId?: () => string;
  /** Envelope producer (default `analyzer`). */
  producer?: string;
  /** Background writes in flight at most (default 1000). */
  maxPendingWrites?: number;
  /** A cluster's memory is forgotten after this long without a snapshot (default 10 min). */
  clusterIdleMs?: number;
  /** Where emergent re-reads go (UnreachableMaster and the other codes of section 1.5); none by default. */
  probeRequester?: ProbeRequester;
}

export interface SnapshotMeta {
  /** The snapshot envelope's messageId: a redelivery of the message just handled is ignored. */
  messageId: string;
}

export type AnalyzeOutcome =
  | { kind: 'published'; analysis: ClusterAnalysis; correlationId: string }
  | { kind: 'analysed'; analysis: ClusterAnalysis }
  | { kind: 'skipped'; reason: 'older-snapshot' | 'duplicate-message' };

export interface AnalyzerStats {
  analysed: number;
  published: number;
  skipped: number;
  clusters: number;
  background: BackgroundStats;
}

interface Detection {
  id: string;
  /** sorted `host:port=Code` of every row with a problem code */
  signature: string;
}

interface ClusterState {
  /** What changes the next analysis (the stale coordinates); cached with the snapshot for the api. */
  memory: AnalysisMemory;
  observedAtMs: number;
  detectorId: string;
  sequence: number;
  messageId: string;
  detection: Detection | null;
  /** Structure warnings last published (instance=warning,…): a change is published once. */
  warnings: string;
  changelog: ChangelogSignatures;
  touchedAtMs: number;
}

const hasProblemCode = (e: AnalysisEntry): boolean => e.code !== 'NoProblem';
/** What analyze() reports without IncludeNoProblem: a problem code or at least one structure warning. */
const isReported = (e: AnalysisEntry): boolean => hasProblemCode(e) || e.structureWarnings.length > 0;

function problemSignature(entries: readonly AnalysisEntry[]): string {
  return entries
    .filter(hasProblemCode)
    .map((e) => `${instanceId(e.instance).toLowerCase()}=${e.code}`)
    .sort()
    .join(',');
}

function warningSignature(entries: readonly AnalysisEntry[]): string {
  return entries
    .flatMap((e) => e.structureWarnings.map((w) => `${instanceId(e.instance).toLowerCase()}=${w}`))
    .sort()
    .join(',');
}

/** Same detector, not a later sequence, not observed later: a redelivered or reordered old snapshot. */
function isOlder(snapshot: ClusterSnapshot, observedAtMs: number, previous: ClusterState): boolean {
  return snapshot.detectorId === previous.detectorId && snapshot.sequence <= previous.sequence && observedAtMs <= previous.observedAtMs;
}

const sweepEveryMs = 60_000;

export class SnapshotAnalyzer {
  readonly policy: ResolvedAnalysisPolicy;
  private readonly publisher: AnalysisPublisher;
  private readonly cache: SnapshotCache;
  private readonly changelog: ChangelogStore;
  private readonly logger: Logger;
  private readonly clock: () => Date;
  private readonly newDetectionId: () => string;
  private readonly producer: string;
  private readonly clusterIdleMs: number;
  private readonly background: BackgroundWrites;
  private readonly probeRequester: ProbeRequester | undefined;
  private readonly clusters = new Map<string, ClusterState>();
  private readonly counters = { analysed: 0, published: 0, skipped: 0 };
  private lastSweepMs = 0;

  constructor(options: SnapshotAnalyzerOptions) {
    this.policy = resolveAnalysisPolicy({ ...resolveAnalysisPolicyInput(options.policy), includeNoProblem: true });
    this.publisher = options.publisher;
    this.cache = options.cache;
    this.changelog = options.changelog;
    this.logger = options.logger;
    this.clock = options.clock ?? (() => new Date());
    this.newDetectionId = options.newDetectionId ?? randomUUID;
    this.producer = options.producer ?? 'analyzer';
    this.clusterIdleMs = options.clusterIdleMs ?? 600_000;
    this.probeRequester = options.probeRequester;
    this.background = new BackgroundWrites({ logger: options.logger, maxPending: options.maxPendingWrites ?? 1000 });
  }

  async handle(snapshot: ClusterSnapshot, meta: SnapshotMeta): Promise<AnalyzeOutcome> {
    const { clusterId } = snapshot;
    const observedAtMs = Date.parse(snapshot.observedAt);
    const previous = this.clusters.get(clusterId);
    if (previous && previous.messageId === meta.messageId) {
      this.counters.skipped += 1;
      this.logger.debug({ clusterId, messageId: meta.messageId }, 'snapshot already handled');
      return { kind: 'skipped', reason: 'duplicate-message' };
    }
    if (previous && isOlder(snapshot, observedAtMs, previous)) {
      this.counters.skipped += 1;
      this.logger.debug({ clusterId, observedAt: snapshot.observedAt, latestObservedAt: new Date(previous.observedAtMs).toISOString() }, 'older snapshot skipped');
      return { kind: 'skipped', reason: 'older-snapshot' };
    }

    const memory = rememberSnapshot(previous?.memory ?? emptyAnalysisMemory, snapshot);
    const all = analyze(snapshot, observedAtMs, this.policy, memory);
    const entries = all.filter(isReported);
    const hasProblem = entries.some(hasProblemCode);
    const analyzed = this.clock();
    const analysis: ClusterAnalysis = {
      clusterId,
      clusterAlias: snapshot.clusterAlias,
      snapshotObservedAt: snapshot.observedAt,
      analyzedAt: analyzed.toISOString(),
      entries,
      hasProblem,
    };
    this.counters.analysed += 1;

    const before = previous?.detection ?? null;
    let detection: Detection | null = null;
    let correlationId: string | undefined;
    if (hasProblem) {
      const signature = problemSignature(entries);
      detection = before?.signature === signature ? before : { id: this.newDetectionId(), signature };
      correlationId = detection.id;
    } else if (before) {
      correlationId = before.id; // the all-clear carries the id of the problem that cleared
    }
    // Structure warnings alone (an errant GTID, no failover support, …) trigger no recovery, so
    // they are published when they change rather than on every snapshot.
    const warnings = warningSignature(entries);
    if (correlationId === undefined && warnings !== '' && warnings !== (previous?.warnings ?? '')) correlationId = this.newDetectionId();

    if (correlationId !== undefined) {
      const envelope = createEnvelope('analysis', analysis, { producer: this.producer, correlationId, occurredAt: analysis.analyzedAt });
      await this.publisher.publish(clusterId, envelope);
      this.counters.published += 1;
    }

    // the analysis is out: from here on nothing may throw back to the consumer
    const changes = diffChangelog(previous?.changelog ?? new Map(), snapshot, all, this.policy, analyzed);
    this.clusters.set(clusterId, {
      memory,
      observedAtMs,
      detectorId: snapshot.detectorId,
      sequence: snapshot.sequence,
      messageId: meta.messageId,
      detection,
      warnings,
      changelog: changes.next,
      touchedAtMs: analyzed.getTime(),
    });
    this.logDetectionChange(clusterId, before, detection, entries);
    this.requestEmergentReads(snapshot, entries, correlationId);
    this.background.run('snapshot-cache', { clusterId }, () => this.cache.put(snapshot, memory));
    if (changes.rows.length > 0) {
      this.background.run('changelog', { clusterId, rows: changes.rows.length }, () => this.changelog.append(changes.rows));
    }
    this.sweep(analyzed.getTime());

    return correlationId === undefined ? { kind: 'analysed', analysis } : { kind: 'published', analysis, correlationId };
  }

  private requestEmergentReads(snapshot: ClusterSnapshot, entries: readonly AnalysisEntry[], correlationId: string | undefined): void {
    const requester = this.probeRequester;
    if (!requester) return;
    const byReason = new Map<string, InstanceKey[]>();
    for (const entry of entries) {
      for (const op of emergencyOperationsFor(entry, snapshot)) {
        if (op.kind !== 'probe-instance') continue;
        const list = byReason.get(op.reason) ?? [];
        list.push(op.instance);
        byReason.set(op.reason, list);
      }
    }
    for (const [reason, instances] of byReason) {
      this.background.run('probe-request', { clusterId: snapshot.clusterId, reason }, () => requester.request(snapshot.clusterId, instances, reason, correlationId));
    }
  }

  /** Waits for the cache and change-log writes started so far (shutdown); false at the deadline. */
  drain(timeoutMs?: number): Promise<boolean> {
    return this.background.drain(timeoutMs);
  }

  stats(): AnalyzerStats {
    return { ...this.counters, clusters: this.clusters.size, background: this.background.stats() };
  }

  /** The cluster's current detection id, if it has a problem (for tests and the api later). */
  detectionOf(clusterId: string): string | undefined {
    return this.clusters.get(clusterId)?.detection?.id;
  }

  private logDetectionChange(clusterId: string, before: Detection | null, after: Detection | null, entries: readonly AnalysisEntry[]): void {
    if (before?.id === after?.id) return;
    const problems = entries.filter(hasProblemCode).map((e) => `${instanceId(e.instance)} ${e.code}`);
    if (after) this.logger.warn({ clusterId, correlationId: after.id, previousCorrelationId: before?.id, problems }, 'problem detected');
    else if (before) this.logger.info({ clusterId, correlationId: before.id }, 'problem cleared');
  }

  /** Forgets clusters not seen for clusterIdleMs (their partitions moved to another analyzer, or they were removed). */
  private sweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs < sweepEveryMs) return;
    this.lastSweepMs = nowMs;
    for (const [clusterId, state] of this.clusters) {
      if (nowMs - state.touchedAtMs > this.clusterIdleMs) this.clusters.delete(clusterId);
    }
  }
}

/** A resolved policy carries derived fields; strip them so the override below is resolved afresh. */
function resolveAnalysisPolicyInput(policy: AnalysisPolicyInput | ResolvedAnalysisPolicy): AnalysisPolicyInput {
  const { hostnameFilters: _h, lockedSemiSyncMasterMs: _l, ...plain } = policy as Partial<ResolvedAnalysisPolicy>;
  return plain;
}
