-- Runs once on each compose replica: replicate from the primary by GTID. The image's own
-- initialisation writes nothing to the binlog of interest (it runs with sql_log_bin off).
SET GLOBAL slave_net_timeout = 2;
CHANGE MASTER TO MASTER_HOST = 'mysql-primary', MASTER_PORT = 3306, MASTER_USER = 'repl',
  MASTER_PASSWORD = 'replpass', MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1;
START SLAVE;
