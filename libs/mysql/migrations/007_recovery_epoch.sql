-- The epoch (recovery term, cluster_epochs) a recovery last ran under, and its attempt: 1 for the
-- executor that claimed it, +1 for each executor that took it over after its predecessor died.
-- One ALTER statement: it runs as a whole or not at all.

ALTER TABLE recoveries
  ADD COLUMN epoch BIGINT UNSIGNED NULL AFTER lock_token,
  ADD COLUMN attempt SMALLINT UNSIGNED NOT NULL DEFAULT 1 AFTER epoch;
