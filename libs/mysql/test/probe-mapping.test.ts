import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clientHostOf,
  compileLocation,
  isCoMasterOf,
  mapBinlogCoordinates,
  mapConnectedReplicas,
  mapIdentity,
  mapProbeRows,
  mapPromotionEpoch,
  isNoEpochError,
  mapReplication,
  mapSemiSync,
  matchPattern,
  needsSemiSyncStatus,
  resolveLocation,
  statementsFor,
  variablesSql,
} from '../src/index.ts';
import { nameValueMap } from '../src/probe/row-values.ts';
import * as f from './probe-fixtures.ts';

test('identity of a MariaDB primary and replica (captured SHOW GLOBAL VARIABLES)', () => {
  const primary = mapIdentity(nameValueMap(f.mariadbPrimaryVariables));
  assert.deepEqual(primary, {
    flavour: 'mariadb',
    version: '10.11.19-MariaDB-0+deb12u1-log',
    serverId: 1,
    serverUuid: null,
    readOnly: false,
    superReadOnly: null,
    logBin: true,
    logSlaveUpdates: true,
    binlogFormat: 'ROW',
    hostname: 'vm',
    reportHost: '127.0.0.1',
    isBinlogServer: false,
  });
  assert.equal(mapIdentity(nameValueMap(f.mariadbReplicaVariables)).readOnly, true);
});

test('identity of MySQL 8: uuid, super_read_only, flavour; MaxScale is a binlog server', () => {
  const id = mapIdentity(nameValueMap(f.mysql8Variables));
  assert.equal(id.flavour, 'mysql');
  assert.equal(id.serverId, 102);
  assert.equal(id.serverUuid, '4f22ab58-71ca-11e1-9e33-c80aa9429562');
  assert.equal(id.superReadOnly, true);
  assert.equal(id.logSlaveUpdates, true);
  assert.equal(mapIdentity(nameValueMap([{ Variable_name: 'version', Value: '2.5.7-maxscale' }])).isBinlogServer, true);
  assert.equal(mapIdentity(new Map()).flavour, 'unknown');
});

test('SHOW ALL SLAVES STATUS of a healthy MariaDB replica', () => {
  assert.deepEqual(mapReplication([f.mariadbAllSlavesRow]), {
    sourceHost: '127.0.0.1',
    sourcePort: 27529,
    ioThread: 'Yes',
    sqlThread: 'Yes',
    lastIoErrno: 0,
    lastIoError: '',
    lastSqlErrno: 0,
    lastSqlError: '',
    secondsBehindSource: 0,
    sqlDelaySeconds: 0,
    readCoordinates: { file: 'mysql-bin.000001', pos: 2539 },
    execCoordinates: { file: 'mysql-bin.000001', pos: 2539 },
    usingGtid: 'Slave_Pos',
    autoPosition: false,
    gtidIoPos: '0-1-10',
    heartbeatPeriodSeconds: 1,
    receivedHeartbeats: 0,
  });
});

test('a MariaDB replica whose source died: Connecting, errno 2013, lag unknown', () => {
  const r = mapReplication([f.mariadbAllSlavesRowSourceDead]);
  assert.equal(r?.ioThread, 'Connecting');
  assert.equal(r?.sqlThread, 'Yes');
  assert.equal(r?.lastIoErrno, 2013);
  assert.match(r?.lastIoError ?? '', /error reconnecting to master/);
  assert.equal(r?.secondsBehindSource, null);
});

