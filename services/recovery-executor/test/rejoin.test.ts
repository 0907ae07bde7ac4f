/**
 * The rejoin of a returned old primary, its pure parts (rejoin.ts): the decision from what the old
 * primary holds, its recovery, its loss report and the current primary; which writable root is the
 * current primary; and the CHANGE MASTER a former MariaDB primary rejoins with.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unknownInstance, replicationState, type ClusterSnapshot, type InstanceObservation } from '@baton/contracts';
import { initialLossReport, withMember, type LossReport } from '@baton/domain';
import { changeSourceSql, dialectFor, type Dialect } from '@baton/mysql';
import { decideRejoin, primaryCandidates, reinstateInstructions, type RejoinFacts } from '../src/rejoin.ts';

const member = 'db1:3306';
// the successor db2 was at 0-1-100 when it was promoted, and has written 0-2-101..105 since
const pending = (flavour: 'mariadb' | 'mysql', base: string): LossReport =>
  initialLossReport({ flavour, base, oldPrimary: member, examined: [], unexamined: [{ member, role: 'old-primary', position: null }] });
const examined = (position: string, flavour: 'mariadb' | 'mysql' = 'mariadb', base = '0-1-100'): LossReport => withMember(pending(flavour, base), { member, role: 'old-primary', position });
const ended = { state: 'ended', successor: true, commandHint: '' } as const;
const facts: RejoinFacts = { enabled: true, member, position: '0-1-100', recovery: ended, report: examined('0-1-100'), primary: { id: 'db2:3306', position: '0-2-105' } };

const u1 = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const u2 = '4c1a6f2e-71ca-11e1-9e33-c80aa9429562';

type Expected = { action: 'rejoin'; source: string } | { action: 'keep' | 'wait'; reason: string; extra?: string; count?: number | null };

const cases: Array<[string, Partial<RejoinFacts>, Expected]> = [
  ['nothing beyond the base: rejoined under the current primary', {}, { action: 'rejoin', source: 'db2:3306' }],
  ['less than the base: rejoined', { position: '0-1-98', report: examined('0-1-98') }, { action: 'rejoin', source: 'db2:3306' }],
  ['the current primary has written nothing yet (equal): rejoined', { primary: { id: 'db2:3306', position: '0-1-100' } }, { action: 'rejoin', source: 'db2:3306' }],
  ['one extra transaction: kept fenced, the GTID named', { position: '0-1-101', report: examined('0-1-101') }, { action: 'keep', reason: 'extra-transactions', extra: '0-1-101', count: 1 }],
  ['three extra transactions: the range', { position: '0-1-103', report: examined('0-1-103') }, { action: 'keep', reason: 'extra-transactions', extra: '0-1-101..0-1-103', count: 3 }],
  ['diverged (the same seq_no from another server): kept, uncounted', { position: '0-7-100', report: examined('0-7-100') }, { action: 'keep', reason: 'extra-transactions', count: null }],
  ['extra now though the report read it clean before: kept', { position: '0-1-101' }, { action: 'keep', reason: 'extra-transactions', extra: '0-1-101', count: 1 }],
  ['its position cannot be read: wait', { position: null }, { action: 'wait', reason: 'position-unknown' }],
  ['the report has it pending still: wait', { report: pending('mariadb', '0-1-100') }, { action: 'wait', reason: 'report-pending' }],
  ['no current primary answers: not rejoined (wait)', { primary: null }, { action: 'wait', reason: 'no-current-primary' }],
  ['the only writable root is itself: not rejoined (wait)', { primary: { id: member, position: '0-1-100' } }, { action: 'wait', reason: 'no-current-primary' }],
  ["the current primary's position unknown: wait", { primary: { id: 'db2:3306', position: null } }, { action: 'wait', reason: 'primary-position-unknown' }],
  ['the current primary (a later failover) lacks what it has: kept', { primary: { id: 'db3:3306', position: '0-1-99' } }, { action: 'keep', reason: 'primary-lacks', extra: '0-1-100', count: 1 }],
  ['its recovery still runs: wait', { recovery: { state: 'running' } }, { action: 'wait', reason: 'recovery-running' }],
  ['another recovery of its cluster runs (the new primary is being replaced): wait', { clusterRecoveryRunning: 'rec-2' }, { action: 'wait', reason: 'cluster-recovery-running' }],
  ['its recovery promoted nobody: wait (the keeper releases it)', { recovery: { ...ended, successor: false } }, { action: 'wait', reason: 'no-successor' }],
  ['force-master-failover: left as the command leaves it', { recovery: { ...ended, commandHint: 'force-master-failover' } }, { action: 'keep', reason: 'command-hint' }],
  ['graceful-master-takeover whose re-attach failed: rejoined (the retry)', { recovery: { ...ended, commandHint: 'graceful-master-takeover' } }, { action: 'rejoin', source: 'db2:3306' }],
  ['force-master-takeover: rejoined like a failover', { recovery: { ...ended, commandHint: 'force-master-takeover' } }, { action: 'rejoin', source: 'db2:3306' }],
  ['no recovery row (a stale root fenced): kept', { recovery: { state: 'none' } }, { action: 'keep', reason: 'no-recovery' }],
  ['no loss report: kept', { report: null }, { action: 'keep', reason: 'no-loss-report' }],
  ['rejoinOldPrimary off: kept', { enabled: false }, { action: 'keep', reason: 'disabled' }],
  [
    'MySQL: a subset of the primary\'s set: rejoined',
    { position: `${u1}:1-100`, report: examined(`${u1}:1-100`, 'mysql', `${u1}:1-100`), primary: { id: 'db2:3306', position: `${u1}:1-100,${u2}:1-5` } },
    { action: 'rejoin', source: 'db2:3306' },
  ],
  [
    'MySQL: two GTIDs the base lacks: kept, exactly those',
    { position: `${u1}:1-102`, report: examined(`${u1}:1-102`, 'mysql', `${u1}:1-100`), primary: { id: 'db2:3306', position: `${u1}:1-100,${u2}:1-5` } },
    { action: 'keep', reason: 'extra-transactions', extra: `${u1}:101-102`, count: 2 },
  ],
];

for (const [name, over, expected] of cases) {
  test(`rejoin decision: ${name}`, () => {
    const d = decideRejoin({ ...facts, ...over });
    assert.equal(d.action, expected.action, JSON.stringify(d));
    if (expected.action === 'rejoin') assert.deepEqual(d, expected);
    else if (d.action !== 'rejoin') {
      assert.equal(d.reason, expected.reason, d.detail);
      if (expected.action === 'keep' && d.action === 'keep') {
        if (expected.extra !== undefined) assert.equal(d.extra, expected.extra);
        if (expected.count !== undefined) assert.equal(d.count, expected.count);
      }
    }
  });
}

const at = '2026-12-04T04:00:00.000Z';
const obs = (host: string, over: Partial<InstanceObservation>): InstanceObservation =>
  unknownInstance(host, 3306, { lastSeenAt: at, lastCheckedAt: at, lastAttemptedAt: at, flavour: 'mariadb', readOnly: true, ...over });
const snapshot = (instances: InstanceObservation[]): ClusterSnapshot => ({ clusterId: 'c1', clusterAlias: 'c1', observedAt: at, detectorId: 'd1', sequence: 1, reason: 'tick', pollIntervalMs: 1000, instances });
const old = { host: 'db1', port: 3306 };

test('current primary: the newest writable root of the snapshot other than the old primary, none older than its epoch', () => {
  const s = snapshot([
    obs('db1', { readOnly: false, promotionEpoch: 6 }), // the old primary, answering writable before the keeper fenced it
    obs('db2', { readOnly: false, promotionEpoch: 7 }),
    obs('db3', { readOnly: false, promotionEpoch: 5 }), // a stale root
    obs('db4', { replication: replicationState({ host: 'db2', port: 3306 }) }),
    obs('db5', { readOnly: false, promotionEpoch: 9, lastError: 'BATON_PROBE_CONNECT: connection refused' }), // dead
  ]);
  assert.deepEqual(primaryCandidates(s, old, 7), [{ host: 'db2', port: 3306 }]);
  assert.deepEqual(primaryCandidates(s, old, null), [{ host: 'db2', port: 3306 }, { host: 'db3', port: 3306 }]);
  // a snapshot from before the promotion: the successor still read-only, the old primary dead
  const before = snapshot([obs('db1', { readOnly: false, lastError: 'refused' }), obs('db2', { replication: replicationState(old) })]);
  assert.deepEqual(primaryCandidates(before, old, 7), []);
  // a root without an epoch (made by hand) is still a candidate
  assert.deepEqual(primaryCandidates(snapshot([obs('db2', { readOnly: false })]), old, 7), [{ host: 'db2', port: 3306 }]);
});

test('a former MariaDB primary rejoins with MASTER_USE_GTID = current_pos; slave_pos stays the default', () => {
  const maria = dialectFor('10.11.19-MariaDB') as Dialect;
  const source = { host: 'db2', port: 3306, user: 'repl', password: 'secret', connectRetrySeconds: 1 };
  assert.match(changeSourceSql(maria, { ...source, mariadbUseGtid: 'current_pos' }).sql, /MASTER_USE_GTID = current_pos/);
  assert.match(changeSourceSql(maria, source).sql, /MASTER_USE_GTID = slave_pos/);
  assert.match(changeSourceSql(dialectFor('8.0.36') as Dialect, { ...source, mariadbUseGtid: 'current_pos' }).sql, /SOURCE_AUTO_POSITION = 1/);
});

test('the instructions name both ways to reinstate it', () => {
  const text = reinstateInstructions(member, '0-1-101', 'db2:3306');
  assert.match(text, /re-clone/);
  assert.match(text, /replay 0-1-101 on db2:3306/);
});
