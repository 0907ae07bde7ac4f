/**
 * CanReplicateFrom (can-replicate-from.ts): the edge cases — unknown flavours and versions, binlog
 * servers, instances that do not log, sources that are not replicas, unreadable GTID sets.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InstanceObservation } from '@baton/contracts';
import { canReplicateFrom, compareMajorVersions } from '../src/index.ts';
import { binlogFormat, binlogServer, mysql, primary, replica, set, version } from './builders.ts';
import { MP, P, UUID_P, mysqlReplica, mysqlSets } from './recovery-builders.ts';

const opts = { reasonableMaintenanceReplicationLagSeconds: 20 };
const T = 'aaaaaaaa-0000-0000-0000-000000000001';

test('major versions compare numerically part by part, a missing part counting as 0', () => {
  const table: Array<[string, string, number]> = [
    ['10', '10.6', -1],
    ['10.6', '10', 1],
    ['10.6', '10.11', -1],
    ['11.4', '11.4', 0],
    ['10.0', '10', 0],
  ];
  for (const [a, b, want] of table) assert.equal(Math.sign(compareMajorVersions(a, b)), want, `${a} vs ${b}`);
});

test('can replicate from: the verdict and its exact reason', () => {
  const source = replica('s1', P);
  const table: Array<[string, InstanceObservation, InstanceObservation, string | null]> = [
    ['same host, another port, another server id', replica('s1', P, set({ port: 3307, serverId: 4242 })), source, null],
    ['same host and port', replica('s1', P), source, 'same instance'],
    ['replica flavour unknown', replica('r1', P, set({ flavour: 'unknown' })), source, null],
    ['source flavour unknown', replica('r1', P), replica('s1', P, set({ flavour: 'unknown' })), null],
    ['flavours differ', mysqlReplica('r1', `${UUID_P}:1-10`), source, 'mysql replica cannot use the GTIDs of mariadb s1:3306'],
    ['source version unknown', replica('r1', P), replica('s1', P, set({ version: null })), 'major version unknown (10.11 from ?)'],
    ['replica version unknown', replica('r1', P, set({ version: null })), source, 'major version unknown (? from 10.11)'],
    ['replica on an older version', replica('r1', P, version('10.6.21-MariaDB')), source, "version 10.6 is older than s1:3306's 10.11"],
    [
      'a replica without a binary log is not held to the source\'s binlog format',
      replica('r1', P, set({ logBin: false }), binlogFormat('STATEMENT')),
      source,
      null,
    ],
    ['a logging replica with a smaller binlog format', replica('r1', P, binlogFormat('STATEMENT')), source, "binlog format STATEMENT is smaller than s1:3306's ROW"],
    ['same server id', replica('r1', P, set({ serverId: 7 })), replica('s1', P, set({ serverId: 7 })), 'same server_id 7 as s1:3306'],
    ['server ids both unknown', replica('r1', P, set({ serverId: null })), replica('s1', P, set({ serverId: null })), null],
    ['a binlog server replica may share the source\'s server id', replica('r1', P, binlogServer, set({ serverId: 7 })), replica('s1', P, set({ serverId: 7 })), null],
    ['a binlog server source may share the replica\'s server id', replica('r1', P, set({ serverId: 7 })), replica('s1', P, binlogServer, set({ serverId: 7 })), null],
    ['the source is a primary, the replica not replicating', replica('r1', P, set({ replication: null })), primary('s1'), null],
  ];
  for (const [name, r, s, reason] of table) assert.deepEqual(canReplicateFrom(r, s, opts), reason === null ? { ok: true } : { ok: false, reason }, name);
});

test('can replicate from, MySQL purged GTIDs: only checked when both sides have readable GTID sets', () => {
  const source = mysqlReplica('s1', `${UUID_P}:1-100,${T}:1-5`, mysqlSets({ purged: `${T}:1-5` }));
  const table: Array<[string, InstanceObservation, string | null]> = [
    ['replica lacks purged GTIDs', mysqlReplica('r1', `${UUID_P}:1-100`), `s1:3306 purged ${T}:1-5, which this replica has not executed`],
    ['replica executed them', mysqlReplica('r1', `${UUID_P}:1-100,${T}:1-5`), null],
    ['replica gtid_executed unreadable', mysqlReplica('r1', 'garbage'), null],
    ['replica of unknown flavour without GTID state', replica('r1', MP, mysql(''), set({ flavour: 'unknown', mysqlGtid: null })), null],
  ];
  for (const [name, r, reason] of table) assert.deepEqual(canReplicateFrom(r, source, opts), reason === null ? { ok: true } : { ok: false, reason }, name);
});
