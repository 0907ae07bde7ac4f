/**
 * One owned cluster: a persistent prober per instance, a run every pollIntervalMs, one snapshot
 * per run.
 *
 *   - Runs never overlap (RunQueue): a tick, a broken connection or a probe request that arrives
 *     during a run merges into one run right after it.
 *   - A run probes its instances concurrently, each taking a slot of the process-wide limiter, and
 *     waits for them at most `runDeadlineMs` (just above the probe timeouts). A probe still running
 *     then keeps running, and the snapshot shows what is known: its lastAttemptedAt ahead of
 *     lastCheckedAt. Later runs neither wait for it nor open a second probe on its socket, and an
 *     instance whose last probe failed is waited for only `failingWaitMs`: a hung server delays
 *     the one snapshot in which it starts hanging (by at most the deadline), not every one.
 *   - Probe-request runs skip an instance whose last probe started less than `requestThrottleMs`
 *     ago (its data is that fresh), so a storm of requests cannot hammer a server.
 *   - After every run the instance set grows by the sources and replicas the probes reported.
 *   - Settling: when an instance with replicas does not answer (its probe failed, or still runs past
 *     the run's wait) while some of its replicas still say they replicate (IO thread Yes), the next
 *     run comes `settleIntervalMs` later instead of at the next tick, for at most `settleWindowMs`.
 *     After a crash the replicas notice within milliseconds; after a freeze their heartbeat silence
 *     (source-silence.ts) grows by the reading: either way the DeadMaster evidence reaches a snapshot
 *     without waiting up to a poll interval for it.
 */
import { performance } from 'node:perf_hooks';
import type { ClusterRegistration, ClusterSnapshot, InstanceKey, InstanceObservation } from '@baton/contracts';
import type { Logger } from '@baton/logging';
import type { InstanceProberOptions, ProberSettings } from '@baton/mysql';
import type { AnnotationSource } from './annotation-cache.ts';
import { aliasMembers, keyId, newInstances, unseenMembers } from './instance-set.ts';
import type { Limiter } from './limiter.ts';
import { reasonOf, RunQueue, type PendingRun, type RunReason, type RunRequest } from './run-queue.ts';
import { buildSnapshot } from './snapshot.ts';

/** What the monitor needs of an InstanceProber (tests pass fakes). */
export interface Prober {
  readonly observation: InstanceObservation;
  readonly probing: boolean;
  probe(): Promise<InstanceObservation>;
  close(): Promise<void>;
}

export type ProberFactory = (options: InstanceProberOptions) => Prober;

export interface ClusterMonitorOptions {
  registration: ClusterRegistration;
  detectorId: string;
  settings: ProberSettings;
  limiter: Limiter;
  annotations: AnnotationSource;
  createProber: ProberFactory;
  publish: (snapshot: ClusterSnapshot, correlationId: string | undefined) => Promise<void>;
  nextSequence: () => number;
  logger: Logger;
  /** Knowledge to start from (the latest snapshot of the cluster, from whoever owned it before). */
  initial?: readonly InstanceObservation[];
  /** How long a run waits for its probes (default: the longer probe timeout + 50 ms, at most the poll interval). */
  runDeadlineMs?: number;
  /** Default 100 ms. */
  requestThrottleMs?: number;
  /** How long a run waits for an instance whose previous probe failed (default 100 ms). */
  failingWaitMs?: number;
  /** Cap on the instances of one cluster (default 500), against a runaway topology. */
  maxInstances?: number;
  /** Settling runs (see above): their interval (default 50 ms) and how long they go on (default 5000 ms). */
  settleIntervalMs?: number;
  settleWindowMs?: number;
  /**
   * Instances not seen for this long are forgotten: no longer probed nor in the snapshots, and not
   * learnt again from what other instances report until a registration lists them (orchestrator:
   * UnseenInstanceForgetHours). 0 (the default here) = never.
   */
  forgetUnseenAfterMs?: number;
  now?: () => Date;
}

interface Member {
  key: InstanceKey;
  prober: Prober;
  seed: boolean;
  order: number;
  /** performance.now() when this member's latest probe started. */
  lastStartMs: number;
  /** Wall clock when the cluster learnt it (the forget rule's start for one that never answered). */
  addedAtMs: number;
}

export class ClusterMonitor {
  readonly clusterId: string;
  #alias: string;
  readonly #options: ClusterMonitorOptions;
  readonly #logger: Logger;
  readonly #members = new Map<string, Member>();
  /** Names dropped, as second names of a known server or as unseen (forgetUnseenAfterMs): not learnt again until a registration lists them. */
  readonly #dropped = new Set<string>();
  readonly #queue: RunQueue;
  readonly #runDeadlineMs: number;
  readonly #failingWaitMs: number;
  readonly #now: () => Date;
  #order = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #published = 0;
  #publishFailures = 0;
  /** performance.now() when the current settling began; null when settled. */
  #settlingSinceMs: number | null = null;
  #settleTimer: NodeJS.Timeout | undefined;

