/** Semi-sync acknowledgers a recovery could not examine (semi-sync-ackers.ts). */
import assert from 'node:assert/strict';
import test from 'node:test';
import type { InstanceObservation } from '@baton/contracts';
import { unexaminedAckerRisk } from '../src/index.ts';
import { dead, primary, replica, semiSync, set, type Mod } from './builders.ts';

const semiReplica: Mod = (i) => ({ ...i, semiSync: { masterEnabled: false, masterStatus: false, masterClients: 0, masterWaitForReplicaCount: 0, masterTimeoutMs: 0, replicaEnabled: true, replicaStatus: true } });

test('unexamined semi-sync replicas: at risk when they are at least as many as the acknowledgements each commit waited for', () => {
  const p1 = primary('p1', dead, semiSync({ wait: 1 }));
  const p2 = primary('p1', dead, semiSync({ wait: 2 }));
  const async = primary('p1', dead, semiSync({ status: false }));
  const plain = primary('p1', dead, set({ semiSync: null }));
  const r = (name: string, ...mods: Mod[]) => replica(name, p1, ...mods);
  const replicas: InstanceObservation[] = [r('r1', semiReplica), r('r2', semiReplica), r('r3')];
  const examinedExcept = (...hosts: string[]) => (i: InstanceObservation) => !hosts.includes(i.host);
  const cases: Array<{ name: string; failed: InstanceObservation; unexamined: string[]; atRisk: boolean; why: RegExp }> = [
    { name: 'every semi-sync replica examined', failed: p1, unexamined: [], atRisk: false, why: /2 of 2 semi-sync replicas examined/ },
    { name: 'only an async replica unexamined', failed: p1, unexamined: ['r3'], atRisk: false, why: /2 of 2/ },
    { name: 'one acker enough (MariaDB), one semi-sync replica unexamined', failed: p1, unexamined: ['r1'], atRisk: true, why: /r1:3306 \(1 semi-sync replica\(s\) not examined\)/ },
    { name: 'two acks needed, one semi-sync replica unexamined: the other acked too', failed: p2, unexamined: ['r1'], atRisk: false, why: /1 of 2 .*waited for 2/ },
    { name: 'two acks needed, both semi-sync replicas unexamined', failed: p2, unexamined: ['r1', 'r2'], atRisk: true, why: /waited for 2/ },
    { name: 'the primary had fallen back to async', failed: async, unexamined: ['r1', 'r2'], atRisk: false, why: /fallen back to asynchronous/ },
    { name: 'no semi-sync at all', failed: plain, unexamined: ['r1', 'r2'], atRisk: false, why: /not semi-sync/ },
  ];
  for (const c of cases) {
    const risk = unexaminedAckerRisk(c.failed, replicas, examinedExcept(...c.unexamined));
    assert.equal(risk.atRisk, c.atRisk, c.name);
    assert.match(risk.reason, c.why, c.name);
  }
});
