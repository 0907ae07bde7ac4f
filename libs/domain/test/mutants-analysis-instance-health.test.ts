/**
 * The per-instance predicates at their edges: validity exactly at the window, what counts as "no
 * source", failing to connect, downtime expiry, logging, GTID flavour, versions and gtid_mode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replicationState, unknownInstance, type InstanceObservation, type ReplicationState } from '@baton/contracts';
import {
  gtidModeOf,
  hasNoSource,
  isDowntimeActive,
  isFailingToConnectToSource,
  isLoggingReplica,
  isObservationValid,
  majorVersionOf,
  usesMariadbGtid,
} from '../src/index.ts';
import { NOW, at } from './builders.ts';

const WINDOW = 2000;
const inst = (over: Partial<InstanceObservation>): InstanceObservation => unknownInstance('h', 3306, over);
const repl = (over: Partial<ReplicationState>): ReplicationState => replicationState({ host: 'p1', port: 3306 }, over);

const validity: Array<[string, Partial<InstanceObservation>, number, boolean]> = [
  ['probe attempted exactly one window after the last success', { lastSeenAt: at(-3000), lastCheckedAt: at(-3000), lastAttemptedAt: at(-1000) }, Number.NaN, true],
  ['probe attempted 1 ms later than that', { lastSeenAt: at(-3000), lastCheckedAt: at(-3000), lastAttemptedAt: at(-999) }, Number.NaN, false],
  ['snapshot observed exactly one window after the last success', { lastSeenAt: at(-2000), lastCheckedAt: at(-2000), lastAttemptedAt: at(-2000) }, NOW, true],
  ['snapshot observed 1 ms later than that', { lastSeenAt: at(-2001), lastCheckedAt: at(-2001), lastAttemptedAt: at(-2001) }, NOW, false],
];
for (const [name, over, observedAtMs, expected] of validity) {
  test(`validity: ${name} → ${expected ? 'valid' : 'invalid'}`, () => assert.equal(isObservationValid(inst(over), { windowMs: WINDOW, observedAtMs }), expected));
}

const noSource: Array<[string, Partial<ReplicationState>, boolean]> = [
  ['a normal source', {}, false],
  ['empty Master_Host', { sourceHost: '' }, true],
  ['Master_Host "_"', { sourceHost: '_' }, true],
  ['a socket path', { sourceHost: '//tmp/mysql.sock' }, true],
  ['a host name containing "//" later on', { sourceHost: 'db//', sourcePort: 3306 }, false],
  ['Master_Port 0', { sourcePort: 0 }, true],
];
for (const [name, over, expected] of noSource) {
  test(`hasNoSource: ${name} → ${expected}`, () => assert.equal(hasNoSource(repl(over)), expected));
}

const CONNECT_MSG = "error connecting to master 'repl@p1:3306' - retry-time: 60 retries: 1";
const failing: Array<[string, Partial<ReplicationState>, boolean]> = [
  ['IO connecting with the connect error text', { ioThread: 'Connecting', lastIoError: CONNECT_MSG }, true],
  ['the SQL thread stopped too: not "failing to connect"', { ioThread: 'Connecting', sqlThread: 'No', lastIoError: CONNECT_MSG, lastIoErrno: 2003 }, false],
  ['IO running again with the old error text still shown', { ioThread: 'Yes', lastIoError: CONNECT_MSG, lastIoErrno: 2003 }, false],
  ['IO stopped (No) with errno 2003 but no connect text', { ioThread: 'No', lastIoErrno: 2003, lastIoError: 'stopped' }, false],
  ['IO connecting with errno 2003 and no connect text', { ioThread: 'Connecting', lastIoErrno: 2003, lastIoError: 'x' }, true],
];
for (const [name, over, expected] of failing) {
  test(`failing to connect: ${name} → ${expected}`, () => assert.equal(isFailingToConnectToSource(repl(over)), expected));
}

test('a downtime ending exactly now is over', () => {
  assert.equal(isDowntimeActive(inst({ downtime: { owner: 'ops', reason: 'x', endsAt: at(0) } }), NOW), false);
  assert.equal(isDowntimeActive(inst({ downtime: { owner: 'ops', reason: 'x', endsAt: at(1) } }), NOW), true);
});

test('a logging replica needs both log_bin and log_slave_updates', () => {
  assert.equal(isLoggingReplica(inst({ logBin: true, logSlaveUpdates: true })), true);
  assert.equal(isLoggingReplica(inst({ logBin: false, logSlaveUpdates: true })), false);
  assert.equal(isLoggingReplica(inst({ logBin: null, logSlaveUpdates: true })), false);
});

test('MariaDB GTID replication is Using_Gtid Slave_Pos or Current_Pos, in any case', () => {
  const using = (u: string) => usesMariadbGtid(inst({ replication: repl({ usingGtid: u }) }));
  assert.equal(using('Current_Pos'), true);
  assert.equal(using('slave_pos'), true);
  assert.equal(using('No'), false);
});

test('major version: the leading two numbers only', () => {
  assert.equal(majorVersionOf(inst({ version: '10.11.6-MariaDB-log' })), '10.11');
  assert.equal(majorVersionOf(inst({ version: 'mysql-8.0.36' })), null);
  assert.equal(majorVersionOf(inst({ version: null })), null);
});

test("gtid_mode: '' for MariaDB (even without GTID state), MySQL's mode upper-cased, null when unknown", () => {
  assert.equal(gtidModeOf(inst({ flavour: 'mariadb' })), '');
  assert.equal(gtidModeOf(inst({ flavour: 'mysql', mysqlGtid: { mode: 'on_permissive', executed: '', purged: '', retrieved: '' } })), 'ON_PERMISSIVE');
  assert.equal(gtidModeOf(inst({ flavour: 'mysql' })), null);
});
