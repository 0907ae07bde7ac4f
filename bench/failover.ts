/**
 * Failover benchmark (issues 5 and 11): `npm run bench:failover [runs]`.
 * Each run: a fresh semi-sync 1+3 MariaDB topology registered as its own cluster with the whole
 * pipeline in-process (detector, analyzer, recovery executor; no hooks configured), a steady
 * semi-sync writer, kill -9 of the primary. Three topologies (BATON_BENCH_TOPOLOGY=healthy,
 * lagging, backlog, a comma-separated list of them, or all: the default):
 * - healthy: every replica applies as it receives (12 runs by default);
 * - lagging: one replica, a different one each run, has its SQL thread stopped 1 s before the
 *   kill while its IO thread goes on receiving (30 runs by default);
 * - backlog: every replica has its SQL thread stopped 400 ms before the kill, IO threads (and so
 *   the semi-sync acks) still running: each holds a relay-log backlog that the drain must apply
 *   before the promotion (30 runs by default).
 * `[runs]` (or BATON_BENCH_RUNS) sets the runs of every topology chosen, at least 10. Reported
 * per topology:
 * - crashToWritableMs: the crash → the executor's `promoted` event (stamped once promote()
 *   verified read_only=0 on the new primary);
 * - crashToAllMovedMs: the crash → its `replicas-moved` event (every other replica replicating
 *   from the new primary);
 * - ackedWritesLost: writes the writer was told were committed that the new primary lacks (sum
 *   over the runs);
 * - unappliedAtKill (lagging, backlog): transactions a stalled replica had received but not
 *   applied (Gtid_IO_Pos − @@gtid_slave_pos, read just before the kill), the largest per run.
 * With every topology run it writes bench/results/failover.json; a subset only prints. BATON_BENCH_STEPS=1
 * also prints each run's recovery steps with their time since the crash (where the time goes).
 */
import { sleep, startTopology, testDatabase, waitFor, type MariaDbInstance, type Topology } from '@baton/testing';
import { startPipeline, type Pipeline } from '../test/support/pipeline.ts';
import { summarize, writeReport } from './report.ts';

interface Variant {
  name: string;
  description: string;
  defaultRuns: number;
  /** The replicas whose SQL thread is stopped `stallMs` before the kill (their IO threads keep receiving). */
  stalled(topology: Topology, run: number): readonly MariaDbInstance[];
  stallMs: number;
}

const base = 'MariaDB 1+3, semi-sync, GTID; kill -9 of the primary under a steady semi-sync writer';
const lagMs = 1000;
const backlogMs = 400;
const variants: readonly Variant[] = [
  { name: 'healthy', description: base, defaultRuns: 12, stallMs: 0, stalled: () => [] },
  {
    name: 'lagging',
    description: `${base}; one replica (a different one each run) lagging: its SQL thread stopped ${lagMs} ms before the kill, its IO thread receiving`,
    defaultRuns: 30,
    stallMs: lagMs,
    stalled: (topology, run) => [topology.replicas[run % topology.replicas.length] as MariaDbInstance],
  },
  {
    name: 'backlog',
    description: `${base}; a relay-log backlog on every replica: SQL threads stopped ${backlogMs} ms before the kill, IO threads receiving and acking`,
    defaultRuns: 30,
    stallMs: backlogMs,
    stalled: (topology) => topology.replicas,
  },
];

const chosenNames = (process.env['BATON_BENCH_TOPOLOGY'] ?? 'all').split(',').map((s) => s.trim());
const chosen = chosenNames.includes('all') ? variants : variants.filter((v) => chosenNames.includes(v.name));
const unknown = chosenNames.filter((n) => n !== 'all' && !variants.some((v) => v.name === n));
if (unknown.length > 0 || chosen.length === 0) throw new Error(`BATON_BENCH_TOPOLOGY: unknown ${unknown.join(', ')}; one or more of ${variants.map((v) => v.name).join(', ')}, or all`);
const runsArg = process.argv[2] ?? process.env['BATON_BENCH_RUNS'];
const runsOf = (v: Variant): number => Math.max(10, runsArg === undefined ? v.defaultRuns : Number(runsArg));

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

