-- Old primaries the executor keeps fenced (issue: no split brain). A row is written when a
-- recovery fences a primary it fails over (or the analysis finds a writable root older than the
-- cluster's newest promotion epoch) and is ended when the instance rejoins as a replica. Every
-- executor keeps a fence keeper for each active row: it probes the instance whatever its downtime,
-- fences it again the moment it answers writable, and on MariaDB holds the global read lock that
-- read_only alone does not give (accounts with READ_ONLY ADMIN write through read_only).

CREATE TABLE IF NOT EXISTS demoted_primaries (
  cluster_id VARCHAR(255) NOT NULL,
  host VARCHAR(255) NOT NULL,
  port INT UNSIGNED NOT NULL,
  recovery_uid VARCHAR(64) NOT NULL,
  epoch BIGINT UNSIGNED NULL,
  since DATETIME(3) NOT NULL,
  returned_writable INT UNSIGNED NOT NULL DEFAULT 0,
  last_fenced_at DATETIME(3) NULL,
  ended_at DATETIME(3) NULL,
  end_reason VARCHAR(255) NULL,
  PRIMARY KEY (cluster_id, host, port),
  KEY demoted_primaries_active (ended_at)
) ENGINE=InnoDB;
