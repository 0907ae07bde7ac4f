/**
 * Rows as the servers return them through mysql2. MariaDB rows were captured from 10.11.19
 * (the @baton/testing topologies, admin account); MySQL rows follow the 5.7 / 8.0 column lists
 * (SHOW SLAVE STATUS, SHOW REPLICA STATUS from 8.0.22, semisync_source plugin names from 8.0.26).
 */
type Row = Record<string, unknown>;

const vars = (entries: Record<string, string>): Row[] => Object.entries(entries).map(([Variable_name, Value]) => ({ Variable_name, Value }));

export const mariadbPrimaryVariables: Row[] = vars({
  binlog_format: 'ROW',
  gtid_binlog_pos: '0-1-10',
  gtid_current_pos: '0-1-10',
  gtid_domain_id: '0',
  gtid_slave_pos: '',
  gtid_strict_mode: 'ON',
  hostname: 'vm',
  log_bin: 'ON',
  log_slave_updates: 'ON',
  read_only: 'OFF',
  report_host: '127.0.0.1',
  rpl_semi_sync_master_enabled: 'ON',
  rpl_semi_sync_master_timeout: '10000',
  rpl_semi_sync_slave_enabled: 'OFF',
  server_id: '1',
  version: '10.11.19-MariaDB-0+deb12u1-log',
  version_comment: 'Debian 12',
});

export const mariadbReplicaVariables: Row[] = vars({
  binlog_format: 'ROW',
  gtid_binlog_pos: '0-1-10',
  gtid_current_pos: '0-1-10',
  gtid_domain_id: '0',
  gtid_slave_pos: '0-1-10',
  gtid_strict_mode: 'ON',
  hostname: 'vm',
  log_bin: 'ON',
  log_slave_updates: 'ON',
  read_only: 'ON',
  report_host: '127.0.0.1',
  rpl_semi_sync_master_enabled: 'OFF',
  rpl_semi_sync_master_timeout: '10000',
  rpl_semi_sync_slave_enabled: 'OFF',
  server_id: '2',
  version: '10.11.19-MariaDB-0+deb12u1-log',
  version_comment: 'Debian 12',
});

export const mariadbMasterStatus: Row[] = [{ File: 'mysql-bin.000001', Position: 2539, Binlog_Do_DB: '', Binlog_Ignore_DB: '' }];

export const mariadbSlaveHosts: Row[] = [
  { Server_id: 2, Host: '127.0.0.1', Port: 27530, Master_id: 1 },
  { Server_id: 3, Host: '127.0.0.1', Port: 27531, Master_id: 1 },
];

export const mariadbDumpThreads: Row[] = [{ HOST: '127.0.0.1:41536' }, { HOST: '127.0.0.1:41552' }];

export const mariadbSemiSyncStatus: Row[] = vars({
  Rpl_semi_sync_master_clients: '2',
  Rpl_semi_sync_master_status: 'ON',
  Rpl_semi_sync_slave_status: 'OFF',
});

/** SHOW ALL SLAVES STATUS on a healthy MariaDB replica of 127.0.0.1:27529. */
export const mariadbAllSlavesRow: Row = {
  Connection_name: '',
  Slave_SQL_State: 'Slave has read all relay log; waiting for more updates',
  Slave_IO_State: 'Waiting for master to send event',
  Master_Host: '127.0.0.1',
  Master_User: 'repl',
  Master_Port: 27529,
  Connect_Retry: 1,
  Master_Log_File: 'mysql-bin.000001',
  Read_Master_Log_Pos: 2539,
  Relay_Log_File: 'relay-bin.000002',
  Relay_Log_Pos: 2838,
  Relay_Master_Log_File: 'mysql-bin.000001',
  Slave_IO_Running: 'Yes',
  Slave_SQL_Running: 'Yes',
  Last_Errno: 0,
  Last_Error: '',
  Skip_Counter: 0,
  Exec_Master_Log_Pos: 2539,
  Relay_Log_Space: 3141,
  Until_Condition: 'None',
  Seconds_Behind_Master: 0,
  Last_IO_Errno: 0,
  Last_IO_Error: '',
  Last_SQL_Errno: 0,
  Last_SQL_Error: '',
  Master_Server_Id: 1,
  Using_Gtid: 'Slave_Pos',
  Gtid_IO_Pos: '0-1-10',
  Parallel_Mode: 'optimistic',
  SQL_Delay: 0,
  SQL_Remaining_Delay: null,
  Slave_SQL_Running_State: 'Slave has read all relay log; waiting for more updates',
  Retried_transactions: 0,
  Max_relay_log_size: 1073741824,
  Executed_log_entries: 30,
  Slave_received_heartbeats: 0,
  Slave_heartbeat_period: 1,
  Gtid_Slave_Pos: '0-1-10',
};

