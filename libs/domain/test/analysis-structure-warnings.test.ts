/**
 * Every structure warning (reference §1.3) has a case that produces it and a near miss that does not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceObservation } from '@baton/contracts';
import { analyze, structureWarningCodes, type StructureWarningCode } from '../src/index.ts';
import {
  NOW,
  binlogFormat,
  dead,
  downtimed,
  errantMariadb,
  mysql,
  noGtid,
  notLogging,
  primary,
  readOnly,
  replica,
  semiSync,
  set,
  snapshot,
  version,
} from './builders.ts';

interface Case {
  name: string;
  instances: () => InstanceObservation[];
  host: string;
  warning: StructureWarningCode;
  present: boolean;
}

const P = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';
const R = 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb';

const pair = (...mods: Parameters<typeof replica>[2][][]) => () => {
  const m = primary('p1');
  return [m, ...mods.map((ms, n) => replica(`r${n + 1}`, m, ...ms))];
};

/** A former primary (server_id 77) re-attached under its successor at 0-77-100, its own position `own`, gtid_slave_pos empty. */
const reattached = (own: string) => () => {
  const m = primary('p1');
  const successor = { ...m, mariadbGtid: { ...m.mariadbGtid!, binlogPos: '0-77-100', currentPos: '0-77-100' } };
  return [successor, replica('old', successor, set({ serverId: 77 }), (i) => ({ ...i, mariadbGtid: { ...i.mariadbGtid!, currentPos: own, binlogPos: own, slavePos: '' } }))];
};

