/**
 * File/position replicas (MariaDB Using_Gtid=No): their unapplied relay log is in no GTID position,
 * so it is judged by the source's coordinates (relay-backlog.ts, plan-promotion.ts step 5).
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import type { BinlogCoordinates, InstanceObservation } from '@baton/contracts';
import { compareCoordinates, uncoveredRelayLogs } from '../src/index.ts';
import { P, failedPlan, key, okPlan, seq } from './recovery-builders.ts';
import { replica, type Mod } from './builders.ts';

const at = (pos: number, file = 'mysql-bin.000001'): BinlogCoordinates => ({ file, pos });

/** File/position replication, applied up to `exec`, received up to `read`; Gtid_IO_Pos left stale. */
const filePos =
  (exec: number, read: number, staleIoPos = '0-1-3'): Mod =>
  (i) => ({ ...i, replication: i.replication && { ...i.replication, usingGtid: 'No', gtidIoPos: staleIoPos, execCoordinates: at(exec), readCoordinates: at(read) } });

test('binlog coordinates order by file number, then position', () => {
  const table: Array<[BinlogCoordinates, BinlogCoordinates, number]> = [
    [at(100), at(200), -1],
    [at(200), at(200), 0],
    [at(900, 'mysql-bin.000009'), at(4, 'mysql-bin.000010'), -1],
    [at(4, 'mysql-bin.000010'), at(900, 'mysql-bin.000009'), 1],
  ];
  for (const [a, b, want] of table) assert.equal(compareCoordinates(a, b), want, `${a.file}:${a.pos} vs ${b.file}:${b.pos}`);
});

test('an unapplied file/position relay log: covered by a replica that applied past it, or by the candidate applying its own', () => {
  const cases: Array<{ name: string; replicas: InstanceObservation[]; candidate: string; applies: boolean; uncovered: string[] }> = [
    { name: 'everyone applied everything', replicas: [replica('r1', P, filePos(900, 900)), replica('r2', P, filePos(900, 900))], candidate: 'r1', applies: true, uncovered: [] },
    { name: 'r2 behind, r1 applied past what r2 received', replicas: [replica('r1', P, filePos(900, 900)), replica('r2', P, filePos(500, 800))], candidate: 'r1', applies: true, uncovered: [] },
    { name: 'r2 received more than anyone applied', replicas: [replica('r1', P, filePos(700, 700)), replica('r2', P, filePos(500, 800))], candidate: 'r1', applies: true, uncovered: ['r2'] },
    { name: 'the candidate will apply its own relay log, which reaches r2\'s', replicas: [replica('r1', P, filePos(400, 900)), replica('r2', P, filePos(500, 800))], candidate: 'r1', applies: true, uncovered: [] },
    { name: 'the candidate does not apply its relay log (catch-up): its own backlog counts', replicas: [replica('r1', P, filePos(400, 900)), replica('r2', P, filePos(800, 800))], candidate: 'r1', applies: false, uncovered: ['r1'] },
    { name: 'GTID replicas are left to the GTID comparison', replicas: [replica('r1', P, seq(100)), replica('r2', P, (i) => ({ ...i, replication: i.replication && { ...i.replication, execCoordinates: at(1), readCoordinates: at(9) } }))], candidate: 'r1', applies: true, uncovered: [] },
  ];
  for (const c of cases) {
    const got = uncoveredRelayLogs(c.replicas, key(c.candidate), c.applies).map((u) => u.replica.host);
    assert.deepEqual(got, c.uncovered, c.name);
  }
});

test('the planner: a file/position replica\'s stale Gtid_IO_Pos never counts as applied; an uncovered backlog fails the plan, or is reported lost', () => {
  // r1 applied up to 0-1-100 by GTID, received more by coordinates; its Gtid_IO_Pos still reads 0-1-3
  const r1 = replica('r1', P, seq(100), filePos(500, 900));
  const plan = okPlan([r1]);
  assert.equal(plan.waitForSqlThread, true, 'the candidate applies its relay log first');

  const r2 = replica('r2', P, seq(101), filePos(600, 600));
  const failed = failedPlan([r1, r2]);
  assert.match(failed.reason, /unapplied relay logs no other replica holds: r1:3306 received up to mysql-bin\.000001:900 and applied only up to mysql-bin\.000001:500/);
  assert.equal(failed.details.lacking[0]?.holder.host, 'r1');

  const lossy = okPlan([r1, r2], { policy: { allowLossOfTransactions: true } });
  assert.equal(lossy.candidate.host, 'r2');
  assert.deepEqual(lossy.lostTransactions.map((t) => [t.holder.host, t.missing]), [['r1', 'relay log mysql-bin.000001:500..mysql-bin.000001:900 (no GTIDs)']]);

  const r2Ahead = replica('r2', P, seq(101), filePos(950, 950));
  assert.equal(okPlan([r1, r2Ahead]).candidate.host, 'r2', 'r2 applied past everything r1 received');
});
