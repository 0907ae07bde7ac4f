/**
 * The chaos suite's invariants, as pure functions over what a scenario recorded: the sampler's
 * timeline of who answered and who was writable, the acked writes of the application writer, the
 * final topology, and the backend's recoveries and their steps. No I/O and no clock reads: every
 * time is a number the caller passes in (the sampler's `Date.now()` epoch milliseconds), so each
 * checker is table-tested with hand-made histories, and a scenario's report can be rebuilt from
 * its recorded data alone.
 *
 * Instances are named `host:port` everywhere, as `replicatingFrom` and a promotion's
 * `details.successor` name them.
 */

export type InvariantName = 'split-brain' | 'lost-write' | 'final-topology' | 'recovery-running' | 'double-promotion';

export interface Violation {
  invariant: InvariantName;
  message: string;
  /** When it was observed (time-based invariants): the report shows the samples around it. */
  atMs?: number;
  details?: unknown;
}

/** One instance as one sample saw it. */
export interface SampledInstance {
  /** `host:port`. */
  id: string;
  /** Its latest answer was fresh when the sample was taken. */
  answered: boolean;
  /** An application account may write: read_only=0 and no switch to read-only waiting (see sampler.ts); null when it did not answer. */
  writable: boolean | null;
  readOnly?: boolean | null;
  /** read_only=0, but SET GLOBAL read_only = 1 is already waiting for the global read lock: new writes wait, then fail. */
  closing?: boolean;
  replicatingFrom?: string | null;
}

export interface Sample {
  atMs: number;
  instances: SampledInstance[];
}

const writableIds = (sample: Sample): string[] => sample.instances.filter((i) => i.answered && i.writable === true).map((i) => i.id);

/**
 * A primary cut off by the network (iptables) coming back at `fromMs`: no SQL fence can reach it
 * while it is cut off, so it answers writable until the fence keeper's next attempt lands on it.
 * An episode of it and exactly one other writable instance that starts at or after `fromMs` and
 * whose last sample is within `withinMs` of it is that window, and is not a violation; anything
 * longer, earlier, or with a third writable instance is. (A frozen primary gets no allowance: the
 * fence line's read_only=1 is the first thing it runs.)
 */
export interface ReturnWindow {
  id: string;
  fromMs: number;
  withinMs: number;
}

/**
 * Two or more instances answering and writable in the same sample. Consecutive samples with the
 * same writable set are one episode, reported once: `atMs` is its first sample, `details` has the
 * ids, the first and last sample times, how many samples it lasted and the first sample itself.
 * `returning`: the window a cut-off primary may have when it comes back (see ReturnWindow).
 */
export function checkSplitBrain(samples: readonly Sample[], options: { returning?: ReturnWindow } = {}): Violation[] {
  const out: Violation[] = [];
  const r = options.returning;
  const tolerated = (ids: string[], first: Sample, last: Sample): boolean =>
    r !== undefined && ids.length === 2 && ids.includes(r.id) && first.atMs >= r.fromMs && last.atMs <= r.fromMs + r.withinMs;
  let open: { ids: string[]; key: string; first: Sample; last: Sample; count: number } | undefined;
  const close = (): void => {
    if (!open) return;
    const { ids, first, last, count } = open;
    if (tolerated(ids, first, last)) {
      open = undefined;
      return;
    }
    out.push({
      invariant: 'split-brain',
      message: `${ids.length} instances writable at once: ${ids.join(', ')} (${count} sample${count === 1 ? '' : 's'}, ${last.atMs - first.atMs} ms)`,
      atMs: first.atMs,
      details: { writable: ids, firstAtMs: first.atMs, lastAtMs: last.atMs, samples: count, sample: first },
    });
    open = undefined;
  };
  for (const sample of samples) {
    const ids = writableIds(sample);
    if (ids.length < 2) {
      close();
      continue;
    }
    const sorted = [...ids].sort();
    const key = sorted.join(',');
    if (open && open.key === key) {
      open.last = sample;
      open.count += 1;
      continue;
    }
    close();
    open = { ids: sorted, key, first: sample, last: sample, count: 1 };
  }
  close();
  return out;
}

/**
 * Every acked write must be on the final primary. `present` is what that primary holds (see
 * `readPresentSeqs`). Reports how many are missing and the first `maxListed` of them, in the
 * order they were acked.
 */
