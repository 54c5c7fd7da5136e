package io.ringpool.call;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-process locks that serialise ingestion (see {@link CallIngest}): one set of stripes for
 * the events of one provider call, one for the calls of one caller.
 *
 * <p>Lock order, which keeps the two deadlock-free: a call's stripe is taken first, then at most
 * one caller's stripe ({@link CallIngest}); a reclassification ({@link CallerClassification})
 * takes no call stripe, and takes its callers' stripes in ascending order, waiting for none after
 * them. Each stripe is held until the commit of what was planned under it.
 */
final class CallStripes {
    /**
     * Lock stripes for in-process serialisation of one call's events. Many, for the callers' reason
     * below: a stripe is held until the event's commit, and with 64 stripes an event among 64 in
     * flight found its stripe held by an unrelated call 63 % of the time (random provider call ids,
     * as Twilio's and most providers' are); with 1,024, 6 %.
     */
    static final int STRIPES = 1024;

    /**
     * Lock stripes for one caller's calls, taken after a call's stripe (never the other way round,
     * so no cycle): many, since a collision makes two unrelated callers wait for each other's commit.
     */
    private static final int CALLER_STRIPES = 1024;

    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final ReentrantLock[] callerStripes = new ReentrantLock[CALLER_STRIPES];

    CallStripes() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
        for (int i = 0; i < CALLER_STRIPES; i++) {
            callerStripes[i] = new ReentrantLock();
        }
    }

    /** The lock of one provider call's events. */
    ReentrantLock ofCall(String siteId, String provider, String providerCallId) {
        return stripes[stripeOf(siteId, provider, providerCallId)];
    }

    /** The lock of one caller's calls on a site. */
    ReentrantLock ofCaller(String siteId, String caller) {
        return callerStripes[callerStripeOf(siteId, caller)];
    }

    /**
     * Locks the stripes of these callers, in ascending order: ingestion holds at most one caller
     * stripe and waits for none after it, so this cannot deadlock with it. Returns what to hand
     * to {@link #unlockCallers}.
     */
    int[] lockCallers(String siteId, List<String> callers) {
        int[] held = callers.stream().mapToInt(k -> callerStripeOf(siteId, k)).distinct().sorted().toArray();
        for (int i : held) {
            callerStripes[i].lock();
        }
        return held;
    }

    /** Unlocks what {@link #lockCallers} locked, in the reverse order. */
    void unlockCallers(int[] held) {
        for (int i = held.length - 1; i >= 0; i--) {
            callerStripes[held[i]].unlock();
        }
    }

    static int stripeOf(String siteId, String provider, String providerCallId) {
        return Math.floorMod(Objects.hash(siteId, provider, providerCallId), STRIPES);
    }

    static int callerStripeOf(String siteId, String caller) {
        return Math.floorMod(Objects.hash(siteId, caller), CALLER_STRIPES);
    }
}
