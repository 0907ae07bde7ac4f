-- Recoveries and their step-by-step audit (orchestrator: topology_recovery, topology_recovery_steps).
-- `id` is the numeric id orchestrator-compatible routes use; `uid` is the id carried in events.

CREATE TABLE IF NOT EXISTS recoveries (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  uid VARCHAR(64) NOT NULL,
  cluster_id VARCHAR(255) NOT NULL,
  cluster_alias VARCHAR(255) NOT NULL DEFAULT '',
  failed_host VARCHAR(255) NOT NULL,
  failed_port INT UNSIGNED NOT NULL,
  analysis VARCHAR(128) NOT NULL,
  recovery_type VARCHAR(64) NOT NULL DEFAULT '',
  command_hint VARCHAR(64) NOT NULL DEFAULT '',
  count_affected_replicas INT UNSIGNED NOT NULL DEFAULT 0,
  replica_hosts JSON NULL,
  -- the failure detection (correlation id) that led to this recovery
  detection_uid VARCHAR(64) NULL,
  forced TINYINT(1) NOT NULL DEFAULT 0,
  candidate_requested_host VARCHAR(255) NULL,
  candidate_requested_port INT UNSIGNED NULL,
  processing_node VARCHAR(255) NOT NULL DEFAULT '',
  -- fencing token of the recovery lock this recovery ran under
  lock_token BIGINT UNSIGNED NULL,
  successor_host VARCHAR(255) NULL,
  successor_port INT UNSIGNED NULL,
  successor_alias VARCHAR(255) NULL,
  successor_binlog_coordinates VARCHAR(255) NULL,
  is_successful TINYINT(1) NOT NULL DEFAULT 0,
  lost_replicas JSON NULL,
  participating_instances JSON NULL,
  all_errors JSON NULL,
  -- what happened to the old primary: e.g. read-only-set, unreachable, failed, skipped
  fencing_result VARCHAR(64) NULL,
  started_at DATETIME(3) NOT NULL,
  ended_at DATETIME(3) NULL,
  acknowledged TINYINT(1) NOT NULL DEFAULT 0,
  acknowledged_by VARCHAR(255) NULL,
  acknowledged_at DATETIME(3) NULL,
  acknowledged_comment TEXT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_recoveries_uid (uid),
  KEY ix_recoveries_cluster_started (cluster_id, started_at),
  KEY ix_recoveries_alias_started (cluster_alias, started_at),
  KEY ix_recoveries_failed_instance (failed_host, failed_port, started_at),
  KEY ix_recoveries_successor (successor_host, successor_port, ended_at),
  KEY ix_recoveries_acknowledged (acknowledged, started_at),
  KEY ix_recoveries_detection (detection_uid)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS recovery_steps (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  recovery_uid VARCHAR(64) NOT NULL,
  -- order within the recovery; (recovery_uid, seq) makes replayed events idempotent
  seq INT UNSIGNED NOT NULL,
  ts DATETIME(3) NOT NULL,
  step VARCHAR(128) NOT NULL,
  message TEXT NOT NULL,
  -- NULL = informational, 1 = succeeded, 0 = failed
  ok TINYINT(1) NULL,
  details JSON NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_recovery_steps_seq (recovery_uid, seq)
) ENGINE=InnoDB;
