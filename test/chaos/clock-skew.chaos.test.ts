/**
 * Clock skew between the analyzer and the executor (issue 11): the executor judges an analysis's
 * staleness by its own receipt order and monotonic time, never by the analyzer's analyzedAt, so a
 * skew between the two hosts' wall clocks changes nothing. Baton's services run as processes
 * against a fresh semi-sync 1+3 topology under an application write load
 * (test/support/chaos-scenario.ts), the analyzer with its wall clock shifted
 * (BATON_FAULT_ANALYZER_CLOCK_OFFSET_MS, read by the analyzer alone), and the primary is killed -9:
 *
 *   - the analyzer 30 s behind (the executor's clock 30 s ahead): before issue 11 every analysis
 *     looked 30 s old to the executor, older than maxAnalysisAgeMs, and was dropped;
 *   - the analyzer 30 s ahead.
 *
 * Each passes with every invariant of the runner, one successful recovery, analyses on the wire
 * that really carry the skew (analyzedAt − snapshotObservedAt ≈ the offset: the detector runs on
 * the system clock), and no analysis dropped for its age before the recovery claimed its epoch (a
 * row superseded by a newer receipt is judged by receipt order, which no clock moves: those, and
 * rows queued behind a running recovery, are reported, not failed).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { clockOffsetVariable } from '@baton/analyzer';
import { topics, type ClusterAnalysis } from '@baton/contracts';
import { waitFor } from '@baton/testing';
import { expectOneSuccessful, killPrimary, recoveries, runScenario, type ScenarioContext } from '../support/chaos-scenario.ts';

type LogLine = Record<string, unknown> & { msg?: string; time?: string };

function logLines(file: string): LogLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as LogLine];
      } catch {
        return [];
      }
    });
}

/** The analyses of the cluster published so far (the topic read from its beginning), once one with a problem is there. */
async function publishedAnalyses(ctx: ScenarioContext): Promise<ClusterAnalysis[]> {
  const seen: ClusterAnalysis[] = [];
  await ctx.env.infra.consume({
    role: 'analyses',
    topics: [topics.analyses],
    maxWaitTimeMs: 100,
    handler: async ({ envelope }) => {
      if (envelope.type === 'analysis' && envelope.payload.clusterId === ctx.clusterId) seen.push(envelope.payload);
    },
  });
  await waitFor(() => seen.some((a) => a.hasProblem), { description: 'the analyses with a problem, read back from the topic', timeoutMs: 30_000, intervalMs: 100 });
  return seen;
}

async function analyzerSkewedBy(t: TestContext, offsetMs: number, name: string): Promise<void> {
  await runScenario(t, {
    name,
    env: { env: { [clockOffsetVariable]: String(offsetMs) } },
    fault: killPrimary,
    verify: async (c) => {
      const row = await expectOneSuccessful(c);
      t.diagnostic(`recoveries: ${JSON.stringify(await recoveries(c))}`);

      // the offset reached the analyzer, and the analyzer alone
      const warned = logLines(c.env.analyzer.logFile).find((l) => l['offsetMs'] === offsetMs && String(l.msg).includes(clockOffsetVariable));
      assert.ok(warned, `the analyzer logged its clock offset ${offsetMs} at warn`);
      assert.equal(warned['level'], 40);
      for (const other of [c.env.detector, c.env.hookRunner, ...c.env.executors]) {
        assert.ok(!logLines(other.logFile).some((l) => String(l.msg).includes(clockOffsetVariable)), `${other.name} is not shifted`);
      }

      const claimed = c.env.events.find((e) => e.payload.clusterId === c.clusterId && e.payload.recoveryUid === row.uid && e.payload.step === 'claimed');
      assert.ok(claimed, `the recovery ${row.uid} claimed its epoch`);
      const claimedAtMs = Date.parse(claimed.payload.at);

      // the skew is on the wire: analyzedAt (the analyzer's clock) − offset is when it analysed on
      // the system clock of the detector (snapshotObservedAt) and the executor (the claim), all on
      // this host. Bounded by order, not by how long anything took: every analysis came after its
      // snapshot, and the first problem before the claim it led to (2 s for the clocks' rounding).
      const analyses = await publishedAnalyses(c);
      const lags = analyses.map((a) => Date.parse(a.analyzedAt) - Date.parse(a.snapshotObservedAt) - offsetMs);
      t.diagnostic(`${analyses.length} analyses published; analyzedAt − snapshotObservedAt − offset: ${Math.min(...lags)}..${Math.max(...lags)} ms`);
      assert.ok(lags.every((lag) => lag > -2000), `every analysis carries the ${offsetMs} ms skew (after its snapshot): ${lags.join(',')}`);
      const firstProblem = analyses.find((a) => a.hasProblem) as ClusterAnalysis;
      const beforeClaimMs = claimedAtMs - (Date.parse(firstProblem.analyzedAt) - offsetMs);
      assert.ok(beforeClaimMs > -2000, `the first problem analysis carries the ${offsetMs} ms skew (before the claim): analysed ${beforeClaimMs} ms before the claim (offset removed)`);

      // nothing dropped as stale before the recovery claimed (the executor's log: its stats are in its process)
      const drops = c.env.executors.flatMap((e) => logLines(e.logFile)).filter((l) => String(l.msg).startsWith('stale analysis dropped'));
      t.diagnostic(`stale drops: ${drops.length} (${drops.map((d) => `${String(d['reason'])}@${String(d['stage'])}${Date.parse(String(d.time)) < claimedAtMs ? ' before the claim' : ''}`).join(', ') || 'none'})`);
      // a row superseded by a newer receipt (two analyses a few ms apart, the newer one goes on) is
      // judged by receipt order, which no clock moves; one dropped for its age is what a skew would cause
      const early = drops.filter((d) => Date.parse(String(d.time)) < claimedAtMs);
      for (const d of early.filter((e) => e['reason'] === 'superseded')) {
        const by = d['supersededBy'] as { receivedAt: string } | null;
        assert.ok(by && Date.parse(by.receivedAt) >= Date.parse(String(d['receivedAt'])), `a superseded row names a newer receipt: ${String(d.msg)}`);
      }
      assert.deepEqual(early.filter((d) => d['reason'] !== 'superseded').map((d) => d.msg), [], 'no analysis dropped for its age before the recovery claimed');
    },
  });
}

test('the analyzer 30 s behind the executor (the executor 30 s ahead), kill -9 of the primary: failover happens', (t) => analyzerSkewedBy(t, -30_000, 'clockbehind'));

test('the analyzer 30 s ahead of the executor, kill -9 of the primary: failover happens', (t) => analyzerSkewedBy(t, 30_000, 'clockahead'));
