import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { iptablesAvailable, startTopology, waitFor, withTopology, type MariaDbInstance, type SlaveStatus } from '../src/index.ts';

const noIptables = (await iptablesAvailable()) ? false : 'iptables is not installed or not usable here (apt-get install -y iptables, as root)';

async function heartbeats(replica: MariaDbInstance): Promise<number> {
  const rows = await replica.query<SlaveStatus & { Slave_received_heartbeats: number }>('SHOW ALL SLAVES STATUS');
  return Number(rows[0]?.Slave_received_heartbeats ?? 0);
}

test('freeze() hangs the primary (new connections time out, replicas notice) and thaw() resumes it', async (t) => {
  const topo = await withTopology(t, { replicas: 1 });
  const replica = topo.replicas[0] as MariaDbInstance;
  await topo.primary.freeze();
  assert.equal(topo.primary.frozen, true);
  await assert.rejects(topo.primary.connection({ connectTimeoutMs: 300 }), { code: 'ETIMEDOUT' });
  // slave_net_timeout=2: the replica gives up on the silent primary after about 2 s.
  await waitFor(async () => (await replica.slaveStatus())?.Slave_IO_Running !== 'Yes', {
    description: 'the replica to notice the hung primary',
    timeoutMs: 15_000,
  });

  topo.primary.thaw();
  assert.equal(topo.primary.frozen, false);
  const conn = await topo.primary.connection();
  await conn.query('SELECT 1');
  conn.destroy();
  await waitFor(async () => (await replica.slaveStatus())?.Slave_IO_Running === 'Yes', { description: 'the replica to reconnect', timeoutMs: 15_000 });
  await topo.sync({ gtid: await topo.writeRows(1, { note: 'after thaw' }) });
});

test('cutOffFromMonitor(): the monitor cannot reach the primary while its replicas keep replicating', { skip: noIptables }, async (t) => {
  const topo = await withTopology(t, { replicas: 2 });
  const monitor = await topo.primary.connection({ account: 'admin' });
  t.after(() => monitor.destroy());
  monitor.on('error', () => undefined); // the KILL below ends it; that is the point
  const [idRows] = await monitor.query('SELECT CONNECTION_ID() AS id');
  const monitorId = (idRows as Array<{ id: number }>)[0]?.id;

  const killed = await topo.primary.cutOffFromMonitor();
  assert.ok(killed.includes(monitorId as number), 'the monitor connection was killed');
  assert.equal(topo.primary.isCutOff, true);
  assert.match(execFileSync('iptables', ['-w', '-S', 'INPUT'], { encoding: 'utf8' }), new RegExp(`--dport ${topo.primary.port} .*baton-test:pid=${process.pid}:`));

  await assert.rejects(monitor.query({ sql: 'SELECT 1', timeout: 2000 }), 'the old monitor connection is dead');
  await assert.rejects(topo.primary.connection({ account: 'admin', connectTimeoutMs: 500 }), { code: 'ETIMEDOUT' });

  // Replication keeps flowing over the established connections: wait for two heartbeats on
  // each replica (time passes, the links stay up), then write and see every replica apply it.
  const before = await Promise.all(topo.replicas.map(heartbeats));
  await Promise.all(
    topo.replicas.map((r, i) =>
      waitFor(async () => (await heartbeats(r)) >= (before[i] as number) + 2, { description: `heartbeats on ${r.name}`, timeoutMs: 15_000 }),
    ),
  );
  await topo.sync({ gtid: await topo.writeRows(5, { note: 'during cut-off' }) });
  for (const replica of topo.replicas) {
    const status = await replica.slaveStatus();
    assert.equal(status?.Slave_IO_Running, 'Yes');
    assert.equal(status?.Last_IO_Errno, 0);
  }

  await topo.primary.restore();
  assert.equal(topo.primary.isCutOff, false);
  const again = await topo.primary.connection({ account: 'admin', connectTimeoutMs: 2000 });
  await again.query('SELECT 1');
  again.destroy();
  assert.doesNotMatch(execFileSync('iptables', ['-w', '-S', 'INPUT'], { encoding: 'utf8' }), new RegExp(`--dport ${topo.primary.port} `));
});

test('stop() removes a cut-off rule left in place', { skip: noIptables }, async () => {
  const topo = await startTopology({ replicas: 1 });
  await topo.replicas[0]?.cutOffFromMonitor();
  const port = topo.replicas[0]?.port;
  await topo.stop();
  assert.doesNotMatch(execFileSync('iptables', ['-w', '-S', 'INPUT'], { encoding: 'utf8' }), new RegExp(`--dport ${port} `));
});
