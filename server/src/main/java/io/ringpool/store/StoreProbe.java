package io.ringpool.store;

import io.ringpool.failure.FailureLog;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Whether the store answers, as {@code /health} reports it, kept by a probe on a thread of its
 * own so that no request waits for the store to say so. With PostgreSQL stopped or unreachable a
 * probe takes the pool's whole connection timeout (3 s) to fail; {@code /health} asked the store
 * itself and took those 3 s, past the 1–2 s after which load balancers (Kubernetes probes, HAProxy,
 * nginx) mark a node down and stop sending it the voice webhooks it answers from memory (audit E #3).
 *
 * <p>States: up while the last probe succeeded and none has been under way for longer than
 * {@link #STALL_MILLIS}; down otherwise. So a store that stops answering shows as down about half a
 * second after a probe meets it, and one that is back shows as up at the next probe. The same
 * thread refreshes the store's size for {@code ringpool_store_size_bytes}, whose PostgreSQL query
 * would otherwise make a scrape of {@code /metrics} wait for the store as well. On H2 a failed
 * probe that met a store H2 closed (a full disk) reopens it once the disk has room
 * ({@link Database#reopenIfH2StoreClosed}): down until then.
 */
public final class StoreProbe implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StoreProbe.class);
    /** Time between the end of one probe and the start of the next, ms. */
    static final long PROBE_INTERVAL_MILLIS = 500;
    /** A probe not back after this long counts as a failure, ms: a store this slow to hand out a connection is not well. */
    static final long STALL_MILLIS = 500;
    /** Time between refreshes of the store's size (a PostgreSQL query), ms. */
    static final long SIZE_REFRESH_MILLIS = 30_000;
    /**
     * Longest a request waits for {@link #isUpNow}'s own check of the store, ms; a check not back
     * by then counts as down. Well inside a load balancer's 1 s health timeout.
     */
    static final long REQUEST_CHECK_MILLIS = 300;
    /** {@link #probeStartedNanos} when no probe is under way. */
    private static final long IDLE = Long.MIN_VALUE;

    private final Database db;
    private final LongSupplier nanoTime;
    private final ScheduledExecutorService thread;
    private volatile boolean lastUp;
    /** What the probe saw before (null before the first): a change of state is one log line, whatever the outage's length. */
    private Boolean seenUp;
    /** When the probe first saw the store down in this outage. */
    private long downSinceNanos;
    private volatile long probeStartedNanos = IDLE;
    private long sizeRefreshedNanos;
    /** The check {@link #isUpNow} made last or is making: requests that arrive while one is under way share it. */
    private final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CompletableFuture<Boolean>> requestCheck =
            new java.util.concurrent.atomic.AtomicReference<>(java.util.concurrent.CompletableFuture.completedFuture(true));

    /** Probes once now (the caller has just opened the store), then every {@link #PROBE_INTERVAL_MILLIS}. */
    public static StoreProbe start(Database db) {
        StoreProbe probe = new StoreProbe(db, System::nanoTime);
        probe.probe();
        probe.thread.scheduleWithFixedDelay(probe::probe, PROBE_INTERVAL_MILLIS, PROBE_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        return probe;
    }

    StoreProbe(Database db, LongSupplier nanoTime) {
        this.db = db;
        this.nanoTime = nanoTime;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("ringpool-store-probe").daemon(true)
                .unstarted(r));
        this.sizeRefreshedNanos = nanoTime.getAsLong() - TimeUnit.MILLISECONDS.toNanos(SIZE_REFRESH_MILLIS);
    }

    /** The store's state as last seen; never waits for the store. */
    public boolean isUp() {
        long started = probeStartedNanos;
        if (started != IDLE && nanoTime.getAsLong() - started > TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS)) {
            return false;
        }
        return lastUp;
    }

    /**
     * Whether the last probe that ended found the store unreachable: then requests are refused at
     * once rather than each waiting out the connection timeout ({@link Database#failFastWhile}). A
     * probe still under way does not count (a busy pool is not a store that is down).
     */
    public boolean lastProbeFailed() {
        return !lastUp;
    }

    /**
     * Whether the store answers now, asked only while the probe last saw it up: what API.md's
     * /health promises ("checks the store"), waiting at most {@link #REQUEST_CHECK_MILLIS}. The
     * check runs on a thread of its own and the request waits for it with that bound: when the
     * store went away between two probes, a check made on the request itself waited for a
     * connection the pool's whole timeout (3 s; a PostgreSQL restart answered /health after 3,023
     * ms, audit AI3 F4). Requests arriving while a check is under way wait for that one, so a store
     * that hangs holds one thread, not one per request. On H2 a check is a pooled connection and
     * {@code SELECT 1}, a few microseconds. Never interrupted (see {@link #close}).
     */
    public boolean isUpNow() {
        if (!isUp()) {
            return false;
        }
        java.util.concurrent.CompletableFuture<Boolean> check = requestCheck.get();
        if (check.isDone()) {
            java.util.concurrent.CompletableFuture<Boolean> next = new java.util.concurrent.CompletableFuture<>();
            if (requestCheck.compareAndSet(check, next)) {
                Thread.ofVirtual().name("ringpool-store-check").start(() -> next.complete(db.isHealthy()));
            }
            check = requestCheck.get();
        }
        try {
            return check.get(REQUEST_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void probe() {
        probeStartedNanos = nanoTime.getAsLong();
        boolean up;
        try {
            up = db.isHealthy();
            if (!up && db.reopenIfH2StoreClosed()) {
                up = db.isHealthy();
            }
        } finally {
            probeStartedNanos = IDLE;
        }
        lastUp = up;
        long now = nanoTime.getAsLong();
        logChange(up, now);
        if (up && now - sizeRefreshedNanos >= TimeUnit.MILLISECONDS.toNanos(SIZE_REFRESH_MILLIS)) {
            db.refreshSizeBytes();
            sizeRefreshedNanos = now;
        }
    }

    /**
     * {@code store_down} when the probe first misses the store, {@code store_back} when it answers
     * again, with how long it was away and how many warnings of the work that failed meanwhile
     * were held back ({@link FailureLog}): the operator reads when the outage began and ended in two
     * lines instead of guessing it from a flood (audit AM3 F2).
     */
    private void logChange(boolean up, long now) {
        Boolean before = seenUp;
        seenUp = up;
        if (before == null || before == up) {
            return;
        }
        if (!up) {
            downSinceNanos = now;
            LOG.warn("store_down (requests that need the store answer 503 store_unavailable; calls are kept in the journal)");
        } else {
            LOG.info("store_back down_ms={} warnings_held_back={}", TimeUnit.NANOSECONDS.toMillis(now - downSinceNanos),
                    FailureLog.SHARED.heldBackSinceLastAsked());
        }
    }

    /** Lets a probe under way finish (never interrupted: an interrupt inside H2's file I/O closes the file for every thread). */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
