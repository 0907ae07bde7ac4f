/**
 * Draining the replicas of a hung (SIGSTOPped) source: on MariaDB, STOP SLAVE IO_THREAD can wait
 * about 2 s for an IO thread blocked on a frozen source; with `sourceUnresponsive` the drain kills
 * that thread first. Either way the replica ends stopped with everything it received applied.
 * The durations go to the test output; nothing asserts on them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabase, waitFor, withTopology, type MariaDbInstance } from '@baton/testing';
import { stopReplicaAndDrain } from '../src/index.ts';
import { adminConnection, ms } from './recovery-helpers.ts';

test('a hung source under a semi-sync writer: the drain stops each replica with all it received applied, killing the blocked IO thread first when told the source is unresponsive', async (t) => {
  const topology = await withTopology(t, { replicas: 2, semiSync: true, heartbeat: { periodSeconds: 0.5, netTimeoutSeconds: 30 } });
  const [told, untold] = topology.replicas as [MariaDbInstance, MariaDbInstance];
  const writer = await topology.startWriter({ semisync: true });
  await waitFor(() => writer.ackedCount >= 100, { description: '100 acked writes', timeoutMs: 20_000 });
  await topology.primary.freeze();
  t.after(() => topology.primary.thaw());
  const written = await writer.stop();
  const [a, b] = await Promise.all([adminConnection(t, topology, told), adminConnection(t, topology, untold)]);
  const [quick, plain] = await Promise.all([stopReplicaAndDrain(a, { timeoutMs: 5000, statementTimeoutMs: 10_000, sourceUnresponsive: true }), stopReplicaAndDrain(b, { timeoutMs: 5000, statementTimeoutMs: 10_000 })]);
  for (const d of [quick, plain]) {
    assert.equal(d.before?.ioThread, 'Yes', `${d.instance}: its IO thread still said Yes (slave_net_timeout 30 s)`);
    assert.equal(d.drained, true, d.instance);
    assert.equal(d.position, d.gtidIoPos, `${d.instance} applied all it received`);
    assert.equal(d.replication?.ioThread, 'No');
    assert.equal(d.replication?.sqlThread, 'No');
  }
  // semi-sync: every acknowledged write reached one of them at least
  const present = new Set<number>();
  for (const r of [told, untold]) {
    for (const row of await r.query<{ seq: number }>(`SELECT seq FROM ${testDatabase}.writes WHERE writer = ?`, [written.writer])) present.add(Number(row.seq));
  }
  assert.deepEqual(written.acked.filter((s) => !present.has(s)), []);
  t.diagnostic(`drain of a hung source's replica: ${ms(quick.elapsedMs)} with the IO thread killed first, ${ms(plain.elapsedMs)} with STOP SLAVE IO_THREAD alone`);
});
