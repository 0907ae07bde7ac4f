/**
 * `baton analyze` on an analysis state document says what the analyzer said. Each case feeds a
 * sequence of snapshots to the SnapshotAnalyzer (its real code path, fakes for the ports) and, for
 * every snapshot, runs `baton analyze --json --include-downtimed` (in-process) on two documents:
 * the snapshot with the memory the analyzer cached with it (what GET /api/analysis-state serves)
 * and the snapshot with the memory cached with the one before (a state saved earlier). Both must
 * give the analyzer's entries. The policy comes from a config file (--config, the same
 * analysisPolicyFromConfig the analyzer starts with) or from orchestrator-named flags.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@baton/config';
import type { AnalysisEntry, ClusterAnalysis, ClusterSnapshot, InstanceObservation } from '@baton/contracts';
import { analysisStateDocument, emptyAnalysisMemory, type AnalysisMemory, type AnalysisPolicyInput } from '@baton/domain';
import { main, type CliIo } from '@baton/cli';
import { silentLogger } from '@baton/logging';
import { SnapshotAnalyzer, analysisPolicyFromConfig } from '../src/index.ts';
import { T0, deadPrimaryCluster, healthyCluster, lockedSemiSyncCluster, type ClusterOptions } from './snapshots.ts';

const at = (seconds: number): ClusterOptions => ({ observedAt: T0 + seconds * 1000, sequence: seconds + 1 });

/** The locked primary's binlog position moved to `pos`; `acked`: its acknowledger is back (one semi-sync client). */
function lockedAt(seconds: number, pos = 1680, acked = false): ClusterSnapshot {
  const s = lockedSemiSyncCluster(at(seconds));
  const [primary, ...rest] = s.instances as [InstanceObservation, ...InstanceObservation[]];
  const semiSync = acked && primary.semiSync ? { ...primary.semiSync, masterClients: primary.semiSync.masterWaitForReplicaCount } : primary.semiSync;
  return { ...s, instances: [{ ...primary, semiSync, binlogCoordinates: { file: 'mysql-bin.000001', pos } }, ...rest] };
}

const downtime = { downtime: { owner: 'ops', reason: 'maintenance', endsAt: null } } as const;

interface Case {
  name: string;
  snapshots: ClusterSnapshot[];
  /** The analyzer's configuration (recovery/analyzer keys), written to a file for --config. */
  config?: Record<string, unknown>;
  /** The analyzer's policy and the same as `baton analyze` flags (no config). */
  policy?: AnalysisPolicyInput;
  flags?: string[];
  /** The first problem code the analyzer reports for each snapshot (the case's point). */
  codes: string[];
}

const cases: Case[] = [
  {
    name: 'a locked semi-sync primary: LockedSemiSyncMaster needs the remembered coordinates',
    snapshots: [lockedAt(0), lockedAt(5), lockedAt(11)],
    codes: ['LockedSemiSyncMasterHypothesis', 'LockedSemiSyncMasterHypothesis', 'LockedSemiSyncMaster'],
  },
  {
    name: 'coordinates that moved with an acknowledger connected start the clock again',
    snapshots: [lockedAt(0), lockedAt(5, 2000, true), lockedAt(12, 2000), lockedAt(16, 2000)],
    codes: ['LockedSemiSyncMasterHypothesis', 'NoProblem', 'LockedSemiSyncMasterHypothesis', 'LockedSemiSyncMaster'],
  },
  {
    name: 'a position creeping on while no acknowledger is connected (retried writes nobody acknowledges) keeps the clock',
    snapshots: [lockedAt(0), lockedAt(5, 2000), lockedAt(11, 2400)],
    codes: ['LockedSemiSyncMasterHypothesis', 'LockedSemiSyncMasterHypothesis', 'LockedSemiSyncMaster'],
  },
  {
    name: 'ReasonableLockedSemiSyncMasterSeconds from the config file',
    snapshots: [lockedAt(0), lockedAt(4)],
    config: { recovery: { ReasonableLockedSemiSyncMasterSeconds: 3 } },
    codes: ['LockedSemiSyncMasterHypothesis', 'LockedSemiSyncMaster'],
  },
  {
    name: 'ReasonableReplicationLagSeconds as a flag',
    snapshots: [lockedAt(0), lockedAt(11), lockedAt(21)],
    policy: { reasonableReplicationLagSeconds: 20 },
    flags: ['--ReasonableReplicationLagSeconds', '20'],
    codes: ['LockedSemiSyncMasterHypothesis', 'LockedSemiSyncMasterHypothesis', 'LockedSemiSyncMaster'],
  },
  {
    name: 'a downtimed dead primary after a healthy snapshot (shown with --include-downtimed, as the analyzer publishes it)',
    snapshots: [healthyCluster(at(0)), deadPrimaryCluster(at(3), downtime)],
    codes: ['NoProblem', 'DeadMaster'],
  },
  {
    name: 'a read-only primary with RecoverNonWriteableMaster as a flag',
    snapshots: [healthyCluster(at(0), { readOnly: true })],
    policy: { recoverNonWriteableMaster: true },
    flags: ['--RecoverNonWriteableMaster'],
    codes: ['NoWriteableMasterStructureWarning'],
  },
];

