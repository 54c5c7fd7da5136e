package io.ringpool.session;

import io.ringpool.pool.Lease;
import io.ringpool.pool.PoolState;

/**
 * A visit that is still going on, held in memory while it lives. A tracked session has a lease in
 * a pool; an untracked one (pool exhausted, no pool) only an expiry of its own.
 */
final class LiveSession {
    final String sessionId;
    final String siteId;
    final String visitorId;
    final PoolState pool;
    final Lease lease;
    final String untrackedReason;
    /** Untracked sessions only: epoch ms after which the visit is over. */
    volatile long untrackedExpiresAt;
    volatile boolean over;
    /** Untracked sessions that may still get a number: the visit's pool-matching attributes, client address and its key. */
    volatile java.util.Map<String, String> visitAttributes;
    volatile String addressKey;
    volatile String clientIp;
    /** Page views and intents this node has stored for the session, against the per-session caps. */
    final java.util.concurrent.atomic.AtomicInteger storedPageviews = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger storedIntents = new java.util.concurrent.atomic.AtomicInteger();

    LiveSession(String sessionId, String siteId, String visitorId, PoolState pool, Lease lease, String untrackedReason, long untrackedExpiresAt) {
        this.sessionId = sessionId;
        this.siteId = siteId;
        this.visitorId = visitorId;
        this.pool = pool;
        this.lease = lease;
        this.untrackedReason = untrackedReason;
        this.untrackedExpiresAt = untrackedExpiresAt;
    }

    boolean tracked() {
        return lease != null;
    }
}
