/**
 * Who may be promoted (candidate-eligibility.ts), the operator-written patterns behind the bans and
 * the cluster filters (search-pattern.ts, cluster-filters.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InstanceObservation } from '@baton/contracts';
import { banReason, clusterFilterMatches, compileBanFilters, defaultPromotionPolicy, ineligibilityReasons, invalidClusterFilters, majoritiesOf, type Majorities } from '../src/index.ts';
import { compileSearchPattern, isIpLiteral } from '../src/recovery/search-pattern.ts';
import { binlogFormat, binlogServer, replica, set, version } from './builders.ts';
import { P } from './recovery-builders.ts';

// ---- eligibility ----------------------------------------------------------------------------------

test('majorities count only the replicas whose version and binlog format are known', () => {
  const unknown = set({ version: null, binlogFormat: null });
  const replicas = [replica('r1', P, unknown), replica('r2', P, unknown), replica('r3', P, version('10.6.21-MariaDB'), binlogFormat('MIXED'))];
  assert.deepEqual(majoritiesOf(replicas), { majorVersion: '10.6', binlogFormat: 'MIXED' });
  assert.deepEqual(majoritiesOf([replica('r1', P, unknown)]), { majorVersion: null, binlogFormat: null });
});

function reasons(i: InstanceObservation, over: { majorities?: Majorities; failed?: InstanceObservation; policy?: Partial<typeof defaultPromotionPolicy> } = {}): string[] {
  return ineligibilityReasons(i, {
    failed: over.failed ?? P,
    policy: { ...defaultPromotionPolicy, ...over.policy },
    bans: compileBanFilters([]),
    majorities: over.majorities ?? { majorVersion: '10.11', binlogFormat: 'ROW' },
  });
}

test('every reason a replica may not be promoted, in words', () => {
  const none: Majorities = { majorVersion: null, binlogFormat: null };
  const table: Array<[string, string[], string[]]> = [
    ['no binary log', reasons(replica('r1', P, set({ logBin: false }))), ['no binary log (log_bin)']],
    ['binary log state unknown', reasons(replica('r1', P, set({ logBin: null }))), ['no binary log (log_bin)']],
    ['log_slave_updates off', reasons(replica('r1', P, set({ logSlaveUpdates: false }))), ['log_slave_updates off']],
    ['a binlog server', reasons(replica('r1', P, binlogServer)), ['binlog server']],
    ['version unknown', reasons(replica('r1', P, set({ version: null }))), ['major version unknown']],
    ['binlog format unknown', reasons(replica('r1', P, set({ binlogFormat: null }))), ['binlog format unknown']],
    ['no majority known: version and format not compared', reasons(replica('r1', P), { majorities: none }), []],
    ['above the majority', reasons(replica('r1', P), { majorities: { majorVersion: '10.6', binlogFormat: 'MIXED' } }), ['major version 10.11 is above the majority 10.6', 'binlog format ROW is above the majority MIXED']],
    [
      'another region than the failed primary\'s',
      reasons(replica('r1', P, set({ region: 'us' })), { failed: { ...P, region: 'eu' }, policy: { preventCrossRegion: true } }),
      ['in region "us", not the failed primary\'s "eu" (PreventCrossRegionMasterFailover)'],
    ],
    ['same region as the failed primary', reasons(replica('r1', P, set({ region: 'eu' })), { failed: { ...P, region: 'eu' }, policy: { preventCrossRegion: true } }), []],
    ['the failed primary\'s region unknown', reasons(replica('r1', P, set({ region: 'eu' })), { policy: { preventCrossRegion: true } }), ["the failed primary's region is unknown (PreventCrossRegionMasterFailover)"]],
  ];
  for (const [name, got, want] of table) assert.deepEqual(got, want, name);
});

test('ban filters: empty entries ban nothing, IP literals match exactly, valid patterns search the host, the rest are listed invalid', () => {
  assert.deepEqual(compileBanFilters([]), { exact: new Set(), patterns: [], invalid: [] });
  const empty = compileBanFilters(['']);
  assert.deepEqual([empty.exact.size, empty.patterns.length, empty.invalid], [0, 0, []]);
  assert.equal(banReason(replica('db1', P), empty), null);

  const bans = compileBanFilters(['10.0.0.5', '^backup-', 'db(']);
  assert.deepEqual(bans.invalid, ['db(']);
  const table: Array<[string, string | null]> = [
    ['10.0.0.5', 'host matches PromotionIgnoreHostnameFilters entry 10.0.0.5'],
    ['10.0.0.50', null],
    ['backup-1', 'host matches PromotionIgnoreHostnameFilters /^backup-/'],
    ['db1', null],
  ];
  for (const [host, want] of table) assert.equal(banReason(replica(host, P), bans), want, host);
});

// ---- patterns -------------------------------------------------------------------------------------

test('IP literals: dotted quads with octets up to 255, and IPv6 text with at most one ::', () => {
  const table: Array<[string, boolean]> = [
    ['10.20.30.40', true],
    ['255.255.255.255', true],
    ['256.1.1.1', false],
    ['1.1.1.300', false],
    ['10.0.0', false],
    ['1.2.3.4.5', false],
    ['::1', true],
    ['fe80::1', true],
    ['2001:db8:0:0:0:0:2:1', true],
    ['1::2::3', false],
    ['cafe', false],
    ['x::1', false],
    ['::1x', false],
    ['db1.example.com', false],
  ];
  for (const [text, want] of table) assert.equal(isIpLiteral(text), want, text);
});

test('search patterns: Go inline flags only at the very start, combined flags kept', () => {
  const combined = compileSearchPattern('(?is)^db.x');
  assert.equal(combined?.flags, 'is');
  assert.equal(combined?.test('DB\nX'), true);
  assert.equal(compileSearchPattern('(?im)^DB')?.flags, 'im');
  assert.equal(compileSearchPattern('(?ii)db')?.flags, 'i');
  const literal = compileSearchPattern('[(?i)]');
  assert.equal(literal?.flags, '');
  assert.equal(literal?.test('?'), true);
  assert.equal(literal?.test('x'), false);
});

// ---- cluster filters ------------------------------------------------------------------------------

test('cluster filters: the exact cluster name matches even when it is not a valid or matching regexp', () => {
  for (const clusterId of ['shop(eu)', 'a+b:3306', 'c1[x]']) assert.equal(clusterFilterMatches([clusterId], { clusterId, alias: '' }), true, clusterId);
});

test('cluster filters: an alias pattern that does not compile matches nothing', () => {
  assert.equal(clusterFilterMatches(['alias~=('], { clusterId: 'c1', alias: 'orders' }), false);
  assert.equal(clusterFilterMatches(['alias~=(', 'alias~=^ord'], { clusterId: 'c1', alias: 'orders' }), true);
});

test('invalid cluster filters: only the regexp part after alias~= is compiled; alias= values are never patterns', () => {
  assert.deepEqual(invalidClusterFilters(['', '*', 'alias=(', 'alias~=*x', 'alias~=ok', 'db(', 'db1']), ['alias~=*x', 'db(']);
});
