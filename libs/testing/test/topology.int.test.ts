import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { isProcessAlive, startTopology, testDatabase, waitFor, withTopology, type MariaDbInstance } from '../src/index.ts';

async function hasMarker(instance: MariaDbInstance, note: string): Promise<boolean> {
  const rows = await instance.query(`SELECT id FROM ${testDatabase}.markers WHERE note = ?`, [note]);
  return rows.length === 1;
}

test('1+3 GTID topology: a row written on the primary reaches every replica; kill -9 of the primary stops every IO thread', async (t) => {
  const topo = await withTopology(t, {
    replicas: [{ labels: { dataCenter: 'dc1' } }, { labels: { dataCenter: 'dc2' } }, { labels: { dataCenter: 'dc2', region: 'eu' } }],
    primary: { labels: { dataCenter: 'dc1', region: 'eu', physicalEnvironment: 'test' } },
  });
  assert.deepEqual(topo.instances.map((i) => i.name), ['primary', 'replica1', 'replica2', 'replica3']);
  assert.deepEqual(topo.instances.map((i) => i.serverId), [1, 2, 3, 4]);
  assert.deepEqual(topo.replicas.map((i) => i.role), ['replica', 'replica', 'replica']);
  assert.equal(topo.primary.labels.physicalEnvironment, 'test');
  assert.equal(topo.instance('replica3').labels.region, 'eu');
  assert.equal(new Set(topo.instances.map((i) => i.port)).size, 4);

  await topo.primary.query(`INSERT INTO ${testDatabase}.markers (note) VALUES (?)`, ['hello']);
  for (const replica of topo.replicas) {
    await waitFor(() => hasMarker(replica, 'hello'), { description: `the row on ${replica.name}` });
    const status = await replica.slaveStatus();
    assert.equal(status?.Master_Port, topo.primary.port);
    assert.equal(status?.Slave_IO_Running, 'Yes');
  }

  await topo.primary.kill();
  assert.equal(topo.primary.running, false);
  assert.equal(topo.primary.pid, undefined);
  for (const replica of topo.replicas) {
    const status = await waitFor(
      async () => {
        const s = await replica.slaveStatus();
        return s && s.Slave_IO_Running !== 'Yes' ? s : null;
      },
      { description: `${replica.name}'s IO thread to leave Yes`, timeoutMs: 15_000 },
    );
    assert.notEqual(status.Slave_IO_Running, 'Yes');
    assert.equal(status.Slave_SQL_Running, 'Yes');
  }
});

test('the admin account can do what a monitor and a recovery need; the app account is stopped by read_only', async (t) => {
  const topo = await withTopology(t, { replicas: 1, admin: { password: 's3cret' } });
  const replica = topo.replicas[0] as MariaDbInstance;
  assert.equal(topo.credentials.admin.password, 's3cret');

  const adminOnPrimary = await topo.primary.connection({ account: 'admin' });
  const adminOnReplica = await replica.connection({ account: 'admin' });
  t.after(() => {
    adminOnPrimary.destroy();
    adminOnReplica.destroy();
  });
  const [hosts] = await adminOnPrimary.query('SHOW SLAVE HOSTS');
  assert.equal((hosts as Array<{ Port: number }>)[0]?.Port, replica.port);
  await adminOnPrimary.query('SHOW MASTER STATUS');
  const [status] = await adminOnReplica.query('SHOW ALL SLAVES STATUS');
  assert.equal((status as Array<{ Slave_IO_Running: string }>)[0]?.Slave_IO_Running, 'Yes');
  await adminOnReplica.query('STOP SLAVE');
  await adminOnReplica.query('START SLAVE');
  await adminOnReplica.query('SET GLOBAL read_only = 0');
  await adminOnReplica.query('SET GLOBAL read_only = 1');

  const appOnReplica = await replica.connection({ account: 'app', database: testDatabase });
  t.after(() => appOnReplica.destroy());
  await assert.rejects(appOnReplica.query(`INSERT INTO markers (note) VALUES ('errant')`), { code: 'ER_OPTION_PREVENTS_STATEMENT' });
  assert.equal(await replica.query(`SELECT @@gtid_current_pos = @@gtid_slave_pos AS same`).then((r) => (r[0] as { same: number }).same), 1);
  assert.match(replica.url('admin'), new RegExp(`^mysql://baton:s3cret@127\\.0\\.0\\.1:${replica.port}$`));
});

test('stop() leaves no mariadbd, no data dir, no port lock behind, and is safe to call twice', async () => {
  const topo = await startTopology({ replicas: 2 });
  const pids = topo.instances.map((i) => i.pid as number);
  assert.ok(pids.every((pid) => isProcessAlive(pid)));
  assert.ok(existsSync(topo.baseDir));
  await (topo.replicas[0] as MariaDbInstance).freeze(); // a stopped process must still go away
  const writer = await topo.startWriter();
  await waitFor(() => writer.ackedCount > 5, { description: 'a few acked writes' });

  await Promise.all([topo.stop(), topo.stop()]);
  await topo.stop();
  for (const pid of pids) assert.equal(isProcessAlive(pid), false, `pid ${pid} is gone`);
  assert.equal(existsSync(topo.baseDir), false);
  for (const instance of topo.instances) assert.equal(existsSync(`/dev/shm/baton-ports/${instance.port}`), false);
});

test('restart() brings a killed primary back on the same port and its replicas resume', async (t) => {
  const topo = await withTopology(t, { replicas: 2 });
  const oldPid = topo.primary.pid;
  await topo.primary.kill();
  await topo.primary.restart();
  assert.notEqual(topo.primary.pid, oldPid);
  const gtid = await topo.writeRows(3, { note: 'after restart' });
  await topo.sync({ gtid });
  for (const replica of topo.replicas) {
    await waitFor(async () => (await replica.slaveStatus())?.Slave_IO_Running === 'Yes', { description: `${replica.name} IO Yes` });
  }
  // A replica restarted after a crash resumes on its own too.
  const replica = topo.replicas[0] as MariaDbInstance;
  await replica.restart();
  await topo.sync({ gtid: await topo.writeRows(1) });
});