export function checkAckedWrites<T extends number | string>(
  acked: readonly T[],
  present: ReadonlySet<T>,
  options: { maxListed?: number } = {},
): Violation | null {
  const maxListed = options.maxListed ?? 20;
  const missing = acked.filter((id) => !present.has(id));
  if (missing.length === 0) return null;
  const listed = missing.slice(0, maxListed);
  return {
    invariant: 'lost-write',
    message: `${missing.length} of ${acked.length} acked writes missing on the final primary: ${listed.join(', ')}${missing.length > listed.length ? ', …' : ''}`,
    details: { missing: missing.length, acked: acked.length, firstMissing: listed },
  };
}

/** One replication connection of an instance (a row of SHOW ALL SLAVES STATUS). */
export interface ReplicationChannel {
  /** Connection_name ('' for the default connection). */
  name: string;
  /** `Master_Host:Master_Port`. */
  source: string;
  ioRunning: boolean;
  sqlRunning: boolean;
}

export interface FinalInstance {
  id: string;
  answered: boolean;
  writable: boolean | null;
  /** The (first) configured source, null when no replication is configured. */
  replicatingFrom: string | null;
  ioRunning: boolean;
  sqlRunning: boolean;
  /** Every configured connection, when known: more than one is a violation. */
  channels?: ReplicationChannel[];
  /** Why it did not answer, for the report. */
  error?: string;
}

export interface FinalTopology {
  instances: FinalInstance[];
}

/**
 * At the end of a scenario: exactly one answering instance is writable, it replicates from
 * nobody, and every other answering instance replicates from it (one connection) with both
 * threads running. With `expectedSurvivors` (ids), each of those must be answering too.
 * `demoted` (ids): instances set aside on purpose — an old primary Baton keeps fenced after a
 * failover, a candidate left read-only after its promotion failed — each may answer read-only in
 * any replication state, and must never answer writable.
 */
/**
 * `chained`: a replica may replicate from another replica (a dead intermediate's replicas relocated
 * under a sibling) as long as its chain of sources reaches the primary through answering replicas
 * whose threads run; otherwise every replica replicates from the primary itself.
 */
export function checkFinalTopology(final: FinalTopology, expectedSurvivors?: readonly string[], options: { demoted?: readonly string[]; chained?: boolean } = {}): Violation[] {
  const out: Violation[] = [];
  const fail = (message: string, details?: unknown): void => {
    out.push({ invariant: 'final-topology', message, ...(details === undefined ? {} : { details }) });
  };
  const answering = final.instances.filter((i) => i.answered);
  for (const id of expectedSurvivors ?? []) {
    const found = final.instances.find((i) => i.id === id);
    if (!found?.answered) fail(`expected survivor ${id} does not answer${found?.error ? ` (${found.error})` : ''}`, { id });
  }
  for (const i of answering.filter((a) => a.writable === null)) fail(`${i.id} answers but its read_only is unknown`, { id: i.id });

  const writable = answering.filter((i) => i.writable === true);
  if (writable.length !== 1) {
    fail(
      writable.length === 0
        ? `no answering instance is writable (answering: ${answering.map((i) => i.id).join(', ') || 'none'})`
        : `${writable.length} answering instances are writable: ${writable.map((i) => i.id).join(', ')}`,
      { writable: writable.map((i) => i.id) },
    );
    return out;
  }
  const primary = writable[0] as FinalInstance;
  if (primary.replicatingFrom !== null || (primary.channels?.length ?? 0) > 0) {
    fail(`the primary ${primary.id} still has replication configured (from ${primary.replicatingFrom ?? primary.channels?.[0]?.source})`, { primary });
  }
  const demoted = new Set(options.demoted ?? []);
  if (demoted.has(primary.id)) fail(`the demoted primary ${primary.id} is the writable one`, { primary });
  for (const replica of answering) {
    if (replica === primary || replica.writable !== false) continue;
    if (demoted.has(replica.id)) continue; // set aside: read-only, wherever it replicates from
    if (replica.replicatingFrom === null) {
      fail(`${replica.id} replicates from nobody (a second root); the primary is ${primary.id}`, { replica });
      continue;
    }
    if (replica.channels && replica.channels.length > 1) {
      fail(`${replica.id} has ${replica.channels.length} replication connections: ${replica.channels.map((c) => c.source).join(', ')}`, { replica });
    }
    const reachesPrimary = (start: FinalInstance): boolean => {
      const seen = new Set<string>();
      for (let at: FinalInstance | undefined = start; at && !seen.has(at.id); at = answering.find((a) => a.id === at?.replicatingFrom)) {
        seen.add(at.id);
        if (!at.ioRunning || !at.sqlRunning) return false;
        if (at.replicatingFrom === primary.id) return true;
      }
      return false;
    };
    if (replica.replicatingFrom !== primary.id && !(options.chained && reachesPrimary(replica))) {
      fail(`${replica.id} replicates from ${replica.replicatingFrom}, not from the primary ${primary.id}`, { replica });
    } else if (!replica.ioRunning || !replica.sqlRunning) {
      fail(`${replica.id} replicates from ${replica.replicatingFrom} but IO ${replica.ioRunning ? 'runs' : 'stopped'}, SQL ${replica.sqlRunning ? 'runs' : 'stopped'}`, { replica });
    }
  }
  return out;
}

