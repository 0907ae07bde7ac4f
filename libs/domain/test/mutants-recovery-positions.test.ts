/**
 * Replica positions (replica-position.ts): how positions compare across flavours, what one lacks of
 * another, what a replica holds and whether its SQL thread is up to date, and the failed primary's
 * last-known position.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InstanceObservation } from '@baton/contracts';
import {
  comparePositions,
  formatPosition,
  missingFrom,
  parsePosition,
  positionHolds,
  readReplicaPositions,
  type GtidPosition,
  type PositionReading,
  type ReplicaPositions,
} from '../src/index.ts';
import { lastKnownPrimaryPosition } from '../src/recovery/replica-position.ts';
import { replica, set, type Mod } from './builders.ts';
import { MP, P, P_ID, UUID_P, mysqlReplica, mysqlSets, uuidOf } from './recovery-builders.ts';

const T = 'aaaaaaaa-0000-0000-0000-000000000001';

function pos(flavour: 'mariadb' | 'mysql', text: string): GtidPosition {
  const p = parsePosition(flavour, text);
  if (!p) assert.fail(`${flavour} position ${JSON.stringify(text)} does not parse`);
  return p;
}
const maria = (text: string) => pos('mariadb', text);
const my = (text: string) => pos('mysql', text);

function positionsOf(r: PositionReading): ReplicaPositions {
  if (!r.ok) assert.fail(`expected positions, got: ${r.reason}`);
  return r.positions;
}

const mariadbState =
  (over: { slavePos?: string; currentPos?: string; binlogPos?: string }): Mod =>
  (i) => {
    if (!i.mariadbGtid) throw new Error(`${i.host} is not MariaDB`);
    return { ...i, mariadbGtid: { ...i.mariadbGtid, ...over } };
  };
const replication =
  (over: Partial<NonNullable<InstanceObservation['replication']>>): Mod =>
  (i) => {
    if (!i.replication) throw new Error(`${i.host} does not replicate`);
    return { ...i, replication: { ...i.replication, ...over } };
  };
const noReplication: Mod = set({ replication: null });
const coords = (file: string, p: number) => ({ file, pos: p });

// ---- comparing and parsing ------------------------------------------------------------------------

test('positions compare by set containment within a flavour and never across flavours', () => {
  const table: Array<[string, GtidPosition, GtidPosition, string]> = [
    ['MySQL: the same set', my(`${UUID_P}:1-100`), my(`${UUID_P}:1-100`), 'equal'],
    ['MySQL: a superset', my(`${UUID_P}:1-105`), my(`${UUID_P}:1-100`), 'ahead'],
    ['MySQL: a subset', my(`${UUID_P}:1-100`), my(`${UUID_P}:1-105`), 'behind'],
    ['MySQL: each has something the other lacks', my(`${UUID_P}:1-100,${T}:1`), my(`${UUID_P}:1-105`), 'diverged'],
    ['MariaDB: a higher seq_no', maria(`0-${P_ID}-105`), maria(`0-${P_ID}-100`), 'ahead'],
    ['an empty MariaDB position against a MySQL set', maria(''), my(`${UUID_P}:1-5`), 'diverged'],
    ['a MariaDB position against an empty MySQL set', maria('0-1-5'), my(''), 'diverged'],
    ['a MySQL set against an empty MariaDB position', my(`${UUID_P}:1-5`), maria(''), 'diverged'],
    ['an empty MySQL set against a MariaDB position', my(''), maria('0-1-5'), 'diverged'],
    ['two empty positions of different flavours', my(''), maria(''), 'diverged'],
  ];
  for (const [name, a, b, want] of table) assert.equal(comparePositions(a, b), want, name);
});

test('a position text parses under its own flavour only', () => {
  const table: Array<[string, 'mariadb' | 'mysql', string, string | null]> = [
    ['MariaDB list', 'mariadb', '1-2-9, 0-1-7', '0-1-7,1-2-9'],
    ['MySQL set', 'mysql', `${UUID_P}:1-5:7`, `${UUID_P}:1-5:7`],
    ['MySQL set read as MariaDB', 'mariadb', `${UUID_P}:1-5`, null],
    ['MariaDB list read as MySQL', 'mysql', '0-1-7', null],
    ['garbage', 'mysql', 'not a set', null],
  ];
  for (const [name, flavour, text, want] of table) {
    const p = parsePosition(flavour, text);
    if (want === null) {
      assert.equal(p, null, name);
      continue;
    }
    assert.equal(p?.flavour, flavour, name);
    assert.equal(p && formatPosition(p), want, name);
  }
});

test('a candidate holds the position it was chosen for only when its own text contains it, and unparseable text never holds', () => {
  const table: Array<[string, 'mariadb' | 'mysql', string, string, boolean]> = [
    ['MariaDB ahead', 'mariadb', '0-1-105', '0-1-100', true],
    ['MariaDB equal', 'mariadb', '0-1-100', '0-1-100', true],
    ['MariaDB behind', 'mariadb', '0-1-99', '0-1-100', false],
    ['MariaDB diverged', 'mariadb', '0-2-100', '0-1-100', false],
    ['MySQL superset', 'mysql', `${UUID_P}:1-105`, `${UUID_P}:1-100`, true],
    ['MySQL subset', 'mysql', `${UUID_P}:1-99`, `${UUID_P}:1-100`, false],
    ['own text unparseable', 'mariadb', 'garbage', '0-1-100', false],
    ['needed text unparseable', 'mariadb', '0-1-100', 'garbage', false],
    ['both unparseable', 'mysql', 'garbage', 'junk', false],
    ['needed text of the other flavour', 'mysql', `${UUID_P}:1-100`, '0-1-100', false],
  ];
  for (const [name, flavour, have, need, want] of table) assert.equal(positionHolds(flavour, have, need), want, name);
});

test('what one position lacks of another: per MariaDB domain where it is behind or diverged, the MySQL set difference, or a flavour mismatch', () => {
  const table: Array<[string, GtidPosition, GtidPosition, string]> = [
    ['MariaDB: nothing when equal', maria('0-1-100,1-2-50'), maria('0-1-100,1-2-50'), ''],
    ['MariaDB: nothing when ahead', maria('0-1-105'), maria('0-1-100'), ''],
    ['MariaDB: only the domain that is behind', maria('0-1-105,1-2-40'), maria('0-1-100,1-2-50'), '1-2-50'],
    ['MariaDB: an equal domain is not missing', maria('0-1-100,1-2-40'), maria('0-1-100,1-2-50'), '1-2-50'],
    ['MariaDB: a domain only a has is not missing', maria('0-1-100,5-3-9'), maria('0-1-101'), '0-1-101'],
    ['MariaDB: a domain only b has', maria('0-1-100'), maria('0-1-100,2-3-7'), '2-3-7'],
    ['MariaDB: diverged and behind domains, comma separated', maria('0-9-100,1-2-40'), maria('0-1-100,1-2-50'), '0-1-100,1-2-50'],
    ['MySQL: the set difference', my(`${UUID_P}:1-100,${T}:1-3`), my(`${UUID_P}:1-105,${T}:1-5`), `${UUID_P}:101-105,${T}:4-5`],
    ['MariaDB against MySQL', maria('0-1-5'), my(`${UUID_P}:1-5`), `${UUID_P}:1-5 (mysql GTIDs, not comparable with mariadb)`],
    ['MySQL against MariaDB', my(`${UUID_P}:1-5`), maria('0-1-5'), '0-1-5 (mariadb GTIDs, not comparable with mysql)'],
  ];
  for (const [name, a, b, want] of table) assert.equal(missingFrom(a, b), want, name);
});

// ---- MariaDB replicas -----------------------------------------------------------------------------

test('MariaDB: held takes per domain the furthest of gtid_slave_pos and Gtid_IO_Pos, domains in id order', () => {
  const table: Array<{ name: string; slavePos: string; ioPos: string; held: string; domains: number[] }> = [
    { name: 'received beyond applied', slavePos: `0-${P_ID}-100`, ioPos: `0-${P_ID}-105`, held: `0-${P_ID}-105`, domains: [0] },
    { name: 'applied beyond a stale IO position', slavePos: `0-${P_ID}-105`, ioPos: `0-${P_ID}-100`, held: `0-${P_ID}-105`, domains: [0] },
    { name: 'same seq_no from another server: applied wins', slavePos: `0-${P_ID}-100`, ioPos: '0-7-100', held: `0-${P_ID}-100`, domains: [0] },
    { name: 'a domain only received', slavePos: `1-${P_ID}-100`, ioPos: `0-${P_ID}-3`, held: `0-${P_ID}-3,1-${P_ID}-100`, domains: [0, 1] },
    { name: 'domains only received, in id order', slavePos: `2-${P_ID}-100`, ioPos: `1-${P_ID}-3,0-${P_ID}-8`, held: `0-${P_ID}-8,1-${P_ID}-3,2-${P_ID}-100`, domains: [0, 1, 2] },
  ];
  for (const c of table) {
    const r = replica('r1', P, mariadbState({ slavePos: c.slavePos, currentPos: c.slavePos, binlogPos: c.slavePos }), replication({ gtidIoPos: c.ioPos }));
    const p = positionsOf(readReplicaPositions(r, P, []));
    assert.equal(formatPosition(p.executed), c.slavePos.split(',').sort().join(','), `${c.name}: executed`);
    assert.equal(formatPosition(p.held), c.held, `${c.name}: held`);
    assert.equal(p.held.flavour, 'mariadb');
    assert.deepEqual([...(p.held.value as ReadonlyMap<number, unknown>).keys()], c.domains, `${c.name}: domain order`);
  }
});

test('MariaDB: the SQL thread is up to date when applied reaches received (by GTID), else by coordinates, else unknown', () => {
  const at = (p: number) => coords('mysql-bin.000001', p);
  const table: Array<{ name: string; mods: Mod[]; want: boolean | null }> = [
    { name: 'applied equals received', mods: [mariadbState({ slavePos: `0-${P_ID}-100` }), replication({ gtidIoPos: `0-${P_ID}-100` })], want: true },
    { name: 'applied beyond a stale received', mods: [mariadbState({ slavePos: `0-${P_ID}-105` }), replication({ gtidIoPos: `0-${P_ID}-100` })], want: true },
    { name: 'received beyond applied', mods: [mariadbState({ slavePos: `0-${P_ID}-100` }), replication({ gtidIoPos: `0-${P_ID}-105` })], want: false },
    { name: 'no received GTIDs, same coordinates', mods: [replication({ gtidIoPos: '', readCoordinates: at(900), execCoordinates: at(900) })], want: true },
    { name: 'no received GTIDs, applied behind read', mods: [replication({ gtidIoPos: '', readCoordinates: at(900), execCoordinates: at(400) })], want: false },
    {
      name: 'no received GTIDs, same offset in another file',
      mods: [replication({ gtidIoPos: '', readCoordinates: coords('mysql-bin.000002', 900), execCoordinates: at(900) })],
      want: false,
    },
    { name: 'file/position replication ignores a stale Gtid_IO_Pos', mods: [replication({ usingGtid: 'No', gtidIoPos: `0-${P_ID}-1`, readCoordinates: at(900), execCoordinates: at(900) })], want: true },
    { name: 'no coordinates known', mods: [replication({ gtidIoPos: '', readCoordinates: null, execCoordinates: at(900) })], want: null },
    { name: 'not replicating at all', mods: [noReplication], want: null },
  ];
  for (const c of table) {
    const p = positionsOf(readReplicaPositions(replica('r1', P, ...c.mods), P, []));
    assert.equal(p.sqlThreadUpToDate, c.want, c.name);
  }
});

test('MariaDB: a replica not replicating holds what it applied', () => {
  const p = positionsOf(readReplicaPositions(replica('r1', P, noReplication), P, []));
  assert.equal(formatPosition(p.held), formatPosition(p.executed));
});

test('MariaDB: GTIDs the failed primary wrote are never errant on a replica; the replica\'s own are', () => {
  const table: Array<{ name: string; failed: InstanceObservation; currentPos: string; errant: string }> = [
    { name: 'the failed primary\'s GTID beyond slave_pos', failed: P, currentPos: `0-${P_ID}-101`, errant: '' },
    { name: 'failed primary without a server id', failed: { ...P, serverId: null }, currentPos: `0-${P_ID}-101`, errant: `0-${P_ID}-101` },
    { name: 'another server\'s GTID', failed: P, currentPos: '0-4242-101', errant: '0-4242-101' },
  ];
  for (const c of table) {
    const r = replica('r1', P, mariadbState({ slavePos: `0-${P_ID}-100`, currentPos: c.currentPos, binlogPos: c.currentPos }));
    assert.equal(positionsOf(readReplicaPositions(r, c.failed, [])).errant, c.errant, c.name);
  }
});

test('unreadable GTID state gives no position, with the reason', () => {
  const table: Array<[string, InstanceObservation, InstanceObservation, string]> = [
    ['MariaDB slave_pos garbage', replica('r1', P, mariadbState({ slavePos: 'garbage' })), P, 'gtid_slave_pos "garbage" does not parse'],
    ['MySQL executed garbage', mysqlReplica('r1', 'garbage'), MP, 'gtid_executed "garbage" does not parse'],
    ['MySQL gtid_mode off', mysqlReplica('r1', `${UUID_P}:1-100`, (i) => ({ ...i, mysqlGtid: i.mysqlGtid && { ...i.mysqlGtid, mode: 'OFF_PERMISSIVE' } })), MP, 'gtid_mode is OFF_PERMISSIVE: GTID auto-positioning needs ON'],
    ['no GTID state', replica('r1', P, set({ mariadbGtid: null })), P, 'no GTID state observed'],
  ];
  for (const [name, r, failed, reason] of table) assert.deepEqual(readReplicaPositions(r, failed, []), { ok: false, reason }, name);
});

// ---- MySQL replicas -------------------------------------------------------------------------------

test('MySQL: errant GTIDs are the replica\'s own uuid (tagged or not, however its uuid is spelled) that nobody else has', () => {
  const own = uuidOf('r1');
  const table: Array<{ name: string; executed: string; mods?: Mod[]; failed?: InstanceObservation; others?: string[]; errant: string; executed2: string }> = [
    { name: 'own untagged GTIDs', executed: `${UUID_P}:1-100,${own}:1-2`, errant: `${own}:1-2`, executed2: `${UUID_P}:1-100` },
    { name: 'own tagged GTIDs', executed: `${UUID_P}:1-100,${own}:ops:1-2`, errant: `${own}:ops:1-2`, executed2: `${UUID_P}:1-100` },
    {
      name: 'server_uuid read with spaces and capitals',
      executed: `${UUID_P}:1-100,${own}:1-2`,
      mods: [set({ serverUuid: `  ${own.toUpperCase()} ` })],
      errant: `${own}:1-2`,
      executed2: `${UUID_P}:1-100`,
    },
    { name: 'server_uuid unknown: nothing can be called errant', executed: `${UUID_P}:1-100,${own}:1-2`, mods: [set({ serverUuid: null })], errant: '', executed2: `${UUID_P}:1-100,${own}:1-2` },
    {
      name: 'own GTIDs the failed primary also had (it was a primary once)',
      executed: `${UUID_P}:1-100,${own}:1-5`,
      failed: { ...MP, mysqlGtid: MP.mysqlGtid && { ...MP.mysqlGtid, executed: `${UUID_P}:1-100,${own}:1-3` } },
      errant: `${own}:4-5`,
      executed2: `${UUID_P}:1-100,${own}:1-3`,
    },
    {
      name: 'failed primary\'s reading unparseable',
      executed: `${UUID_P}:1-100,${own}:1-2`,
      failed: { ...MP, mysqlGtid: MP.mysqlGtid && { ...MP.mysqlGtid, executed: 'garbage' } },
      errant: `${own}:1-2`,
      executed2: `${UUID_P}:1-100`,
    },
    { name: 'failed primary without MySQL GTID state', executed: `${UUID_P}:1-100,${own}:1-2`, failed: { ...MP, mysqlGtid: null }, errant: `${own}:1-2`, executed2: `${UUID_P}:1-100` },
    { name: 'own GTIDs another replica has', executed: `${UUID_P}:1-100,${own}:1-4`, others: [`${UUID_P}:1-90,${own}:1-2`], errant: `${own}:3-4`, executed2: `${UUID_P}:1-100,${own}:1-2` },
  ];
  for (const c of table) {
    const r = mysqlReplica('r1', c.executed, ...(c.mods ?? []));
    const others = (c.others ?? []).map((t) => my(t).value as Parameters<typeof readReplicaPositions>[2][number]);
    const p = positionsOf(readReplicaPositions(r, c.failed ?? MP, others));
    assert.equal(p.errant, c.errant, `${c.name}: errant`);
    assert.equal(formatPosition(p.executed), formatPosition(my(c.executed2)), `${c.name}: executed`);
  }
});

test('MySQL: held adds Retrieved_Gtid_Set and a reported IO position to executed; the SQL thread is up to date when nothing received is unapplied', () => {
  const table: Array<{ name: string; mods: Mod[]; held: string; upToDate: boolean | null }> = [
    { name: 'nothing received, same coordinates', mods: [], held: `${UUID_P}:1-100`, upToDate: true },
    { name: 'retrieved beyond executed', mods: [mysqlSets({ retrieved: `${UUID_P}:1-106` })], held: `${UUID_P}:1-106`, upToDate: false },
    { name: 'retrieved all applied', mods: [mysqlSets({ retrieved: `${UUID_P}:50-100` })], held: `${UUID_P}:1-100`, upToDate: true },
    { name: 'IO position beyond executed', mods: [replication({ gtidIoPos: `${UUID_P}:1-103` })], held: `${UUID_P}:1-103`, upToDate: false },
    { name: 'not replicating', mods: [noReplication], held: `${UUID_P}:1-100`, upToDate: null },
  ];
  for (const c of table) {
    const p = positionsOf(readReplicaPositions(mysqlReplica('r1', `${UUID_P}:1-100`, ...c.mods), MP, []));
    assert.equal(p.held.flavour, 'mysql', c.name);
    assert.equal(formatPosition(p.held), c.held, `${c.name}: held`);
    assert.equal(p.sqlThreadUpToDate, c.upToDate, `${c.name}: SQL thread up to date`);
  }
});

// ---- the failed primary ---------------------------------------------------------------------------

test('the failed primary\'s last-known position: its binlog position or executed set, none when empty or unreadable', () => {
  const mariaWith = (binlogPos: string) => ({ ...P, mariadbGtid: P.mariadbGtid && { ...P.mariadbGtid, binlogPos } });
  const mysqlWith = (executed: string) => ({ ...MP, mysqlGtid: MP.mysqlGtid && { ...MP.mysqlGtid, executed } });
  const table: Array<[string, InstanceObservation, { flavour: string; text: string } | null]> = [
    ['MariaDB binlog position', mariaWith(`0-${P_ID}-100,1-3-7`), { flavour: 'mariadb', text: `0-${P_ID}-100,1-3-7` }],
    ['MariaDB empty binlog position', mariaWith(''), null],
    ['MariaDB unreadable binlog position', mariaWith('garbage'), null],
    ['MySQL executed set', mysqlWith(`${UUID_P}:1-100`), { flavour: 'mysql', text: `${UUID_P}:1-100` }],
    ['MySQL empty executed set', mysqlWith(''), null],
    ['MySQL unreadable executed set', mysqlWith('garbage'), null],
    ['no GTID state', { ...P, mariadbGtid: null, mysqlGtid: null }, null],
  ];
  for (const [name, failed, want] of table) {
    const p = lastKnownPrimaryPosition(failed);
    if (want === null) {
      assert.equal(p, null, name);
      continue;
    }
    assert.ok(p, name);
    assert.deepEqual({ flavour: p.flavour, text: formatPosition(p) }, want, name);
  }
});
