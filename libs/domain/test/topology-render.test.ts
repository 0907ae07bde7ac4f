/**
 * renderTopology: orchestrator's `topology` tree ([lag,status,version,ro|rw,binlog format,extras])
 * plus Baton's role and problem columns, for the shapes a tree can take: chains, lag, stopped
 * replication, a dead primary, detached and standalone servers, a replication ring, downtime,
 * promotion rules, semi-sync and errant GTIDs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, describeInstance, renderTopology, resolveAnalysisPolicy, topologyRows } from '../src/index.ts';
import { at, NOW, primary, replica, snapshot, type Mod } from './builders.ts';

const full = resolveAnalysisPolicy({ includeNoProblem: true, includeDowntimed: true, reduceReplicationAnalysisCount: false });
const render = (s: ReturnType<typeof snapshot>) => renderTopology(s, { nowMs: NOW, analysis: analyze(s, NOW, full) });
const lag = (seconds: number | null): Mod => (i) => ({ ...i, replication: i.replication && { ...i.replication, secondsBehindSource: seconds } });
const stopped: Mod = (i) => ({ ...i, replication: i.replication && { ...i.replication, ioThread: 'No', sqlThread: 'No', secondsBehindSource: null } });

test('a chain: replicas under their source in host order, lag, state and flags per instance, the problem on the instance analysed', () => {
  const p = primary('p1');
  const im = replica('r1', p);
  const s = snapshot([replica('r3', p, lag(7)), p, replica('r2', im, stopped), im]);
  assert.equal(
    render(s),
    [
      'p1:3306      [0s,ok,10.11.19-MariaDB,rw,ROW,>>]                     primary',
      '+ r1:3306    [0s,ok,10.11.19-MariaDB,ro,ROW,>>,GTID]                intermediate  AllIntermediateMasterReplicasNotReplicating',
      '  + r2:3306  [null,nonreplicating,10.11.19-MariaDB,ro,ROW,>>,GTID]  replica',
      '+ r3:3306    [7s,ok,10.11.19-MariaDB,ro,ROW,>>,GTID]                replica',
    ].join('\n'),
  );
  assert.deepEqual(topologyRows(s).map((r) => [r.instance.host, r.depth, r.role]), [['p1', 0, 'primary'], ['r1', 1, 'intermediate'], ['r2', 2, 'replica'], ['r3', 1, 'replica']]);
});

test('a dead primary: unknown lag, invalid check, its analysis code; replicas failing to connect', () => {
  const dead: Mod = (i) => ({ ...i, lastSeenAt: at(-10_000), lastCheckedAt: at(-10_000), lastAttemptedAt: at(-100) });
  const failing: Mod = (i) => ({
    ...i,
    replication: i.replication && { ...i.replication, ioThread: 'Connecting', lastIoErrno: 2003, lastIoError: "error reconnecting to master 'repl@p1:3306'", secondsBehindSource: null },
  });
  const p = primary('p1', dead);
  const lines = render(snapshot([p, replica('r1', p, failing), replica('r2', p, failing)])).split('\n');
  assert.match(lines[0] as string, /^p1:3306 +\[unknown,invalid,10\.11\.19-MariaDB,rw,ROW,>>\] +primary +DeadMaster$/);
  assert.match(lines[1] as string, /^\+ r1:3306 +\[null,nonreplicating,.*\] +replica +FirstTierReplicaFailingToConnectToMaster$/);
});

test('after a failover: the old primary is a standalone tree of its own, downtimed; a never-seen instance is unknown', () => {
  const p = primary('p2');
  const old = primary('p1', (i) => ({ ...i, lastSeenAt: at(-60_000), lastCheckedAt: at(-60_000), downtime: { owner: 'baton', reason: 'lost-in-recovery', endsAt: null } }));
  const ghost = primary('zz', (i) => ({ ...i, lastSeenAt: null, lastCheckedAt: null, version: null, readOnly: null, binlogFormat: null }));
  const rows = topologyRows(snapshot([old, p, replica('r1', p), ghost]));
  assert.deepEqual(rows.map((r) => [r.instance.host, r.depth, r.role]), [['p2', 0, 'primary'], ['r1', 1, 'replica'], ['p1', 0, 'standalone'], ['zz', 0, 'unknown']]);
  const lines = render(snapshot([old, p, replica('r1', p), ghost])).split('\n');
  assert.match(lines[2] as string, /^p1:3306 +\[unknown,invalid,10\.11\.19-MariaDB,rw,ROW,>>,downtimed\] +standalone/);
  assert.match(lines[3] as string, /^zz:3306 +\[unknown,invalid,unknown,\?,\?,>>\] +unknown/);
});

test('a replication ring (co-primaries) is printed from its first member; each member says co-primary', () => {
  const a = primary('a1');
  const b = replica('b1', a, (i) => ({ ...i, readOnly: false }));
  const a2 = { ...a, replication: replica('x', b).replication };
  const rows = topologyRows(snapshot([a2, b]));
  assert.deepEqual(rows.map((r) => [r.instance.host, r.depth, r.role]), [['a1', 0, 'co-primary'], ['b1', 1, 'co-primary']]);
});

test('flags: semi-sync, detached, a promotion rule, an errant GTID', () => {
  const p = primary('p1', (i) => ({ ...i, semiSync: { masterEnabled: true, masterStatus: true, masterClients: 1, masterWaitForReplicaCount: 1, masterTimeoutMs: 1000, replicaEnabled: false, replicaStatus: false } }));
  const r = replica('r1', p, (i) => ({ ...i, promotionRule: 'prefer', semiSync: { masterEnabled: false, masterStatus: false, masterClients: 0, masterWaitForReplicaCount: 0, masterTimeoutMs: 0, replicaEnabled: true, replicaStatus: true } }));
  assert.equal(describeInstance(p, { lastCheckValid: true, nowMs: NOW }), '[0s,ok,10.11.19-MariaDB,rw,ROW,>>,semi:master]');
  assert.equal(describeInstance(r, { lastCheckValid: true, nowMs: NOW, errantGtid: '0-9-1' }), '[0s,ok,10.11.19-MariaDB,ro,ROW,>>,GTID:errant,semi:replica,prefer]');
  const detached = replica('d1', p, (i) => ({ ...i, replication: i.replication && { ...i.replication, sourceHost: '//p1', ioThread: 'No', sqlThread: 'No' }, logSlaveUpdates: false }));
  assert.equal(describeInstance(detached, { lastCheckValid: true, nowMs: NOW }), '[detached,nonreplicating,10.11.19-MariaDB,ro,ROW,GTID]');
  const noBinlog = primary('n1', (i) => ({ ...i, logBin: false }));
  assert.equal(describeInstance(noBinlog, { lastCheckValid: true, nowMs: NOW }), '[0s,ok,10.11.19-MariaDB,rw,nobinlog]');
});
