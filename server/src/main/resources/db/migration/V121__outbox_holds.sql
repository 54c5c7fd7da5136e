-- An endpoint that asked to be left alone (session 32, conversions out #1): a 429 or 503 with Retry-After, or Google's
-- RetryInfo, holds every pending delivery to that webhook or destination until held_until, on
-- every node, not just the delivery that was answered. Rows are only added (two attempts answered
-- at once never collide on a key); the latest held_until of a target counts, and rows past their
-- time are purged with the delivery log.
CREATE TABLE outbox_holds (
    target_id   VARCHAR(40) NOT NULL,
    target_kind VARCHAR(20) NOT NULL,
    held_until  BIGINT      NOT NULL,
    created_at  BIGINT      NOT NULL
);
CREATE INDEX outbox_holds_target ON outbox_holds(target_id, held_until);
