-- The durable side of a crash-safe recovery (conventions §19).
--   cluster_epochs: one row per cluster. `epoch` is the recovery term: raised by one in a
--     transaction at every claim and every takeover, never reset (a Redis restart cannot touch it),
--     and the fencing token every mutating step proves. `recovery_uid` is the recovery that holds
--     the term; `renewed_at` its holder's heartbeat (the backend's clock): a running recovery whose
--     heartbeat is older than recoveryTakeoverAfterMs belongs to a dead executor and is taken over.
--   recovery_journal: what each recovery decided and did, appended in order, every row written only
--     while its epoch is still the cluster's (INSERT … SELECT … WHERE epoch = ?). `intent` is written
--     before a step touches a server, `done` after it verified the effect.
-- The recoveries row gets the epoch it ran under and its attempt (1, then +1 per takeover) in 007.

CREATE TABLE IF NOT EXISTS cluster_epochs (
  cluster_id VARCHAR(255) NOT NULL,
  epoch BIGINT UNSIGNED NOT NULL,
  recovery_uid VARCHAR(64) NULL,
  executor VARCHAR(255) NOT NULL DEFAULT '',
  renewed_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (cluster_id)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS recovery_journal (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  recovery_uid VARCHAR(64) NOT NULL,
  cluster_id VARCHAR(255) NOT NULL,
  epoch BIGINT UNSIGNED NOT NULL,
  attempt SMALLINT UNSIGNED NOT NULL,
  step VARCHAR(64) NOT NULL,
  state VARCHAR(16) NOT NULL,
  executor VARCHAR(255) NOT NULL,
  data JSON NULL,
  at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_recovery_journal_uid (recovery_uid, id)
) ENGINE=InnoDB;
