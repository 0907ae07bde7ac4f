-- Changes of an instance's analysis over time (orchestrator: database_instance_analysis_changelog).

CREATE TABLE IF NOT EXISTS analysis_changelog (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  cluster_id VARCHAR(255) NOT NULL,
  host VARCHAR(255) NOT NULL,
  port INT UNSIGNED NOT NULL,
  analysis VARCHAR(128) NOT NULL,
  structure_warnings JSON NULL,
  count_replicas INT UNSIGNED NOT NULL DEFAULT 0,
  analyzed_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_analysis_changelog_instance (host, port, analyzed_at),
  KEY ix_analysis_changelog_cluster (cluster_id, analyzed_at),
  KEY ix_analysis_changelog_analyzed (analyzed_at)
) ENGINE=InnoDB;