test('MySQL 8.0.22+ SHOW REPLICA STATUS: new column names, auto-position, delay, retrieved set', () => {
  const r = mapReplication([f.mysql8ReplicaStatusRow]);
  assert.equal(r?.sourceHost, 'db-1.dc1.example.com');
  assert.equal(r?.sourcePort, 3306);
  assert.equal(r?.ioThread, 'Yes');
  assert.equal(r?.secondsBehindSource, 3);
  assert.equal(r?.sqlDelaySeconds, 3600);
  assert.deepEqual(r?.readCoordinates, { file: 'binlog.000012', pos: 15_304 });
  assert.deepEqual(r?.execCoordinates, { file: 'binlog.000012', pos: 14_998 });
  assert.equal(r?.usingGtid, '');
  assert.equal(r?.autoPosition, true);
  assert.equal(r?.gtidIoPos, '3e11fa47-71ca-11e1-9e33-c80aa9429562:21-77');
  assert.equal(r?.heartbeatPeriodSeconds, null);
  assert.equal(r?.receivedHeartbeats, null, 'MySQL keeps the count in performance_schema');
});

test('MySQL: the received-heartbeat count comes from performance_schema.replication_connection_status, by channel', () => {
  const status = [
    { CHANNEL_NAME: 'other', COUNT_RECEIVED_HEARTBEATS: 5 },
    { CHANNEL_NAME: '', COUNT_RECEIVED_HEARTBEATS: '1234' },
  ];
  assert.equal(mapReplication([f.mysql8ReplicaStatusRow], status)?.receivedHeartbeats, 1234);
  assert.equal(mapReplication([{ ...f.mysql8ReplicaStatusRow, Channel_Name: 'other' }], status)?.receivedHeartbeats, 5);
  assert.equal(mapReplication([f.mysql8ReplicaStatusRow], [])?.receivedHeartbeats, null, 'no row for the channel: unknown');
});

test('MySQL 5.7 SHOW SLAVE STATUS with the IO thread stopped by an error', () => {
  const r = mapReplication([f.mysql57SlaveStatusRow]);
  assert.equal(r?.ioThread, 'No');
  assert.equal(r?.lastIoErrno, 1236);
  assert.equal(r?.autoPosition, false);
});

test('no replication row ⇒ null; several connections ⇒ the default one; odd values normalised', () => {
  assert.equal(mapReplication([]), null);
  const named = { ...f.mariadbAllSlavesRow, Connection_name: 'other', Master_Port: 1111 };
  assert.equal(mapReplication([named, f.mariadbAllSlavesRow])?.sourcePort, 27529);
  assert.equal(mapReplication([named])?.sourcePort, 1111);
  const odd = mapReplication([{ ...f.mariadbAllSlavesRow, Slave_IO_Running: 'Preparing', Slave_SQL_Running: 'Connecting', Master_Log_File: '' }]);
  assert.equal(odd?.ioThread, 'Preparing');
  assert.equal(odd?.sqlThread, 'No');
  assert.equal(odd?.readCoordinates, null);
  assert.equal(mapReplication([{ ...f.mariadbAllSlavesRow, Slave_IO_Running: 'Bogus' }])?.ioThread, 'No');
});

test('binlog coordinates from SHOW MASTER STATUS', () => {
  assert.deepEqual(mapBinlogCoordinates(f.mariadbMasterStatus), { file: 'mysql-bin.000001', pos: 2539 });
  assert.equal(mapBinlogCoordinates([]), null);
});

test('semi-sync: MariaDB primary with status, MariaDB wait count implied, MySQL 8.0.26 names, no plugin', () => {
  const vars = nameValueMap(f.mariadbPrimaryVariables);
  assert.equal(needsSemiSyncStatus(vars), true);
  assert.deepEqual(mapSemiSync(vars, nameValueMap(f.mariadbSemiSyncStatus)), {
    masterEnabled: true,
    masterStatus: true,
    masterClients: 2,
    masterWaitForReplicaCount: 1,
    masterTimeoutMs: 10_000,
    replicaEnabled: false,
    replicaStatus: false,
  });
  const replicaVars = nameValueMap(f.mariadbReplicaVariables);
  assert.equal(needsSemiSyncStatus(replicaVars), false);
  assert.deepEqual(mapSemiSync(replicaVars, null), {
    masterEnabled: false,
    masterStatus: false,
    masterClients: 0,
    masterWaitForReplicaCount: 0,
    masterTimeoutMs: 10_000,
    replicaEnabled: false,
    replicaStatus: false,
  });
  const mysql = mapSemiSync(nameValueMap(f.mysql8Variables), nameValueMap(f.mysql8SemiSyncStatus));
  assert.equal(mysql?.masterWaitForReplicaCount, 2);
  assert.equal(mysql?.masterTimeoutMs, 1000);
  assert.equal(mysql?.replicaEnabled, true);
  assert.equal(mysql?.replicaStatus, true);
  assert.equal(mapSemiSync(nameValueMap([{ Variable_name: 'version', Value: '5.7.44-log' }]), null), null);
});

