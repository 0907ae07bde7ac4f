/**
 * planPromotion on MySQL GTID sets, position reading, and CanReplicateFrom (reference §3.1.7).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceObservation } from '@baton/contracts';
import { canReplicateFrom, comparePositions, readReplicaPositions, type GtidPosition } from '../src/index.ts';
import { binlogFormat, delayed, notLogging, replica, set, version } from './builders.ts';
import { MP, P, UUID_P, failedPlan, hostOf, key, keys, mysqlReplica, mysqlSets, okPlan, rule, uuidOf } from './recovery-builders.ts';

const mplan = (replicas: InstanceObservation[], over = {}) => okPlan(replicas, { failed: MP, ...over });
const T = 'aaaaaaaa-0000-0000-0000-000000000001';

test('MySQL: the replica whose executed set contains all the others is chosen', () => {
  const p = mplan([mysqlReplica('r1', `${UUID_P}:1-100`), mysqlReplica('r2', `${UUID_P}:1-105`), mysqlReplica('r3', `${UUID_P}:1-103`)]);
  assert.equal(hostOf(p.candidate), 'r2');
  assert.deepEqual(p.moves, keys('r1', 'r3'));
  assert.equal(p.expectedPosition, `${UUID_P}:1-105`);
});

test('MySQL: a prefer replica behind catches up; the missing GTIDs are named as a set', () => {
  const p = mplan([mysqlReplica('r1', `${UUID_P}:1-105`), mysqlReplica('r2', `${UUID_P}:1-100`, rule('prefer'))]);
  assert.equal(hostOf(p.candidate), 'r2');
  assert.deepEqual(p.catchUpFrom, { source: key('r1'), untilPosition: `${UUID_P}:1-105`, missing: `${UUID_P}:101-105` });
});

test('MySQL: errant GTIDs (the replica\'s own uuid, on nobody else) do not make it "more advanced" and lose ties', () => {
  const errant = mysqlReplica('r1', `${UUID_P}:1-100,${uuidOf('r1')}:1-2`);
  const p = mplan([errant, mysqlReplica('r2', `${UUID_P}:1-100`)]);
  assert.equal(hostOf(p.candidate), 'r2');
  const r1 = p.ranking.find((r) => r.replica.host === 'r1');
  assert.equal(r1?.errantGtids, `${uuidOf('r1')}:1-2`);
  assert.equal(r1?.position, `${UUID_P}:1-100`);
  assert.deepEqual(p.moves, keys('r1'));
});

test('MySQL: a former primary\'s own GTIDs that the others have are not errant', () => {
  const history = `${UUID_P}:1-100,${uuidOf('r1')}:1-5`;
  const p = mplan([mysqlReplica('r1', history), mysqlReplica('r2', history)]);
  assert.equal(hostOf(p.candidate), 'r1');
  assert.equal(p.ranking[0]?.errantGtids, '');
});

test('MySQL: the failed primary\'s stale reading does not make replicated GTIDs errant', () => {
  const p = mplan([mysqlReplica('r1', `${UUID_P}:1-150`), mysqlReplica('r2', `${UUID_P}:1-140`)]);
  assert.deepEqual(p.ranking.map((r) => r.errantGtids), ['', '']);
});

test('MySQL: Retrieved_Gtid_Set not yet executed counts as held, and the plan waits for the SQL thread', () => {
  const p = mplan([mysqlReplica('r1', `${UUID_P}:1-100`, mysqlSets({ retrieved: `${UUID_P}:1-106` })), mysqlReplica('r2', `${UUID_P}:1-105`)]);
  assert.equal(hostOf(p.candidate), 'r1');
  assert.equal(p.waitForSqlThread, true);
  assert.equal(p.expectedPosition, `${UUID_P}:1-106`);
});

test('MySQL: a replica needing GTIDs the candidate purged cannot move under it', () => {
  const candidate = mysqlReplica('r1', `${UUID_P}:1-100,${T}:1-10`, mysqlSets({ purged: `${T}:1-10` }));
  const p = mplan([candidate, mysqlReplica('r2', `${UUID_P}:1-100`, rule('must_not'))], { policy: { allowLossOfTransactions: false } });
  assert.equal(hostOf(p.candidate), 'r1');
  assert.deepEqual(p.lost.map((l) => [l.replica.host, l.kind]), [['r2', 'cannot-replicate']]);
  assert.match(p.lost[0]?.reason ?? '', new RegExp(`purged ${T}:1-10, which this replica has not executed`));
});

test('MySQL: gtid_mode OFF is an unknown position (no Pseudo-GTID fallback)', () => {
  const off = mysqlReplica('r1', `${UUID_P}:1-100`, (i) => ({ ...i, mysqlGtid: i.mysqlGtid && { ...i.mysqlGtid, mode: 'OFF' } }));
  const p = mplan([off, mysqlReplica('r2', `${UUID_P}:1-100`)]);
  assert.deepEqual(p.lost, [{ replica: key('r1'), kind: 'position-unknown', reason: 'gtid_mode is OFF: GTID auto-positioning needs ON' }]);
  assert.match(failedPlan([off], { failed: MP }).reason, /no reachable replica with a usable GTID position/);
});

test('positions: MariaDB reads gtid_slave_pos, merged with Gtid_IO_Pos per domain', () => {
  const r = replica('r1', P, (i) => ({
    ...i,
    mariadbGtid: i.mariadbGtid && { ...i.mariadbGtid, slavePos: '0-1-10,1-2-5', currentPos: '0-9-11,1-2-5' },
    replication: i.replication && { ...i.replication, gtidIoPos: '0-1-12' },
  }));
  const reading = readReplicaPositions(r, P, []);
  assert.ok(reading.ok);
  const held: GtidPosition = reading.positions.held;
  assert.equal(held.flavour, 'mariadb');
  assert.equal(comparePositions(held, { flavour: 'mariadb', value: new Map([[0, { domain: 0, server: 1, seq: 12 }], [1, { domain: 1, server: 2, seq: 5 }]]) }), 'equal');
  assert.equal(reading.positions.sqlThreadUpToDate, false);
  assert.equal(reading.positions.errant, '0-9-11');
});

test('positions of different flavours never contain each other', () => {
  const a = readReplicaPositions(replica('r1', P), P, []);
  const b = readReplicaPositions(mysqlReplica('r2', `${UUID_P}:1-5`), MP, []);
  assert.ok(a.ok && b.ok);
  assert.equal(comparePositions(a.positions.held, b.positions.held), 'diverged');
});

const src = replica('s1', P);
const compat: Array<[string, InstanceObservation, InstanceObservation, RegExp | null]> = [
  ['a healthy pair', replica('r1', P), src, null],
  ['the same instance', src, src, /same instance/],
  ['a source without a binary log', replica('r1', P), replica('s1', P, set({ logBin: false })), /has no binary log/],
  ['a replica source without log_slave_updates', replica('r1', P), replica('s1', P, notLogging), /does not log what it replicates/],
  ['an older replica', replica('r1', P, version('10.6.1-MariaDB')), src, /version 10\.6 is older than s1:3306's 10\.11/],
  ['a newer replica', replica('r1', P, version('11.4.1-MariaDB')), src, null],
  ['an older binlog server', replica('r1', P, version('10.6.1-MariaDB'), set({ isBinlogServer: true })), src, null],
  ['a logging replica with a smaller binlog format', replica('r1', P, binlogFormat('MIXED')), src, /binlog format MIXED is smaller than s1:3306's ROW/],
  ['a non-logging replica with a smaller binlog format', replica('r1', P, binlogFormat('MIXED'), notLogging), src, null],
  ['the same server_id', replica('r1', P, set({ serverId: 7 })), replica('s1', P, set({ serverId: 7 })), /same server_id 7/],
  ['the same server_uuid', replica('r1', P, set({ serverUuid: 'u' })), replica('s1', P, set({ serverUuid: 'u' })), /same server_uuid/],
  ['a source delayed beyond 20 s', replica('r1', P), replica('s1', P, delayed(21)), /SQL-delayed 21 s/],
  ['a source delayed 20 s', replica('r1', P), replica('s1', P, delayed(20)), null],
  ['a replica as delayed as its source', replica('r1', P, delayed(3600)), replica('s1', P, delayed(3600)), null],
  ['MariaDB from MySQL', replica('r1', P), mysqlReplica('s1', `${UUID_P}:1-5`), /mariadb replica cannot use the GTIDs of mysql/],
  ['an unknown version', replica('r1', P, set({ version: null })), src, /major version unknown/],
];
for (const [name, r, s, expected] of compat) {
  test(`canReplicateFrom: ${name}`, () => {
    const v = canReplicateFrom(r, s, { reasonableMaintenanceReplicationLagSeconds: 20 });
    if (expected === null) assert.deepEqual(v, { ok: true });
    else assert.match(v.ok ? '(ok)' : v.reason, expected);
  });
}
