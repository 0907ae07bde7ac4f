/**
 * detachReplica / reattachReplica (orchestrator's reversible '//' detach of lost replicas), and
 * how the steps report failures: RecoveryStepError with step, statement label and errno, and
 * never the replication password — not even the part a server message quotes back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, withTopology, type MariaDbInstance } from '@baton/testing';
import {
  connectInstance,
  detachReplica,
  promote,
  reattachReplica,
  recoveryErrorCodes,
  repoint,
  RecoveryStepError,
  stopReplicaAndDrain,
} from '../src/index.ts';
import { adminConnection, ms } from './recovery-helpers.ts';

test("detachReplica makes Master_Host '//127.0.0.1' and stops replication; reattach undoes it", async (t) => {
  const topology = await withTopology(t, { replicas: 2 });
  const replica = topology.replicas[0] as MariaDbInstance;
  const conn = await adminConnection(t, topology, replica);

  const detached = await detachReplica(conn);
  assert.equal(detached.oldHost, '127.0.0.1');
  assert.equal(detached.newHost, '//127.0.0.1');
  assert.equal(detached.alreadyDetached, false);
  const status = await replica.slaveStatus();
  assert.equal(status?.Master_Host, '//127.0.0.1');
  assert.equal(status?.Master_Port, topology.primary.port);
  assert.equal(status?.['Using_Gtid'], 'Slave_Pos');
  assert.equal(status?.Slave_IO_Running, 'No');
  assert.equal(status?.Slave_SQL_Running, 'No');

  const again = await detachReplica(conn);
  assert.equal(again.alreadyDetached, true);
  assert.equal(again.newHost, '//127.0.0.1');

  // Writes go on without it; after reattaching it catches up from its gtid_slave_pos.
  const gtid = await topology.writeRows(3);
  const reattached = await reattachReplica(conn);
  assert.equal(reattached.oldHost, '//127.0.0.1');
  assert.equal(reattached.newHost, '127.0.0.1');
  await replica.waitForGtid(gtid, 10_000);
  await waitFor(async () => (await replica.slaveStatus())?.Slave_IO_Running === 'Yes', { description: 'IO thread running again' });
  t.diagnostic(`detach ${ms(detached.elapsedMs)}, reattach ${ms(reattached.elapsedMs)}`);
});

test('a lost replica is detached while the primary is dead: it stops retrying the dead host', async (t) => {
  const topology = await withTopology(t, { replicas: 2 });
  const lost = topology.replicas[1] as MariaDbInstance;
  await topology.primary.kill();
  const conn = await adminConnection(t, topology, lost);
  await waitFor(async () => (await lost.slaveStatus())?.Slave_IO_Running === 'Connecting', { description: 'IO thread retrying the dead primary' });
  const detached = await detachReplica(conn);
  assert.equal(detached.newHost, `//${topology.primary.host}`);
  const status = await lost.slaveStatus();
  assert.equal(status?.Slave_IO_Running, 'No');
  assert.equal(status?.Master_Host, '//127.0.0.1');
});

test('detaching an instance that has no source is an invalid argument', async (t) => {
  const topology = await withTopology(t, { replicas: 1 });
  const conn = await adminConnection(t, topology, topology.primary);
  await assert.rejects(detachReplica(conn), (e: unknown) => e instanceof RecoveryStepError && e.code === recoveryErrorCodes.invalidArgument && e.step === 'detach');
});

test('a refused CHANGE MASTER fails with a RecoveryStepError that carries no part of the password', async (t) => {
  const topology = await withTopology(t, { replicas: 1 });
  const replica = topology.replicas[0] as MariaDbInstance;
  const conn = await adminConnection(t, topology, replica);
  // Over MariaDB's 96-character limit: the server answers 1470 and quotes the first 70 characters.
  const password = `p4ss-${'s3cr3t'.repeat(20)}`;
  await assert.rejects(
    repoint(conn, { host: topology.primary.host, port: topology.primary.port }, { replicationUser: 'repl', replicationPassword: password }),
    (e: unknown) => {
      assert.ok(e instanceof RecoveryStepError);
      assert.equal(e.code, recoveryErrorCodes.statementFailed);
      assert.equal(e.step, 'repoint');
      assert.equal(e.statement, 'CHANGE MASTER TO');
      assert.equal(e.errno, 1470);
      assert.equal(e.retryable, false);
      const cause = e.cause as Error & { cause?: Error };
      const everything = [e.message, e.stack, JSON.stringify(e), cause.message, cause.stack, JSON.stringify(cause), cause.cause?.message, cause.cause?.stack].join('\n');
      assert.doesNotMatch(everything, /s3cr3t|p4ss/);
      assert.match(e.message, /too long \(value withheld\)/);
      return true;
    },
  );
});

test('promote as an account without the privileges fails with errno 1227 and the statement that was refused', async (t) => {
  const topology = await withTopology(t, { replicas: 1 });
  const replica = topology.replicas[0] as MariaDbInstance;
  const conn = await connectInstance({ host: replica.host, port: replica.port, ...topology.credentials.app, connectTimeoutMs: 1000, queryTimeoutMs: 2000 });
  t.after(() => conn.destroy());
  await assert.rejects(promote(conn, { useSuperReadOnly: true }), (e: unknown) => {
    assert.ok(e instanceof RecoveryStepError);
    assert.equal(e.code, recoveryErrorCodes.statementFailed);
    assert.equal(e.step, 'promote');
    assert.equal(e.errno, 1227);
    assert.equal(e.statement, 'STOP ALL SLAVES');
    return true;
  });
  // Nothing changed: the admin account can still drain it normally.
  const drained = await stopReplicaAndDrain(await adminConnection(t, topology, replica), { timeoutMs: 2000 });
  assert.equal(drained.drained, true);
});
