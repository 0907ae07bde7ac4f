/**
 * Failover benchmark (issues 5, 11 and 14): `npm run bench:failover [runs]`.
 * Each run: a fresh semi-sync 1+3 MariaDB topology (GTID; the replicas' MASTER_HEARTBEAT_PERIOD
 * 0.5 s, slave_net_timeout 30 s) registered as its own cluster with the whole pipeline in-process
 * (detector, analyzer, recovery executor; no hooks configured), a steady semi-sync writer, then a
 * fault of the primary. Four topologies (BATON_BENCH_TOPOLOGY=healthy, hung, lagging, backlog, a
 * comma-separated list of them, or all: the default):
 * - healthy: kill -9 of the primary; every replica applies as it receives (20 runs by default);
 * - hung: SIGSTOP of the primary (thawed at the end of the run); detected from the replicas'
 *   silence (no event, no heartbeat) before slave_net_timeout ends (20 runs by default);
 * - lagging: kill -9; one replica, a different one each run, has its SQL thread stopped 1 s before
 *   the kill while its IO thread goes on receiving (10 runs by default);
 * - backlog: kill -9; every replica has its SQL thread stopped 400 ms before the kill, IO threads
 *   (and so the semi-sync acks) still running: each holds a relay-log backlog that the drain must
 *   apply before the promotion (10 runs by default).
 * The fault lands at a random point of the detector's poll cycle: once the cluster is registered and
 * the detector has polled it for 3 s (hung: and has read every replica's silence at least twice),
 * the run waits a uniform random 0–pollIntervalMs (BATON_BENCH_SEED fixes the sequence; the seed is
 * printed).
 *
 * Writable is measured by an external poller, independent of Baton's messages: a worker thread
 * with its own connection (root, Unix socket) to every replica, each polled in a tight loop
 * (BATON_BENCH_POLL_MS apart, default 5) with `SELECT @@read_only; SHOW ALL SLAVES STATUS`; it
 * starts before the fault and reports the first answer showing a replica with read_only=0 and no
 * replication source (no row, or Master_Host empty), stamped when that answer arrived (an upper
 * bound: the state changed after the previous poll of that replica was sent).
 *
 * `[runs]` (or BATON_BENCH_RUNS) sets the runs of every topology chosen; with every topology, at
 * least 20 for healthy and hung and 10 for the others. Reported per topology:
 * - crashToWritableMs (hungToWritableMs for hung): the fault → the poller's first writable replica
 *   with no replication;
 * - eventToPromotedMs: the fault → the executor's `promoted` event (stamped once promote() verified
 *   read_only=0 on the new primary);
 * - crashToAllMovedMs (hungToAllMovedMs): the fault → its `replicas-moved` event (every other
 *   replica replicating from the new primary);
 * - ackedWritesLost: writes the writer was told were committed that the new primary lacks (sum
 *   over the runs);
 * - unappliedAtKill (lagging, backlog): transactions a stalled replica had received but not
 *   applied (Gtid_IO_Pos − @@gtid_slave_pos, read just before the kill), the largest per run.
 * With every topology run it writes bench/results/failover.json, with the headline figures
 * crashToWritableMs (healthy) and hungToWritableMs (hung) at the top and the issue-14 goals; a
 * subset only prints. BATON_BENCH_STEPS=1 also prints each run's recovery steps with their time
 * since the fault (where the time goes).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { sleep, startTopology, testDatabase, waitFor, type HeartbeatSpec, type MariaDbInstance, type Topology } from '@baton/testing';
import { seededRandom } from '@baton/testing/seeded-random';
import { startPipeline, type Pipeline } from '../test/support/pipeline.ts';
import { summarize, writeReport } from './report.ts';

type Fault = 'kill' | 'freeze';

interface Variant {
  name: string;
  description: string;
  fault: Fault;
  defaultRuns: number;
  /** The fewest runs when every topology runs (the report file is written). */
  minRuns: number;
  /** The replicas whose SQL thread is stopped `stallMs` before the kill (their IO threads keep receiving). */
  stalled(topology: Topology, run: number): readonly MariaDbInstance[];
  stallMs: number;
}

