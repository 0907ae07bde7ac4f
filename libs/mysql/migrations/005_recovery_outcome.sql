-- What a recovery came to, and which `recover` command asked for it.
--   outcome: successful | failed (attempted, nothing or not everything promoted) | not-needed (the
--            executor's own re-check found the problem gone) | not-attempted (the cluster's lock was
--            held); NULL while the recovery runs.
--   request_id: the requestId of a forced `recover` command (the api waits for its recovery by it).
-- One ALTER statement: it runs as a whole or not at all.

ALTER TABLE recoveries
  ADD COLUMN outcome VARCHAR(32) NULL AFTER is_successful,
  ADD COLUMN request_id VARCHAR(64) NULL AFTER forced,
  ADD KEY ix_recoveries_request (request_id);
