package io.ringpool.pool;

import java.time.Instant;

/** A pool as configured. Its live state (who holds which number) is in {@link PoolState}. */
public record Pool(String poolId, String siteId, String name, int priority, PoolMatch match, Instant createdAt) {}
