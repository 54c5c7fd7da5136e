package io.ringpool.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A lane of its own for long requests (reports, exports): they run on {@code executor}, a small
 * bounded pool apart from the workers, so however many of them arrive, the workers stay free for
 * the site script and the webhooks. Within the lane each key (the bearer token; the client address
 * without one) may have {@code perKey} requests running or waiting; one more is 429, so one key
 * cannot fill the lane for the others either.
 *
 * <p>Visitors first: a report waits to start while any other request (the site script, webhooks,
 * the API) is in flight, for at most {@code maxYield}. Reports are CPU work; on a node with one
 * or two cores a report thread that is always runnable takes its share of every core the event
 * loop, the workers and the group-commit writer need, and each hand-off of a visitor's request
 * between them can wait out the report's time slice; its allocations add collections that stop
 * everyone. Waiting for a gap costs a report at most {@code maxYield} and nothing at all when the
 * node is quiet; under constant traffic it bounds the lane to about one report per
 * {@code maxYield} per thread, the price of the visitors' latency. The wait happens before a report
 * starts, not inside it: a single report over a big history runs to its end once started, unless
 * its request times out (503), which stops its computation ({@link io.ringpool.concurrent.Cancellation}).
 *
 * <p>And a share: while other requests are about (one started within {@link #BUSY_WINDOW_NANOS}),
 * a lane thread that ran a report for {@code t} rests {@code t × (1 − share) ÷ share} (at most
 * {@link #MAX_REST_NANOS}) before it takes the next one, so a flood of reports from one key uses at
 * most {@code share} of a core, and makes that share of the garbage, while visitors are served. On a
 * quiet node reports run back to back.
 */
public final class ReportLane {
    private final Predicate<Router.Route> routes;
    private final Executor executor;
    private final int perKey;
    /** Requests in the lane per key; a key with none has no entry (compute keeps each change atomic). */
    private final ConcurrentMap<String, Integer> inFlight = new ConcurrentHashMap<>();
    /** Longest a report waits for a gap in the other requests before it starts anyway, nanoseconds. */
    private final long maxYieldNanos;
    /** Requests outside the lane between dispatch and their endpoint's return. */
    private final AtomicInteger othersInFlight = new AtomicInteger();
    /** Reports now waiting for a gap (observable, so a test can tell a waiting report from one not yet scheduled). */
    private final AtomicInteger yielding = new AtomicInteger();
    private final Executor politeExecutor;

    /** How long a waiting report sleeps between two looks, nanoseconds: well under what a visitor's request takes. */
    private static final long YIELD_STEP_NANOS = 200_000;

    /** The default {@code maxYield}: a dashboard's six reports still start within about 0.1 s under constant traffic. */
    public static final long DEFAULT_MAX_YIELD_MILLIS = 20;
    /** The default share of a lane thread's time reports may use while other requests are about. */
    public static final double DEFAULT_SHARE_WHILE_BUSY = 0.5;
    /** Other requests count as "about" this long after one started, nanoseconds (50 visitors/s arrive 20 ms apart). */
    static final long BUSY_WINDOW_NANOS = 100_000_000;
    /** Longest rest after one report, nanoseconds: a report that took seconds does not hold the next one back as long. */
    static final long MAX_REST_NANOS = 200_000_000;
    private final double share;
    /** When the last request outside the lane started (System.nanoTime). */
    private volatile long lastOtherStart = System.nanoTime() - 2 * BUSY_WINDOW_NANOS;

    /**
     * @param routes   which routes use the lane
     * @param executor bounded; a full one rejects (503)
     * @param perKey   requests one key may have in the lane at once
     */
    public ReportLane(Predicate<Router.Route> routes, Executor executor, int perKey) {
        this(routes, executor, perKey, DEFAULT_MAX_YIELD_MILLIS, DEFAULT_SHARE_WHILE_BUSY);
    }

    /**
     * @param maxYieldMillis longest a report waits for the other requests in flight; 0 = never waits
     * @param share          of a lane thread's time that reports may use while other requests are about; 1 = no rests
     */
    public ReportLane(Predicate<Router.Route> routes, Executor executor, int perKey, long maxYieldMillis, double share) {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("share must be in (0, 1]: " + share);
        }
        this.routes = routes;
        this.executor = executor;
        this.perKey = perKey;
        this.maxYieldNanos = TimeUnit.MILLISECONDS.toNanos(maxYieldMillis);
        this.share = share;
        this.politeExecutor = task -> executor.execute(() -> {
            yieldToOthers();
            long began = System.nanoTime();
            try {
                task.run();
            } finally {
                restAfter(System.nanoTime() - began);
            }
        });
    }

    boolean appliesTo(Router.Route route) {
        return routes.test(route);
    }

    /** The lane's threads, each task first waiting for a gap in the other requests (see the class comment). */
    Executor executor() {
        return politeExecutor;
    }

    /** A request outside the lane was handed to its executor. */
    void otherStarted() {
        othersInFlight.incrementAndGet();
        lastOtherStart = System.nanoTime();
    }

    /** That request's endpoint returned (or it was refused). */
    void otherFinished() {
        othersInFlight.decrementAndGet();
    }

    /** Reports waiting for a gap right now. */
    int yielding() {
        return yielding.get();
    }

    /** After a report that ran {@code ranNanos}: rests the thread while other requests are about (see the class comment). */
    private void restAfter(long ranNanos) {
        if (share >= 1 || (othersInFlight.get() <= 0 && System.nanoTime() - lastOtherStart > BUSY_WINDOW_NANOS)) {
            return;
        }
        long rest = Math.min((long) (ranNanos * (1 - share) / share), MAX_REST_NANOS);
        long until = System.nanoTime() + rest;
        for (long left = rest; left > 0; left = until - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private void yieldToOthers() {
        if (maxYieldNanos <= 0 || othersInFlight.get() <= 0) {
            return;
        }
        yielding.incrementAndGet();
        try {
            long deadline = System.nanoTime() + maxYieldNanos;
            while (othersInFlight.get() > 0 && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(YIELD_STEP_NANOS);
            }
        } finally {
            yielding.decrementAndGet();
        }
    }

    /** The key a request counts under: a digest of its token (never the token), else its address. */
    static String keyOf(Request request) {
        String token = request.bearerToken();
        if (token == null) {
            return "ip:" + io.ringpool.security.ClientAddress.limitKeyOf(request.clientIp());
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return "key:" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Takes a place for {@code key}; false when it already has {@code perKey}. */
    boolean tryEnter(String key) {
        boolean[] entered = new boolean[1];
        inFlight.compute(key, (k, n) -> {
            int current = n == null ? 0 : n;
            entered[0] = current < perKey;
            return entered[0] ? current + 1 : current;
        });
        return entered[0];
    }

    void leave(String key) {
        inFlight.compute(key, (k, n) -> n == null || n <= 1 ? null : n - 1);
    }
}
