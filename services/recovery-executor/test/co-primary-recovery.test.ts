/**
 * A dead co-primary (DeadCoMaster; orchestrator's checkAndRecoverDeadCoMaster) with every port
 * faked (test/fakes.ts): db1 (writable, dead) and db3 replicate from each other, db2 and db4 are
 * db1's replicas. CoMasterRecoveryMustPromoteOtherCoMaster (default on): db3 is promoted even when
 * another replica is more advanced, and a refusal promotes nobody else; off: the best replica is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replicationState, type ClusterSnapshot } from '@baton/contracts';
import { analysisOf, deadPrimaryCluster, harness, type Harness } from './fakes.ts';

const db3 = { host: 'db3', port: 3306 };

/** The co-primary pair: db1 replicates from db3 (its last reading); db2 is the most advanced replica. */
function coPair(): ClusterSnapshot {
  const s = deadPrimaryCluster({ seqs: [105, 100, 100] });
  return { ...s, instances: s.instances.map((i) => (i.host === 'db1' ? { ...i, replication: replicationState(db3, { gtidIoPos: '0-1-100' }) } : i)) };
}

async function recover(h: Harness): Promise<void> {
  h.state.cached = coPair();
  h.topology.refreshed = coPair;
  const analysis = analysisOf(coPair());
  assert.match(analysis.entries.find((e) => e.instance.host === 'db1')?.code ?? '', /^DeadCoMaster/);
  h.executor.handleAnalysis(analysis, 'det-1');
  await h.settle();
}

const resolution = (h: Harness) => (h.store.of('recoveries.resolve') as Array<{ outcome: string; successor: { host: string } | null; errors: string[] }>)[0];

test('DeadCoMaster: the other co-primary is promoted, not the most advanced replica', async () => {
  const h = harness();
  await recover(h);
  assert.deepEqual(h.log.filter((c) => c.startsWith('promote:')), ['promote:db3:3306']);
  assert.equal(resolution(h)?.outcome, 'successful');
  assert.equal(resolution(h)?.successor?.host, 'db3');
});

test('DeadCoMaster: the other co-primary refusing its promotion fails the recovery; nobody else is promoted', async () => {
  const h = harness();
  h.topology.refusePromotionOf.add('db3:3306');
  await recover(h);
  assert.deepEqual(h.log.filter((c) => c.startsWith('promote:')), ['promote:db3:3306']);
  assert.equal(resolution(h)?.outcome, 'failed');
  assert.match(resolution(h)?.errors.join(' ') ?? '', /no other replica is promoted instead \(CoMasterRecoveryMustPromoteOtherCoMaster\)/);
});

test('CoMasterRecoveryMustPromoteOtherCoMaster off: the best replica is promoted and the other co-primary moves under it', async () => {
  const h = harness({ env: { BATON__RECOVERY__CO_MASTER_RECOVERY_MUST_PROMOTE_OTHER_CO_MASTER: 'false' } });
  await recover(h);
  assert.deepEqual(h.log.filter((c) => c.startsWith('promote:')), ['promote:db2:3306']);
  assert.ok(h.log.some((c) => c.startsWith('repoint:') && c.includes('db3:3306') && c.endsWith('->db2:3306')), h.log.join(' '));
});