export interface RecoveryRow {
  uid: string;
  outcome: string | null;
  ended_at: Date | string | number | null;
}

/** No recovery may be left running at the end: outcome NULL or ended_at NULL. One violation per row. */
export function checkRecoveryRows(rows: readonly RecoveryRow[]): Violation[] {
  return rows
    .filter((r) => r.outcome === null || r.ended_at === null)
    .map((r) => ({
      invariant: 'recovery-running' as const,
      message: `recovery ${r.uid} is still running (outcome ${r.outcome ?? 'NULL'}, ended_at ${r.ended_at === null ? 'NULL' : String(r.ended_at)})`,
      details: r,
    }));
}

export interface PromotionStep {
  recoveryUid: string;
  /** The failed instance of the step's recovery, `host:port`. */
  failed: string;
  step: string;
  /** 1/true succeeded, 0/false failed, null informational (TINYINT(1) comes back as a number). */
  ok: boolean | number | null;
  /** The step's details: an object, or its JSON text as MariaDB's JSON (LONGTEXT) column returns it. */
  details: unknown;
}

function successorOf(details: unknown): string | null {
  let value = details;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return null;
    }
  }
  const successor = value !== null && typeof value === 'object' ? (value as { successor?: unknown }).successor : undefined;
  return typeof successor === 'string' ? successor : null;
}

/**
 * One failed instance, one promotion: more than one successful `promoted` step for the same
 * failed instance is a violation, unless every later one names the same successor as the first
 * (a roll-forward completing the same promotion). Steps are taken in the order given (the caller
 * orders them by time). One violation per failed instance.
 */
export function checkPromotions(steps: readonly PromotionStep[]): Violation[] {
  const byFailed = new Map<string, Array<{ recoveryUid: string; successor: string | null }>>();
  for (const s of steps) {
    if (s.step !== 'promoted' || !(s.ok === true || s.ok === 1)) continue;
    const list = byFailed.get(s.failed) ?? [];
    list.push({ recoveryUid: s.recoveryUid, successor: successorOf(s.details) });
    byFailed.set(s.failed, list);
  }
  const out: Violation[] = [];
  for (const [failed, promotions] of byFailed) {
    const first = promotions[0];
    if (!first || promotions.length < 2) continue;
    const same = first.successor !== null && promotions.every((p) => p.successor === first.successor);
    if (same) continue;
    const successors = [...new Set(promotions.map((p) => p.successor ?? '(no successor named)'))];
    out.push({
      invariant: 'double-promotion',
      message: `${failed} failed once but was replaced ${promotions.length} times, onto ${successors.join(', ')} (recoveries ${[...new Set(promotions.map((p) => p.recoveryUid))].join(', ')})`,
      details: { failed, promotions },
    });
  }
  return out;
}

export interface ReportInput {
  scenario: string;
  /** When the fault was injected, on the samples' clock; times in the report are relative to it. */
  faultAtMs: number;
  violations: readonly Violation[];
  samples: readonly Sample[];
  /** Samples shown either side of a time-based violation. Default 250 ms. */
  windowMs?: number;
  /** Cap on the JSON of a violation's details. Default 600 characters. */
  maxDetailChars?: number;
}

/** `+120 ms` relative to the fault; `pad` aligns the number for sample lines. */
const rel = (atMs: number, faultAtMs: number, pad = false): string => {
  const d = Math.round(atMs - faultAtMs);
  return `${d >= 0 ? '+' : '-'}${String(Math.abs(d)).padStart(pad ? 5 : 0, ' ')} ms`;
};

