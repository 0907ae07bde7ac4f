/**
 * planIntermediateRecovery: where the replicas of a dead intermediate primary go (reference §2.7).
 * The cluster: p1 (primary) → im (dead intermediate) → r1, r2, plus siblings of im under p1.
 * Positions are seq numbers in domain 0 from p1 unless a case says otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instanceId, type InstanceObservation } from '@baton/contracts';
import { planIntermediateRecovery, type IntermediatePlan } from '../src/index.ts';
import { dead, ioConnecting, PORT, primary, replica, serverIdOf, set, type Mod } from './builders.ts';
import { dc, reachability, rule, seq } from './recovery-builders.ts';

const P = primary('p1');
const IM = replica('im', P, seq(100), dead);
const r = (name: string, ...mods: Mod[]) => replica(name, IM, seq(100), ...mods);
const sib = (name: string, ...mods: Mod[]) => replica(name, P, seq(120), ...mods);
const fileOnly: Mod = (i) => ({ ...i, replication: i.replication && { ...i.replication, usingGtid: 'No' } });
const errantOnIm = seq(125, serverIdOf('im'));
/** The primary's own binlog up to seq n. */
const wrote =
  (n: number): Mod =>
  (i) => {
    const pos = `0-${serverIdOf('p1')}-${n}`;
    return { ...i, mariadbGtid: i.mariadbGtid && { ...i.mariadbGtid, currentPos: pos, binlogPos: pos } };
  };

function plan(instances: InstanceObservation[]): IntermediatePlan {
  const p = planIntermediateRecovery({ failed: { host: 'im', port: PORT }, instances, policy: {}, reachability });
  // every replica of im is moved exactly once or lost
  const replicas = instances.filter((i) => i.replication?.sourceHost === 'im').map(instanceId).sort();
  const placed = [...p.moves.flatMap((m) => m.replicas.map(instanceId)), ...p.lost.map((l) => instanceId(l.replica))].sort();
  assert.deepEqual(placed, replicas, 'each replica of the intermediate is moved once or lost');
  return p;
}

/** `target:r1,r2` per move, `-name:kind` per lost replica */
function shape(p: IntermediatePlan): string[] {
  return [...p.moves.map((m) => `${m.target.host}(${m.via}):${m.replicas.map((x) => x.host).join(',')}`), ...p.lost.map((l) => `-${l.replica.host}:${l.kind}`)];
}

