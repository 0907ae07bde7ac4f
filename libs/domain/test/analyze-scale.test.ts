/**
 * Guards against accidental quadratic work: generous bounds (tens of times the measured cost, see
 * bench/domain-analyze.ts) so a slow CI machine does not flake, but an O(n²) per cluster does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceObservation } from '@baton/contracts';
import { analyze, resolveAnalysisPolicy } from '../src/index.ts';
import { NOW, dead, ioConnecting, primary, replica, snapshot } from './builders.ts';

const policy = resolveAnalysisPolicy({ includeNoProblem: true });

test('1,000 clusters of 4 instances analyse in well under a second', () => {
  const snapshots = Array.from({ length: 1000 }, (_, n) => {
    const p = primary(`p${n}`, ...(n % 10 === 0 ? [dead] : []));
    const mods = n % 10 === 0 ? [ioConnecting()] : [];
    return snapshot([p, replica(`r${n}a`, p, ...mods), replica(`r${n}b`, p, ...mods), replica(`r${n}c`, p, ...mods)], { clusterId: `c${n}` });
  });
  const t0 = performance.now();
  let deadCount = 0;
  for (const s of snapshots) for (const e of analyze(s, NOW, policy)) if (e.code === 'DeadMaster') deadCount++;
  const ms = performance.now() - t0;
  assert.equal(deadCount, 100);
  assert.ok(ms < 1500, `took ${ms.toFixed(0)} ms`);
});

test('one wide cluster (1 primary, 5,000 replicas) and one deep chain (600 levels) stay fast', () => {
  const p = primary('p');
  const wide = [p, ...Array.from({ length: 5000 }, (_, n) => replica(`w${n}`, p))];
  const chain: InstanceObservation[] = [p];
  for (let n = 0; n < 600; n++) chain.push(replica(`d${n}`, chain[chain.length - 1] as InstanceObservation));
  const t0 = performance.now();
  const [top] = analyze(snapshot(wide), NOW, policy);
  const deep = analyze(snapshot(chain), NOW, { ...policy, reduceReplicationAnalysisCount: false });
  const ms = performance.now() - t0;
  assert.equal(top?.counts.CountReplicas, 5000);
  assert.equal(deep.find((e) => e.instance.host === 'd599')?.replicationDepth, 600);
  assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms`);
});
