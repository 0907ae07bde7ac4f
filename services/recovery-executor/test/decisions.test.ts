/**
 * The pure decisions: function choice, the forced/disabled/filter gate, the re-check, the block
 * rules, hook placeholder values, hook deadlines and the per-cluster queue.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeHooks, loadConfig } from '@baton/config';
import { silentLogger } from '@baton/logging';
import { ClusterQueue } from '../src/cluster-queue.ts';
import { blockReason, isCrashed, parseBlockValue } from '../src/registration.ts';
import { hookListWorstCaseMs } from '../src/settings.ts';
import { analyze } from '@baton/domain';
import { alreadyRecovered, chooseFor, clusterPrimaryOf, drainedObservation, forgeForcedFailoverEntry, gateRecovery, positionHolds, recheck, replicasOf, semiSyncFor } from '../src/steps/decisions.ts';
import { liveFenceProblem, mayHaveSetReadOnly } from '../src/steps/fencing.ts';
import { hookValues } from '../src/steps/hook-values.ts';
import { analysisOf, deadPrimaryCluster, entryOf, healthyCluster, primary, replicaKeys, T0 } from './fakes.ts';

test('function choice: dead primary codes recover, the grace period turns them into the no-op, unknown codes are skipped', () => {
  assert.equal(chooseFor('DeadMaster', false)?.kind, 'recover-dead-primary');
  assert.equal(chooseFor('DeadMasterAndSomeReplicas', false)?.actionable, true);
  assert.equal(chooseFor('DeadMaster', true)?.kind, 'generic-noop');
  assert.equal(chooseFor('DeadMaster', true)?.registersDetection, true);
  assert.equal(chooseFor('UnreachableMaster', false)?.actionable, false);
  assert.equal(chooseFor('DeadMasterWithoutReplicas', false)?.registersDetection, false);
  assert.equal(chooseFor('SomethingNew', false), null);
});

test('gate: forced bypasses the switch and the filters, never the function', () => {
  const dead = chooseFor('DeadMaster', false)!;
  const noop = chooseFor('UnreachableMaster', false)!;
  const im = chooseFor('DeadIntermediateMaster', false)!;
  const cases: Array<[Parameters<typeof gateRecovery>[0], ReturnType<typeof gateRecovery>]> = [
    [{ choice: dead, forced: false, recoveriesDisabled: false, clusterOptedIn: true }, { proceed: true }],
    [{ choice: dead, forced: false, recoveriesDisabled: true, clusterOptedIn: true }, { proceed: false, reason: 'recoveries-disabled' }],
    [{ choice: dead, forced: false, recoveriesDisabled: false, clusterOptedIn: false }, { proceed: false, reason: 'cluster-not-opted-in' }],
    [{ choice: dead, forced: true, recoveriesDisabled: true, clusterOptedIn: false }, { proceed: true }],
    [{ choice: noop, forced: true, recoveriesDisabled: false, clusterOptedIn: true }, { proceed: false, reason: 'not-actionable' }],
    [{ choice: im, forced: false, recoveriesDisabled: false, clusterOptedIn: true }, { proceed: true }],
    [{ choice: im, forced: false, recoveriesDisabled: false, clusterOptedIn: false }, { proceed: false, reason: 'cluster-not-opted-in' }],
    [{ choice: im, forced: false, recoveriesDisabled: true, clusterOptedIn: true }, { proceed: false, reason: 'recoveries-disabled' }],
  ];
  for (const [input, expected] of cases) assert.deepEqual(gateRecovery(input), expected, JSON.stringify({ ...input, choice: input.choice.kind }));
});

test('re-check: still a dead primary, or gone (with the code it became)', () => {
  const still = recheck(analysisOf(deadPrimaryCluster()).entries, primary);
  assert.equal(still.stillFailed, true);
  const alive = recheck(analysisOf(deadPrimaryCluster({ replicating: true })).entries, primary);
  assert.equal(alive.stillFailed, false);
  assert.equal(alive.stillFailed ? '' : alive.code, 'UnreachableMaster');
  assert.equal(alive.stillFailed ? null : alive.changed, true, 'another problem: changed');
  const none = recheck([], primary);
  assert.equal(none.stillFailed ? '' : none.code, 'NoProblem');
  assert.equal(none.stillFailed ? null : none.changed, false, 'no problem: gone');
});

test('block rules: recently promoted vs any block; a running block without its lock past the TTL is a crash', () => {
  const b = { uid: 'u', failed: 'db0:1', successor: 'db1:1', state: 'resolved' as const, owner: 'o', startedAtMs: 1000 };
  assert.equal(blockReason(b, 'db1:1'), 'recently-promoted');
  assert.equal(blockReason(b, 'db2:1'), 'recovery-block');
  assert.equal(blockReason(null, 'db2:1'), 'recovery-block');
  const running = { ...b, state: 'running' as const, successor: null };
  assert.equal(isCrashed(running, false, 1000 + 40_001, 40_000), true);
  assert.equal(isCrashed(running, true, 1000 + 40_001, 40_000), false, 'its lock is still held');
  assert.equal(isCrashed(running, false, 1000 + 1000, 40_000), false, 'too early to tell');
  assert.equal(isCrashed(b, false, 1_000_000, 40_000), false, 'a resolved recovery is not a crash');
  assert.deepEqual(parseBlockValue(JSON.stringify(b)), b);
  assert.equal(parseBlockValue('not json'), null);
  assert.equal(parseBlockValue(JSON.stringify({ failed: 'x' })), null);
  assert.deepEqual(parseBlockValue(JSON.stringify({ ...b, resolvedAtMs: 5000 })), { ...b, resolvedAtMs: 5000 });
});

test('already recovered: the same failure, a successor promoted, observed before the recovery resolved', () => {
  const resolved = { uid: 'u', failed: 'db0:1', successor: 'db1:1', state: 'resolved' as const, owner: 'o', startedAtMs: 1000, resolvedAtMs: 2000 };
  const cases: Array<[string, Parameters<typeof alreadyRecovered>, boolean]> = [
    ['in flight during the recovery', [resolved, 'db0:1', 1500], true],
    ['observed the moment it resolved', [resolved, 'db0:1', 2000], true],
    ['observed after it resolved: a new failure', [resolved, 'db0:1', 2001], false],
    ['another instance failed', [resolved, 'db1:1', 1500], false],
    ['the recovery promoted nobody', [{ ...resolved, successor: null }, 'db0:1', 1500], false],
    ['the recovery still runs', [{ ...resolved, state: 'running' as const }, 'db0:1', 1500], false],
    ['a block without its resolution time', [{ ...resolved, resolvedAtMs: undefined }, 'db0:1', 1500], false],
    ['a forced recover (no observation time)', [resolved, 'db0:1', null], false],
    ['no block', [null, 'db0:1', 1500], false],
  ];
  for (const [name, args, expected] of cases) assert.equal(alreadyRecovered(...args), expected, name);
});

test('hook values: orchestrator names, successor only once promoted, lost replicas listed', () => {
  const entry = entryOf(analysisOf(deadPrimaryCluster()));
  const base = { entry, clusterId: 'c1', clusterAlias: 'orders', recoveryUid: 'r-1', commandHint: '', autoMasterRecovery: true, orchestratorHost: 'h' };
  const before = hookValues(base);
  assert.equal(before['failureType'], 'DeadMaster');
  assert.equal(before['instanceType'], 'master');
  assert.equal(before['isMaster'], 'true');
  assert.equal(before['failedHost'], 'db1');
  assert.equal(before['failedPort'], '3306');
  assert.equal(before['failureCluster'], 'c1');
  assert.equal(before['failureClusterAlias'], 'orders');
  assert.equal(before['countReplicas'], '3');
  assert.equal(before['replicaHosts'], 'db2:3306,db3:3306,db4:3306');
  assert.equal(before['recoveryUID'], 'r-1');
  assert.equal(before['isSuccessful'], 'false');
  assert.equal(before['countLostReplicas'], '0');
  assert.equal(before['autoMasterRecovery'], 'true');
  assert.ok(!('successorHost' in before));
  const after = hookValues({ ...base, successor: { key: { host: 'db3', port: 3306 }, position: '0-1-105' }, lostReplicas: [{ host: 'db4', port: 3306 }] });
  assert.equal(after['successorHost'], 'db3');
  assert.equal(after['successorPort'], '3306');
  assert.equal(after['successorBinlogCoordinates'], '0-1-105');
  assert.equal(after['isSuccessful'], 'true');
  assert.equal(after['lostReplicas'], 'db4:3306');
  assert.equal(after['countLostReplicas'], '1');
});

test('hook deadline: every waited-for entry at its deadline plus the kill grace, async entries only their slack', () => {
  const config = loadConfig({ env: {} });
  const list = normalizeHooks(['echo a', { name: 'b', argv: ['x'], timeoutMs: 2000 }, 'notify &', { webhook: { url: 'http://h', timeoutMs: 1000, retries: 2 } }], config.hooks, 'L');
  const grace = config.hooks.killGracePeriodMs;
  const expected = config.hooks.defaultTimeoutMs + grace + 1000 + (2000 + grace + 1000) + 1000 + (3 * 1000 + 2 * 5000);
  assert.equal(hookListWorstCaseMs(list, grace), expected);
  assert.equal(hookListWorstCaseMs([], grace), 0);
});

test('drained observation: the drain\'s positions, threads stopped, freshly seen', () => {
  const s = deadPrimaryCluster();
  const [r] = replicasOf(s.instances, primary);
  const at = new Date(T0 + 500);
  const d = drainedObservation(r!, {
    instance: 'db2:3306',
    flavour: 'mariadb',
    drained: true,
    waitOutcome: 'reached',
    position: '0-1-120',
    gtid: { flavour: 'mariadb', position: '0-1-120', ownPosition: '0-1-120', mariadb: { slavePos: '0-1-120', currentPos: '0-1-120', binlogPos: '0-1-120' } },
    gtidIoPos: '0-1-120',
    mode: 'gtid',
    receivedCoords: null,
    readCoords: null,
    execCoords: null,
    replication: { ...r!.replication!, ioThread: 'No', sqlThread: 'No', gtidIoPos: '0-1-120' },
    before: r!.replication,
    elapsedMs: 1,
  }, at);
  assert.equal(d.mariadbGtid?.slavePos, '0-1-120');
  assert.equal(d.mariadbGtid?.strictMode, true);
  assert.equal(d.replication?.ioThread, 'No');
  assert.equal(d.lastSeenAt, at.toISOString());
  assert.equal(replicasOf(s.instances, primary).length, 3);
  assert.equal(semiSyncFor(s.instances[0]!), false);
  assert.deepEqual(semiSyncFor({ ...s.instances[0]!, semiSync: { masterEnabled: true, masterStatus: false, masterClients: 0, masterWaitForReplicaCount: 1, masterTimeoutMs: 3000, replicaEnabled: false, replicaStatus: false } }), { timeoutMs: 3000 });
});

test('cluster queue: one job at a time per cluster, the newest job per key wins, clusters run side by side', async () => {
  const ran: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const q = new ClusterQueue<string>(async (cluster, job) => {
    ran.push(`${cluster}:${job}:start`);
    if (job === 'slow') await gate;
    ran.push(`${cluster}:${job}:end`);
  }, silentLogger());
  q.push('a', 'k1', 'slow');
  q.push('a', 'k2', 'old');
  q.push('a', 'k2', 'new');
  q.push('b', 'k1', 'other');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(ran, ['a:slow:start', 'b:other:start', 'b:other:end']);
  release();
  assert.equal(await q.idle(1000), true);
  assert.deepEqual(ran.slice(3), ['a:slow:end', 'a:new:start', 'a:new:end']);
  assert.equal(q.stats().replaced, 1);
});

test('force-master-failover: the forged entry is the primary\'s real one (or a minimal one) with code DeadMaster; only the primary qualifies', () => {
  const s = healthyCluster();
  assert.equal(clusterPrimaryOf(s)?.host, 'db1');
  const real = analyze(s, T0, { includeNoProblem: true });
  const forged = forgeForcedFailoverEntry(s, real, primary);
  assert.ok(forged.ok);
  const original = real.find((e) => e.instance.host === 'db1');
  assert.deepEqual(forged.entry, { ...original, code: 'DeadMaster', isActionable: true }, 'nothing else of the real entry changes');
  const minimal = forgeForcedFailoverEntry(s, [], primary);
  assert.ok(minimal.ok);
  assert.deepEqual([minimal.entry.code, minimal.entry.isMaster, minimal.entry.counts['CountReplicas'], minimal.entry.replicas.map((r) => r.host)], ['DeadMaster', true, 3, ['db2', 'db3', 'db4']]);
  assert.deepEqual(forgeForcedFailoverEntry(s, real, replicaKeys[1]!), { ok: false, reason: 'db3:3306 is not the primary of cluster c1 in the cached snapshot (the primary is db1:3306)' });
  // a dead primary is still the cluster's primary (its replicas point at it)
  const dead = forgeForcedFailoverEntry(deadPrimaryCluster(), [], primary);
  assert.ok(dead.ok);
});

test('force-master-failover: the candidate must hold the old primary\'s final position; the live fence must be complete', () => {
  assert.equal(positionHolds('mariadb', '0-1-100', '0-1-100'), true);
  assert.equal(positionHolds('mariadb', '0-1-101,1-5-3', '0-1-100'), true);
  assert.equal(positionHolds('mariadb', '0-1-99', '0-1-100'), false);
  assert.equal(positionHolds('mariadb', '0-1-100', '0-1-100,1-1-2'), false, 'a domain the candidate lacks');
  assert.equal(positionHolds('mariadb', '', ''), true);
  assert.equal(positionHolds('mysql', 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:1-10', 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:1-9'), true);
  assert.equal(positionHolds('mysql', 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:1-9', 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:1-10'), false);
  assert.equal(positionHolds('mariadb', 'not a position', '0-1-1'), false);

  const base = { instance: 'db1:3306', fenced: true, reason: 'fenced', liveness: 'alive', readLockHeld: null, readOnly: true, killedConnections: 2, unkilledConnections: 0, elapsedMs: 3 } as const;
  assert.equal(liveFenceProblem(base), null);
  assert.equal(liveFenceProblem({ ...base, unkilledConnections: 1 }), 'read_only set, but 1 client connection(s) were not killed');
  assert.equal(liveFenceProblem({ ...base, killError: 'timeout' }), 'read_only set, but the client connections could not be listed: timeout');
  assert.equal(liveFenceProblem({ ...base, fenced: false, reason: 'not-verified', error: 'read_only reads back as 0' }), 'not-verified: read_only reads back as 0');
  assert.equal(mayHaveSetReadOnly({ ...base, fenced: false, reason: 'unreachable' }), false);
  assert.equal(mayHaveSetReadOnly({ ...base, fenced: false, reason: 'timeout' }), true);
});
