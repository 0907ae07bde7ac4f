import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GtidParseError,
  formatGtidSet,
  gtidCount,
  gtidEquals,
  gtidIsEmpty,
  gtidIsSubset,
  gtidSubtract,
  gtidUnion,
  mysqlErrantGtids,
  normalizeGtidSet,
  parseGtidSet,
  tryParseGtidSet,
} from '../src/index.ts';

const A = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const B = 'b0b0b0b0-0000-0000-0000-000000000001';

const normalise: Array<[string, string, string]> = [
  ['empty', '', ''],
  ['whitespace only', ' \n ', ''],
  ['single', `${A}:5`, `${A}:5`],
  ['adjacent intervals merge', `${A}:1-5:6-9`, `${A}:1-9`],
  ['overlapping and unordered', `${A}:7-12:1-8:20`, `${A}:1-12:20`],
  ['same uuid twice', `${A}:1-3,${A}:4-5`, `${A}:1-5`],
  ['uuids sorted, upper case and newlines (gtid_executed output)', `${B}:1-2,\n${A.toUpperCase()}:1-3`, `${A}:1-3,${B}:1-2`],
  ['undashed uuid', `${A.replace(/-/g, '')}:1`, `${A}:1`],
  ['trailing comma', `${A}:1,`, `${A}:1`],
  ['tagged GTIDs (MySQL 8.4)', `${A}:1-3:Tag_B:5:tag_a:1-2:4`, `${A}:1-3:tag_a:1-2:4:tag_b:5`],
];
for (const [name, input, expected] of normalise) {
  test(`normalise: ${name}`, () => assert.equal(normalizeGtidSet(input), expected));
}

const bad: Array<[string, string]> = [
  ['bad uuid', 'not-a-uuid:1'],
  ['no intervals', A],
  ['gno 0', `${A}:0-3`],
  ['reversed interval', `${A}:5-3`],
  ['beyond 2^53', `${A}:1-9007199254740993`],
  ['garbage interval', `${A}:1-x`],
  ['tag without intervals', `${A}:1:tag`],
];
for (const [name, input] of bad) {
  test(`parse rejects ${name}`, () => {
    assert.throws(() => parseGtidSet(input), GtidParseError);
    assert.equal(tryParseGtidSet(input), null);
  });
}

test('GtidParseError carries a code and the input', () => {
  try {
    parseGtidSet('x:1');
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof GtidParseError);
    assert.equal(e.code, 'BATON_GTID_INVALID');
    assert.equal(e.retryable, false);
    assert.equal(e.input, 'x:1');
  }
});

const subtract: Array<[string, string, string, string]> = [
  ['disjoint uuids', `${A}:1-5`, `${B}:1-5`, `${A}:1-5`],
  ['everything', `${A}:1-5`, `${A}:1-10`, ''],
  ['hole in the middle', `${A}:1-10`, `${A}:4-6`, `${A}:1-3:7-10`],
  ['head and tail', `${A}:1-10`, `${A}:1-2:9-12`, `${A}:3-8`],
  ['several holes across intervals', `${A}:1-10:20-30`, `${A}:5-22:25`, `${A}:1-4:23-24:26-30`],
  ['one uuid of two', `${A}:1-5,${B}:1-3`, `${B}:1-3`, `${A}:1-5`],
  ['from empty', '', `${A}:1`, ''],
  ['nothing', `${A}:1-3`, '', `${A}:1-3`],
  ['single transactions', `${A}:1:3:5`, `${A}:3`, `${A}:1:5`],
  ['tags are separate sources', `${A}:1-3:t:1-3`, `${A}:1-3`, `${A}:t:1-3`],
  // exactly one GTID left in front of (or between) removed ranges: the gap test's boundary
  ['a one-transaction gap', `${A}:1-10`, `${A}:1-4:6-10`, `${A}:5`],
  ['one transaction in front', `${A}:1-10`, `${A}:2-10`, `${A}:1`],
  ['one transaction in front of the second interval', `${A}:1-3:5-10`, `${A}:1-3:6-10`, `${A}:5`],
  ['one-transaction gaps, twice', `${A}:1-9`, `${A}:1-2:4-6:8-9`, `${A}:3:7`],
];
for (const [name, a, b, expected] of subtract) {
  test(`subtract: ${name}`, () => assert.equal(formatGtidSet(gtidSubtract(a, b)), expected));
}

test('union merges intervals across inputs', () => {
  assert.equal(formatGtidSet(gtidUnion(`${A}:1-3,${B}:7`, `${A}:4-6:9`)), `${A}:1-6:9,${B}:7`);
  assert.equal(formatGtidSet(gtidUnion('', '')), '');
});

test('subset, equals, empty, count', () => {
  assert.equal(gtidIsSubset(`${A}:2-3`, `${A}:1-5`), true);
  assert.equal(gtidIsSubset('', `${A}:1-5`), true);
  assert.equal(gtidIsSubset(`${A}:1-6`, `${A}:1-5`), false);
  assert.equal(gtidIsSubset(`${B}:1`, `${A}:1-5`), false);
  // a single missing GTID is enough to not be a subset
  assert.equal(gtidIsSubset(`${A}:1-10`, `${A}:1-4:6-10`), false);
  assert.equal(gtidIsSubset(`${A}:1-10`, `${A}:2-10`), false);
  assert.equal(gtidEquals(`${A}:1-10`, `${A}:1-4:6-10`), false);
  assert.equal(gtidEquals(`${A}:1-3:4-5`, `${A.toUpperCase()}:1-5`), true);
  assert.equal(gtidEquals(`${A}:1-5`, `${A}:1-4`), false);
  assert.equal(gtidIsEmpty(''), true);
  assert.equal(gtidIsEmpty(gtidSubtract(`${A}:1`, `${A}:1`)), true);
  assert.equal(gtidCount(`${A}:1-5:10,${B}:1-100`), 106);
  assert.equal(gtidCount(''), 0);
});

test('parsed sets can be reused as inputs', () => {
  const a = parseGtidSet(`${A}:1-10`);
  assert.equal(formatGtidSet(gtidSubtract(a, parseGtidSet(`${A}:1-9`))), `${A}:10`);
});

test('MySQL errant: replica.executed − source.executed', () => {
  assert.equal(mysqlErrantGtids(`${A}:1-10,${B}:1-2`, `${A}:1-10`), `${B}:1-2`);
  assert.equal(mysqlErrantGtids(`${A}:1-8`, `${A}:1-10`), '', 'behind is not errant');
  assert.equal(mysqlErrantGtids(`${A}:1-8`, 'garbage'), '', 'unparseable is never reported as errant');
});
