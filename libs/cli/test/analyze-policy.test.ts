/**
 * `baton analyze`'s policy and inputs, in-process: each orchestrator-named flag lands on its
 * policy field, flags win over --config, bad flags and bad state documents are refused with the
 * flag or the field named, and downtimed instances are hidden unless --include-downtimed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterSnapshot } from '@baton/contracts';
import { analysisStateDocument, defaultAnalysisPolicy, type AnalysisPolicy } from '@baton/domain';
import { analysisPolicyFlags, analyzePolicy, main, parseAnalyzeArgs, processIo, type CliIo } from '../src/index.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const deadPrimary = (JSON.parse(readFileSync(fixture('dead-primary-envelope.json'), 'utf8')) as { payload: ClusterSnapshot }).payload;

async function run(args: string[], input?: unknown): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    readFile: (path) => (path === '-' ? JSON.stringify(input) : processIo.readFile(path)),
    env: {},
  };
  const code = await main(['analyze', ...args], io);
  return { code, out, err };
}

const policyOf = (args: string[]) => {
  const options = parseAnalyzeArgs(['snap.json', ...args]);
  assert.notEqual(options, 'help');
  return analyzePolicy(options as Exclude<typeof options, 'help'>);
};

test('each policy flag sets its policy field', () => {
  const table: Array<[string[], Partial<AnalysisPolicy>]> = [
    [['--ReasonableReplicationLagSeconds', '20'], { reasonableReplicationLagSeconds: 20 }],
    [['--ReasonableReplicationLagSeconds=7'], { reasonableReplicationLagSeconds: 7 }],
    [['--ReasonableLockedSemiSyncMasterSeconds', '3'], { reasonableLockedSemiSyncMasterSeconds: 3 }],
    [['--ReduceReplicationAnalysisCount=false'], { reduceReplicationAnalysisCount: false }],
    [['--ReduceReplicationAnalysisCount', 'false'], { reduceReplicationAnalysisCount: false }],
    [['--RecoverNonWriteableMaster'], { recoverNonWriteableMaster: true }],
    [['--EnforceExactSemiSyncReplicas', 'true'], { enforceExactSemiSyncReplicas: true }],
    [['--RecoveryIgnoreHostnameFilters', '^db9', '--RecoveryIgnoreHostnameFilters=\\.test$'], { recoveryIgnoreHostnameFilters: ['^db9', '\\.test$'] }],
    [['--ReasonableInstanceCheckSeconds', '2'], { reasonableInstanceCheckMs: 2000 }],
    [['--InstancePollSeconds', '5'], { pollIntervalMs: 5000 }],
    [['--reasonableInstanceCheckMs', '1500'], { reasonableInstanceCheckMs: 1500 }],
    [['--silentSourceHeartbeats', '0'], { silentSourceHeartbeats: 0 }],
    [['--include-downtimed'], { includeDowntimed: true }],
    [['--include-no-problem'], { includeNoProblem: true }],
    [[], { ...defaultAnalysisPolicy }],
  ];
  for (const [args, expected] of table) {
    const policy = policyOf(args);
    for (const [field, value] of Object.entries(expected)) {
      assert.deepEqual(policy[field as keyof AnalysisPolicy], value, `${args.join(' ')} → ${field}`);
    }
  }
  // every flag of the table is covered above
  const covered = new Set(table.flatMap(([args]) => args.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0])));
  for (const flag of analysisPolicyFlags) assert.ok(covered.has(flag.name), `--${flag.name} is tested`);
  // the derived threshold follows the flags
  assert.equal(policyOf(['--ReasonableReplicationLagSeconds', '20']).lockedSemiSyncMasterMs, 20_000);
  assert.equal(policyOf(['--ReasonableLockedSemiSyncMasterSeconds', '3']).lockedSemiSyncMasterMs, 3000);
});

test('--config takes the analyzer keys of a Baton config file; a flag wins over it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-analyze-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'baton.yaml');
  writeFileSync(file, 'recovery:\n  ReasonableReplicationLagSeconds: 30\n  RecoverNonWriteableMaster: true\nanalyzer:\n  silentSourceHeartbeats: 5\n');
  const fromFile = policyOf(['--config', file]);
  assert.equal(fromFile.reasonableReplicationLagSeconds, 30);
  assert.equal(fromFile.recoverNonWriteableMaster, true);
  assert.equal(fromFile.silentSourceHeartbeats, 5);
  assert.equal(fromFile.includeDowntimed, false, 'the hint is the command\'s, not the analyzer\'s');
  assert.equal(policyOf(['--config', file, '--ReasonableReplicationLagSeconds', '4']).reasonableReplicationLagSeconds, 4);

  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'recovery:\n  ReasonableReplicationLagSecs: 30\n');
  assert.throws(() => policyOf(['--config', bad]), /--config .*bad\.yaml: [\s\S]*ReasonableReplicationLagSecs/);
});

test('bad flags exit 2 naming the flag', async () => {
  const file = fixture('healthy-snapshot.json');
  for (const [args, reason] of [
    [['--Bogus', '1'], /Unknown option '--Bogus'/],
    [['--reasonablereplicationlagseconds', '5'], /Unknown option '--reasonablereplicationlagseconds' \(did you mean --ReasonableReplicationLagSeconds\?\)/],
    [['--FailMasterPromotionIfSQLThreadNotUpToDate'], /'--FailMasterPromotionIfSQLThreadNotUpToDate': .*recovery, not of analysis/],
    [['--ReasonableReplicationLagSeconds', 'ten'], /--ReasonableReplicationLagSeconds must be a whole number of seconds/],
    [['--ReasonableReplicationLagSeconds'], /--ReasonableReplicationLagSeconds needs a value/],
    [['--RecoverNonWriteableMaster=yes'], /--RecoverNonWriteableMaster must be true or false/],
    [['--RecoveryIgnoreHostnameFilters', '(db'], /--RecoveryIgnoreHostnameFilters "\(db" is not a regular expression/],
    [['--silentSourceHeartbeats', '101'], /--silentSourceHeartbeats must be at most 100/],
    [['--InstancePollSeconds', '0'], /--InstancePollSeconds must be at least 1/],
  ] as Array<[string[], RegExp]>) {
    const r = await run([file, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, reason);
    assert.equal(r.out, '');
  }
});

test('bad analysis state documents exit 2 naming the field', async () => {
  const good = analysisStateDocument(deadPrimary, { staleCoordinates: {} });
  const entry = { coordinates: { file: 'mysql-bin.000001', pos: 1 }, firstSeenAt: '2026-11-26T19:30:00Z' };
  for (const [document, reason] of [
    [{ ...good, extra: 1 }, /analysis state is invalid at \/extra: unknown field/],
    [{ ...good, kind: 'something-else' }, /at \/kind: expected "baton.analysis-state"/],
    [{ ...good, version: 2 }, /at \/version: this baton reads version 1, got 2/],
    [{ ...good, now: 'later' }, /at \/now: expected an ISO-8601 timestamp/],
    [{ memory: {} }, /at \/snapshot: required/],
    [{ ...good, snapshot: { ...deadPrimary, instances: [{ ...deadPrimary.instances[0], port: 'x' }] } }, /analysis state is invalid at \/snapshot\/instances\/0\/port/],
    [{ ...good, memory: { staleCordinates: {} } }, /at \/memory\/staleCordinates: unknown field \(known: staleCoordinates\)/],
    [{ ...good, memory: { staleCoordinates: { db1: entry } } }, /at \/memory\/staleCoordinates\/db1: the key must be host:port/],
    [{ ...good, memory: { staleCoordinates: { 'DB1:3306': entry } } }, /at \/memory\/staleCoordinates\/DB1:3306: the host must be in lower case/],
    [{ ...good, memory: { staleCoordinates: { 'db1:3306': { ...entry, coordinates: { file: 'f', pos: -1 } } } } }, /at \/memory\/staleCoordinates\/db1:3306\/coordinates\/pos: expected an integer/],
    [{ ...good, memory: { staleCoordinates: { 'db1:3306': { ...entry, firstSeenAt: 'then' } } } }, /at \/memory\/staleCoordinates\/db1:3306\/firstSeenAt: expected an ISO-8601 timestamp/],
  ] as Array<[unknown, RegExp]>) {
    const r = await run(['-'], document);
    assert.equal(r.code, 2, `${JSON.stringify(document).slice(0, 80)}: ${r.err}`);
    assert.match(r.err, reason);
    assert.equal(r.out, '');
  }
  const ok = await run(['-'], good);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /^db1:3306 \(cluster orders\): DeadMaster$/m);
});

test('a downtimed instance is hidden unless --include-downtimed (orchestrator\'s CLI: no hints)', async () => {
  const [primary, ...replicas] = deadPrimary.instances;
  const downtimed: ClusterSnapshot = { ...deadPrimary, instances: [{ ...primary!, downtime: { owner: 'ops', reason: 'maintenance', endsAt: null } }, ...replicas] };
  const hidden = await run(['-'], downtimed);
  assert.equal(hidden.code, 0, hidden.err);
  assert.doesNotMatch(hidden.out, /db1:3306/);
  assert.match(hidden.out, /db2:3306 \(cluster orders\): FirstTierReplicaFailingToConnectToMaster/);
  const shown = await run(['-', '--include-downtimed'], downtimed);
  assert.match(shown.out, /^db1:3306 \(cluster orders\): DeadMaster$/m);
  const json = await run(['-', '--include-downtimed', '--json'], downtimed);
  const entry = (JSON.parse(json.out) as { entries: Array<{ code: string; skippableDueToDowntime: boolean }> }).entries[0];
  assert.deepEqual([entry?.code, entry?.skippableDueToDowntime], ['DeadMaster', true]);
});
