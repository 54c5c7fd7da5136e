-- Exhaustions counted, not written per event (issue 17): one row per pool, minute and outcome
-- with how many visits found the pool without a free number, instead of a row per visit (a flood
-- into a full pool wrote a row, and a log line, per visit). Readers sum: several nodes, or a
-- restart within a minute, may each leave a row for the same minute.
CREATE TABLE pool_exhaustion_counts (
    site_id     VARCHAR(40) NOT NULL,
    pool_id     VARCHAR(40) NOT NULL,
    minute_at   BIGINT      NOT NULL,   -- start of the minute, epoch ms
    outcome     VARCHAR(20) NOT NULL,   -- reused_cooling | next_pool | untracked
    exhaustions BIGINT      NOT NULL
);
CREATE INDEX pool_exhaustion_counts_pool ON pool_exhaustion_counts(pool_id, minute_at);

INSERT INTO pool_exhaustion_counts(site_id, pool_id, minute_at, outcome, exhaustions)
SELECT site_id, pool_id, (at / 60000) * 60000, outcome, COUNT(*)
FROM pool_exhaustions
GROUP BY site_id, pool_id, (at / 60000) * 60000, outcome;

DROP TABLE pool_exhaustions;