const heartbeat: HeartbeatSpec = { periodSeconds: 0.5, netTimeoutSeconds: 30 };
const setup = `MariaDB 1+3, semi-sync, GTID, MASTER_HEARTBEAT_PERIOD ${heartbeat.periodSeconds} s, slave_net_timeout ${heartbeat.netTimeoutSeconds} s`;
const base = `${setup}; kill -9 of the primary under a steady semi-sync writer`;
const lagMs = 1000;
const backlogMs = 400;
/** How long the detector polls a new cluster before the random fault offset starts. */
const settleMs = 3000;
const variants: readonly Variant[] = [
  { name: 'healthy', description: base, fault: 'kill', defaultRuns: 20, minRuns: 20, stallMs: 0, stalled: () => [] },
  {
    name: 'hung',
    description: `${setup}; SIGSTOP of the primary under a steady semi-sync writer (thawed after the run)`,
    fault: 'freeze',
    defaultRuns: 20,
    minRuns: 20,
    stallMs: 0,
    stalled: () => [],
  },
  {
    name: 'lagging',
    description: `${base}; one replica (a different one each run) lagging: its SQL thread stopped ${lagMs} ms before the kill, its IO thread receiving`,
    fault: 'kill',
    defaultRuns: 10,
    minRuns: 10,
    stallMs: lagMs,
    stalled: (topology, run) => [topology.replicas[run % topology.replicas.length] as MariaDbInstance],
  },
  {
    name: 'backlog',
    description: `${base}; a relay-log backlog on every replica: SQL threads stopped ${backlogMs} ms before the kill, IO threads receiving and acking`,
    fault: 'kill',
    defaultRuns: 10,
    minRuns: 10,
    stallMs: backlogMs,
    stalled: (topology) => topology.replicas,
  },
];

const chosenNames = (process.env['BATON_BENCH_TOPOLOGY'] ?? 'all').split(',').map((s) => s.trim());
const chosen = chosenNames.includes('all') ? variants : variants.filter((v) => chosenNames.includes(v.name));
const unknown = chosenNames.filter((n) => n !== 'all' && !variants.some((v) => v.name === n));
if (unknown.length > 0 || chosen.length === 0) throw new Error(`BATON_BENCH_TOPOLOGY: unknown ${unknown.join(', ')}; one or more of ${variants.map((v) => v.name).join(', ')}, or all`);
const everyVariant = chosen.length === variants.length;
const runsArg = process.argv[2] ?? process.env['BATON_BENCH_RUNS'];
if (runsArg !== undefined && !(Number.isInteger(Number(runsArg)) && Number(runsArg) >= 1)) throw new Error(`runs: a positive integer, not ${runsArg}`);
/** Any number for a subset (a try-out); with every topology (the report) at least each one's minRuns. */
const runsOf = (v: Variant): number => {
  const asked = runsArg === undefined ? v.defaultRuns : Number(runsArg);
  return everyVariant ? Math.max(v.minRuns, asked) : asked;
};
const pollMs = Number(process.env['BATON_BENCH_POLL_MS'] ?? 5);
const seed = process.env['BATON_BENCH_SEED'] === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(process.env['BATON_BENCH_SEED']) >>> 0;

const random = seededRandom(seed);

/** Transactions `replica` received but has not applied: Gtid_IO_Pos − @@gtid_slave_pos, summed over GTID domains. */
async function unapplied(replica: MariaDbInstance): Promise<number> {
  const [status, rows] = await Promise.all([replica.slaveStatus(), replica.query<{ pos: string }>('SELECT @@GLOBAL.gtid_slave_pos AS pos')]);
  const seqByDomain = (list: string): Map<string, number> =>
    new Map(
      list
        .split(',')
        .filter((g) => g.trim() !== '')
        .map((g) => {
          const [domain, , seq] = g.trim().split('-');
          return [String(domain), Number(seq)];
        }),
    );
  const applied = seqByDomain(rows[0]?.pos ?? '');
  return [...seqByDomain(status?.Gtid_IO_Pos ?? '')].reduce((n, [domain, seq]) => n + Math.max(0, seq - (applied.get(domain) ?? 0)), 0);
}

