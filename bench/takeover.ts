/**
 * Planned switchover benchmark (issue 16): `npm run bench:takeover [runs]` (default and minimum
 * for the report: 10 runs).
 *
 * One semi-sync 1+3 MariaDB topology, registered with Baton's services running as their own
 * processes (test/support/chaos-env.ts: detector, analyzer, recovery executor, hook-runner, as
 * deployed; no hooks configured), and in this process only the observers:
 *
 *   - an application writer (the ordinary app account, startAppWriter) inserting in a loop and
 *     following the primary the way an application behind a proxy does: on an error it probes
 *     every instance's read_only and reconnects to the writable one (5 ms between probes);
 *   - the invariant sampler (startInvariantSampler, every 5 ms, one connection per instance):
 *     who is writable, sample by sample.
 *
 * Each run sends graceful-master-takeover (the `recover` command the api's route publishes) to
 * the next replica in turn, so the primary rotates through the cluster; the next run starts once
 * the analyzer's cached snapshot shows the new primary with every other instance, the old primary
 * included, replicating from it. Per run:
 *
 *   - readOnlyToWritableMs: the sampler's first sample with the old primary no longer writable
 *     (read_only=1, or the switch to it waiting on the global read lock) → its first sample with
 *     the new primary writable;
 *   - writeUnavailableMs: the longest wait of the writer between two acknowledged writes around
 *     the switch (from the last ack before the command to the first ack after the recovery
 *     resolved): what a client saw, its own reconnects included;
 *   - commandToResolvedMs: the command published → the recovery's `resolved` event.
 *
 * At the end: every acknowledged write must be on the final primary (ackedWritesLost) and no
 * sample may show two writable instances (splitBrainSamples). Writes bench/results/takeover.json
 * with at least 10 runs; fewer only print. Goal: writeUnavailableMs p50 ≤ 300 ms. BATON_BENCH_STEPS=1
 * also prints each run's recovery steps with their time since the command (where the time goes).
 */
import type { InstanceObservation } from '@baton/contracts';
import { chaosInstances, checkSplitBrain, readPresentSeqs, startAppWriter, startInvariantSampler, type Sample } from '@baton/testing/chaos';
import { startTopology, waitFor, type MariaDbInstance } from '@baton/testing';
import { startChaosEnv } from '../test/support/chaos-env.ts';
import { chaosServiceEnv } from '../test/support/chaos-scenario.ts';
import { summarize, writeReport } from './report.ts';

const minRuns = 10;
const runsArg = process.argv[2] ?? process.env['BATON_BENCH_RUNS'];
if (runsArg !== undefined && !(Number.isInteger(Number(runsArg)) && Number(runsArg) >= 1)) throw new Error(`runs: a positive integer, not ${runsArg}`);
const runs = runsArg === undefined ? minRuns : Number(runsArg);
const sampleEveryMs = 5;
const clusterId = 'takeover';
const idOf = (i: { host: string; port: number }): string => `${i.host}:${i.port}`;

/** The cached snapshot shows `primary` writable and every other instance replicating from it, both threads running. */
function settledOn(instances: readonly InstanceObservation[], primary: string): boolean {
  return instances.every((i) => {
    if (i.lastError !== null) return false;
    if (idOf(i) === primary) return i.readOnly === false && i.replication === null;
    const r = i.replication;
    return r !== null && `${r.sourceHost}:${r.sourcePort}` === primary && r.ioThread === 'Yes' && r.sqlThread === 'Yes' && (r.secondsBehindSource ?? 99) <= 1;
  });
}

const writableIn = (s: Sample, id: string): boolean => s.instances.some((i) => i.id === id && i.answered && i.writable === true);

/** The longest gap between consecutive acks of `times` (ascending) that ends after `fromMs` and starts before `toMs`. */
function longestGap(times: readonly number[], fromMs: number, toMs: number): number {
  let worst = 0;
  for (let k = 1; k < times.length; k++) {
    const a = times[k - 1] as number;
    const b = times[k] as number;
    if (b >= fromMs && a <= toMs) worst = Math.max(worst, b - a);
  }
  return worst;
}

