/**
 * Issue 16's Done-when for a locked semi-sync primary, through the whole pipeline in-process
 * (detector → analyzer → recovery executor) on a real semi-sync 1+2 MariaDB topology: only r1
 * acknowledges (r2's replica side is off) and the primary waits an hour for an acknowledgement
 * (rpl_semi_sync_master_timeout) rather than fall back to asynchronous replication. kill -9 of
 * r1: every commit on the primary hangs, its binlog position stands still, the analyzer reads
 * LockedSemiSyncMaster after ReasonableLockedSemiSyncMasterSeconds, and with
 * RecoverLockedSemiSyncMaster the executor switches r2 to semi-sync: the primary has an
 * acknowledger again and commits flow. Nobody is promoted or fenced; the recovery is resolved with
 * the primary itself and gives its block back.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, withTopology, type MariaDbInstance } from '@baton/testing';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { idOf, recoveries, stepNames, writableInstances } from '../support/failover.ts';

const admin = { user: 'baton', password: 'baton-pass' };
let pipeline: Pipeline;

before(async () => {
  pipeline = await startPipeline({
    admin,
    label: 'lockedsemisync',
    executors: 1,
    env: {
      BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS: '["*"]',
      BATON__RECOVERY__RECOVER_LOCKED_SEMI_SYNC_MASTER: 'true',
      BATON__RECOVERY__REASONABLE_LOCKED_SEMI_SYNC_MASTER_SECONDS: '2',
    },
  });
});
after(async () => {
  await pipeline?.stop();
});

const status = async (i: MariaDbInstance, name: string): Promise<string> => String((await i.query<{ Value: string }>(`SHOW GLOBAL STATUS LIKE '${name}'`))[0]?.Value ?? '');

test('a semi-sync primary locked by the death of its only acknowledger: semi-sync switched on another replica, commits flow again, no failover', async (t) => {
  const topology = await withTopology(t, { replicas: 2, semiSync: { timeoutMs: 3_600_000 } });
  const { primary } = topology;
  const [r1, r2] = topology.replicas as [MariaDbInstance, MariaDbInstance];
  await r2.query('SET GLOBAL rpl_semi_sync_slave_enabled = OFF');
  await r2.query('STOP SLAVE IO_THREAD');
  await r2.query('START SLAVE IO_THREAD');
  await waitFor(async () => (await status(primary, 'Rpl_semi_sync_master_clients')) === '1', { description: 'r1 the only acknowledger', timeoutMs: 10_000 });

  await pipeline.register(topology, 'locked');
  const writer = await topology.startWriter({ semisync: true });
  await waitFor(() => writer.ackedCount >= 50, { description: '50 acked writes', timeoutMs: 20_000 });

  const killedAt = Date.now();
  await r1.kill();
  // the commits hang: no ack comes
  const before = writer.ackedCount;
  const resolved = await pipeline.waitForEvent((e) => e.clusterId === 'locked' && e.step === 'resolved', { afterMs: killedAt, timeoutMs: 60_000, description: 'the locked semi-sync recovery resolved' });
  assert.equal(resolved.status, 'succeeded', JSON.stringify(resolved.details));
  assert.equal(resolved.details['successor'], idOf(primary), 'resolved with the primary itself');
  await waitFor(() => writer.ackedCount >= before + 50, { description: 'commits flow again', timeoutMs: 15_000 });
  const written = await writer.stop();
  t.diagnostic(`acked before the kill ${before}, after the recovery ${written.acked.length - before}; failed ${written.failed.length} (${written.errors.join(', ')})`);

  assert.equal(await status(r2, 'Rpl_semi_sync_slave_status'), 'ON', 'r2 acknowledges now');
  assert.equal(await status(primary, 'Rpl_semi_sync_master_status'), 'ON', 'still semi-sync: it did not fall back to asynchronous');
  assert.deepEqual((await writableInstances(topology)).map((i) => i.name), [primary.name], 'the primary is still the primary');
  const rows = await recoveries(pipeline.backend, 'locked');
  assert.equal(rows.length, 1, JSON.stringify(rows));
  assert.equal(rows[0]?.analysis, 'LockedSemiSyncMaster');
  const steps = await stepNames(pipeline.backend, String(rows[0]?.uid));
  assert.ok(steps.includes('semi-sync-replicas'), steps.join(' '));
  for (const s of ['fenced', 'promoted', 'replicas-stopped']) assert.ok(!steps.includes(s), `no ${s}: ${steps.join(' ')}`);
  assert.equal(await pipeline.redis.get(pipeline.keys.recoveryBlock('locked')), null, 'the block is given back: a later failover of the cluster is not blocked (W7)');
});
