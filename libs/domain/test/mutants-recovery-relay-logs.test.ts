/**
 * File/position relay logs (relay-backlog.ts): binlog coordinates ordered right across file-name
 * shapes, which replicas count as holding an unapplied relay log, and who covers it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BinlogCoordinates, InstanceObservation } from '@baton/contracts';
import { compareCoordinates, unappliedRelayLog, uncoveredRelayLogs } from '../src/index.ts';
import { replica, set, type Mod } from './builders.ts';
import { P, key, mysqlReplica, UUID_P } from './recovery-builders.ts';

const at = (pos: number, file = 'mysql-bin.000001'): BinlogCoordinates => ({ file, pos });

/** File/position replication, applied up to `exec`, received up to `read` (null: unknown). */
const filePos =
  (exec: number | null, read: number | null, usingGtid = 'No'): Mod =>
  (i) => ({
    ...i,
    replication: i.replication && { ...i.replication, usingGtid, gtidIoPos: '0-1-3', execCoordinates: exec === null ? null : at(exec), readCoordinates: read === null ? null : at(read) },
  });

test('binlog coordinates: numbered files of one base name compare by number, whatever its width or dots in the name', () => {
  const table: Array<[BinlogCoordinates, BinlogCoordinates, number]> = [
    [at(4, 'mysql-bin.999999'), at(4, 'mysql-bin.1000000'), -1],
    [at(4, 'mysql-bin.1000000'), at(4, 'mysql-bin.999999'), 1],
    [at(4, 'log.9'), at(4, 'log.10'), -1],
    [at(4, 'log.10'), at(4, 'log.9'), 1],
    [at(4, 'db.2-bin.000010'), at(4, 'db.2-bin.000009'), 1],
    [at(4, 'db.2-bin.000009'), at(4, 'db.2-bin.000010'), -1],
    [at(4, 'db.2-bin.999999'), at(4, 'db.2-bin.1000000'), -1],
    [at(4, 'db.2-bin.1000000'), at(4, 'db.2-bin.999999'), 1],
    [at(700, 'mysql-bin.000003'), at(700, 'mysql-bin.000003'), 0],
  ];
  for (const [a, b, want] of table) assert.equal(compareCoordinates(a, b), want, `${a.file}:${a.pos} vs ${b.file}:${b.pos}`);
});

test('binlog coordinates: files of different base names, or without a number, compare by name', () => {
  const table: Array<[BinlogCoordinates, BinlogCoordinates, number]> = [
    [at(4, 'alpha-bin.000009'), at(4, 'beta-bin.000002'), -1],
    [at(4, 'beta-bin.000002'), at(4, 'alpha-bin.000009'), 1],
    [at(4, 'relay-a'), at(4, 'relay-b'), -1],
    [at(4, 'relay-b'), at(4, 'relay-a'), 1],
    [at(4, 'mysql-bin'), at(4, 'mysql-bin.000001'), -1],
    [at(4, 'mysql-bin.000001'), at(4, 'mysql-bin'), 1],
  ];
  for (const [a, b, want] of table) assert.equal(compareCoordinates(a, b), want, `${a.file}:${a.pos} vs ${b.file}:${b.pos}`);
});

test('an unapplied relay log is only judged by coordinates on a MariaDB replica replicating by file/position with both coordinates known', () => {
  const table: Array<[string, InstanceObservation, { received: number; applied: number } | null]> = [
    ['file/position, applied behind received', replica('r1', P, filePos(500, 900)), { received: 900, applied: 500 }],
    ['Using_Gtid spelled in capitals', replica('r1', P, filePos(500, 900, 'NO')), { received: 900, applied: 500 }],
    ['file/position, all applied', replica('r1', P, filePos(900, 900)), null],
    ['GTID replication (slave_pos)', replica('r1', P, filePos(500, 900, 'Slave_Pos')), null],
    ['not replicating', replica('r1', P, set({ replication: null })), null],
    ['a MySQL replica', mysqlReplica('r1', `${UUID_P}:1-100`, filePos(500, 900)), null],
    ['received coordinates unknown', replica('r1', P, filePos(500, null)), null],
    ['applied coordinates unknown', replica('r1', P, filePos(null, 900)), null],
  ];
  for (const [name, r, want] of table) {
    const got = unappliedRelayLog(r);
    assert.deepEqual(got && { received: got.received.pos, applied: got.applied.pos }, want, name);
  }
});

test('who covers a relay-log backlog: another replica that applied at least as far, or the candidate applying its own', () => {
  const r2 = replica('r2', P, filePos(500, 800));
  const cases: Array<{ name: string; others: InstanceObservation[]; candidate: { host: string; port: number }; applies: boolean; uncovered: string[] }> = [
    { name: 'a replica applied exactly up to what r2 received', others: [replica('r1', P, filePos(800, 800))], candidate: key('r1'), applies: true, uncovered: [] },
    { name: 'a replica applied one byte short', others: [replica('r1', P, filePos(799, 799))], candidate: key('r1'), applies: true, uncovered: ['r2'] },
    {
      name: 'a non-candidate that received past r2 but applied less does not cover it',
      others: [replica('r1', P, filePos(700, 700)), replica('r3', P, filePos(600, 1000))],
      candidate: key('r1'),
      applies: true,
      uncovered: ['r2', 'r3'],
    },
    {
      name: 'a candidate that catches up instead of applying covers only as far as it applied',
      others: [replica('r1', P, filePos(600, 900)), replica('r3', P, filePos(600, 1000))],
      candidate: key('r1'),
      applies: false,
      uncovered: ['r2', 'r1', 'r3'],
    },
    { name: 'a replica not replicating covers nothing', others: [replica('r1', P, filePos(700, 700)), replica('r3', P, set({ replication: null }))], candidate: key('r1'), applies: true, uncovered: ['r2'] },
    { name: 'a replica whose applied coordinates are unknown covers nothing', others: [replica('r1', P, filePos(700, 700)), replica('r3', P, filePos(null, 1000))], candidate: key('r1'), applies: true, uncovered: ['r2'] },
    {
      name: 'a candidate on the same host but another port does not excuse r2\'s backlog',
      others: [replica('r1', P, filePos(700, 700))],
      candidate: { host: 'r2', port: 3307 },
      applies: true,
      uncovered: ['r2'],
    },
  ];
  for (const c of cases) {
    const got = uncoveredRelayLogs([r2, ...c.others], c.candidate, c.applies).map((u) => u.replica.host);
    assert.deepEqual(got, c.uncovered, c.name);
  }
});

test('an uncovered backlog names the replica and both coordinates', () => {
  const got = uncoveredRelayLogs([replica('r2', P, filePos(500, 800)), replica('r1', P, filePos(700, 700))], key('r1'), true);
  assert.deepEqual(got, [{ replica: key('r2'), received: at(800), applied: at(500) }]);
});
