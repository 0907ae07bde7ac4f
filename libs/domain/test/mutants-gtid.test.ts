/**
 * GTID edge cases: what the parsers accept and reject at the edges of each token, the canonical
 * text of sets and positions however they were built, and which GTIDs count as errant.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceObservation } from '@baton/contracts';
import {
  GtidParseError,
  compareMariadbPositions,
  errantGtidsOf,
  formatGtidSet,
  formatMariadbPosition,
  mariadbErrantGtids,
  mysqlErrantGtids,
  normalizeGtidSet,
  parseGtidSet,
  parseMariadbPosition,
  tryParseGtidSet,
  tryParseMariadbPosition,
  type GtidSet,
  type MariadbGtid,
} from '../src/index.ts';
import { mysql, primary, replica, serverIdOf } from './builders.ts';

const A = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const B = 'b0b0b0b0-0000-0000-0000-000000000001';
const C = 'c0c0c0c0-0000-0000-0000-000000000002';
const A_PLAIN = A.replace(/-/g, '');

function parseFailure(parse: (text: string) => unknown, input: string): GtidParseError {
  try {
    parse(input);
  } catch (e) {
    assert.ok(e instanceof GtidParseError, `expected a GtidParseError, got ${String(e)}`);
    return e;
  }
  assert.fail(`${JSON.stringify(input)} should not parse`);
}

// ---- MySQL GTID sets ---------------------------------------------------------------------------

const acceptedSets: Array<[string, string, string]> = [
  ['a braced uuid (as some tools print server_uuid)', `{${A}}:1-3`, `${A}:1-3`],
  ['a braced undashed uuid', `{${A_PLAIN.toUpperCase()}}:7`, `${A}:7`],
  ['an interval swallowed by a longer one listed after it', `${A}:2-3:1-10`, `${A}:1-10`],
  ['a short interval after a long one with the same start', `${A}:5-20:5-6`, `${A}:5-20`],
  ['uuids already in order keep it', `${A}:1,${B}:2,${C}:3`, `${A}:1,${B}:2,${C}:3`],
  ['uuids in reverse order are sorted', `${C}:3,${B}:2,${A}:1`, `${A}:1,${B}:2,${C}:3`],
  ['a tag of the maximum length (32)', `${A}:t${'a'.repeat(31)}:1`, `${A}:t${'a'.repeat(31)}:1`],
  ['a tag starting with an underscore', `${A}:_t1:4`, `${A}:_t1:4`],
];
for (const [name, input, expected] of acceptedSets) {
  test(`MySQL GTID set accepts ${name}`, () => assert.equal(normalizeGtidSet(input), expected));
}

const rejectedSets: Array<[string, string, RegExp]> = [
  ['a dashed uuid with a leading extra character', `f${A}:1`, /bad uuid/],
  ['a dashed uuid with a trailing extra character', `${A}0:1`, /bad uuid/],
  ['an undashed uuid with 33 digits (leading)', `0${A_PLAIN}:1`, /bad uuid/],
  ['an undashed uuid with 33 digits (trailing)', `${A_PLAIN}0:1`, /bad uuid/],
  ['a brace in the middle of the uuid', `${A.slice(0, 24)}{${A.slice(24)}}:1`, /bad uuid/],
  ['text after the closing brace', `{${A.slice(0, 32)}}${A.slice(32)}:1`, /bad uuid/],
  ['a uuid without intervals', `${A}`, /has no transaction intervals/],
  ['a tag starting with a digit', `${A}:1:9tag:2`, /bad interval or tag/],
  ['a tag with a dash', `${A}:1:t-x:2`, /bad interval or tag/],
  ['a tag longer than 32 characters', `${A}:1:t${'a'.repeat(32)}:2`, /bad interval or tag/],
  ['a garbage tag followed by an interval', `${A}:bad-tag:1`, /bad interval or tag/],
  ['an interval with a leading dash', `${A}:-5`, /bad interval or tag/],
  ['an interval glued to a tag name', `${A}:x5`, /has no transaction intervals/],
  ['a tag without intervals', `${A}:1:tag`, /tag has no transaction intervals/],
  ['a reversed interval', `${A}:5-3`, /5-3 ends before it starts/],
  ['transaction number 0', `${A}:0-3`, /start at 1/],
  ['a transaction number beyond 2^53', `${A}:1-9007199254740993`, /9007199254740993 is out of range/],
];
for (const [name, input, problem] of rejectedSets) {
  test(`MySQL GTID set rejects ${name}, saying what is wrong`, () => {
    const e = parseFailure(parseGtidSet, input);
    assert.match(e.message, problem);
    assert.ok(e.message.includes(JSON.stringify(input)), 'the message quotes the input');
    assert.equal(e.input, input);
    assert.equal(tryParseGtidSet(input), null);
  });
}

test('the bad-uuid message names the uuid as written', () => {
  assert.match(parseFailure(parseGtidSet, 'not-a-uuid:1').message, /bad uuid "not-a-uuid"/);
});

test('many sources (long-lived cluster, dozens of server uuids) are sorted canonically whatever their order', () => {
  const uuids = Array.from({ length: 120 }, (_, n) => `${(n * 7919 % 120).toString(16).padStart(8, '0')}-0000-0000-0000-000000000000`);
  const text = uuids.map((u, n) => `${u}:${n + 1}`).join(',');
  const out = normalizeGtidSet(text).split(',').map((p) => p.split(':')[0]);
  assert.deepEqual(out, [...uuids].sort());
});

test('formatting a hand-assembled set puts the untagged intervals of a uuid before its tags', () => {
  const set: GtidSet = new Map([
    [`${A}:tag_a`, [{ start: 1, end: 2 }]],
    [A, [{ start: 1, end: 5 }]],
  ]);
  assert.equal(formatGtidSet(set), `${A}:1-5:tag_a:1-2`);
});

test('GtidParseError keeps the cause it is given and is never retryable', () => {
  const cause = new Error('driver said so');
  const e = new GtidParseError('x', 'bad', { cause, retryable: true });
  assert.equal(e.cause, cause);
  assert.equal(e.retryable, false);
  assert.equal(e.message, 'invalid GTID text "x": bad');
});

// ---- MariaDB positions -------------------------------------------------------------------------

test('MariaDB position: multi-digit domain ids, a trailing comma, and whitespace are accepted', () => {
  assert.equal(formatMariadbPosition('10-1-5, 2-3-4,'), '2-3-4,10-1-5');
  assert.deepEqual(parseMariadbPosition('12-345-6789').get(12), { domain: 12, server: 345, seq: 6789 });
  assert.equal(tryParseMariadbPosition('0-1-2,')?.size, 1);
});

const rejectedPositions: Array<[string, string, RegExp]> = [
  ['a GTID with a leading extra character', 'x0-1-2', /bad GTID "x0-1-2" \(expected domain-server-seq\)/],
  ['four numbers', '1-0-1-2', /bad GTID "1-0-1-2"/],
  ['a GTID with a trailing extra character', '0-1-2x', /bad GTID "0-1-2x"/],
  ['a domain id beyond 2^53', '99999999999999999999-1-2', /domain id 99999999999999999999 is out of range/],
  ['a server id beyond 2^53', '0-99999999999999999999-2', /server id 99999999999999999999 is out of range/],
  ['a sequence number beyond 2^53', '0-1-99999999999999999999', /sequence number 99999999999999999999 is out of range/],
  ['a domain listed twice', '0-1-2,0-1-3', /domain 0 appears twice/],
];
for (const [name, input, problem] of rejectedPositions) {
  test(`MariaDB position rejects ${name}, saying what is wrong`, () => {
    const e = parseFailure(parseMariadbPosition, input);
    assert.match(e.message, problem);
    assert.equal(tryParseMariadbPosition(input), null);
  });
}

test('formatting a hand-assembled MariaDB position sorts it by domain id', () => {
  const g = (domain: number, seq: number): [number, MariadbGtid] => [domain, { domain, server: 1, seq }];
  assert.equal(formatMariadbPosition(new Map([g(3, 30), g(1, 10), g(2, 20)])), '1-1-10,2-1-20,3-1-30');
});

test('comparing positions lists the domains in domain order, whichever side has them', () => {
  const cmp = compareMariadbPositions('5-1-1,2-1-1', '3-1-1,1-1-1');
  assert.deepEqual(
    cmp.domains.map((d) => [d.domain, d.relation]),
    [
      [1, 'behind'],
      [2, 'ahead'],
      [3, 'behind'],
      [5, 'ahead'],
    ],
  );
  assert.equal(cmp.relation, 'diverged');
});

// ---- errant transactions -----------------------------------------------------------------------

test('MySQL errant GTIDs work on already parsed sets as well as on text', () => {
  assert.equal(mysqlErrantGtids(parseGtidSet(`${A}:1-10,${B}:1`), parseGtidSet(`${A}:1-10`)), `${B}:1`);
  assert.equal(mysqlErrantGtids(parseGtidSet(`${A}:1-12`), `${A}:1-10`), `${A}:11-12`);
  assert.equal(mysqlErrantGtids(`${A}:1-12`, parseGtidSet(`${A}:1-10`)), `${A}:11-12`);
});

test('an unparseable replica gtid_executed is never reported as errant', () => {
  assert.equal(mysqlErrantGtids('garbage', `${A}:1-10`), '');
  assert.equal(mysqlErrantGtids('garbage', parseGtidSet(`${A}:1-10`)), '');
});

const mariadbErrant: Array<[string, string, string, number[], string]> = [
  ['same seq_no from another (own) server is errant', '0-5-10', '0-1-10', [1], '0-5-10'],
  ['own server, seq_no ahead of slave_pos is errant', '0-5-12', '0-5-10', [1], '0-5-12'],
  ['several errant domains are comma-separated', '0-5-12,1-5-3', '0-1-10,1-1-2', [1], '0-5-12,1-5-3'],
  ['identical GTID in slave_pos is not errant', '0-5-12', '0-5-12', [1], ''],
];
for (const [name, currentPos, slavePos, upstream, expected] of mariadbErrant) {
  test(`MariaDB errant: ${name}`, () => assert.equal(mariadbErrantGtids({ currentPos, slavePos }, upstream), expected));
}

const withRepl =
  (over: Partial<NonNullable<InstanceObservation['replication']>>) =>
  (i: InstanceObservation): InstanceObservation => ({ ...i, replication: { ...i.replication!, ...over } });

test('an instance that does not really replicate (no source host, "_", a socket path, port 0) has no errant GTIDs', () => {
  const p = primary('p1');
  const errant = replica('r1', p, (i) => ({ ...i, mariadbGtid: { ...i.mariadbGtid!, currentPos: `0-${i.serverId}-101` } }));
  assert.equal(errantGtidsOf(errant, [p]), `0-${serverIdOf('r1')}-101`, 'replicating: errant');
  const cases: Array<[string, Partial<NonNullable<InstanceObservation['replication']>>]> = [
    ['empty host', { sourceHost: '' }],
    ['host "_"', { sourceHost: '_' }],
    ['a socket path', { sourceHost: '//var/run/mysqld.sock' }],
    ['port 0', { sourcePort: 0 }],
  ];
  for (const [name, over] of cases) assert.equal(errantGtidsOf(withRepl(over)(errant), [p]), '', name);
  assert.equal(errantGtidsOf(withRepl({ sourceHost: 'db//1' })(errant), [p]), `0-${serverIdOf('r1')}-101`, '"//" inside a host name is a host');
});

test('MySQL errant GTIDs of an instance: a source with an unknown set is skipped for the nearest upstream with one', () => {
  const top = primary('top', mysql(`${A}:1-10`));
  const mid = replica('mid', top, mysql(`${A}:1-10`), (i) => ({ ...i, mysqlGtid: null }));
  const r = replica('r1', mid, mysql(`${A}:1-10,${B}:1-2`));
  assert.equal(errantGtidsOf(r, [mid, top]), `${B}:1-2`);
  assert.equal(errantGtidsOf(r, [mid]), '', 'no upstream set known: nothing decidable');
});
