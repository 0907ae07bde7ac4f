/**
 * The statements each recovery step sends, in order, on MariaDB and on MySQL (scripted
 * connection; the MySQL variants have no integration test here). The orders matter: STOP SLAVE
 * before CHANGE MASTER / RESET SLAVE ALL (ERROR 1198 otherwise), every check and the epoch write
 * before read_only=0, semi-sync master before read_only=0 but after the epoch write, the semi-sync
 * replica switch before START SLAVE.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catchUpFrom, changeSourceSql, dialectFor, promote, repoint, resetAllConnectionsSql, stopReplicaAndDrain, unfence, type Dialect } from '../src/index.ts';
import { mariadbModel, mysqlModel, ScriptedConnection } from './recovery-fakes.ts';

const creds = { replicationUser: 'repl', replicationPassword: 'pw' };

test('dialectFor: MariaDB, MySQL before and after the 8.0.23 renames, unknown servers', () => {
  const maria = dialectFor('10.11.19-MariaDB-0+deb12u1') as Dialect;
  assert.equal(maria.flavour, 'mariadb');
  assert.equal(maria.replicaStatus, 'SHOW ALL SLAVES STATUS');
  assert.equal(maria.changeSource, 'CHANGE MASTER TO');
  assert.equal(maria.hasSuperReadOnly, false);
  assert.equal(dialectFor('5.5.5-10.6.1', 'mariadb.org binary distribution')?.flavour, 'mariadb');
  const old = dialectFor('5.7.44-log') as Dialect;
  assert.deepEqual([old.stopReplica, old.resetReplicaAll, old.changeSource, old.option, old.replicaStatus], ['STOP SLAVE', 'RESET SLAVE ALL', 'CHANGE MASTER TO', 'MASTER', 'SHOW SLAVE STATUS']);
  assert.equal(dialectFor('8.0.22')?.changeSource, 'CHANGE MASTER TO');
  const modern = dialectFor('8.4.3') as Dialect;
  assert.deepEqual([modern.stopIoThread, modern.startSqlThread, modern.changeSource, modern.option, modern.replicaStatus], [
    'STOP REPLICA IO_THREAD',
    'START REPLICA SQL_THREAD',
    'CHANGE REPLICATION SOURCE TO',
    'SOURCE',
    'SHOW REPLICA STATUS',
  ]);
  assert.equal(dialectFor(''), null);
});

test('changeSourceSql: GTID positioning per flavour, every value bound (the password never in the text)', () => {
  const source = { host: 'db2', port: 3307, user: 'repl', password: "p'w", connectRetrySeconds: 1 };
  const maria = changeSourceSql(dialectFor('10.11.19-MariaDB') as Dialect, source);
  assert.equal(maria.sql, 'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = ?');
  assert.deepEqual(maria.values, ['db2', 3307, 'repl', "p'w", 1]);
  const mysql = changeSourceSql(dialectFor('8.0.36') as Dialect, source);
  assert.equal(mysql.sql, 'CHANGE REPLICATION SOURCE TO SOURCE_HOST = ?, SOURCE_PORT = ?, SOURCE_USER = ?, SOURCE_PASSWORD = ?, SOURCE_AUTO_POSITION = 1, SOURCE_CONNECT_RETRY = ?');
  assert.equal(changeSourceSql(dialectFor('5.7.44') as Dialect, source).sql.includes('MASTER_AUTO_POSITION = 1'), true);
});

test('drain on MariaDB: stop IO, read Gtid_IO_Pos, run SQL thread, wait for it, stop', async () => {
  const conn = new ScriptedConnection(mariadbModel());
  const result = await stopReplicaAndDrain(conn, { timeoutMs: 1000 });
  assert.deepEqual(conn.statements.filter((s) => !s.startsWith('SHOW ALL SLAVES')), [
    'STOP SLAVE IO_THREAD',
    'START SLAVE SQL_THREAD',
    'SELECT MASTER_GTID_WAIT(?, ?) AS r',
    'STOP SLAVE',
    'SELECT @@GLOBAL.gtid_slave_pos AS slavePos, @@GLOBAL.gtid_current_pos AS currentPos, @@GLOBAL.gtid_binlog_pos AS binlogPos',
  ]);
  assert.equal(conn.calls.find((c) => c.sql.includes('MASTER_GTID_WAIT'))?.values[0], '0-1-7');
  assert.equal(result.drained, true);
  assert.equal(result.position, '0-1-7');
});

test('drain on MySQL 8: STOP REPLICA IO_THREAD and WAIT_FOR_EXECUTED_GTID_SET(Retrieved_Gtid_Set)', async () => {
  const conn = new ScriptedConnection(mysqlModel());
  const result = await stopReplicaAndDrain(conn, { timeoutMs: 1000 });
  assert.deepEqual(conn.statements.filter((s) => !s.startsWith('SHOW REPLICA STATUS')), [
    'STOP REPLICA IO_THREAD',
    'START REPLICA SQL_THREAD',
    'SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?) AS r',
    'STOP REPLICA',
    'SELECT @@GLOBAL.gtid_executed AS executed',
  ]);
  assert.equal(conn.calls.find((c) => c.sql.includes('WAIT_FOR'))?.values[0], 'uuid-a:1-7');
  assert.equal(result.flavour, 'mysql');
  assert.equal(result.position, 'uuid-a:1-7');
});

test('drain gives up early when the SQL thread stops (apply error) instead of waiting out the bound', async () => {
  const model = mariadbModel({ waitResults: [-1] });
  const conn = new ScriptedConnection(model);
  const statusAfterStart = { ...model.replicaRows[0], Slave_IO_Running: 'No', Slave_SQL_Running: 'No', Last_SQL_Errno: 1062 };
  const original = conn.query.bind(conn);
  conn.query = (async (sql: string, values?: readonly unknown[]) => {
    if (sql === 'SHOW ALL SLAVES STATUS' && conn.statements.includes('START SLAVE SQL_THREAD')) return [statusAfterStart];
    return original(sql, values);
  }) as typeof conn.query;
  const result = await stopReplicaAndDrain(conn, { timeoutMs: 60_000 });
  assert.equal(result.drained, false);
  assert.equal(result.waitOutcome, 'sql-thread-stopped');
  assert.equal(conn.statements.filter((s) => s.includes('MASTER_GTID_WAIT')).length, 1);
});

const epoch = { clusterId: 'c1', epoch: 5, recoveryUid: 'rec-1' };
const ownPositionSelect = (columns: string) => `SELECT @@GLOBAL.read_only AS ro${columns}`;

test('promote on MariaDB: every connection reset by name, verified, epoch written while read-only, semi-sync, then read_only=0, verified', async () => {
  const model = mariadbModel();
  model.replicaRows.push({ ...model.replicaRows[0], Connection_name: 'extra', Master_Host: '127.0.0.1', Master_Port: 1 });
  const conn = new ScriptedConnection(model);
  const result = await promote(conn, { useSuperReadOnly: true, semiSync: { timeoutMs: 5000 }, epoch });
  assert.deepEqual(conn.statements.map((s) => s.split('\n')[0]), [
    "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('rpl_semi_sync_master_enabled', 'rpl_semi_sync_source_enabled', 'rpl_semi_sync_slave_enabled', 'rpl_semi_sync_replica_enabled')",
    'STOP ALL SLAVES',
    'SHOW ALL SLAVES STATUS',
    'RESET SLAVE ALL',
    'RESET SLAVE ? ALL',
    'SHOW ALL SLAVES STATUS',
    ownPositionSelect(', @@GLOBAL.gtid_binlog_pos AS pos'),
    // first promotion of this cluster: no baton_meta yet (1049), created, written again
    'INSERT INTO baton_meta.promotion_epoch (id, cluster_id, epoch, primary_host, primary_port, recovery_uid, promoted_at)',
    'CREATE DATABASE IF NOT EXISTS baton_meta',
    'CREATE TABLE IF NOT EXISTS baton_meta.promotion_epoch (',
    'INSERT INTO baton_meta.promotion_epoch (id, cluster_id, epoch, primary_host, primary_port, recovery_uid, promoted_at)',
    'SET GLOBAL rpl_semi_sync_master_timeout = ?',
    'SET GLOBAL rpl_semi_sync_master_enabled = ON',
    'SET GLOBAL read_only = 0',
    ownPositionSelect(', @@GLOBAL.rpl_semi_sync_master_enabled AS semi, (SELECT epoch FROM baton_meta.promotion_epoch WHERE id = 1) AS epoch, @@GLOBAL.gtid_binlog_pos AS pos'),
    'SHOW ALL SLAVES STATUS',
  ]);
  assert.deepEqual(conn.calls.find((c) => c.sql === 'RESET SLAVE ? ALL')?.values, ['extra']);
  assert.deepEqual(conn.calls.filter((c) => c.sql.startsWith('INSERT')).at(-1)?.values, ['c1', 5, '10.0.0.2', 3306, 'rec-1']);
  assert.equal(result.verified, true, result.problems.join('; '));
  assert.deepEqual(result.clearedConnections, ['', 'extra']);
  assert.equal(result.semiSyncMasterEnabled, true);
  assert.equal(result.superReadOnly, null);
  assert.equal(result.promotionEpoch, 5);
  assert.equal(result.restoredReadOnly, null);
  assert.equal(result.position, '0-1-7');
});

test('promote on MySQL 8: one RESET REPLICA ALL for every channel; super_read_only cleared for the epoch write, read_only=1 still on', async () => {
  const model = mysqlModel({ promotionEpoch: 4 });
  const conn = new ScriptedConnection(model);
  const result = await promote(conn, { useSuperReadOnly: true, semiSync: true, epoch });
  assert.deepEqual(conn.statements.filter((s) => !s.startsWith('SHOW')).map((s) => s.split('\n')[0]), [
    'STOP REPLICA',
    'RESET REPLICA ALL',
    ownPositionSelect(', @@GLOBAL.super_read_only AS sro, @@GLOBAL.gtid_executed AS pos'),
    'SET GLOBAL super_read_only = 0',
    'INSERT INTO baton_meta.promotion_epoch (id, cluster_id, epoch, primary_host, primary_port, recovery_uid, promoted_at)',
    'SET GLOBAL rpl_semi_sync_source_enabled = ON',
    'SET GLOBAL read_only = 0',
    ownPositionSelect(', @@GLOBAL.super_read_only AS sro, @@GLOBAL.rpl_semi_sync_source_enabled AS semi, (SELECT epoch FROM baton_meta.promotion_epoch WHERE id = 1) AS epoch, @@GLOBAL.gtid_executed AS pos'),
  ]);
  assert.equal(result.verified, true, result.problems.join('; '));
  assert.equal(result.superReadOnly, false);
  assert.equal(result.promotionEpoch, 5);
});

test('promote on MySQL 8 without an epoch: super_read_only=0 right before read_only=0', async () => {
  const conn = new ScriptedConnection(mysqlModel());
  const result = await promote(conn, { useSuperReadOnly: true, semiSync: true });
  assert.deepEqual(conn.statements.filter((s) => !s.startsWith('SHOW') && !s.startsWith('SELECT')), [
    'STOP REPLICA',
    'RESET REPLICA ALL',
    'SET GLOBAL rpl_semi_sync_source_enabled = ON',
    'SET GLOBAL super_read_only = 0',
    'SET GLOBAL read_only = 0',
  ]);
  assert.equal(result.verified, true);
  assert.equal(result.promotionEpoch, null);
});

test('promote: a semi-sync master already ON is switched off for the epoch write (no replica could ack it), then on again', async () => {
  const conn = new ScriptedConnection(mariadbModel({ semiSync: { rpl_semi_sync_master_enabled: 'ON', rpl_semi_sync_slave_enabled: 'ON' }, promotionEpoch: 2 }));
  const result = await promote(conn, { useSuperReadOnly: false, epoch });
  assert.deepEqual(conn.statements.filter((s) => s.startsWith('SET') || s.startsWith('INSERT')).map((s) => s.split(' (')[0]), [
    'SET GLOBAL rpl_semi_sync_master_enabled = OFF',
    'INSERT INTO baton_meta.promotion_epoch',
    'SET GLOBAL rpl_semi_sync_master_enabled = ON',
    'SET GLOBAL read_only = 0',
  ]);
  assert.equal(result.verified, true, result.problems.join('; '));
  assert.equal(result.semiSyncMasterEnabled, null, 'not asked for');
});

test('promote: the epoch never goes down (a higher one already in the row stays and verifies)', async () => {
  const conn = new ScriptedConnection(mariadbModel({ promotionEpoch: 9 }));
  const result = await promote(conn, { useSuperReadOnly: false, epoch });
  assert.equal(result.verified, true, result.problems.join('; '));
  assert.equal(result.promotionEpoch, 9);
  assert.match(conn.statements.find((s) => s.startsWith('INSERT')) ?? '', /epoch = GREATEST\(epoch, VALUES\(epoch\)\)$/);
});

test('promote: a connection left after the reset fails verification before anything is writable', async () => {
  const model = mariadbModel();
  const conn = new ScriptedConnection(model);
  const result = await promote(conn, {
    useSuperReadOnly: false,
    epoch,
    afterClear: async () => {
      model.replicaRows.push({ Connection_name: 'late', Master_Host: '127.0.0.1', Master_Port: 1, Slave_IO_Running: 'Connecting', Slave_SQL_Running: 'No' });
    },
    beforeWritable: async () => assert.fail('never reached'),
  });
  assert.equal(result.verified, false);
  assert.deepEqual(result.problems, ["replication still configured after the reset: 'late' (127.0.0.1:1)"]);
  assert.equal(result.readOnly, true);
  assert.equal(result.restoredReadOnly, null, 'never writable');
  assert.equal(result.replicationCleared, false);
  assert.equal(conn.statements.some((s) => s.startsWith('INSERT') || s.startsWith('SET GLOBAL read_only')), false);
});

test('promote: a candidate whose own position lacks expectedPosition stays read-only; one that holds it is promoted', async () => {
  const behind = new ScriptedConnection(mariadbModel({ ownPosition: '0-1-7' }));
  const refused = await promote(behind, { useSuperReadOnly: false, expectedPosition: '0-1-9' });
  assert.equal(refused.verified, false);
  assert.deepEqual(refused.problems, ['its own position 0-1-7 does not hold 0-1-9, the position it was chosen for']);
  assert.equal(refused.readOnly, true);
  assert.equal(behind.statements.includes('SET GLOBAL read_only = 0'), false);
  const ahead = new ScriptedConnection(mariadbModel({ ownPosition: '0-1-9,1-2-3' }));
  assert.equal((await promote(ahead, { useSuperReadOnly: false, expectedPosition: '0-1-9' })).verified, true);
  const mysql = new ScriptedConnection(mysqlModel({ ownPosition: 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:1-10' }));
  assert.equal((await promote(mysql, { useSuperReadOnly: true, expectedPosition: 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:1-11' })).verified, false);
});

test('promote: a candidate that already reads writable and fails verification is set read-only (it is a root now)', async () => {
  const conn = new ScriptedConnection(mariadbModel({ readOnly: 0, ownPosition: '0-1-7' }));
  const result = await promote(conn, { useSuperReadOnly: false, expectedPosition: '0-1-9' });
  assert.equal(result.verified, false);
  assert.equal(result.restoredReadOnly, true);
  assert.equal(result.readOnly, true);
  assert.equal(conn.statements.at(-2), 'SET GLOBAL read_only = 1');
});

test('promote: a verification problem after read_only=0 sets read_only=1 again, read back', async () => {
  const conn = new ScriptedConnection(mariadbModel({ semiSync: { rpl_semi_sync_master_enabled: 'OFF', rpl_semi_sync_slave_enabled: 'ON' } }));
  const original = conn.exec.bind(conn);
  // the server ignores the semi-sync switch
  conn.exec = (async (sql: string, values?: readonly unknown[]) => (sql.includes('rpl_semi_sync_master_enabled = ON') ? { affectedRows: 0 } : original(sql, values))) as typeof conn.exec;
  const result = await promote(conn, { useSuperReadOnly: true, semiSync: true });
  assert.equal(result.verified, false);
  assert.deepEqual(result.problems, ['rpl_semi_sync_master_enabled is 0']);
  assert.equal(result.restoredReadOnly, true);
  assert.equal(result.readOnly, true);
  assert.deepEqual(conn.statements.slice(-2), ['SET GLOBAL read_only = 1', 'SELECT @@GLOBAL.read_only AS ro']);
});

test('promote reports verified=false with the reasons when the server did not take read_only=0', async () => {
  const conn = new ScriptedConnection(mariadbModel({ stuckReadOnly: 1 }));
  const result = await promote(conn, { useSuperReadOnly: false });
  assert.equal(result.verified, false);
  assert.deepEqual(result.problems, ['read_only is 1']);
  assert.equal(result.readOnly, true);
  assert.equal(result.restoredReadOnly, true);
});

test('promote: a statement failure after read_only=0 restores read_only=1 (MySQL: super_read_only=1) and says so on the error', async () => {
  const conn = new ScriptedConnection(mysqlModel());
  await assert.rejects(
    promote(conn, { useSuperReadOnly: true, afterWritable: async () => Promise.reject(Object.assign(new Error('boom'), { errno: 1105 })) }),
    (e: unknown) => {
      assert.equal((e as { restoredReadOnly?: boolean }).restoredReadOnly, true);
      return true;
    },
  );
  assert.deepEqual(conn.statements.slice(-2), ['SET GLOBAL super_read_only = 1', 'SELECT @@GLOBAL.read_only AS ro, @@GLOBAL.super_read_only AS sro']);
  assert.deepEqual([conn.model.readOnly, conn.model.superReadOnly], [1, 1]);
});

test('promote: when read_only cannot be set back the result says restoredReadOnly=false, with the reason', async () => {
  const conn = new ScriptedConnection(mariadbModel({ stuckReadOnly: 1, failOn: { prefix: 'SET GLOBAL read_only = 1', error: Object.assign(new Error('Lock wait timeout exceeded'), { errno: 1205 }) } }));
  const result = await promote(conn, { useSuperReadOnly: false });
  assert.equal(result.verified, false);
  assert.equal(result.restoredReadOnly, false);
  assert.deepEqual(result.problems, ['read_only is 1', 'read_only could not be set back to 1: Lock wait timeout exceeded']);
});

test('promote: beforeWritable refusing leaves the candidate read-only, super_read_only set again (MySQL), never writable', async () => {
  const conn = new ScriptedConnection(mysqlModel({ promotionEpoch: 1 }));
  await assert.rejects(promote(conn, { useSuperReadOnly: true, epoch, beforeWritable: async () => Promise.reject(new Error('term lost')) }), (e: unknown) => {
    assert.equal((e as Error).message, 'term lost');
    assert.equal((e as { restoredReadOnly?: boolean }).restoredReadOnly, undefined, 'never writable');
    return true;
  });
  assert.equal(conn.statements.includes('SET GLOBAL read_only = 0'), false);
  assert.equal(conn.statements.at(-1), 'SET GLOBAL super_read_only = 1');
  assert.deepEqual([conn.model.readOnly, conn.model.superReadOnly], [1, 1]);
});

test('promote refuses a bad epoch before sending anything', async () => {
  const conn = new ScriptedConnection(mariadbModel());
  await assert.rejects(promote(conn, { useSuperReadOnly: false, epoch: { ...epoch, epoch: -1 } }), { code: 'BATON_RECOVERY_INVALID_ARGUMENT' });
  await assert.rejects(promote(conn, { useSuperReadOnly: false, epoch: { ...epoch, clusterId: '' } }), { code: 'BATON_RECOVERY_INVALID_ARGUMENT' });
  assert.deepEqual(conn.statements, []);
});

test('resetAllConnectionsSql: MariaDB one RESET per connection (names bound), MySQL one for every channel, none without connections', () => {
  const maria = dialectFor('10.11.19-MariaDB') as Dialect;
  assert.deepEqual(resetAllConnectionsSql(maria, ['', "it's"]), [
    { label: 'RESET SLAVE ALL', sql: 'RESET SLAVE ALL', values: [] },
    { label: "RESET SLAVE 'name' ALL", sql: 'RESET SLAVE ? ALL', values: ["it's"] },
  ]);
  assert.deepEqual(resetAllConnectionsSql(dialectFor('8.0.36') as Dialect, ['', 'ch2']), [{ label: 'RESET REPLICA ALL', sql: 'RESET REPLICA ALL', values: [] }]);
  assert.deepEqual(resetAllConnectionsSql(maria, []), []);
  assert.equal(maria.stopAllReplicas, 'STOP ALL SLAVES');
  assert.equal((dialectFor('5.7.44') as Dialect).stopAllReplicas, 'STOP SLAVE');
});

test('repoint on MySQL 8: STOP REPLICA, semi-sync replica switch, CHANGE REPLICATION SOURCE, START REPLICA', async () => {
  const model = mysqlModel();
  const conn = new ScriptedConnection(model);
  const original = conn.query.bind(conn);
  conn.query = (async (sql: string, values?: readonly unknown[]) => {
    if (sql === 'SHOW REPLICA STATUS' && conn.statements.includes('START REPLICA')) {
      return [{ Source_Host: 'db9', Source_Port: 3310, Replica_IO_Running: 'Yes', Replica_SQL_Running: 'Yes' }];
    }
    return original(sql, values);
  }) as typeof conn.query;
  const result = await repoint(conn, { host: 'db9', port: 3310 }, { ...creds, semiSyncReplica: true });
  assert.deepEqual(conn.statements.filter((s) => !s.startsWith('SHOW')), [
    'STOP REPLICA',
    'SET GLOBAL rpl_semi_sync_replica_enabled = ON',
    'CHANGE REPLICATION SOURCE TO SOURCE_HOST = ?, SOURCE_PORT = ?, SOURCE_USER = ?, SOURCE_PASSWORD = ?, SOURCE_AUTO_POSITION = 1, SOURCE_CONNECT_RETRY = ?',
    'START REPLICA',
  ]);
  assert.deepEqual(conn.calls.find((c) => c.sql.startsWith('CHANGE'))?.values, ['db9', 3310, 'repl', 'pw', 1]);
  assert.equal(result.running, true);
  assert.deepEqual(result.previousSource, { host: '10.0.0.1', port: 3306 });
});

test('repoint and catch-up refuse a bad port or retry before sending anything', async () => {
  const conn = new ScriptedConnection(mariadbModel());
  await assert.rejects(repoint(conn, { host: 'db', port: 0 }, creds), { code: 'BATON_RECOVERY_INVALID_ARGUMENT' });
  await assert.rejects(repoint(conn, { host: 'db', port: 3306 }, { ...creds, connectRetrySeconds: 0.5 }), { code: 'BATON_RECOVERY_INVALID_ARGUMENT' });
  await assert.rejects(catchUpFrom(conn, { host: '', port: 3306 }, { ...creds, targetPosition: '0-1-9', timeoutMs: 10 }), {
    code: 'BATON_RECOVERY_INVALID_ARGUMENT',
  });
  assert.deepEqual(conn.statements.filter((s) => !s.startsWith('SHOW')), []);
});

test('catch-up stops replication again even when the wait fails', async () => {
  const conn = new ScriptedConnection(mariadbModel({ failOn: { prefix: 'SELECT MASTER_GTID_WAIT', error: Object.assign(new Error('boom'), { errno: 1105 }) } }));
  await assert.rejects(catchUpFrom(conn, { host: 'db', port: 3306 }, { ...creds, targetPosition: '0-1-9', timeoutMs: 100 }), {
    code: 'BATON_RECOVERY_STATEMENT_FAILED',
    step: 'catch-up',
    statement: 'MASTER_GTID_WAIT',
  });
  assert.equal(conn.statements.at(-1), 'STOP SLAVE');
});

test('unfence: read_only=0, verified by reading it back; a server that keeps read_only is not verified', async () => {
  const conn = new ScriptedConnection(mariadbModel({ readOnly: 1 }));
  const result = await unfence(conn);
  assert.deepEqual(conn.statements, ['SET GLOBAL read_only = 0', 'SELECT @@GLOBAL.read_only AS ro']);
  assert.equal(result.verified, true);
  assert.equal(result.readOnly, false);
  const mysql = new ScriptedConnection(mysqlModel({ readOnly: 1, superReadOnly: 1 }));
  assert.equal((await unfence(mysql)).verified, true);
  const stuck = await unfence(new ScriptedConnection(mariadbModel({ readOnly: 1, stuckReadOnly: 1 })));
  assert.deepEqual([stuck.verified, stuck.readOnly], [false, true]);
});
