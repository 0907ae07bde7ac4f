-- Runs once on the compose primary. Users are created here only: they replicate to every
-- replica, so a promoted replica has them too and no errant GTID appears.
CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'replpass';
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'repl'@'%';
CREATE USER IF NOT EXISTS 'baton'@'%' IDENTIFIED BY 'batonpass';
GRANT SLAVE MONITOR, BINLOG MONITOR, REPLICATION MASTER ADMIN, REPLICATION SLAVE ADMIN, READ_ONLY ADMIN,
      RELOAD, PROCESS, CONNECTION ADMIN, BINLOG ADMIN, SELECT ON *.* TO 'baton'@'%';
-- Baton's promotion epoch (baton_meta.promotion_epoch), created and written by every promotion;
-- the underscore is escaped: it is a wildcard in a database-level grant.
GRANT CREATE, INSERT, UPDATE ON `baton\_meta`.* TO 'baton'@'%';
