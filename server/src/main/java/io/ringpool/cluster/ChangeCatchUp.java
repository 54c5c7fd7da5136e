package io.ringpool.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.site.SiteCatchUp;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the other nodes' changes at once when a request names a site this node does not know yet
 * (a key or id created through another node a moment ago), instead of leaving it to the next
 * change poll: the next request through any node then finds the site, with its pools.
 *
 * <p>Coalesced and bounded, because anyone can send an unknown key: requests that arrive while a
 * catch-up waits to start share it, and catch-ups start at most every {@link #MIN_GAP_MILLIS}. A
 * flood of made-up keys therefore costs at most one small indexed read of {@code cluster_changes}
 * per interval, the read the change poll makes anyway.
 */
public final class ChangeCatchUp implements SiteCatchUp {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeCatchUp.class);

    /** Least time between the starts of two catch-ups, milliseconds. */
    static final long MIN_GAP_MILLIS = 100;

    private final Runnable poll;
    private final ScheduledExecutorService executor;
    private final Counter catchUps;
    /** The catch-up requested and not started yet, which later requests join; guarded by this. */
    private CompletableFuture<Void> waiting;
    private long lastStartNanos;
    private boolean startedOnce;

    /**
     * @param poll     one poll of the change log ({@link ChangeFollower#poll}); it must read what
     *                 was committed before it began
     * @param executor where the polls run (the cluster threads)
     */
    public ChangeCatchUp(Runnable poll, ScheduledExecutorService executor, MeterRegistry meters) {
        this.poll = poll;
        this.executor = executor;
        this.catchUps = Counter.builder("ringpool_cluster_catch_ups")
                .description("Reads of other nodes' changes made at once because a request named a site this node did not know yet")
                .register(meters);
    }

    @Override
    public synchronized CompletableFuture<Void> catchUp() {
        if (waiting != null) {
            return waiting;
        }
        CompletableFuture<Void> next = new CompletableFuture<>();
        long delayNanos = startedOnce ? Math.max(0, lastStartNanos + TimeUnit.MILLISECONDS.toNanos(MIN_GAP_MILLIS) - System.nanoTime()) : 0;
        try {
            executor.schedule(() -> run(next), delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            next.complete(null); // the node is closing: answer from what it knows
            return next;
        }
        waiting = next;
        return next;
    }

    private void run(CompletableFuture<Void> next) {
        synchronized (this) {
            // From here on a new request needs a new read: this one may begin before its change commits.
            waiting = null;
            lastStartNanos = System.nanoTime();
            startedOnce = true;
        }
        try {
            catchUps.increment();
            poll.run();
        } catch (RuntimeException e) {
            io.ringpool.failure.FailureLog.SHARED.warn(LOG, "cluster_catch_up_failed", e);
        } finally {
            next.complete(null);
        }
    }
}
