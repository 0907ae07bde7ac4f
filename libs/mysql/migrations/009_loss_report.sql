-- The lost-transaction report of a recovery (issue: no lost transactions): the GTIDs some member
-- of the cluster had and the successor did not have at its promotion, by member, with the members
-- not examined yet. Written when the successor is promoted, updated by the executor's loss watcher
-- as each unexamined member (the old primary, an unreachable replica) answers again. JSON text
-- (the @baton/domain LossReport shape); NULL for a recovery that promoted nobody.
-- One ALTER statement: it runs as a whole or not at all.

ALTER TABLE recoveries
  ADD COLUMN loss_report LONGTEXT NULL AFTER fencing_result,
  ADD COLUMN loss_report_updated_at DATETIME(3) NULL AFTER loss_report,
  ADD KEY ix_recoveries_loss_pending (loss_report_updated_at);