  constructor(options: ClusterMonitorOptions) {
    this.#options = options;
    this.clusterId = options.registration.clusterId;
    this.#alias = options.registration.alias;
    this.#logger = options.logger.child({ clusterId: this.clusterId });
    this.#now = options.now ?? (() => new Date());
    const s = options.settings;
    this.#runDeadlineMs = options.runDeadlineMs ?? Math.min(s.pollIntervalMs, Math.max(s.connectTimeoutMs, s.queryTimeoutMs) + 50);
    this.#failingWaitMs = options.failingWaitMs ?? 100;
    this.#queue = new RunQueue(
      (run) => this.#run(run),
      (error) => this.#logger.error({ err: error }, 'cluster run failed'),
    );
    const initial = new Map((options.initial ?? []).map((o) => [keyId(o), o]));
    for (const seed of options.registration.seeds) this.#add(seed, true, initial.get(keyId(seed)));
    for (const o of initial.values()) this.#add(o, false, o);
  }

  /** Probes at once, then every pollIntervalMs. */
  start(): void {
    if (this.#stopped || this.#timer) return;
    this.request({ reason: 'tick' });
    this.#timer = setInterval(() => this.request({ reason: 'tick' }), this.#options.settings.pollIntervalMs);
  }

  request(request: RunRequest): void {
    if (!this.#stopped) this.#queue.request(request);
  }

  /**
   * A newer registration: new seeds join, the alias follows. A former seed the new registration
   * no longer lists and that never answered is dropped (an address of an earlier topology under
   * the same cluster id); any instance ever seen stays, as a dead primary must after a failover.
   */
  update(registration: ClusterRegistration): void {
    this.#alias = registration.alias;
    const listed = new Set(registration.seeds.map((k) => keyId(k)));
    for (const [id, member] of this.#members) {
      if (member.seed && !listed.has(id) && member.prober.observation.lastSeenAt === null) {
        this.#members.delete(id);
        void member.prober.close();
      }
    }
    for (const seed of registration.seeds) {
      const member = this.#members.get(keyId(seed));
      if (member) member.seed = true;
      else {
        this.#dropped.delete(keyId(seed));
        this.#add(seed, true);
      }
    }
  }

  get alias(): string {
    return this.#alias;
  }

  instances(): InstanceObservation[] {
    return [...this.#members.values()].map((m) => m.prober.observation);
  }

  stats(): { instances: number; runs: number; published: number; publishFailures: number } {
    return { instances: this.#members.size, runs: this.#queue.runs, published: this.#published, publishFailures: this.#publishFailures };
  }

  /** Stops the timer, waits (up to `deadlineMs`) for the run in flight, closes every connection. Idempotent. */
  async stop(deadlineMs = 5000): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#settleTimer) clearTimeout(this.#settleTimer);
    await Promise.race([this.#queue.stop(), new Promise((resolve) => setTimeout(resolve, deadlineMs).unref())]);
    await Promise.allSettled([...this.#members.values()].map((m) => m.prober.close()));
  }

  #add(key: InstanceKey, seed: boolean, initial?: InstanceObservation): void {
    const id = keyId(key);
    if (this.#members.has(id)) return;
    if (this.#members.size >= (this.#options.maxInstances ?? 500)) {
      this.#logger.warn({ instance: id, maxInstances: this.#options.maxInstances ?? 500 }, 'instance not added: cluster at its instance cap');
      return;
    }
    const s = this.#options.settings;
    const prober = this.#options.createProber({
      key: { host: key.host, port: key.port },
      credentials: s.credentials,
      connectTimeoutMs: s.connectTimeoutMs,
      queryTimeoutMs: s.queryTimeoutMs,
      pollIntervalMs: s.pollIntervalMs,
      location: s.location,
      annotate: (k) => this.#options.annotations.annotate(k),
      onConnectionBroken: (k, error) => {
        // info when a healthy instance breaks; while it keeps failing (a hung server times out every run) debug only
        const healthy = this.#members.get(keyId(k))?.prober.observation.lastError === null;
        this.#logger[healthy ? 'info' : 'debug']({ instance: keyId(k), err: error }, 'probe connection broken; probing the cluster now');
        this.request({ reason: 'connection-broken' });
      },
      ...(initial ? { initial } : {}),
      logger: this.#logger,
    });
    this.#members.set(id, { key: { host: key.host, port: key.port }, prober, seed, order: this.#order++, lastStartMs: Number.NEGATIVE_INFINITY, addedAtMs: this.#now().getTime() });
  }

  async #run(run: PendingRun): Promise<void> {
    const reason = reasonOf(run);
    const throttleMs = reason === 'probe-request' ? (this.#options.requestThrottleMs ?? 100) : 0;
    const members = [...this.#members.values()];
    const targets = run.instances === 'all' ? members : members.filter((m) => (run.instances as ReadonlySet<string>).has(keyId(m.key)));
    this.#options.annotations.refresh(members.map((m) => m.key));
    const deadline = AbortSignal.timeout(this.#runDeadlineMs);
    await Promise.all(targets.map((m) => this.#probe(m, deadline, throttleMs)));
    if (this.#stopped) return;
    this.#learn();
    await this.#publish(reason, run.correlationId);
    this.#settle();
  }

  /** Schedules the next settling run, or ends settling (see the header). */
  #settle(): void {
    if (!this.#unsettled()) {
      this.#settlingSinceMs = null;
      return;
    }
    const now = performance.now();
    this.#settlingSinceMs ??= now;
    if (now - this.#settlingSinceMs >= (this.#options.settleWindowMs ?? 5000) || this.#settleTimer || this.#stopped) return;
    this.#settleTimer = setTimeout(() => {
      this.#settleTimer = undefined;
      this.request({ reason: 'settle' });
    }, this.#options.settleIntervalMs ?? 50);
    this.#settleTimer.unref();
  }

  /** Some instance with replicas does not answer while a replica of it that does still has its IO thread running. */
  #unsettled(): boolean {
    const members = [...this.#members.values()];
    const silent = new Set(members.filter((m) => m.prober.probing || m.prober.observation.lastError !== null).map((m) => keyId(m.key).toLowerCase()));
    if (silent.size === 0) return false;
    return members.some((m) => {
      const o = m.prober.observation;
      const r = o.replication;
      return r !== null && r.ioThread === 'Yes' && o.lastError === null && silent.has(`${r.sourceHost}:${r.sourcePort}`.toLowerCase());
    });
  }

  async #probe(member: Member, deadline: AbortSignal, throttleMs: number): Promise<void> {
    const { prober } = member;
    // Still in flight from an earlier run, which stopped waiting for it at its deadline: this
    // instance hangs. Not waiting again keeps one hung server from delaying every snapshot (a
    // dead primary's included); its observation already shows the attempt running.
    if (prober.probing) return;
    if (throttleMs > 0 && performance.now() - member.lastStartMs < throttleMs) return;
    let release: () => void;
    try {
      release = await this.#options.limiter.acquire(deadline);
    } catch {
      return; // no slot before the deadline: the snapshot keeps the previous observation
    }
    if (this.#stopped) {
      release();
      return;
    }
    // An instance whose last probe failed gets a short wait: a dead one answers (refuses) at once,
    // a hung one would otherwise hold every snapshot for a whole connect timeout.
    const failing = prober.observation.lastError !== null;
    member.lastStartMs = performance.now();
    const probing = prober.probe().finally(release);
    await untilAborted(probing.catch(() => undefined), failing ? AbortSignal.any([deadline, AbortSignal.timeout(this.#failingWaitMs)]) : deadline);
  }

  /** New names from the probes join; second names of a known server leave again. */
  #learn(): void {
    const observations = this.instances();
    for (const key of newInstances(observations, new Set(this.#members.keys()), this.#dropped)) {
      this.#logger.info({ instance: keyId(key) }, 'instance joined the cluster');
      this.#add(key, false);
    }
    const members = [...this.#members.entries()].map(([id, m]) => ({ id, observation: m.prober.observation, seed: m.seed, order: m.order }));
    for (const id of aliasMembers(members)) {
      const member = this.#members.get(id);
      if (!member) continue;
      this.#logger.info({ instance: id }, 'instance is a second name of a known server; dropped');
      this.#members.delete(id);
      this.#dropped.add(id);
      void member.prober.close();
    }
    const forgetAfterMs = this.#options.forgetUnseenAfterMs ?? 0;
    if (forgetAfterMs <= 0) return;
    const unseen = unseenMembers(
      [...this.#members.entries()].map(([id, m]) => ({ id, observation: m.prober.observation, addedAtMs: m.addedAtMs })),
      this.#now().getTime(),
      forgetAfterMs,
    );
    for (const id of unseen) {
      const member = this.#members.get(id);
      if (!member) continue;
      this.#logger.info({ instance: id, lastSeenAt: member.prober.observation.lastSeenAt, forgetAfterMs }, 'instance not seen for too long; forgotten');
      this.#members.delete(id);
      this.#dropped.add(id);
      void member.prober.close();
    }
  }

  async #publish(reason: RunReason, correlationId: string | undefined): Promise<void> {
    const snapshot = buildSnapshot({
      clusterId: this.clusterId,
      alias: this.#alias,
      detectorId: this.#options.detectorId,
      sequence: this.#options.nextSequence(),
      reason,
      pollIntervalMs: this.#options.settings.pollIntervalMs,
      observedAt: this.#now(),
      observations: this.instances(),
    });
    try {
      await this.#options.publish(snapshot, correlationId);
      this.#published += 1;
      if (this.#publishFailures > 0) {
        this.#logger.info({ failures: this.#publishFailures }, 'snapshot publishing recovered');
        this.#publishFailures = 0;
      }
    } catch (error) {
      this.#publishFailures += 1;
      // log the first failure and then one in ten, not every tick
      if (this.#publishFailures % 10 === 1) this.#logger.error({ err: error, failures: this.#publishFailures }, 'snapshot publish failed');
    }
  }
}

/** Resolves when `promise` settles or `signal` aborts, whichever is first. */
function untilAborted(promise: Promise<unknown>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    promise.then(done, done);
  });
}
