package io.ringpool.session;

import io.ringpool.pool.Lease;
import io.ringpool.pool.PoolState;
import io.ringpool.visit.LandingTags;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;

/**
 * A visit that is still going on, held in memory while it lives. A tracked session has a lease in
 * a pool; an untracked one (pool exhausted, no pool) only an expiry of its own, in {@link Untracked}.
 *
 * <p>Kept small because one node holds hundreds of thousands (issue 17): what only untracked visits
 * need sits in a separate object, and the per-session counters are plain ints updated through a
 * {@link VarHandle} rather than two {@code AtomicInteger} objects of their own.
 */
final class LiveSession {
    final String sessionId;
    final String siteId;
    final String visitorId;
    final PoolState pool;
    final Lease lease;
    /** Null for a tracked session. */
    final Untracked untracked;
    /** The ad tags of the visit's landing page, or null when it had none: a start with other tags begins a new visit. */
    final LandingTags tags;
    volatile boolean over;
    /** Page views and intents this node has stored for the session, against the per-session caps. */
    private volatile int storedPageviews;
    private volatile int storedIntents;

    private static final VarHandle PAGEVIEWS;
    private static final VarHandle INTENTS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PAGEVIEWS = lookup.findVarHandle(LiveSession.class, "storedPageviews", int.class);
            INTENTS = lookup.findVarHandle(LiveSession.class, "storedIntents", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What an untracked visit needs: why it is untracked, when it ends, and what a later catch-up needs. */
    static final class Untracked {
        final String reason;
        /** Epoch ms after which the visit is over. */
        volatile long expiresAt;
        /**
         * Visits that may still get a number: the pool-matching attributes as key, value, key,
         * value… (a map of a few entries took ~250 bytes more; half a million untracked visits
         * into a full pool are that many live sessions), else null.
         */
        private final String[] attributePairs;
        /** The client address the start came from (its cap key is derived again when needed), else null. */
        final String clientIp;

        Untracked(String reason, long expiresAt, Map<String, String> visitAttributes, String clientIp) {
            this.reason = reason;
            this.expiresAt = expiresAt;
            if (visitAttributes == null) {
                this.attributePairs = null;
            } else {
                String[] pairs = new String[visitAttributes.size() * 2];
                int i = 0;
                for (Map.Entry<String, String> e : visitAttributes.entrySet()) {
                    pairs[i++] = e.getKey();
                    pairs[i++] = e.getValue();
                }
                this.attributePairs = pairs;
            }
            this.clientIp = clientIp;
        }

        /** Whether this visit may still get a number (it kept its attributes for that). */
        boolean catchesUp() {
            return attributePairs != null;
        }

        /** The pool-matching attributes, or null when this visit does not catch up. */
        Map<String, String> visitAttributes() {
            if (attributePairs == null) {
                return null;
            }
            Map<String, String> m = new java.util.HashMap<>();
            for (int i = 0; i < attributePairs.length; i += 2) {
                m.put(attributePairs[i], attributePairs[i + 1]);
            }
            return m;
        }
    }

    /** A tracked session whose landing had no tags. */
    LiveSession(String sessionId, String siteId, String visitorId, PoolState pool, Lease lease) {
        this(sessionId, siteId, visitorId, pool, lease, null, null);
    }

    /** A tracked session. */
    LiveSession(String sessionId, String siteId, String visitorId, PoolState pool, Lease lease, LandingTags tags) {
        this(sessionId, siteId, visitorId, pool, lease, null, tags);
    }

    /** An untracked session whose landing had no tags. */
    LiveSession(String sessionId, String siteId, String visitorId, Untracked untracked) {
        this(sessionId, siteId, visitorId, null, null, untracked, null);
    }

    /** An untracked session. */
    LiveSession(String sessionId, String siteId, String visitorId, Untracked untracked, LandingTags tags) {
        this(sessionId, siteId, visitorId, null, null, untracked, tags);
    }

    private LiveSession(String sessionId, String siteId, String visitorId, PoolState pool, Lease lease, Untracked untracked,
            LandingTags tags) {
        this.sessionId = sessionId;
        this.siteId = siteId;
        this.visitorId = visitorId;
        this.pool = pool;
        this.lease = lease;
        this.untracked = untracked;
        this.tags = tags;
    }

    boolean tracked() {
        return lease != null;
    }

    /** Counts one more page view; returns the count including it. */
    int countPageview() {
        return (int) PAGEVIEWS.getAndAdd(this, 1) + 1;
    }

    /** Counts one more intent; returns the count including it. */
    int countIntent() {
        return (int) INTENTS.getAndAdd(this, 1) + 1;
    }
}
