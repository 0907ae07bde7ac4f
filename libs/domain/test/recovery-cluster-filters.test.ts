/**
 * RecoverMasterClusterFilters semantics (reference §2.4 step 1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterFilterMatches, invalidClusterFilters, matchingClusterFilter } from '../src/index.ts';

const orders = { clusterId: 'db1.example.com:3306', alias: 'orders' };
const noAlias = { clusterId: 'db9.example.com:3306', alias: '' };

const cases: Array<[string, readonly string[], { clusterId: string; alias: string }, boolean]> = [
  ['empty list: automated recovery off', [], orders, false],
  ['exact cluster name', ['db1.example.com:3306'], orders, true],
  ['exact alias', ['orders'], orders, true],
  ['alias=<x> exact', ['alias=orders'], orders, true],
  ['alias=<x> is not a prefix match', ['alias=order'], orders, false],
  ['alias~=<re> searches the alias', ['alias~=^ord'], orders, true],
  ['alias~=<re> not matching', ['alias~=^billing'], orders, false],
  ['* matches every cluster', ['*'], noAlias, true],
  ['a regexp searches the cluster name (unanchored)', ['db1\\.example'], orders, true],
  ['a regexp that does not match', ['^db2'], orders, false],
  ['the name regexp does not look at the alias', ['^orders$'], { clusterId: 'x:3306', alias: 'orders-eu' }, false],
  ['any filter of the list', ['alias=billing', '^db1'], orders, true],
  ['Go inline flag (?i)', ['(?i)^DB1'], orders, true],
  ['an invalid regexp matches nothing', ['db1('], orders, false],
  ['deviation: an empty filter matches nothing, even a cluster without alias', [''], noAlias, false],
  ['deviation: alias= with no value matches nothing', ['alias='], noAlias, false],
  ['deviation: alias~= with no pattern matches nothing', ['alias~='], orders, false],
];

for (const [name, filters, cluster, expected] of cases) {
  test(`cluster filters: ${name}`, () => assert.equal(clusterFilterMatches(filters, cluster), expected));
}

test('matchingClusterFilter names the first filter that opts the cluster in', () => {
  assert.equal(matchingClusterFilter(['alias=billing', 'alias~=ord', '*'], orders), 'alias~=ord');
  assert.equal(matchingClusterFilter(['alias=billing'], orders), null);
});

test('invalidClusterFilters lists the patterns that silently match nothing', () => {
  assert.deepEqual(invalidClusterFilters(['*', 'alias=x', 'alias~=(', 'db[', 'ok.*']), ['alias~=(', 'db[']);
});
