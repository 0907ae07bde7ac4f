/**
 * Failover of a semi-sync topology: promote() enables the semi-sync master side on the new
 * primary before it takes writes, repoint() enables the replica side before START SLAVE, and once
 * the replicas have reconnected the new primary's semi-sync is active and acked writes go on.
 * With semi-sync every write acked before the kill was received by a replica, so the most
 * advanced drained replica has them all (infra-notes §4: 0 of 21 lost): asserted here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, withTopology, type MariaDbInstance } from '@baton/testing';
import { promote, repoint, repointAll, stopReplicaAndDrain, type InstanceConnection } from '../src/index.ts';
import { adminConnection, mostAdvanced, ms, replicationCredentials, writtenSeqs } from './recovery-helpers.ts';

async function semiSyncStatus(conn: InstanceConnection): Promise<{ status: string; clients: number; yesTx: number }> {
  const rows = await conn.query(
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Rpl_semi_sync_master_status', 'Rpl_semi_sync_master_clients', 'Rpl_semi_sync_master_yes_tx')",
  );
  const m = new Map(rows.map((r) => [String(r['Variable_name']).toLowerCase(), String(r['Value'])]));
  return {
    status: m.get('rpl_semi_sync_master_status') ?? '',
    clients: Number(m.get('rpl_semi_sync_master_clients') ?? 0),
    yesTx: Number(m.get('rpl_semi_sync_master_yes_tx') ?? 0),
  };
}

test('semi-sync 1+2: after promote and repoint the new primary runs semi-sync and acked writes continue', async (t) => {
  const topology = await withTopology(t, { replicas: 2, semiSync: { timeoutMs: 10_000 } });
  const replicas = topology.replicas as readonly MariaDbInstance[];
  const conns = await Promise.all(replicas.map((r) => adminConnection(t, topology, r)));
  const writer = await topology.startWriter({ semisync: true });
  await waitFor(() => writer.ackedCount >= 100, { description: '100 acked semi-sync writes', timeoutMs: 20_000 });
  await topology.primary.kill();
  const written = await writer.stop();

  const drains = await Promise.all(conns.map((c) => stopReplicaAndDrain(c, { timeoutMs: 5000 })));
  assert.ok(drains.every((d) => d.drained));
  const best = mostAdvanced(drains.map((d) => d.position));
  const candidate = replicas[best] as MariaDbInstance;
  const candidateConn = conns[best] as InstanceConnection;

  const promoted = await promote(candidateConn, { useSuperReadOnly: true, semiSync: { timeoutMs: 10_000 } });
  assert.equal(promoted.verified, true, promoted.problems.join('; '));
  assert.equal(promoted.semiSyncMasterEnabled, true);
  const repointed = await repointAll(
    conns.filter((_, i) => i !== best),
    { host: candidate.host, port: candidate.port },
    { ...replicationCredentials(topology), semiSyncReplica: true },
  );
  assert.ok(repointed.every((e) => e.ok && e.result.running));

  const active = await waitFor(
    async () => {
      const s = await semiSyncStatus(candidateConn);
      return s.status === 'ON' && s.clients >= 1 ? s : null;
    },
    { description: 'semi-sync active on the new primary', timeoutMs: 10_000 },
  );

  const after = await topology.startWriter({ target: candidate, semisync: true });
  await waitFor(() => after.ackedCount >= 50, { description: '50 acked writes on the new primary', timeoutMs: 20_000 });
  const second = await after.stop();
  assert.deepEqual(second.errors, []);
  const status = await semiSyncStatus(candidateConn);
  assert.equal(status.status, 'ON', 'semi-sync did not fall back to async');
  assert.ok(status.yesTx >= active.yesTx + second.acked.length, `every acked write was semi-sync acked (${status.yesTx - active.yesTx} of ${second.acked.length})`);

  const present = await writtenSeqs(candidate, written.writer);
  const lost = written.acked.filter((seq) => !present.has(seq));
  assert.deepEqual(lost, [], 'no write acked before the kill is missing on the new primary');
  t.diagnostic(`before kill: ${written.acked.length} acked, ${written.failed.length} unknown, 0 lost; after: ${second.acked.length} acked semi-sync`);
  t.diagnostic(`timings: promote (with semi-sync) ${ms(promoted.elapsedMs)}, repoint ${repointed.map((e) => (e.ok ? ms(e.result.elapsedMs) : '-')).join(', ')}`);
});

test('semi-sync switchover: the old primary repointed as a former primary drops its master side and acknowledges the new primary', async (t) => {
  const topology = await withTopology(t, { replicas: 2, semiSync: { timeoutMs: 10_000 } });
  const [r1, r2] = topology.replicas as readonly MariaDbInstance[];
  const oldConn = await adminConnection(t, topology, topology.primary);
  const [c1, c2] = await Promise.all([r1, r2].map((r) => adminConnection(t, topology, r as MariaDbInstance)));
  await oldConn.exec('SET GLOBAL read_only = 1');
  await Promise.all([c1, c2].map((c) => stopReplicaAndDrain(c as InstanceConnection, { timeoutMs: 5000 })));
  const promoted = await promote(c1 as InstanceConnection, { useSuperReadOnly: true, semiSync: { timeoutMs: 10_000 } });
  assert.equal(promoted.verified, true, promoted.problems.join('; '));
  const source = { host: (r1 as MariaDbInstance).host, port: (r1 as MariaDbInstance).port };
  const [sibling] = await repointAll([c2 as InstanceConnection], source, { ...replicationCredentials(topology), semiSyncReplica: true });
  assert.ok(sibling?.ok && sibling.result.running);

  const rejoined = await repoint(oldConn, source, { ...replicationCredentials(topology), mariadbUseGtid: 'current_pos', formerPrimary: true });
  assert.equal(rejoined.running, true, rejoined.outcome);
  const vars = new Map((await oldConn.query("SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync_%_enabled'")).map((r) => [String(r['Variable_name']), String(r['Value'])]));
  assert.equal(vars.get('rpl_semi_sync_master_enabled'), 'OFF', 'no longer waits for acknowledgements of its own');
  assert.equal(vars.get('rpl_semi_sync_slave_enabled'), 'ON', 'acknowledges its new source');
  await waitFor(async () => (await semiSyncStatus(c1 as InstanceConnection)).clients >= 2, { description: 'the new primary has both replicas as semi-sync clients', timeoutMs: 10_000 });

  // the old primary applies the new primary's writes without waiting for anything
  const after = await topology.startWriter({ target: r1 as MariaDbInstance, semisync: true });
  await waitFor(() => after.ackedCount >= 20, { description: '20 acked writes on the new primary', timeoutMs: 20_000 });
  const written = await after.stop();
  await waitFor(async () => (await writtenSeqs(topology.primary, written.writer)).size >= written.acked.length, { description: 'the old primary applied them', timeoutMs: 10_000 });
  await oldConn.exec('STOP SLAVE');
  assert.equal((await oldConn.query('SHOW SLAVE STATUS'))[0]?.['Slave_SQL_Running'], 'No');
});