// ---- the external poller: a worker thread, so the pipeline's busy event loop cannot delay its stamps

/** Plain JavaScript run in the worker (eval: no TypeScript loader needed there). */
const pollerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const mysql = require(workerData.mysql2);
const { replicas, pollMs } = workerData;
let stopping = false;
parentPort.on('message', (m) => { if (m === 'stop') stopping = true; });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function watch(r) {
  let conn;
  let prevSentAt = null;
  let polls = 0;
  let firstAt = null;
  let lastAt = null;
  while (!stopping) {
    try {
      conn ??= await mysql.createConnection({ socketPath: r.socketPath, user: 'root', password: '', connectTimeout: 1000, multipleStatements: true });
      const sentAt = Date.now();
      const [results] = await conn.query({ sql: 'SELECT @@GLOBAL.read_only AS ro; SHOW ALL SLAVES STATUS', timeout: 2000 });
      const at = Date.now();
      polls += 1;
      firstAt ??= at;
      lastAt = at;
      const readOnly = Number(results[0][0].ro) !== 0;
      const sources = results[1].filter((s) => String(s.Master_Host ?? '') !== '').map((s) => String(s.Master_Host) + ':' + String(s.Master_Port));
      if (polls === 1) parentPort.postMessage({ kind: 'first', name: r.name, readOnly, sources, at });
      if (!readOnly && sources.length === 0) {
        stopping = true;
        parentPort.postMessage({ kind: 'writable', name: r.name, at, sentAt, prevSentAt });
        break;
      }
      prevSentAt = sentAt;
    } catch (error) {
      conn?.destroy();
      conn = undefined;
      parentPort.postMessage({ kind: 'error', name: r.name, message: String(error && error.message), at: Date.now() });
      await sleep(10);
      continue;
    }
    await sleep(pollMs);
  }
  conn?.destroy();
  return { name: r.name, polls, cycleMs: polls > 1 ? (lastAt - firstAt) / (polls - 1) : null };
}
Promise.all(replicas.map(watch)).then((stats) => parentPort.postMessage({ kind: 'done', stats }));
`;
const mysql2Path = createRequire(new URL('../libs/testing/package.json', import.meta.url)).resolve('mysql2/promise');

type PollerMessage =
  | { kind: 'first'; name: string; readOnly: boolean; sources: string[]; at: number }
  | { kind: 'writable'; name: string; at: number; sentAt: number; prevSentAt: number | null }
  | { kind: 'error'; name: string; message: string; at: number }
  | { kind: 'done'; stats: Array<{ name: string; polls: number; cycleMs: number | null }> };

interface Writable {
  name: string;
  /** When the answer showing it writable with no replication arrived (epoch ms). */
  at: number;
  /** When the previous, not yet writable, poll of that replica was sent: the change happened after it. */
  prevSentAt: number | null;
}

interface Poller {
  /** Resolves once every replica answered once, read-only and replicating (throws otherwise). */
  baseline: Promise<void>;
  /** The first replica seen writable with no replication. */
  writable: Promise<Writable>;
  errors: string[];
  /** Stops polling; resolves with each replica's poll count and mean cycle. */
  stop(): Promise<Array<{ name: string; polls: number; cycleMs: number | null }>>;
}

function startPoller(replicas: readonly MariaDbInstance[]): Poller {
  const worker = new Worker(pollerSource, { eval: true, workerData: { mysql2: mysql2Path, pollMs, replicas: replicas.map((r) => ({ name: r.name, socketPath: r.socketPath })) } });
  const errors: string[] = [];
  const firsts = new Map<string, PollerMessage & { kind: 'first' }>();
  let baselineDone: (error?: Error) => void = () => undefined;
  let writableDone: (w: Writable | Error) => void = () => undefined;
  let statsDone: (s: Array<{ name: string; polls: number; cycleMs: number | null }>) => void = () => undefined;
  const baseline = new Promise<void>((resolve, reject) => (baselineDone = (e) => (e ? reject(e) : resolve())));
  const writable = new Promise<Writable>((resolve, reject) => (writableDone = (w) => (w instanceof Error ? reject(w) : resolve(w))));
  const stats = new Promise<Array<{ name: string; polls: number; cycleMs: number | null }>>((resolve) => (statsDone = resolve));
  writable.catch(() => undefined);
  worker.on('message', (m: PollerMessage) => {
    if (m.kind === 'first') {
      firsts.set(m.name, m);
      if (!m.readOnly || m.sources.length === 0) baselineDone(new Error(`poller: ${m.name} before the fault: read_only ${m.readOnly ? 1 : 0}, sources ${m.sources.join(',') || 'none'}`));
      else if (firsts.size === replicas.length) baselineDone();
    } else if (m.kind === 'writable') writableDone({ name: m.name, at: m.at, prevSentAt: m.prevSentAt });
    else if (m.kind === 'error') errors.push(`${m.name}@${m.at}: ${m.message}`);
    else statsDone(m.stats);
  });
  worker.on('error', (error) => {
    baselineDone(error);
    writableDone(error);
  });
  worker.on('exit', () => {
    baselineDone(new Error('poller exited'));
    writableDone(new Error('poller exited'));
    statsDone([]);
  });
  return {
    baseline,
    writable,
    errors,
    async stop() {
      worker.postMessage('stop');
      const result = await Promise.race([stats, sleep(3000).then(() => [])]);
      await worker.terminate();
      return result;
    },
  };
}

/** `promise`, or a rejection naming `what` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface RunFigures {
  writable: number[];
  promoted: number[];
  moved: number[];
  backlog: number[];
  offsets: number[];
  lost: number;
  acked: number;
}

async function measure(pipeline: Pipeline, variant: Variant): Promise<Record<string, unknown>> {
  const runs = runsOf(variant);
  const f: RunFigures = { writable: [], promoted: [], moved: [], backlog: [], offsets: [], lost: 0, acked: 0 };
  const pollIntervalMs = pipeline.config.detector.pollIntervalMs;
  for (let run = 0; run < runs; run++) {
    const label = `${variant.name} run ${run + 1}/${runs}`;
    const topology = await startTopology({ replicas: 3, semiSync: true, heartbeat });
    const alias = `failover-${variant.name}-${run}`;
    let poller: Poller | undefined;
    try {
      await pipeline.register(topology, alias);
      const registeredAt = Date.now();
      const writer = await topology.startWriter({ semisync: true });
      await waitFor(() => writer.ackedCount >= 100, { description: '100 acked writes', timeoutMs: 30_000 });
      if (variant.fault === 'freeze') {
        // every replica read at least twice by the detector: its silence has a baseline
        await waitFor(() => (pipeline.detectors[0]?.clusterInstances(alias) ?? []).filter((i) => i.port !== topology.primary.port && i.replication?.sourceSilentMs != null).length === topology.replicas.length, {
          description: `silence tracked on every replica of ${alias}`,
          timeoutMs: 20_000,
        });
      }
      poller = startPoller(topology.replicas);
      await within(poller.baseline, 10_000, `${label}: poller baseline`);
      const stalled = variant.stalled(topology, run);
      let unappliedAtKill: number | undefined;
      if (stalled.length > 0) {
        await Promise.all(stalled.map((r) => r.query('STOP SLAVE SQL_THREAD')));
        await sleep(variant.stallMs);
        unappliedAtKill = Math.max(...(await Promise.all(stalled.map(unapplied))));
        f.backlog.push(unappliedAtKill);
      }
      // the random phase: the fault lands anywhere in the detector's poll cycle
      const settled = registeredAt + settleMs - Date.now();
      if (settled > 0) await sleep(settled);
      const offset = Math.round(random() * pollIntervalMs);
      f.offsets.push(offset);
      await sleep(offset);
      const primarySeen = (pipeline.detectors[0]?.clusterInstances(alias) ?? []).find((i) => i.port === topology.primary.port);
      const faultAt = Date.now();
      if (variant.fault === 'kill') await topology.primary.kill();
      else await topology.primary.freeze();
      const sinceProbe = primarySeen?.lastCheckedAt ? faultAt - Date.parse(primarySeen.lastCheckedAt) : undefined;
      const written = await writer.stop();
      const forCluster = (step: string) => pipeline.waitForEvent((e) => e.clusterId === alias && e.step === step, { afterMs: faultAt, timeoutMs: 60_000, description: `${step} of ${alias}` });
      const resolved = await forCluster('resolved');
      if (resolved.status !== 'succeeded') throw new Error(`${label}: recovery ${resolved.status}: ${JSON.stringify(resolved.details['errors'])}`);
      const promoted = await forCluster('promoted');
      const allMoved = await forCluster('replicas-moved');
      const seen = await within(poller.writable, 10_000, `${label}: the poller seeing a writable replica after the promoted event`);
      const pollStats = await poller.stop();
      const successor = topology.instances.find((i) => `${i.host}:${i.port}` === resolved.details['successor']);
      if (!successor) throw new Error(`${label}: successor ${String(resolved.details['successor'])} not in the topology`);
      if (seen.name !== successor.name) throw new Error(`${label}: the poller saw ${seen.name} writable, the successor is ${successor.name}`);
      const rows = await successor.query<{ seq: number }>(`SELECT seq FROM ${testDatabase}.writes WHERE writer = ?`, [written.writer]);
      const present = new Set(rows.map((r) => Number(r.seq)));
      const missing = written.acked.filter((s) => !present.has(s)).length;
      f.lost += missing;
      f.acked += written.acked.length;
      f.writable.push(seen.at - faultAt);
      f.promoted.push(Date.parse(promoted.at) - faultAt);
      f.moved.push(Date.parse(allMoved.at) - faultAt);
      if (process.env['BATON_BENCH_STEPS']) {
        const code = (d: Record<string, unknown>): string => (typeof d['code'] === 'string' ? `(${d['code']})` : '');
        const steps = pipeline.events.filter((e) => e.payload.clusterId === alias && Date.parse(e.payload.at) >= faultAt).map((e) => `${e.payload.step}${code(e.payload.details)}+${Date.parse(e.payload.at) - faultAt}`);
        console.error(`  steps: ${steps.join(' ')}`);
        // what the analyzer said of the old primary (received by the bench) until the promotion
        const said = pipeline.analyses
          .filter((a) => a.payload.clusterId === alias && a.receivedAtMs >= faultAt && a.receivedAtMs <= Date.parse(promoted.at))
          .map((a) => `${a.payload.entries.find((e) => e.instance.port === topology.primary.port)?.code ?? 'NoProblem'}+${a.receivedAtMs - faultAt}`);
        console.error(`  analyses of the primary: ${said.join(' ') || 'none'}`);
        const cycles = pollStats.map((s) => `${s.name} ${s.polls} polls/${s.cycleMs?.toFixed(1) ?? '?'} ms`).join(', ');
        console.error(`  poller: ${cycles}${poller.errors.length > 0 ? `; errors ${poller.errors.slice(0, 3).join(' | ')}` : ''}`);
      }
      const stalledNote = unappliedAtKill === undefined ? '' : `, unapplied at the kill ${unappliedAtKill} (${stalled.map((r) => r.name).join(', ')})`;
      const after = seen.prevSentAt === null ? '' : ` (changed after +${seen.prevSentAt - faultAt})`;
      console.error(
        `${label}: offset ${offset} ms (${sinceProbe === undefined ? '?' : sinceProbe} ms after the primary's last probe), writable (poller) +${f.writable.at(-1)} ms${after} on ${seen.name}, ` +
          `promoted event +${f.promoted.at(-1)} ms, all moved +${f.moved.at(-1)} ms, acked ${written.acked.length}, lost ${missing}${stalledNote}`,
      );
    } finally {
      await poller?.stop();
      if (topology.primary.frozen) topology.primary.thaw();
      await topology.stop();
      // the topology is destroyed: its old primary is decommissioned, as an operator would record it
      // (otherwise every executor keeps probing each dead demoted primary of the earlier runs every
      // fenceKeeperIntervalMs, and the later runs measure that load)
      await pipeline.backend.query("UPDATE demoted_primaries SET ended_at = NOW(3), end_reason = 'bench: topology destroyed' WHERE cluster_id = ? AND ended_at IS NULL", [alias]);
    }
  }
  const fault = variant.fault === 'kill' ? 'crash' : 'hung';
  return {
    [`${fault}ToWritableMs`]: summarize(f.writable),
    eventToPromotedMs: summarize(f.promoted),
    [`${fault}ToAllMovedMs`]: summarize(f.moved),
    ...(f.backlog.length > 0 ? { unappliedAtKill: summarize(f.backlog) } : {}),
    ackedWritesLost: f.lost,
    ackedWrites: f.acked,
    runs: f.writable.length,
    faultOffsetsMs: f.offsets,
    topology: variant.description,
  };
}

