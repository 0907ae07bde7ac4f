/**
 * The statements each recovery step sends, in order, on MariaDB and on MySQL (scripted
 * connection; the MySQL variants have no integration test here). The orders matter: STOP SLAVE
 * before CHANGE MASTER / RESET SLAVE ALL (ERROR 1198 otherwise), semi-sync master before
 * read_only=0, the semi-sync replica switch before START SLAVE.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catchUpFrom, changeSourceSql, dialectFor, promote, repoint, stopReplicaAndDrain, unfence, type Dialect } from '../src/index.ts';
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

test('promote on MariaDB with semi-sync: stop, reset, semi-sync master on, then read_only=0, then verify', async () => {
  const conn = new ScriptedConnection(mariadbModel());
  const result = await promote(conn, { useSuperReadOnly: true, semiSync: { timeoutMs: 5000 } });
  const order = conn.statements.filter((s) => !s.startsWith('SHOW') && !s.includes('gtid_'));
  assert.deepEqual(order, [
    'STOP SLAVE',
    'RESET SLAVE ALL',
    'SET GLOBAL rpl_semi_sync_master_timeout = ?',
    'SET GLOBAL rpl_semi_sync_master_enabled = ON',
    'SET GLOBAL read_only = 0',
    'SELECT @@GLOBAL.read_only AS ro, @@GLOBAL.rpl_semi_sync_master_enabled AS semi',
  ]);
  assert.equal(result.verified, true);
  assert.equal(result.semiSyncMasterEnabled, true);
  assert.equal(result.superReadOnly, null);
});

test('promote on MySQL 8 with super_read_only: super_read_only=0 before read_only=0, verified both', async () => {
  const conn = new ScriptedConnection(mysqlModel());
  const result = await promote(conn, { useSuperReadOnly: true, semiSync: true });
  const order = conn.statements.filter((s) => !s.startsWith('SHOW') && !s.includes('gtid_'));
  assert.deepEqual(order, [
    'STOP REPLICA',
    'RESET REPLICA ALL',
    'SET GLOBAL rpl_semi_sync_source_enabled = ON',
    'SET GLOBAL super_read_only = 0',
    'SET GLOBAL read_only = 0',
    'SELECT @@GLOBAL.read_only AS ro, @@GLOBAL.super_read_only AS sro, @@GLOBAL.rpl_semi_sync_source_enabled AS semi',
  ]);
  assert.equal(result.verified, true);
  assert.equal(result.superReadOnly, false);
});

test('promote reports verified=false with the reasons when the server did not take it', async () => {
  const conn = new ScriptedConnection(mariadbModel({ stuckReadOnly: 1 }));
  const result = await promote(conn, { useSuperReadOnly: false });
  assert.equal(result.verified, false);
  assert.deepEqual(result.problems, ['read_only is 1']);
  assert.equal(result.readOnly, true);
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
