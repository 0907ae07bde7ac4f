/**
 * analyze() on large shapes gives the right answer: every dead primary of 1,000 clusters found,
 * every replica of a wide cluster counted, the depth of a deep chain. Their speed (an accidental
 * O(n²) per cluster) is measured by bench/domain-scale.ts, not asserted here: a timing bound
 * either flakes on a slow machine or is too loose to catch anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceObservation } from '@baton/contracts';
import { analyze, resolveAnalysisPolicy } from '../src/index.ts';
import { NOW, dead, ioConnecting, primary, replica, snapshot } from './builders.ts';

const policy = resolveAnalysisPolicy({ includeNoProblem: true });

test('1,000 clusters of 4 instances: every dead primary is found', () => {
  const snapshots = Array.from({ length: 1000 }, (_, n) => {
    const p = primary(`p${n}`, ...(n % 10 === 0 ? [dead] : []));
    const mods = n % 10 === 0 ? [ioConnecting()] : [];
    return snapshot([p, replica(`r${n}a`, p, ...mods), replica(`r${n}b`, p, ...mods), replica(`r${n}c`, p, ...mods)], { clusterId: `c${n}` });
  });
  let deadCount = 0;
  for (const s of snapshots) for (const e of analyze(s, NOW, policy)) if (e.code === 'DeadMaster') deadCount++;
  assert.equal(deadCount, 100);
});

test('one wide cluster (1 primary, 5,000 replicas) and one deep chain (600 levels): counted and measured right', () => {
  const p = primary('p');
  const wide = [p, ...Array.from({ length: 5000 }, (_, n) => replica(`w${n}`, p))];
  const chain: InstanceObservation[] = [p];
  for (let n = 0; n < 600; n++) chain.push(replica(`d${n}`, chain[chain.length - 1] as InstanceObservation));
  const [top] = analyze(snapshot(wide), NOW, policy);
  const deep = analyze(snapshot(chain), NOW, { ...policy, reduceReplicationAnalysisCount: false });
  assert.equal(top?.counts.CountReplicas, 5000);
  assert.equal(deep.find((e) => e.instance.host === 'd599')?.replicationDepth, 600);
});