async function runCli(document: unknown, args: readonly string[]): Promise<{ code: number; entries: AnalysisEntry[]; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), readFile: () => JSON.stringify(document), env: {} };
  const code = await main(['analyze', '-', '--json', '--include-downtimed', ...args], io);
  return { code, entries: out === '' ? [] : (JSON.parse(out) as ClusterAnalysis).entries, err };
}

for (const c of cases) {
  test(`replay: ${c.name}`, async (t) => {
    let args = c.flags ?? [];
    let policy: AnalysisPolicyInput = { ...c.policy, includeDowntimed: true };
    if (c.config) {
      const dir = mkdtempSync(join(tmpdir(), 'baton-replay-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const file = join(dir, 'baton.json');
      writeFileSync(file, JSON.stringify(c.config));
      policy = analysisPolicyFromConfig(loadConfig({ file, env: {} }));
      args = ['--config', file, ...args];
    }
    const cached: AnalysisMemory[] = [];
    let messages = 0;
    const analyzer = new SnapshotAnalyzer({
      policy,
      publisher: { publish: async () => {} },
      cache: { put: async (_snapshot, memory) => void cached.push(memory) },
      changelog: { append: async () => {} },
      logger: silentLogger(),
      clock: () => new Date(T0),
      newDetectionId: () => `det-${messages}`,
    });

    const codes: string[] = [];
    for (const [i, snapshot] of c.snapshots.entries()) {
      const outcome = await analyzer.handle(snapshot, { messageId: `m-${++messages}` });
      assert.notEqual(outcome.kind, 'skipped');
      if (outcome.kind === 'skipped') return;
      await analyzer.drain();
      const expected = outcome.analysis.entries;
      codes.push(expected.find((e) => e.code !== 'NoProblem')?.code ?? expected[0]?.structureWarnings[0] ?? 'NoProblem');

      const served = analysisStateDocument(snapshot, cached[i] as AnalysisMemory);
      const saved = analysisStateDocument(snapshot, i === 0 ? emptyAnalysisMemory : (cached[i - 1] as AnalysisMemory));
      for (const [what, document] of [['memory cached with the snapshot', served], ['memory saved one snapshot earlier', saved]] as const) {
        const r = await runCli(JSON.parse(JSON.stringify(document)), args);
        assert.equal(r.code, 0, r.err);
        assert.deepEqual(r.entries, expected, `snapshot ${i}, ${what}`);
      }
    }
    assert.deepEqual(codes, c.codes);
  });
}

test('without the memory, the locked primary stays a hypothesis: the state is what makes the difference', async () => {
  const r = await runCli(lockedAt(11), []);
  assert.equal(r.entries[0]?.code, 'LockedSemiSyncMasterHypothesis');
  const memory: AnalysisMemory = { staleCoordinates: { 'db1:3306': { coordinates: { file: 'mysql-bin.000001', pos: 1680 }, firstSeenAt: new Date(T0).toISOString() } } };
  const withMemory = await runCli(analysisStateDocument(lockedAt(11), memory), []);
  assert.equal(withMemory.entries[0]?.code, 'LockedSemiSyncMaster');
  assert.equal(withMemory.entries[0]?.flags?.['IsStaleBinlogCoordinates'], true);
  // the state's `now` is the analysis time; --now wins over it
  const early = await runCli({ ...analysisStateDocument(lockedAt(11), memory), now: new Date(T0 + 5000).toISOString() }, []);
  assert.equal(early.entries[0]?.code, 'LockedSemiSyncMasterHypothesis');
  const late = await runCli({ ...analysisStateDocument(lockedAt(11), memory), now: new Date(T0 + 5000).toISOString() }, ['--now', new Date(T0 + 11_000).toISOString()]);
  assert.equal(late.entries[0]?.code, 'LockedSemiSyncMaster');
});