test('connected replicas: SHOW SLAVE HOSTS preferred; extra dump threads add their client host on our port', () => {
  assert.deepEqual(mapConnectedReplicas(f.mariadbSlaveHosts, f.mariadbDumpThreads, 27529), [
    { host: '127.0.0.1', port: 27530 },
    { host: '127.0.0.1', port: 27531 },
  ]);
  // A replica reporting a DNS name but connecting from an IP is not counted twice.
  assert.deepEqual(mapConnectedReplicas(f.mysql8Replicas, [{ HOST: '10.0.0.3:51234' }], 3306), [{ host: 'db-3.dc1.example.com', port: 3306 }]);
  // One registered replica, two dump threads: the unregistered one comes from the processlist...
  const registeredByIp = [{ Server_id: 3, Host: '10.0.0.3', Port: 3306, Master_id: 1 }];
  assert.deepEqual(mapConnectedReplicas(registeredByIp, [{ HOST: '10.0.0.3:51234' }, { HOST: '10.0.0.4:40000' }], 3306), [
    { host: '10.0.0.3', port: 3306 },
    { host: '10.0.0.4', port: 3306 },
  ]);
  // ...unless it cannot tell which thread is the registered replica's (name vs IP): nothing added.
  assert.deepEqual(mapConnectedReplicas(f.mysql8Replicas, [{ HOST: '10.0.0.3:51234' }, { HOST: '10.0.0.4:40000' }], 3306), [
    { host: 'db-3.dc1.example.com', port: 3306 },
  ]);
  // Nothing registered (no report_host): processlist only; empty Host rows are ignored.
  assert.deepEqual(mapConnectedReplicas([{ Server_id: 5, Host: '', Port: 0, Master_id: 1 }], [{ HOST: '10.0.0.9:1234' }, { HOST: '10.0.0.9:1299' }], 3307), [
    { host: '10.0.0.9', port: 3307 },
  ]);
  assert.equal(clientHostOf('[::1]:5555'), '::1');
  assert.equal(clientHostOf('fe80::1:5555'), 'fe80::1');
  assert.equal(clientHostOf('localhost'), 'localhost');
});

