/**
 * `baton analyze` as a user runs it: the real bin (bin/baton.mjs, tsx registered in-process) spawned
 * on fixture files. Fixtures: a healthy bare payload, a dead primary as a whole envelope, a payload
 * with a bad field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClusterAnalysis } from '@baton/contracts';
import { main, processIo, type CliIo } from '../src/index.ts';

const bin = fileURLToPath(new URL('../bin/baton.mjs', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function baton(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a healthy cluster prints nothing, or its NoProblem lines with --include-no-problem', () => {
  const quiet = baton(['analyze', fixture('healthy-snapshot.json')]);
  assert.equal(quiet.stderr, '');
  assert.equal(quiet.status, 0);
  assert.equal(quiet.stdout, '');
  const all = baton(['analyze', fixture('healthy-snapshot.json'), '--include-no-problem']);
  assert.equal(all.status, 0);
  assert.equal(all.stdout, 'db1:3306 (cluster orders): NoProblem\n', 'healthy leaves stay hidden (ReduceReplicationAnalysisCount)');
});

test('a dead primary (given as a whole envelope) prints a DeadMaster line in orchestrator\'s form', () => {
  const r = baton(['analyze', fixture('dead-primary-envelope.json')]);
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  assert.deepEqual(r.stdout.trimEnd().split('\n'), [
    'db1:3306 (cluster orders): DeadMaster',
    'db2:3306 (cluster orders): FirstTierReplicaFailingToConnectToMaster',
    'db3:3306 (cluster orders): FirstTierReplicaFailingToConnectToMaster',
  ]);
});

test('--json prints the baton.analyses payload; --now moves the analysis time', () => {
  const r = baton(['analyze', fixture('dead-primary-envelope.json'), '--json', '--now', '2026-11-26T19:31:00Z']);
  assert.equal(r.status, 0, r.stderr);
  const analysis = JSON.parse(r.stdout) as ClusterAnalysis;
  assert.equal(analysis.clusterId, 'orders');
  assert.equal(analysis.hasProblem, true);
  assert.equal(analysis.analyzedAt, '2026-11-26T19:31:00.000Z');
  assert.equal(analysis.snapshotObservedAt, '2026-11-26T19:30:00.000Z');
  assert.equal(analysis.entries[0]?.code, 'DeadMaster');
  assert.equal(analysis.entries[0]?.flags?.['IsClusterMaster'], true);
});

test('a file that fails the schema exits 2 and names the bad field', () => {
  const r = baton(['analyze', fixture('invalid-port-snapshot.json')]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /invalid-port-snapshot\.json: snapshot is invalid at \/instances\/1\/port: Expected integer/);
});

test('an envelope with a bad payload (read from stdin) names the field under /payload', () => {
  const envelope = JSON.parse(readFileSync(fixture('dead-primary-envelope.json'), 'utf8')) as { payload: { observedAt: string } };
  envelope.payload.observedAt = 'yesterday';
  const r = baton(['analyze', '-'], JSON.stringify(envelope));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /\/payload\/observedAt/);
});

test('bad usage exits 2 with the reason: no file, an unknown option, a bad --now, not JSON, no command (in-process)', async () => {
  for (const [args, reason, input] of [
    [['analyze'], /FILE is required/],
    [['analyze', fixture('healthy-snapshot.json'), '--bogus'], /Unknown option '--bogus'/],
    [['analyze', fixture('healthy-snapshot.json'), '--now', 'yesterday'], /--now must be an ISO-8601 timestamp/],
    [['analyze', '-'], /not JSON/, '{oops'],
    [['analyze', fixture('no-such-file.json')], /cannot read/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [[], /Usage: baton COMMAND/],
  ] as Array<[string[], RegExp, string?]>) {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      out: (text) => void (stdout += text),
      err: (text) => void (stderr += text),
      readFile: (path) => (path === '-' ? (input ?? '') : processIo.readFile(path)),
    };
    assert.equal(await main(args, io), 2, `baton ${args.join(' ')}: ${stderr}`);
    assert.match(stderr, reason);
    assert.equal(stdout, '');
  }
});
