import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GtidParseError,
  compareMariadbPositions,
  formatMariadbPosition,
  mariadbErrantGtids,
  mariadbPositionContains,
  parseMariadbPosition,
  tryParseMariadbPosition,
  type MariadbRelation,
} from '../src/index.ts';

test('parse a multi-domain position into a per-domain map, format it sorted by domain', () => {
  const pos = parseMariadbPosition('1-2-9, 0-1-7');
  assert.deepEqual([...pos.keys()], [0, 1]);
  assert.deepEqual(pos.get(1), { domain: 1, server: 2, seq: 9 });
  assert.equal(formatMariadbPosition(pos), '0-1-7,1-2-9');
  assert.equal(formatMariadbPosition('1-2-9,0-1-7'), '0-1-7,1-2-9');
  assert.equal(parseMariadbPosition('').size, 0);
});

for (const [name, input] of [
  ['a repeated domain', '0-1-7,0-1-8'],
  ['a MySQL GTID', '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5'],
  ['two parts', '0-1'],
  ['negative numbers', '0--1-5'],
] as const) {
  test(`parse rejects ${name}`, () => {
    assert.throws(() => parseMariadbPosition(input), GtidParseError);
    assert.equal(tryParseMariadbPosition(input), null);
  });
}

const relations: Array<[string, string, string, MariadbRelation]> = [
  ['identical', '0-1-7,1-2-9', '1-2-9,0-1-7', 'equal'],
  ['empty vs empty', '', '', 'equal'],
  ['higher seq in one domain', '0-1-8', '0-1-7', 'ahead'],
  ['after a failover the new server id continues the sequence', '0-2-112', '0-1-111', 'ahead'],
  ['lower seq', '0-1-6', '0-1-7', 'behind'],
  ['same seq from another server (diverged old primary)', '0-1-9', '0-2-9', 'diverged'],
  ['a domain only a has', '0-1-7,1-3-1', '0-1-7', 'ahead'],
  ['a domain only b has', '0-1-7', '0-1-7,1-3-1', 'behind'],
  ['ahead in one domain, behind in another', '0-1-8,1-2-3', '0-1-7,1-2-4', 'diverged'],
  ['ahead in one domain, equal in another', '0-1-8,1-2-4', '0-1-7,1-2-4', 'ahead'],
];
for (const [name, a, b, expected] of relations) {
  test(`compare: ${name} → ${expected}`, () => assert.equal(compareMariadbPositions(a, b).relation, expected));
}

test('compare reports each domain', () => {
  const c = compareMariadbPositions('0-1-8,1-2-3', '0-1-7,2-5-1');
  assert.deepEqual(
    c.domains.map((d) => [d.domain, d.relation]),
    [
      [0, 'ahead'],
      [1, 'ahead'],
      [2, 'behind'],
    ],
  );
  assert.equal(c.relation, 'diverged');
});

test('contains: a may replace b when it is equal or ahead everywhere', () => {
  assert.equal(mariadbPositionContains('0-2-112', '0-1-111'), true);
  assert.equal(mariadbPositionContains('0-1-7', '0-1-7'), true);
  assert.equal(mariadbPositionContains('0-1-7', '0-1-8'), false);
  assert.equal(mariadbPositionContains('0-1-9', '0-2-9'), false);
});

test('MariaDB errant (infra-notes §4): root write on read-only replica 3 → current 0-3-8, slave 0-1-7', () => {
  assert.equal(mariadbErrantGtids({ currentPos: '0-3-8', slavePos: '0-1-7' }, [1]), '0-3-8');
});

test('MariaDB errant: none when current = slave, or the differing GTID came from an upstream server', () => {
  assert.equal(mariadbErrantGtids({ currentPos: '0-1-7', slavePos: '0-1-7' }, [1]), '');
  assert.equal(mariadbErrantGtids({ currentPos: '0-1-8', slavePos: '0-1-7' }, [2, 1]), '');
});

test('MariaDB errant: per domain, only the errant domains reported; unparseable → none', () => {
  assert.equal(mariadbErrantGtids({ currentPos: '0-1-7,1-3-4', slavePos: '0-1-7' }, [1]), '1-3-4');
  assert.equal(mariadbErrantGtids({ currentPos: '0-1-7,1-3-4', slavePos: '0-1-7,1-1-2' }, [1]), '1-3-4');
  assert.equal(mariadbErrantGtids({ currentPos: 'junk', slavePos: '0-1-7' }, [1]), '');
});

test('a diverged old primary rejoining (empty slave_pos, own 0-1-9 in current) is errant against the new primary', () => {
  assert.equal(mariadbErrantGtids({ currentPos: '0-1-9', slavePos: '' }, [2]), '0-1-9');
});

test('a re-attached former primary (empty slave_pos, its own writes in current_pos) against its successor\'s positions', () => {
  const cases: Array<{ name: string; current: string; upstream: string[]; errant: string }> = [
    { name: 'the successor replicated every write before its promotion and has not written since', current: '0-1-9', upstream: ['0-1-9', '0-1-9'], errant: '' },
    { name: 'the successor holds it as its current_pos only', current: '0-1-9', upstream: ['', '0-1-9'], errant: '' },
    { name: 'writes the successor never received (lost at the failover) are errant', current: '0-1-12', upstream: ['0-1-9', '0-1-9'], errant: '0-1-12' },
    { name: 'another domain\'s own write stays errant', current: '0-1-9,1-1-3', upstream: ['0-1-9', '0-1-9'], errant: '1-1-3' },
    { name: 'unparseable upstream positions exonerate nothing', current: '0-1-9', upstream: ['junk'], errant: '0-1-9' },
  ];
  for (const c of cases) assert.equal(mariadbErrantGtids({ currentPos: c.current, slavePos: '' }, [2], c.upstream), c.errant, c.name);
});