console.error(`bench:failover seed ${seed} (BATON_BENCH_SEED), poller every ${pollMs} ms, ${chosen.map((v) => `${v.name} ×${runsOf(v)}`).join(', ')}`);
const admin = { user: 'baton', password: 'baton-pass' };
const pipeline = await startPipeline({ admin, label: 'bench-failover', executors: 1, env: { BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '["*"]' } });
const topologies: Record<string, Record<string, unknown>> = {};
try {
  await waitFor(() => pipeline.executors.every((e) => e.executor.warmedUp()), { description: 'executor warmed up', timeoutMs: 30_000 });
  for (const variant of chosen) topologies[variant.name] = await measure(pipeline, variant);
} finally {
  await pipeline.stop();
}

type Summary = ReturnType<typeof summarize>;
const crashToWritableMs = topologies['healthy']?.['crashToWritableMs'] as Summary | undefined;
const hungToWritableMs = topologies['hung']?.['hungToWritableMs'] as Summary | undefined;
const goal = (what: string, limitMs: number, measured: number | undefined) => ({ goal: what, limitMs, measuredMs: measured ?? null, met: measured === undefined ? null : measured <= limitMs });
const total = (key: string): number => Object.values(topologies).reduce((n, t) => n + Number(t[key]), 0);
const report = {
  ...(crashToWritableMs ? { crashToWritableMs } : {}),
  ...(hungToWritableMs ? { hungToWritableMs } : {}),
  goals: {
    crashToWritableP99: goal('kill -9 of the primary → a replica writable (read_only=0) with no replication, p99 ≤ 250 ms (healthy)', 250, crashToWritableMs?.p99),
    hungToWritableP50: goal(`SIGSTOP of the primary → a replica writable with no replication, p50 ≤ 2000 ms with MASTER_HEARTBEAT_PERIOD ${heartbeat.periodSeconds} s (hung)`, 2000, hungToWritableMs?.p50),
  },
  topologies,
  ackedWritesLost: total('ackedWritesLost'),
  ackedWrites: total('ackedWrites'),
  runs: total('runs'),
  pollIntervalMs: pipeline.config.detector.pollIntervalMs,
  heartbeat,
  measurement: `external poller (worker thread, root over the Unix socket, every replica every ${pollMs} ms + query time: SELECT @@read_only; SHOW ALL SLAVES STATUS), from Date.now() just before the signal; fault offset uniform 0–${pipeline.config.detector.pollIntervalMs} ms after ${settleMs} ms of detector polling`,
  seed,
};
if (everyVariant) writeReport('failover', report);
else {
  console.error(`only ${chosen.map((v) => v.name).join(', ')}: bench/results/failover.json not written`);
  console.log(JSON.stringify({ ...report, measuredAt: new Date().toISOString() }, null, 2));
}
process.exit(0);