const topology = await startTopology({ replicas: 3, semiSync: true });
const env = await startChaosEnv({ label: 'bench-takeover', env: chaosServiceEnv });
const figures = { readOnlyToWritable: [] as number[], writeUnavailable: [] as number[], commandToResolved: [] as number[] };
let report: Record<string, unknown> | null = null;
try {
  await env.register(topology, clusterId);
  const instances = chaosInstances(topology.instances);
  const { admin, app } = topology.credentials;
  const sampler = startInvariantSampler({ instances, user: admin.user, password: admin.password, intervalMs: sampleEveryMs });
  const writer = await startAppWriter({ instances, user: app.user, password: app.password, intervalMs: 2, retryMs: 5 });
  let primary: MariaDbInstance = topology.primary;
  const order = topology.instances;
  let lost = 0;
  let acked = 0;
  let splitBrain = 0;
  try {
    for (let run = 1; run <= runs; run++) {
      const label = `takeover run ${run}/${runs}`;
      await waitFor(async () => settledOn((await env.snapshot(clusterId))?.instances ?? [], idOf(primary)), { description: `${label}: the cluster settled on ${idOf(primary)}`, timeoutMs: 60_000, intervalMs: 100 });
      await waitFor(() => writer.target === idOf(primary) && writer.ackedCount > 0, { description: `${label}: the writer on ${idOf(primary)}`, timeoutMs: 10_000 });
      const designated = order[(order.indexOf(primary) + 1) % order.length] as MariaDbInstance;
      const sentAt = Date.now();
      await env.command({
        kind: 'recover',
        requestedBy: 'bench-takeover',
        clusterId,
        instance: { host: primary.host, port: primary.port },
        candidate: { host: designated.host, port: designated.port },
        skipProcesses: false,
        commandHint: 'graceful-master-takeover',
        requestId: `bench-takeover-${run}-${sentAt}`,
      });
      const resolved = await env.waitForEvent((e) => e.clusterId === clusterId && e.step === 'resolved', { afterMs: sentAt, timeoutMs: 60_000, description: `${label}: resolved` });
      const resolvedAt = Date.parse(resolved.at);
      if (resolved.details['outcome'] !== 'successful' || resolved.details['successor'] !== idOf(designated)) {
        throw new Error(`${label}: ${String(resolved.details['outcome'])} onto ${String(resolved.details['successor'])}: ${resolved.message}`);
      }
      // the writer's first acks on the new primary close the window
      const ackedBefore = writer.ackedCount;
      await waitFor(() => writer.ackedCount >= ackedBefore + 20 && writer.target === idOf(designated), { description: `${label}: writes on ${idOf(designated)}`, timeoutMs: 10_000 });
      const samples = sampler.samples.filter((s) => s.atMs >= sentAt);
      const closedAt = samples.find((s) => !writableIn(s, idOf(primary)))?.atMs;
      const openedAt = samples.find((s) => writableIn(s, idOf(designated)))?.atMs;
      if (closedAt === undefined || openedAt === undefined) throw new Error(`${label}: the sampler did not see the switch (closed ${closedAt}, opened ${openedAt})`);
      const gap = longestGap(writer.ackedAtMs, sentAt, resolvedAt);
      figures.readOnlyToWritable.push(openedAt - closedAt);
      figures.writeUnavailable.push(gap);
      figures.commandToResolved.push(resolvedAt - sentAt);
      console.error(`${label}: ${idOf(primary)} → ${idOf(designated)}: read-only → writable ${openedAt - closedAt} ms, write-unavailable ${gap} ms, command → resolved ${resolvedAt - sentAt} ms`);
      if (process.env['BATON_BENCH_STEPS']) {
        const steps = env.events.filter((e) => e.payload.clusterId === clusterId && Date.parse(e.payload.at) >= sentAt && Date.parse(e.payload.at) <= resolvedAt + 2000);
        console.error(`  steps: ${steps.map((e) => `${e.payload.step}+${Date.parse(e.payload.at) - sentAt}${typeof e.payload.details['elapsedMs'] === 'number' ? `(${String(e.payload.details['elapsedMs'])} ms)` : ''}`).join(' ')}; sampler: closed +${closedAt - sentAt}, opened +${openedAt - sentAt}`);
      }
      primary = designated;
    }
  } finally {
    const written = await writer.stop();
    const samples = await sampler.stop();
    splitBrain = checkSplitBrain(samples).length;
    const present = await readPresentSeqs(instances.find((i) => i.id === idOf(primary)) as (typeof instances)[number], admin, written.writer);
    lost = written.acked.filter((seq) => !present.has(seq)).length;
    acked = written.acked.length;
  }
  const writeUnavailableMs = summarize(figures.writeUnavailable);
  report = {
    writeUnavailableMs,
    readOnlyToWritableMs: summarize(figures.readOnlyToWritable),
    commandToResolvedMs: summarize(figures.commandToResolved),
    ackedWritesLost: lost,
    ackedWrites: acked,
    splitBrainViolations: splitBrain,
    runs: figures.writeUnavailable.length,
    goal: { goal: 'graceful-master-takeover: write-unavailability seen by a client, p50 ≤ 300 ms', limitMs: 300, measuredMs: writeUnavailableMs.p50, met: writeUnavailableMs.p50 <= 300 },
    topology: 'MariaDB 1+3, semi-sync, GTID; the services as their own processes; the primary rotated through the cluster, one graceful-master-takeover per run under a steady application writer',
    measurement: `invariant sampler every ${sampleEveryMs} ms (admin account, one TCP connection per instance) for read-only → writable; the application writer's ack times (app account, 2 ms between inserts, 5 ms between probes after an error) for the write-unavailability`,
  };
} finally {
  await env.stop();
  await topology.stop();
}
if (report) {
  if (figures.writeUnavailable.length >= minRuns) writeReport('takeover', report);
  else {
    console.error(`${figures.writeUnavailable.length} runs (fewer than ${minRuns}): bench/results/takeover.json not written`);
    console.log(JSON.stringify(report, null, 2));
  }
}
process.exit(0);
