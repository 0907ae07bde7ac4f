-- Every change of the global recovery switch (disable/enable-global-recoveries), who and why.
-- The switch itself lives in Redis (baton:recoveries-disabled); this is its history.

CREATE TABLE IF NOT EXISTS global_recovery_switch_history (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  -- state after the change: 1 = recoveries enabled, 0 = disabled
  enabled TINYINT(1) NOT NULL,
  changed_by VARCHAR(255) NOT NULL,
  reason TEXT NULL,
  -- where the change came from: api, cli, ...
  source VARCHAR(64) NOT NULL DEFAULT '',
  changed_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_global_recovery_switch_changed (changed_at)
) ENGINE=InnoDB;