function stateOf(i: SampledInstance): string {
  if (!i.answered) return '--';
  if (i.closing) return 'cl';
  if (i.writable === true) return 'RW';
  if (i.writable === false) return 'ro';
  return '??';
}

/** One line per sample: `+  120 ms  127.0.0.1:3306=RW 127.0.0.1:3307=ro 127.0.0.1:3308=--`. */
export function formatSample(sample: Sample, faultAtMs: number): string {
  return `${rel(sample.atMs, faultAtMs, true)}  ${sample.instances.map((i) => `${i.id}=${stateOf(i)}`).join(' ')}`;
}

function detailText(details: unknown, max: number): string {
  let text: string;
  try {
    text = JSON.stringify(details, (key, value: unknown) => (key === 'sample' ? undefined : value)) ?? '';
  } catch {
    text = String(details);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * A readable report: the scenario, the fault time, every violation, and for time-based ones the
 * samples within ±windowMs of it (the violating sample marked `>`). Legend: RW writable, ro
 * read-only, -- not answered.
 */
export function formatReport(input: ReportInput): string {
  const windowMs = input.windowMs ?? 250;
  const maxDetail = input.maxDetailChars ?? 600;
  const { faultAtMs, samples, violations } = input;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const lines = [
    `chaos scenario "${input.scenario}": ${violations.length === 0 ? 'no violations' : `${violations.length} violation${violations.length === 1 ? '' : 's'}`}`,
    `  fault injected at ${faultAtMs} (times below are relative to it); ${samples.length} samples` +
      (first && last ? ` from ${rel(first.atMs, faultAtMs)} to ${rel(last.atMs, faultAtMs)}` : ''),
  ];
  violations.forEach((v, n) => {
    lines.push(`${n + 1}. [${v.invariant}]${v.atMs === undefined ? '' : ` at ${rel(v.atMs, faultAtMs)}`}: ${v.message}`);
    if (v.details !== undefined) lines.push(`   details: ${detailText(v.details, maxDetail)}`);
    if (v.atMs === undefined) return;
    const at = v.atMs;
    const around = samples.filter((s) => Math.abs(s.atMs - at) <= windowMs);
    if (around.length === 0) {
      lines.push(`   (no samples within ±${windowMs} ms)`);
      return;
    }
    lines.push(`   samples within ±${windowMs} ms (RW writable, ro read-only, cl read_only=0 but closing, -- not answered):`);
    for (const s of around) lines.push(`   ${s.atMs === at ? '>' : ' '} ${formatSample(s, faultAtMs)}`);
  });
  return lines.join('\n');
}

/** What the reported-loss check reads of a recovery's loss report (the @baton/domain LossReport shape). */
export interface ReportedLoss {
  entries: ReadonlyArray<{ member: string; source: string; count: number | null; missing: string }>;
  pending: readonly string[];
}

/**
 * Acknowledged writes missing on the final primary are acceptable only where the failover said so
 * (asynchronous replication loses what the primary acknowledged and nobody received): the
 * recovery's loss report counts at least as many transactions as writes are missing, from members
 * read for real (not a last-seen lower bound), and each missing write is present on one of those
 * members (`holders`: the writer's seqs present on each reported member that could be read).
 */
export function checkReportedLoss(missing: readonly number[], report: ReportedLoss | null, holders: ReadonlyMap<string, ReadonlySet<number>>): Violation | null {
  if (missing.length === 0) return null;
  const listed = missing.slice(0, 20).join(', ');
  if (!report) return { invariant: 'lost-write', message: `${missing.length} acked writes missing on the final primary and no loss report: ${listed}`, details: { missing } };
  const exact = report.entries.filter((e) => e.source === 'returned' || e.source === 'examined');
  const counted = exact.reduce((n, e) => n + (e.count ?? 0), 0);
  if (counted < missing.length) {
    return {
      invariant: 'lost-write',
      message: `${missing.length} acked writes missing on the final primary, the loss report counts ${counted} (${exact.map((e) => `${e.member}: ${e.missing}`).join('; ') || 'no exact entry'}; pending ${report.pending.join(', ') || 'nothing'}): ${listed}`,
      details: { missing, report },
    };
  }
  const unheld = missing.filter((seq) => !exact.some((e) => holders.get(e.member)?.has(seq)));
  if (unheld.length > 0) {
    return { invariant: 'lost-write', message: `${unheld.length} acked writes missing on the final primary are on no member the loss report names: ${unheld.slice(0, 20).join(', ')}`, details: { unheld, report } };
  }
  return null;
}