const cases: Case[] = [
  { name: 'no replica logs its updates', instances: pair([notLogging], [notLogging]), host: 'p1', warning: 'NoLoggingReplicasStructureWarning', present: true },
  { name: 'near miss: one replica logs', instances: pair([notLogging], []), host: 'p1', warning: 'NoLoggingReplicasStructureWarning', present: false },
  { name: 'near miss: a single non-logging replica', instances: pair([notLogging]), host: 'p1', warning: 'NoLoggingReplicasStructureWarning', present: false },

  { name: 'replicas use file/position replication', instances: pair([noGtid], [noGtid]), host: 'p1', warning: 'NoFailoverSupportStructureWarning', present: true },
  { name: 'near miss: every valid replica uses MariaDB GTID', instances: pair([], []), host: 'p1', warning: 'NoFailoverSupportStructureWarning', present: false },
  {
    name: 'near miss: every valid replica uses MySQL auto-position',
    instances: () => {
      const m = primary('p1', mysql(`${P}:1-10`));
      return [m, replica('r1', m, mysql(`${P}:1-10`)), replica('r2', m, mysql(`${P}:1-10`))];
    },
    host: 'p1',
    warning: 'NoFailoverSupportStructureWarning',
    present: false,
  },
  { name: 'near miss: every valid replica is a binlog server', instances: pair([noGtid, set({ isBinlogServer: true })], [noGtid, set({ isBinlogServer: true })]), host: 'p1', warning: 'NoFailoverSupportStructureWarning', present: false },

  { name: 'STATEMENT and MIXED logging replicas', instances: pair([binlogFormat('STATEMENT')], [binlogFormat('MIXED')]), host: 'p1', warning: 'StatementAndMixedLoggingReplicasStructureWarning', present: true },
  { name: 'near miss: both MIXED', instances: pair([binlogFormat('MIXED')], [binlogFormat('MIXED')]), host: 'p1', warning: 'StatementAndMixedLoggingReplicasStructureWarning', present: false },
  { name: 'STATEMENT and ROW logging replicas', instances: pair([binlogFormat('STATEMENT')], []), host: 'p1', warning: 'StatementAndRowLoggingReplicasStructureWarning', present: true },
  { name: 'near miss: the STATEMENT replica does not log', instances: pair([binlogFormat('STATEMENT'), notLogging], []), host: 'p1', warning: 'StatementAndRowLoggingReplicasStructureWarning', present: false },
  { name: 'MIXED and ROW logging replicas', instances: pair([binlogFormat('MIXED')], []), host: 'p1', warning: 'MixedAndRowLoggingReplicasStructureWarning', present: true },
  { name: 'near miss: both ROW', instances: pair([], []), host: 'p1', warning: 'MixedAndRowLoggingReplicasStructureWarning', present: false },

  { name: 'logging replicas on 10.11 and 10.6', instances: pair([version('10.6.18-MariaDB')], []), host: 'p1', warning: 'MultipleMajorVersionsLoggingReplicasStructureWarning', present: true },
  { name: 'near miss: 10.11.2 and 10.11.19 are one major version', instances: pair([version('10.11.2-MariaDB')], []), host: 'p1', warning: 'MultipleMajorVersionsLoggingReplicasStructureWarning', present: false },

  {
    name: 'MySQL primary gtid_mode ON, replica OFF',
    instances: () => {
      const m = primary('p1', mysql(`${P}:1-10`));
      return [m, replica('r1', m, mysql('', 'OFF'))];
    },
    host: 'p1',
    warning: 'DifferentGTIDModesStructureWarning',
    present: true,
  },
  {
    name: 'near miss: the replica was never read (mode unknown, not different)',
    instances: () => {
      const m = primary('p1', mysql(`${P}:1-10`));
      return [m, replica('r1', m, mysql(`${P}:1-10`), set({ mysqlGtid: null, flavour: 'unknown' }), dead)];
    },
    host: 'p1',
    warning: 'DifferentGTIDModesStructureWarning',
    present: false,
  },

  { name: 'MariaDB replica with a root write (current_pos ≠ slave_pos, own server id)', instances: pair([errantMariadb], []), host: 'p1', warning: 'ErrantGTIDStructureWarning', present: true },
  { name: 'near miss: the errant replica is downtimed', instances: pair([errantMariadb, downtimed()], []), host: 'p1', warning: 'ErrantGTIDStructureWarning', present: false },
  {
    name: 'near miss: current_pos ≠ slave_pos but the GTID carries the source\'s server id',
    instances: () => {
      const m = primary('p1');
      const up = `0-${m.serverId}-100`;
      return [m, replica('r1', m, (i) => ({ ...i, mariadbGtid: { ...i.mariadbGtid!, currentPos: up, slavePos: `0-${m.serverId}-99` } }))];
    },
    host: 'p1',
    warning: 'ErrantGTIDStructureWarning',
    present: false,
  },
  {
    name: 'near miss: a former primary re-attached under its successor, which has not written since (empty slave_pos, the same GTID on both)',
    instances: reattached('0-77-100'),
    host: 'p1',
    warning: 'ErrantGTIDStructureWarning',
    present: false,
  },
  {
    name: 'a former primary re-attached with writes its successor never received',
    instances: reattached('0-77-103'),
    host: 'p1',
    warning: 'ErrantGTIDStructureWarning',
    present: true,
  },
  {
    name: 'MySQL replica with a transaction of its own',
    instances: () => {
      const m = primary('p1', mysql(`${P}:1-10`));
      return [m, replica('r1', m, mysql(`${P}:1-10,${R}:1`)), replica('r2', m, mysql(`${P}:1-10`))];
    },
    host: 'p1',
    warning: 'ErrantGTIDStructureWarning',
    present: true,
  },
  {
    name: 'near miss: MySQL replica behind its source (a subset is not errant)',
    instances: () => {
      const m = primary('p1', mysql(`${P}:1-10`));
      return [m, replica('r1', m, mysql(`${P}:1-7`))];
    },
    host: 'p1',
    warning: 'ErrantGTIDStructureWarning',
    present: false,
  },
  {
    name: 'MySQL errant replica at depth 2 shows on its intermediate master',
    instances: () => {
      const m = primary('p1', mysql(`${P}:1-10`));
      const im = replica('im', m, mysql(`${P}:1-10`));
      return [m, im, replica('r1', im, mysql(`${P}:1-10,${R}:5-6`))];
    },
    host: 'im',
    warning: 'ErrantGTIDStructureWarning',
    present: true,
  },
  {
    name: 'MariaDB errant replica at depth 2 shows on its intermediate master',
    instances: () => {
      const m = primary('p1');
      const im = replica('im', m);
      return [m, im, replica('r1', im, errantMariadb)];
    },
    host: 'im',
    warning: 'ErrantGTIDStructureWarning',
    present: true,
  },

  {
    name: 'primary is read_only',
    instances: () => {
      const m = primary('p1', readOnly);
      return [m, replica('r1', m)];
    },
    host: 'p1',
    warning: 'NoWriteableMasterStructureWarning',
    present: true,
  },
  { name: 'near miss: writable primary', instances: pair([]), host: 'p1', warning: 'NoWriteableMasterStructureWarning', present: false },
  {
    name: 'near miss: a read-only intermediate master is normal',
    instances: () => {
      const m = primary('p1');
      const im = replica('im', m);
      return [m, im, replica('r1', im)];
    },
    host: 'im',
    warning: 'NoWriteableMasterStructureWarning',
    present: false,
  },

  {
    name: 'semi-sync primary fell back to async (status OFF, clients < wait)',
    instances: () => {
      const m = primary('p1', semiSync({ status: false, wait: 1, clients: 0 }));
      return [m, replica('r1', m)];
    },
    host: 'p1',
    warning: 'NotEnoughValidSemiSyncReplicasStructureWarning',
    present: true,
  },
  {
    name: 'near miss: status still ON (that is LockedSemiSyncMasterHypothesis instead)',
    instances: () => {
      const m = primary('p1', semiSync({ status: true, wait: 1, clients: 0 }));
      return [m, replica('r1', m)];
    },
    host: 'p1',
    warning: 'NotEnoughValidSemiSyncReplicasStructureWarning',
    present: false,
  },
  ...(
    [
      ['heartbeats off on one replica', [0, 1], true],
      ['a 2 s heartbeat period on one replica', [0.5, 2], true],
      ['near miss: every replica at 1 s or less', [1, 0.5], false],
      ['near miss: heartbeat period unknown (MySQL does not show it)', [null, null], false],
    ] as const
  ).map(([name, periods, present]): Case => ({
    name,
    instances: () => {
      const m = primary('p1');
      return [m, ...periods.map((period, n) => replica(`r${n + 1}`, m, (i) => ({ ...i, replication: i.replication && { ...i.replication, heartbeatPeriodSeconds: period } })))];
    },
    host: 'p1',
    warning: 'SlowHeartbeatReplicasStructureWarning',
    present,
  })),
  // server_ids of the builders: one per host; here r1's (a dead address) answers again at r9
  ...(
    [
      ['a dead replica whose server_id answers at another address', [dead], [], 'r1', true],
      ['near miss: the new address of that server_id (it answers)', [dead], [], 'r9', false],
      ['near miss: both addresses dead', [dead], [dead], 'r1', false],
      ['near miss: the dead replica alone with its server_id', [dead], null, 'r1', false],
    ] as const
  ).map(([name, oldMods, newMods, host, present]): Case => ({
    name,
    instances: () => {
      const m = primary('p1');
      const old = replica('r1', m, ...oldMods, set({ serverId: 4711 }));
      return newMods === null ? [m, old] : [m, old, replica('r9', m, ...newMods, set({ serverId: 4711 }))];
    },
    host,
    warning: 'ServerIdMovedStructureWarning',
    present,
  })),
];

