-- The delivery log is read a page at a time, newest first, by seq within a target (session 37:
-- GET …/deliveries?cursor=). The index on (target_id, created_at) served no query by its second
-- column, so it gives way to (target_id, seq) rather than adding a third index to every insert.
DROP INDEX outbox_deliveries_target;
CREATE INDEX outbox_deliveries_target_seq ON outbox_deliveries(target_id, seq);
