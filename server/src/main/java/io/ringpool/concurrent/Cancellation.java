package io.ringpool.concurrent;

import java.util.function.Supplier;

/**
 * Cooperative cancellation of the work a request started, once nobody waits for its answer. The
 * HTTP layer answers a request that outlives {@code server.requestTimeoutMillis} with 503
 * {@code timeout} and drops its late result; before this the work ran on to its end, so every
 * retry of a slow report added one more computation and its garbage to those already running
 * (audit AK2 F0: two 503s, then full collections of 25 s each and the node unresponsive).
 *
 * <p>The HTTP layer runs an endpoint with {@link #run}, which makes this cancellation the thread's
 * current one, and calls {@link #cancel} when it sends the 503. Long loops call {@link #checkpoint},
 * which then throws {@link Stopped}: it unwinds the computation, and since a cache that loads a
 * value keeps nothing when its loader throws, nothing half-computed is cached. The checks are
 * thread-bound rather than a parameter because they sit deep in the report aggregations, on the
 * thread that runs the endpoint; the domain sees only this class, never Netty.
 *
 * <p>Interrupting the thread instead is not safe: a thread interrupted inside the H2 store's file
 * channel closes that channel under every other request.
 */
public final class Cancellation {
    private static final ThreadLocal<Cancellation> CURRENT = new ThreadLocal<>();

    private volatile boolean cancelled;

    /** From now on, {@link #checkpoint} on a thread running work under this cancellation throws {@link Stopped}. */
    public void cancel() {
        cancelled = true;
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** Runs {@code work} on this thread with this cancellation as the current one. */
    public <T> T run(Supplier<T> work) {
        Cancellation outer = CURRENT.get();
        CURRENT.set(this);
        try {
            return work.get();
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }

    /**
     * Throws {@link Stopped} when the request this thread works for has been given up; otherwise
     * returns at once (a thread-local and a volatile read: call it per row group, not per row, in
     * the tightest loops). Work run outside {@link #run} (start-up, the sweeper) is never stopped.
     */
    public static void checkpoint() {
        Cancellation current = CURRENT.get();
        if (current != null && current.cancelled) {
            throw new Stopped();
        }
    }

    /** Row groups between two looks in the tightest loops: 65,536 visits are about a millisecond of a report's work. */
    private static final int EVERY_MASK = (1 << 16) - 1;

    /** {@link #checkpoint} once every 65,536 values of a loop's index {@code i} (and at 0), for loops over every visit. */
    public static void checkpointEvery(int i) {
        if ((i & EVERY_MASK) == 0) {
            checkpoint();
        }
    }

    /** The work was stopped at a {@link #checkpoint}: its request has been answered already. No stack trace: it is no fault. */
    public static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("the request was answered 503 timeout; its work stopped", null, false, false);
        }
    }
}