for (const c of cases) {
  test(`${c.present ? '' : 'no '}${c.warning} on ${c.host}: ${c.name}`, () => {
    const entries = analyze(snapshot(c.instances()), NOW, { includeNoProblem: true });
    const row = entries.find((e) => e.instance.host === c.host);
    assert.equal(row?.structureWarnings.includes(c.warning) ?? false, c.present, `rows: ${JSON.stringify(entries.map((e) => [e.instance.host, e.code, e.structureWarnings]))}`);
  });
}

test('every structure warning is produced by at least one case', () => {
  const produced = new Set(cases.filter((c) => c.present).map((c) => c.warning));
  for (const w of structureWarningCodes) assert.ok(produced.has(w), `no case produces ${w}`);
});

test('warnings are appended in table order, any number at once, next to a primary code', () => {
  const m = primary('p1', readOnly, dead);
  const entries = analyze(snapshot([m, replica('r1', m, noGtid, notLogging), replica('r2', m, noGtid, notLogging)]), NOW);
  assert.equal(entries[0]?.code, 'UnreachableMaster');
  assert.deepEqual(entries[0]?.structureWarnings, ['NoLoggingReplicasStructureWarning', 'NoFailoverSupportStructureWarning', 'NoWriteableMasterStructureWarning']);
});

test('a co-master ring: the active co-master\'s own writes are not errant', () => {
  const a0 = primary('a');
  const b = replica('b', a0);
  const a = { ...a0, replication: { ...b.replication!, sourceHost: 'b' }, mariadbGtid: { ...a0.mariadbGtid!, slavePos: '' } };
  const entries = analyze(snapshot([a, b]), NOW, { includeNoProblem: true });
  for (const e of entries) assert.equal(e.structureWarnings.includes('ErrantGTIDStructureWarning'), false, e.instance.host);
});

test('the errant GTIDs behind ErrantGTIDStructureWarning travel with the entries', () => {
  const m = primary('p1');
  const r = replica('r1', m, errantMariadb);
  const entries = analyze(snapshot([m, r]), NOW, { includeNoProblem: true, reduceReplicationAnalysisCount: false });
  const onPrimary = entries.find((e) => e.instance.host === 'p1');
  const onReplica = entries.find((e) => e.instance.host === 'r1');
  assert.equal(onPrimary?.maxReplicaErrantGtid, `0-${r.serverId}-101`);
  assert.equal(onPrimary?.errantGtid, '');
  assert.equal(onReplica?.errantGtid, `0-${r.serverId}-101`);
  assert.equal(onReplica?.flags?.['IsReadOnly'], true);
});
