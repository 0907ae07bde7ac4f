/**
 * planSemiSyncReplicas: which replicas acknowledge a semi-sync primary — enough of them when it is
 * locked (RecoverLockedSemiSyncMaster), exactly the wait count with EnforceExactSemiSyncReplicas —
 * healthy ones only, in promotion order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceObservation } from '@baton/contracts';
import { planSemiSyncReplicas } from '../src/index.ts';
import { dead, ioStopped, primary, replica, semiSync, set, type Mod } from './builders.ts';
import { reachability, rule } from './recovery-builders.ts';

const P = primary('p1', semiSync({ clients: 0, wait: 1 }));
const acker: Mod = (i) => ({ ...i, semiSync: { masterEnabled: false, masterStatus: false, masterClients: 0, masterWaitForReplicaCount: 0, masterTimeoutMs: 0, replicaEnabled: true, replicaStatus: true } });
const switchedOnNotConnected: Mod = (i) => ({ ...acker(i), semiSync: { ...(acker(i).semiSync as NonNullable<InstanceObservation['semiSync']>), replicaStatus: false } });
const hosts = (keys: readonly { host: string }[]) => keys.map((k) => k.host);

const plan = (replicas: InstanceObservation[], exact = false, primaryObs = P) => planSemiSyncReplicas({ primary: primaryObs, replicas, exact, policy: {}, reachability });

const cases: Array<{ name: string; replicas: InstanceObservation[]; exact?: boolean; primary?: InstanceObservation; enable: string[]; disable?: string[]; short?: number }> = [
  { name: 'locked, its only acker dead: the best healthy replica is enabled', replicas: [replica('r1', P, dead, acker), replica('r2', P), replica('r3', P, rule('prefer'))], enable: ['r3'] },
  { name: 'locked: a banned replica comes after the eligible ones', replicas: [replica('r2', P, rule('must_not')), replica('r3', P)], enable: ['r3'] },
  { name: 'only a banned replica is healthy: it still acknowledges (no promotion here)', replicas: [replica('r2', P, rule('must_not'))], enable: ['r2'] },
  { name: 'a replica not replicating cannot acknowledge', replicas: [replica('r2', P, ioStopped), replica('r3', P)], enable: ['r3'] },
  { name: 'switched on but not reconnected: switched on again (IO thread restarted)', replicas: [replica('r2', P, switchedOnNotConnected), replica('r3', P)], enable: ['r2'] },
  { name: 'nobody healthy: short by one', replicas: [replica('r1', P, dead, acker), replica('r2', P, ioStopped)], enable: [], short: 1 },
  { name: 'enough acknowledge already: nothing to do', replicas: [replica('r2', P, acker), replica('r3', P)], enable: [] },
  {
    name: 'exact, too many: the extra ones switched off, in promotion order',
    replicas: [replica('r2', P, acker), replica('r3', P, acker, rule('prefer'))],
    primary: primary('p1', semiSync({ clients: 2, wait: 1 })),
    exact: true,
    enable: [],
    disable: ['r2'],
  },
  { name: 'exact, locked: the best enabled, a worse acker switched off', replicas: [replica('r2', P, acker), replica('r3', P, rule('prefer'))], exact: true, enable: ['r3'], disable: ['r2'] },
  { name: 'exact, wait count 2 (MySQL): the first two in promotion order, a later acker switched off', replicas: [replica('r2', P), replica('r3', P), replica('r4', P, acker)], primary: primary('p1', semiSync({ clients: 1, wait: 2 })), exact: true, enable: ['r2', 'r3'], disable: ['r4'] },
  { name: 'exact: an unanswering acker is left alone', replicas: [replica('r1', P, dead, acker), replica('r2', P)], exact: true, enable: ['r2'], disable: [] },
];

for (const c of cases) {
  test(`semi-sync replicas: ${c.name}`, () => {
    const p = plan(c.replicas, c.exact ?? false, c.primary ?? P);
    assert.deepEqual(hosts(p.enable), c.enable);
    assert.deepEqual(hosts(p.disable), c.disable ?? []);
    assert.equal(p.short, c.short ?? 0);
  });
}

test('semi-sync replicas: the order is the promotion order of the healthy replicas', () => {
  const p = plan([replica('r2', P), replica('r3', P, rule('prefer')), replica('r4', P, set({ logBin: false }))]);
  assert.deepEqual(p.order, ['r3:3306', 'r2:3306', 'r4:3306']);
});