const cases: Array<{ name: string; instances: InstanceObservation[]; expected: string[]; sibling?: string | null }> = [
  { name: 'a healthy sibling that holds their positions takes both', instances: [P, IM, r('r1'), r('r2'), sib('s1')], expected: ['s1(sibling):r1,r2'], sibling: 's1' },
  { name: 'no sibling: both go up to the source', instances: [P, IM, r('r1'), r('r2')], expected: ['p1(source):r1,r2'], sibling: null },
  { name: 'a sibling behind them: up to the source', instances: [P, IM, r('r1'), r('r2'), sib('s1', seq(90))], expected: ['p1(source):r1,r2'], sibling: null },
  { name: 'a sibling that does not replicate: up to the source', instances: [P, IM, r('r1'), r('r2'), sib('s1', ioConnecting())], expected: ['p1(source):r1,r2'], sibling: null },
  { name: 'a sibling that does not answer: up to the source', instances: [P, IM, r('r1'), r('r2'), sib('s1', dead)], expected: ['p1(source):r1,r2'], sibling: null },
  { name: 'a sibling without log_slave_updates: up to the source', instances: [P, IM, r('r1'), r('r2'), sib('s1', set({ logSlaveUpdates: false }))], expected: ['p1(source):r1,r2'], sibling: null },
  { name: 'a banned sibling (must_not) is not used', instances: [P, IM, r('r1'), sib('s1', rule('must_not')), sib('s2', seq(110))], expected: ['s2(sibling):r1'], sibling: 's2' },
  { name: 'the sibling with more replicas of its own first', instances: [P, IM, r('r1'), sib('s1', seq(130)), sib('s2'), replica('s2a', sib('s2'))], expected: ['s2(sibling):r1'], sibling: 's2' },
  { name: 'equal otherwise: the more advanced sibling first (orchestrator’s reversed comparator not kept)', instances: [P, IM, r('r1'), sib('s1', seq(110)), sib('s2', seq(130))], expected: ['s2(sibling):r1'], sibling: 's2' },
  { name: 'a candidate sibling before a neutral one', instances: [P, IM, r('r1'), sib('s1', seq(130)), sib('s2', rule('prefer'))], expected: ['s2(sibling):r1'], sibling: 's2' },
  { name: 'a sibling in the intermediate’s data center before one elsewhere', instances: [P, replica('im', P, seq(100), dead, dc('east')), replica('r1', IM, seq(100)), sib('s1', seq(130), dc('west')), sib('s2', dc('east'))], expected: ['s2(sibling):r1'], sibling: 's2' },
  { name: 'a candidate in the data center before a candidate elsewhere', instances: [P, replica('im', P, seq(100), dead, dc('east')), replica('r1', IM, seq(100)), sib('s1', rule('must'), dc('west')), sib('s2', rule('prefer'), dc('east'))], expected: ['s2(sibling):r1'], sibling: 's2' },
  { name: 'per replica: one the sibling lacks goes up to the source', instances: [primary('p1', wrote(130)), IM, r('r1'), r('r2', seq(105)), sib('s1', seq(100))], expected: ['s1(sibling):r1', 'p1(source):r2'], sibling: 's1' },
  { name: 'an unreachable replica is lost, the other moved', instances: [P, IM, r('r1', dead), r('r2'), sib('s1')], expected: ['s1(sibling):r2', '-r1:unreachable'], sibling: 's1' },
  { name: 'a file/position replica is lost', instances: [P, IM, r('r1', fileOnly), r('r2'), sib('s1')], expected: ['s1(sibling):r2', '-r1:position-unknown'], sibling: 's1' },
  { name: 'an errant transaction of the intermediate: nobody upstream has it, lost', instances: [P, IM, r('r1', errantOnIm), r('r2'), sib('s1')], expected: ['s1(sibling):r2', '-r1:ahead'], sibling: 's1' },
  { name: 'the source dead and no sibling: every replica lost', instances: [primary('p1', dead), IM, r('r1'), r('r2')], expected: ['-r1:cannot-replicate', '-r2:cannot-replicate'], sibling: null },
  { name: 'an older replica cannot replicate from newer servers: lost', instances: [P, IM, r('r1', set({ version: '10.6.20-MariaDB' })), sib('s1')], expected: ['-r1:cannot-replicate'], sibling: null },
];

for (const c of cases) {
  test(`intermediate plan: ${c.name}`, () => {
    const p = plan(c.instances);
    assert.deepEqual(shape(p), c.expected);
    if (c.sibling !== undefined) assert.equal(p.sibling?.host ?? null, c.sibling);
    assert.equal(p.source?.host ?? null, 'p1');
  });
}

test('intermediate plan: the siblings are ranked with their reasons, and a lost replica names every target', () => {
  const p = plan([P, IM, r('r1', errantOnIm), sib('s1', dead), sib('s2')]);
  assert.deepEqual(
    p.siblings.map((s) => [s.sibling.host, s.eligible, s.takes]),
    [
      ['s1', false, 0],
      ['s2', true, 0],
    ],
  );
  assert.match(p.siblings[0]?.reasons.join() ?? '', /does not answer/);
  assert.equal(p.sibling, null, 'no sibling can take the errant replica');
  const [lost] = p.lost;
  assert.match(lost?.reason ?? '', /no sibling can take it; p1:3306 has not applied 0-\d+-125/);
});

test('intermediate plan: a replica of nobody known (the intermediate not in the snapshot) plans nothing', () => {
  const p = planIntermediateRecovery({ failed: { host: 'im', port: PORT }, instances: [P, sib('s1')], policy: {}, reachability });
  assert.deepEqual([p.moves, p.lost, p.source, p.sibling], [[], [], null, null]);
});
