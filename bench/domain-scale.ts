// analyze() on the large shapes of libs/domain/test/analyze-scale.test.ts, which checks their
// results and leaves their speed to this benchmark: 1,000 clusters of 4 instances (every tenth
// primary dead), one wide cluster (1 primary, 5,000 replicas) and one deep chain (600 levels).
// Compare a change's run with the one before it: an accidental O(n²) per cluster multiplies wideMs or deepMs.
// Run: npx tsx bench/domain-scale.ts [rounds] — prints {"clustersMs", "wideMs", "deepMs"} (per pass, after a warm-up).
import type { InstanceObservation } from '@baton/contracts';
import { analyze, resolveAnalysisPolicy } from '@baton/domain';
import { NOW, dead, ioConnecting, primary, replica, snapshot } from '../libs/domain/test/builders.ts';
import { machine, summarize } from './report.ts';

const rounds = Number(process.argv[2] ?? 10);
const policy = resolveAnalysisPolicy({ includeNoProblem: true });

const clusters = Array.from({ length: 1000 }, (_, n) => {
  const p = primary(`p${n}`, ...(n % 10 === 0 ? [dead] : []));
  const mods = n % 10 === 0 ? [ioConnecting()] : [];
  return snapshot([p, replica(`r${n}a`, p, ...mods), replica(`r${n}b`, p, ...mods), replica(`r${n}c`, p, ...mods)], { clusterId: `c${n}` });
});
const p = primary('p');
const wide = snapshot([p, ...Array.from({ length: 5000 }, (_, n) => replica(`w${n}`, p))]);
const chain: InstanceObservation[] = [p];
for (let n = 0; n < 600; n++) chain.push(replica(`d${n}`, chain[chain.length - 1] as InstanceObservation));
const deep = snapshot(chain);
const deepPolicy = { ...policy, reduceReplicationAnalysisCount: false };

function time(work: () => void): number[] {
  work(); // warm-up
  return Array.from({ length: rounds }, () => {
    const t0 = performance.now();
    work();
    return performance.now() - t0;
  });
}

console.log(
  JSON.stringify({
    clustersMs: summarize(time(() => clusters.forEach((s) => analyze(s, NOW, policy)))),
    wideMs: summarize(time(() => analyze(wide, NOW, policy))),
    deepMs: summarize(time(() => analyze(deep, NOW, deepPolicy))),
    rounds,
    machine: machine(),
  }),
);
