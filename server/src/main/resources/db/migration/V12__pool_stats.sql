-- Pool advice that survives a restart (issue 10, item 5): what the pool has seen since it was
-- created (its peak of live leases, how many leases started and ended and their total length),
-- saved from memory every 30 s and at a clean stop. Exhaustions are counted from pool_exhaustions.
CREATE TABLE pool_stats (
    pool_id            VARCHAR(40) PRIMARY KEY REFERENCES pools(pool_id),
    peak_leased        INTEGER     NOT NULL,
    leases_started     BIGINT      NOT NULL,
    ended_leases       BIGINT      NOT NULL,
    ended_lease_millis BIGINT      NOT NULL,
    updated_at         BIGINT      NOT NULL
);
