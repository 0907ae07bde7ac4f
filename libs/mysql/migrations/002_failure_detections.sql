-- Failure detections and blocked recovery attempts
-- (orchestrator: topology_failure_detection, blocked_topology_recovery).

CREATE TABLE IF NOT EXISTS failure_detections (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  -- the correlation id carried by analyses, recoveries, hooks and events
  uid VARCHAR(64) NOT NULL,
  cluster_id VARCHAR(255) NOT NULL,
  cluster_alias VARCHAR(255) NOT NULL DEFAULT '',
  host VARCHAR(255) NOT NULL,
  port INT UNSIGNED NOT NULL,
  analysis VARCHAR(128) NOT NULL,
  is_actionable TINYINT(1) NOT NULL,
  count_affected_replicas INT UNSIGNED NOT NULL DEFAULT 0,
  replica_hosts JSON NULL,
  processing_node VARCHAR(255) NOT NULL DEFAULT '',
  in_active_period TINYINT(1) NOT NULL DEFAULT 1,
  start_active_period DATETIME(3) NOT NULL,
  end_active_period DATETIME(3) NULL,
  related_recovery_uid VARCHAR(64) NULL,
  acknowledged TINYINT(1) NOT NULL DEFAULT 0,
  acknowledged_by VARCHAR(255) NULL,
  acknowledged_at DATETIME(3) NULL,
  acknowledged_comment TEXT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_failure_detections_uid (uid),
  KEY ix_failure_detections_instance (host, port, in_active_period),
  KEY ix_failure_detections_cluster (cluster_id, start_active_period),
  KEY ix_failure_detections_alias (cluster_alias, start_active_period),
  KEY ix_failure_detections_start (start_active_period)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS blocked_recoveries (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  cluster_id VARCHAR(255) NOT NULL,
  cluster_alias VARCHAR(255) NOT NULL DEFAULT '',
  host VARCHAR(255) NOT NULL,
  port INT UNSIGNED NOT NULL,
  analysis VARCHAR(128) NOT NULL,
  -- why: recovery-block (anti-flapping), recently-promoted, recovery-in-flight
  reason VARCHAR(64) NOT NULL,
  blocking_recovery_uid VARCHAR(64) NULL,
  first_blocked_at DATETIME(3) NOT NULL,
  last_blocked_at DATETIME(3) NOT NULL,
  times_blocked INT UNSIGNED NOT NULL DEFAULT 1,
  PRIMARY KEY (id),
  -- one row per blocked instance, updated on every further attempt (as orchestrator)
  UNIQUE KEY uk_blocked_recoveries_instance (cluster_id, host, port),
  KEY ix_blocked_recoveries_last (last_blocked_at),
  KEY ix_blocked_recoveries_blocking (blocking_recovery_uid)
) ENGINE=InnoDB;