/** The same replica after its primary was SIGKILLed (captured). */
export const mariadbAllSlavesRowSourceDead: Row = {
  ...mariadbAllSlavesRow,
  Slave_IO_State: 'Reconnecting after a failed master event read',
  Master_Port: 27899,
  Slave_IO_Running: 'Connecting',
  Seconds_Behind_Master: null,
  Last_IO_Errno: 2013,
  Last_IO_Error:
    "error reconnecting to master 'repl@127.0.0.1:27899' - retry-time: 1  maximum-retries: 100000  message: Lost connection to server at " +
    `'reading initial communication packet', system error: 104 "Connection reset by peer"`,
};

export const mysql8Variables: Row[] = vars({
  binlog_format: 'ROW',
  gtid_executed: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77,\n4f22ab58-71ca-11e1-9e33-c80aa9429562:1-5',
  gtid_mode: 'ON',
  gtid_purged: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-20',
  hostname: 'db-2',
  log_bin: 'ON',
  log_replica_updates: 'ON',
  log_slave_updates: 'ON',
  read_only: 'ON',
  report_host: 'db-2.dc1.example.com',
  rpl_semi_sync_replica_enabled: 'ON',
  rpl_semi_sync_source_enabled: 'OFF',
  rpl_semi_sync_source_timeout: '1000',
  rpl_semi_sync_source_wait_for_replica_count: '2',
  server_id: '102',
  server_uuid: '4f22ab58-71ca-11e1-9e33-c80aa9429562',
  super_read_only: 'ON',
  version: '8.0.36',
  version_comment: 'MySQL Community Server - GPL',
});

export const mysql8SemiSyncStatus: Row[] = vars({
  Rpl_semi_sync_replica_status: 'ON',
  Rpl_semi_sync_source_clients: '0',
  Rpl_semi_sync_source_status: 'OFF',
});

/** SHOW REPLICA STATUS (MySQL 8.0.22+ column names). */
export const mysql8ReplicaStatusRow: Row = {
  Replica_IO_State: 'Waiting for source to send event',
  Source_Host: 'db-1.dc1.example.com',
  Source_User: 'repl',
  Source_Port: 3306,
  Connect_Retry: 60,
  Source_Log_File: 'binlog.000012',
  Read_Source_Log_Pos: 15_304,
  Relay_Log_File: 'db-2-relay-bin.000004',
  Relay_Log_Pos: 8_001,
  Relay_Source_Log_File: 'binlog.000012',
  Replica_IO_Running: 'Yes',
  Replica_SQL_Running: 'Yes',
  Last_Errno: 0,
  Last_Error: '',
  Exec_Source_Log_Pos: 14_998,
  Seconds_Behind_Source: 3,
  Last_IO_Errno: 0,
  Last_IO_Error: '',
  Last_SQL_Errno: 0,
  Last_SQL_Error: '',
  Source_Server_Id: 101,
  Source_UUID: '3e11fa47-71ca-11e1-9e33-c80aa9429562',
  SQL_Delay: 3600,
  SQL_Remaining_Delay: null,
  Replica_SQL_Running_State: 'Replica has read all relay log; waiting for more updates',
  Retrieved_Gtid_Set: '3e11fa47-71ca-11e1-9e33-c80aa9429562:21-77',
  Executed_Gtid_Set: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77,\n4f22ab58-71ca-11e1-9e33-c80aa9429562:1-5',
  Auto_Position: 1,
  Channel_Name: '',
};

/** SHOW SLAVE STATUS on MySQL 5.7, IO thread stopped by an error. */
export const mysql57SlaveStatusRow: Row = {
  Slave_IO_State: '',
  Master_Host: '10.0.0.1',
  Master_User: 'repl',
  Master_Port: 3306,
  Master_Log_File: 'mysql-bin.000003',
  Read_Master_Log_Pos: 154,
  Relay_Master_Log_File: 'mysql-bin.000003',
  Slave_IO_Running: 'No',
  Slave_SQL_Running: 'Yes',
  Exec_Master_Log_Pos: 154,
  Seconds_Behind_Master: null,
  Last_IO_Errno: 1236,
  Last_IO_Error: 'Got fatal error 1236 from master when reading data from binary log',
  Last_SQL_Errno: 0,
  Last_SQL_Error: '',
  Master_Server_Id: 1,
  SQL_Delay: 0,
  Retrieved_Gtid_Set: '',
  Executed_Gtid_Set: '',
  Auto_Position: 0,
  Channel_Name: '',
};

/** SHOW REPLICAS (MySQL 8.0.22+). */
export const mysql8Replicas: Row[] = [
  { Server_Id: 103, Host: 'db-3.dc1.example.com', Port: 3306, Source_Id: 102, Replica_UUID: '5a33bc69-71ca-11e1-9e33-c80aa9429562' },
];
