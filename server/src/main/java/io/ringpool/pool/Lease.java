package io.ringpool.pool;

/**
 * A number bound to a session. Mutable, and touched only under its {@link PoolState}'s lock.
 *
 * <pre>
 *   acquire ──► live ──(heartbeat: expiresAt = now + ttl)──► live
 *                 │ end (soft): expiresAt = now + grace, unless a heartbeat comes
 *                 │ intent: expiresAt ≥ now + intentHold
 *                 ▼ sweeper, when expiresAt ≤ now (or a start that takes its number: see PoolState)
 *               ending (write in flight) ──► ended; the number cools down, then is free
 * </pre>
 * Times are epoch milliseconds.
 */
public final class Lease {
    /** Its pool's definition (site and pool ids): one reference instead of two id strings' and a lease id's (issue 17, heap per live lease). */
    final Pool pool;
    final String number;
    final String sessionId;
    final String visitorId;
    final long startedAt;
    final boolean reusedCooling;
    long expiresAt;
    long intentUntil;
    boolean ending;
    boolean ended;
    /** Its end write failed: it waits for the next sweep to write it again, and no start takes its number before that. */
    boolean endFailed;
    /** The client address key it counts against in its pool's per-address cap, as its {@code KeyHash}; 0 = not counted. */
    long addressKey;
    /** The IPv6 /48 it also counts against ({@link AddressKey#network}), as its {@code KeyHash}; 0 = none (IPv4, or not counted). */
    long networkKey;
    /** A placeholder for a lease another node holds (learned from the store's constraint); never written. */
    boolean foreign;
    /**
     * The fencing token this node holds for the lease's row: every write of the lease is made
     * "WHERE lease_epoch = epoch", and whoever takes the lease over raises it in the store first.
     */
    long epoch;
    /**
     * Its end write found that another node had taken the lease over (raised its epoch: the
     * visitor started there): that node ends it and counts the end; set by the writer's thread.
     */
    volatile boolean takenOverElsewhere;
    /** The expiry the store holds for the lease (the last one written); single-node renewals are written only when it nears. */
    long storedExpiresAt;
    /** When the pool's sweep looks at this lease next (its newest entry in the pool's expiry queue). */
    long sweepAt;

    Lease(Pool pool, String number, String sessionId, String visitorId, long startedAt, long expiresAt, boolean reusedCooling) {
        this.pool = pool;
        this.number = number;
        this.sessionId = sessionId;
        this.visitorId = visitorId;
        this.startedAt = startedAt;
        this.expiresAt = expiresAt;
        this.storedExpiresAt = expiresAt;
        this.reusedCooling = reusedCooling;
    }

    /** A lease is known by its session's id (one lease per session). */
    public String leaseId() {
        return sessionId;
    }

    public String siteId() {
        return pool.siteId();
    }

    public String number() {
        return number;
    }

    public String poolId() {
        return pool.poolId();
    }

    public String sessionId() {
        return sessionId;
    }

    public String visitorId() {
        return visitorId;
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
