import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabase, waitFor, withTopology, type MariaDbInstance } from '../src/index.ts';

async function seqsOn(instance: MariaDbInstance, writer: string): Promise<Set<number>> {
  const rows = await instance.query<{ seq: number }>(`SELECT seq FROM ${testDatabase}.writes WHERE writer = ?`, [writer]);
  return new Set(rows.map((r) => Number(r.seq)));
}

test('chained topology: primary → intermediate → 2 replicas replicates end to end', async (t) => {
  const topo = await withTopology(t, { replicas: [{ name: 'intermediate', replicas: 2 }] });
  assert.deepEqual(topo.instances.map((i) => `${i.name}:${i.role}`), ['primary:primary', 'intermediate:intermediate', 'intermediate-1:replica', 'intermediate-2:replica']);
  const intermediate = topo.instance('intermediate');
  assert.deepEqual(topo.childrenOf(intermediate).map((i) => i.name), ['intermediate-1', 'intermediate-2']);
  for (const leaf of topo.childrenOf(intermediate)) {
    assert.equal(leaf.upstream, intermediate);
    assert.equal((await leaf.slaveStatus())?.Master_Port, intermediate.port);
  }
  assert.equal((await intermediate.slaveStatus())?.Master_Port, topo.primary.port);

  const gtid = await topo.writeRows(10, { note: 'chained' });
  await topo.sync({ gtid });
  for (const instance of topo.replicas) {
    const rows = await instance.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${testDatabase}.markers WHERE note = 'chained'`);
    assert.equal(Number(rows[0]?.n), 10, instance.name);
  }
  // The intermediate binlogs what it applies (log_slave_updates), with the primary's GTIDs.
  assert.equal(await intermediate.gtidBinlogPos(), gtid);
});

test('async writer: every acked row is on the primary; stop() reports acked and failed seqs', async (t) => {
  const topo = await withTopology(t, { replicas: 1 });
  const writer = await topo.startWriter({ name: 'w-async' });
  await waitFor(() => writer.ackedCount >= 30, { description: '30 acked writes' });
  const result = await writer.stop();
  assert.equal(result.writer, 'w-async');
  const onPrimary = await seqsOn(topo.primary, 'w-async');
  for (const seq of result.acked) assert.ok(onPrimary.has(seq), `acked seq ${seq} on the primary`);
  for (const seq of onPrimary) assert.ok(result.acked.includes(seq) || result.failed.includes(seq), `seq ${seq} was attempted`);
  await topo.sync();
  assert.deepEqual(await seqsOn(topo.replicas[0] as MariaDbInstance, 'w-async'), onPrimary);
});

test('semi-sync: every write acked before kill -9 of the primary is on some replica', async (t) => {
  const topo = await withTopology(t, { replicas: 2, semiSync: { timeoutMs: 10_000 } });
  const status = await topo.primary.query<{ Variable_name: string; Value: string }>(
    `SHOW GLOBAL STATUS WHERE Variable_name IN ('Rpl_semi_sync_master_status', 'Rpl_semi_sync_master_clients')`,
  );
  assert.deepEqual(Object.fromEntries(status.map((r) => [r.Variable_name, r.Value])), { Rpl_semi_sync_master_clients: '2', Rpl_semi_sync_master_status: 'ON' });

  const writer = await topo.startWriter({ semisync: true, name: 'w-semi', intervalMs: 0 });
  await waitFor(() => writer.ackedCount >= 100, { description: '100 acked writes', timeoutMs: 20_000 });
  await topo.primary.kill();
  const result = await writer.stop();
  assert.ok(result.acked.length >= 100);

  // Let each replica apply everything it received, then look for every acked row.
  const present = new Set<number>();
  for (const replica of topo.replicas) {
    const io = await waitFor(async () => (await replica.slaveStatus())?.Gtid_IO_Pos, { description: `${replica.name} Gtid_IO_Pos` });
    await replica.waitForGtid(io);
    for (const seq of await seqsOn(replica, 'w-semi')) present.add(seq);
  }
  const lost = result.acked.filter((seq) => !present.has(seq));
  assert.deepEqual(lost, [], 'no acknowledged write is lost');
});
