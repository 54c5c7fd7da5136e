package io.ringpool.pool;

/**
 * A number bound to a session. Mutable, and touched only under its {@link PoolState}'s lock.
 *
 * <pre>
 *   acquire ──► live ──(heartbeat: expiresAt = now + ttl)──► live
 *                 │ end (soft): expiresAt = now + grace, unless a heartbeat comes
 *                 │ intent: expiresAt ≥ now + intentHold
 *                 ▼ sweeper, when expiresAt ≤ now
 *               ending (write in flight) ──► ended; the number cools down, then is free
 * </pre>
 * Times are epoch milliseconds.
 */
public final class Lease {
    final String leaseId;
    final String siteId;
    final String poolId;
    final String number;
    final String sessionId;
    final String visitorId;
    final long startedAt;
    final boolean reusedCooling;
    long expiresAt;
    long intentUntil;
    boolean ending;
    boolean ended;
    /** The client address key it counts against in its pool's per-address cap; null = not counted. */
    String addressKey;
    /** A placeholder for a lease another node holds (learned from the store's constraint); never written. */
    boolean foreign;
    /**
     * The fencing token this node holds for the lease's row: every write of the lease is made
     * "WHERE lease_epoch = epoch", and whoever takes the lease over raises it in the store first.
     */
    long epoch;
    /** The expiry the store holds for the lease (the last one written); single-node renewals are written only when it nears. */
    long storedExpiresAt;

    Lease(String leaseId, String siteId, String poolId, String number, String sessionId, String visitorId,
            long startedAt, long expiresAt, boolean reusedCooling) {
        this.leaseId = leaseId;
        this.siteId = siteId;
        this.poolId = poolId;
        this.number = number;
        this.sessionId = sessionId;
        this.visitorId = visitorId;
        this.startedAt = startedAt;
        this.expiresAt = expiresAt;
        this.storedExpiresAt = expiresAt;
        this.reusedCooling = reusedCooling;
    }

    public String leaseId() {
        return leaseId;
    }

    public String number() {
        return number;
    }

    public String poolId() {
        return poolId;
    }

    public String sessionId() {
        return sessionId;
    }

    public boolean reusedCooling() {
        return reusedCooling;
    }

    public long startedAt() {
        return startedAt;
    }

    /** The expiry as decided when the lease was granted (later changes go through the pool's lock). */
    public long expiresAt() {
        return expiresAt;
    }
}