test('statements per flavour and version', () => {
  assert.deepEqual(statementsFor('mariadb', '10.11.19-MariaDB'), {
    binlogStatus: 'SHOW MASTER STATUS',
    replicaStatus: 'SHOW ALL SLAVES STATUS',
    replicaHosts: 'SHOW SLAVE HOSTS',
  });
  assert.equal(statementsFor('mysql', '5.7.44-log').replicaStatus, 'SHOW SLAVE STATUS');
  assert.equal(statementsFor('mysql', '8.0.21').replicaHosts, 'SHOW SLAVE HOSTS');
  assert.equal(statementsFor('mysql', '8.0.22').replicaStatus, 'SHOW REPLICA STATUS');
  assert.equal(statementsFor('mysql', '8.0.36').binlogStatus, 'SHOW MASTER STATUS');
  assert.equal(statementsFor('mysql', '8.4.3').binlogStatus, 'SHOW BINARY LOG STATUS');
  assert.match(variablesSql, /^SHOW GLOBAL VARIABLES WHERE Variable_name IN \('version', /);
});

test('location: query answer wins over the pattern; pattern capture group; invalid pattern rejected', () => {
  const compiled = compileLocation({ dataCenterPattern: '^[^.]+\\.([^.]+)\\.', regionPattern: '-(eu|us)-', detectRegionQuery: 'SELECT @@region' });
  assert.equal(matchPattern(compiled.patterns.dataCenter, 'db-1.dc1.example.com'), 'dc1');
  assert.deepEqual(resolveLocation(compiled, 'db-1.dc1.example.com', {}), { dataCenter: 'dc1', region: '', physicalEnvironment: '' });
  assert.deepEqual(resolveLocation(compiled, 'db-eu-1.dc2.x', { region: 'eu-west' }), { dataCenter: 'dc2', region: 'eu-west', physicalEnvironment: '' });
  assert.deepEqual(resolveLocation(compiled, 'db-eu-1.dc2.x', {}).region, 'eu');
  assert.throws(() => compileLocation({ regionPattern: '(' }), RangeError);
});

test('mapProbeRows: a MySQL 8 replica end to end', () => {
  const facts = mapProbeRows(
    {
      variables: f.mysql8Variables,
      binlogStatus: [{ File: 'binlog.000007', Position: 1200, Executed_Gtid_Set: '' }],
      replicaStatus: [f.mysql8ReplicaStatusRow],
      semiSyncStatus: f.mysql8SemiSyncStatus,
      replicaHosts: f.mysql8Replicas,
      dumpThreads: [{ HOST: '10.0.0.3:51234' }],
      promotionEpoch: [{ epoch: 12 }],
    },
    3306,
  );
  assert.equal(facts.promotionEpoch, 12);
  assert.equal(facts.flavour, 'mysql');
  assert.equal(facts.mariadbGtid, null);
  assert.deepEqual(facts.mysqlGtid, {
    mode: 'ON',
    executed: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77,4f22ab58-71ca-11e1-9e33-c80aa9429562:1-5',
    purged: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-20',
    retrieved: '3e11fa47-71ca-11e1-9e33-c80aa9429562:21-77',
  });
  assert.deepEqual(facts.binlogCoordinates, { file: 'binlog.000007', pos: 1200 });
  assert.deepEqual(facts.connectedReplicas, [{ host: 'db-3.dc1.example.com', port: 3306 }]);
});

test('promotion epoch: the row, no row, no table (not read), odd values; which errors mean "no epoch"', () => {
  assert.equal(mapPromotionEpoch([{ epoch: 3 }]), 3);
  assert.equal(mapPromotionEpoch([{ epoch: '41' }]), 41, 'a BIGINT may come back as text');
  assert.equal(mapPromotionEpoch([]), null);
  assert.equal(mapPromotionEpoch(null), null);
  assert.equal(mapPromotionEpoch([{ epoch: null }]), null);
  assert.equal(mapPromotionEpoch([{ epoch: -1 }]), null);
  for (const errno of [1049, 1146, 1142]) assert.equal(isNoEpochError({ errno }), true, String(errno));
  assert.equal(isNoEpochError({ errno: 2013 }), false, 'a lost connection is a failed probe');
  assert.equal(isNoEpochError(new Error('timeout')), false);
  assert.equal(isNoEpochError(null), false);
});

test('co-master: our source is also one of our replicas', () => {
  const replication = mapReplication([{ ...f.mariadbAllSlavesRow, Master_Host: 'db-b', Master_Port: 3306 }]);
  assert.equal(isCoMasterOf({ replication, connectedReplicas: [{ host: 'DB-B', port: 3306 }] }), true);
  assert.equal(isCoMasterOf({ replication, connectedReplicas: [{ host: 'db-c', port: 3306 }] }), false);
  assert.equal(isCoMasterOf({ replication: null, connectedReplicas: [{ host: 'db-b', port: 3306 }] }), false);
});