async function measure(pipeline: Pipeline, variant: Variant): Promise<Record<string, unknown>> {
  const runs = runsOf(variant);
  const writable: number[] = [];
  const moved: number[] = [];
  const backlog: number[] = [];
  let lost = 0;
  let acked = 0;
  for (let run = 0; run < runs; run++) {
    const label = `${variant.name} run ${run + 1}/${runs}`;
    const topology = await startTopology({ replicas: 3, semiSync: true });
    const alias = `failover-${variant.name}-${run}`;
    try {
      await pipeline.register(topology, alias);
      const writer = await topology.startWriter({ semisync: true });
      await waitFor(() => writer.ackedCount >= 100, { description: '100 acked writes', timeoutMs: 30_000 });
      const stalled = variant.stalled(topology, run);
      let unappliedAtKill: number | undefined;
      if (stalled.length > 0) {
        await Promise.all(stalled.map((r) => r.query('STOP SLAVE SQL_THREAD')));
        await sleep(variant.stallMs);
        unappliedAtKill = Math.max(...(await Promise.all(stalled.map(unapplied))));
        backlog.push(unappliedAtKill);
      }
      const crashAt = Date.now();
      await topology.primary.kill();
      const written = await writer.stop();
      const forCluster = (step: string) => pipeline.waitForEvent((e) => e.clusterId === alias && e.step === step, { afterMs: crashAt, timeoutMs: 60_000, description: `${step} of ${alias}` });
      const resolved = await forCluster('resolved');
      if (resolved.status !== 'succeeded') throw new Error(`${label}: recovery ${resolved.status}: ${JSON.stringify(resolved.details['errors'])}`);
      const promoted = await forCluster('promoted');
      const allMoved = await forCluster('replicas-moved');
      const successor = topology.instances.find((i) => `${i.host}:${i.port}` === resolved.details['successor']);
      if (!successor) throw new Error(`${label}: successor ${String(resolved.details['successor'])} not in the topology`);
      const rows = await successor.query<{ seq: number }>(`SELECT seq FROM ${testDatabase}.writes WHERE writer = ?`, [written.writer]);
      const present = new Set(rows.map((r) => Number(r.seq)));
      const missing = written.acked.filter((s) => !present.has(s)).length;
      lost += missing;
      acked += written.acked.length;
      writable.push(Date.parse(promoted.at) - crashAt);
      moved.push(Date.parse(allMoved.at) - crashAt);
      if (process.env['BATON_BENCH_STEPS']) {
        const steps = pipeline.events.filter((e) => e.payload.clusterId === alias && Date.parse(e.payload.at) >= crashAt).map((e) => `${e.payload.step}+${Date.parse(e.payload.at) - crashAt}`);
        console.error(`  steps: ${steps.join(' ')}`);
      }
      const stalledNote = unappliedAtKill === undefined ? '' : `, unapplied at the kill ${unappliedAtKill} (${stalled.map((r) => r.name).join(', ')}), successor ${successor.name}`;
      console.error(`${label}: writable +${writable.at(-1)} ms, all moved +${moved.at(-1)} ms, acked ${written.acked.length}, lost ${missing}${stalledNote}`);
    } finally {
      await topology.stop();
      // the topology is destroyed: its old primary is decommissioned, as an operator would record it
      // (otherwise every executor keeps probing each dead demoted primary of the earlier runs every
      // fenceKeeperIntervalMs, and the later runs measure that load)
      await pipeline.backend.query("UPDATE demoted_primaries SET ended_at = NOW(3), end_reason = 'bench: topology destroyed' WHERE cluster_id = ? AND ended_at IS NULL", [alias]);
    }
  }
  return {
    crashToWritableMs: summarize(writable),
    crashToAllMovedMs: summarize(moved),
    ...(backlog.length > 0 ? { unappliedAtKill: summarize(backlog) } : {}),
    ackedWritesLost: lost,
    ackedWrites: acked,
    runs: writable.length,
    topology: variant.description,
  };
}

const admin = { user: 'baton', password: 'baton-pass' };
const pipeline = await startPipeline({ admin, label: 'bench-failover', executors: 1, env: { BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '["*"]' } });
const topologies: Record<string, Record<string, unknown>> = {};
try {
  await waitFor(() => pipeline.executors.every((e) => e.executor.warmedUp()), { description: 'executor warmed up', timeoutMs: 30_000 });
  for (const variant of chosen) topologies[variant.name] = await measure(pipeline, variant);
} finally {
  await pipeline.stop();
}

const total = (key: string): number => Object.values(topologies).reduce((n, t) => n + Number(t[key]), 0);
const report = { topologies, ackedWritesLost: total('ackedWritesLost'), ackedWrites: total('ackedWrites'), runs: total('runs'), pollIntervalMs: pipeline.config.detector.pollIntervalMs };
if (chosen.length === variants.length) writeReport('failover', report);
else {
  console.error(`only ${chosen.map((v) => v.name).join(', ')}: bench/results/failover.json not written`);
  console.log(JSON.stringify({ ...report, measuredAt: new Date().toISOString() }, null, 2));
}
process.exit(0);
