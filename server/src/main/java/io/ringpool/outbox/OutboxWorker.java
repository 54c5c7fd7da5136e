package io.ringpool.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ringpool.site.Keys;
import io.ringpool.store.Database;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers due outbox rows. One polling thread finds due deliveries (the store decides "due":
 * time reached, not leased, the target not held, no earlier delivery of the same subject pending
 * for that target),
 * takes each one's lease by compare-and-set, and hands it to a bounded pool of sender threads.
 *
 * <p>Fairness (audit, session 37: five hanging endpoints of one site held a healthy endpoint's
 * events back for minutes): the {@link AttemptSlots} keep at most {@code threads} attempts at once
 * for endpoints that answer, at most {@code perSiteConcurrency} of them for one site and
 * {@code perTargetConcurrency} for one endpoint, and put the endpoints known to be slow on
 * {@code slowThreads} threads of their own, one attempt each. Free slots go to the site served
 * least recently, and within it to the endpoint served least recently (round-robin), not simply
 * to the oldest row: a site with a backlog takes turns with the others. A lease lasts
 * {@code lease}: longer than any attempt (an attempt is bounded by the HTTP timeout), so only a
 * dead node's lease ever expires. The limits are this node's: claims stay safe across nodes (the
 * lease's compare-and-set).
 *
 * <p>Time is the injected clock: "due" and the backoff are measured on it, so tests move the clock
 * instead of waiting. The poll interval is real time (it only bounds how late a due row is seen),
 * and so is an attempt's duration, which decides whether its endpoint is slow.
 */
final class OutboxWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxWorker.class);

    /**
     * How long the delivery log, event bodies and upload logs are kept, days. They carry caller
     * numbers (personal data, PRODUCT.md §5), so they do not stay for ever; a month covers every
     * retry window and a look back at last month's failures.
     */
    static final int LOG_DAYS = 30;
    /** How often the log is purged. */
    private static final long PURGE_EVERY_MILLIS = 3_600_000;

    /** How often deliveries past their deadline whose last attempt went unrecorded are given up (clock time). */
    private static final long EXPIRE_EVERY_MILLIS = 1_000;

    /** How often the backlog gauge is read from the store (clock time): one indexed count, not one per scrape. */
    static final long BACKLOG_EVERY_MILLIS = 10_000;

    /** Due rows read at once; more are read in the same poll while slots are free (up to {@link #READS_PER_POLL} reads). */
    private static final int DUE_PER_POLL = 200;
    /** Reads of due rows in one poll: each leaves out the sites and endpoints the previous one filled. */
    private static final int READS_PER_POLL = 4;

    private final Database db;
    private final Clock clock;
    private final Map<String, Target> targets;
    private final Outbox.Settings settings;
    private final Backoff backoff;
    private final MeterRegistry registry;
    private final String owner = Keys.random("node_", 9);
    private final AttemptSlots slots;
    /** Whose turn it is: the site, and the endpoint of a site, served least recently go first. */
    private final Turns siteTurns = new Turns();
    private final Turns targetTurns = new Turns();
    /**
     * Deliveries this node is attempting now. The lease keeps other nodes away; this keeps this
     * node away from its own attempts even when its clock jumps past a lease (the test clock).
     */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final ExecutorService senders;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nudged = lock.newCondition();
    private final Timer attemptTimer;
    private final Map<AttemptSlots.Lane, Timer> waitTimers = new java.util.EnumMap<>(AttemptSlots.Lane.class);
    /** Pending deliveries per target kind, held and waiting ({@link OutboxStore.Backlog}), as of the last {@link #refreshBacklog}. */
    private final Map<String, java.util.concurrent.atomic.AtomicLong> held = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.atomic.AtomicLong> waiting = new ConcurrentHashMap<>();
    /** When the backlog was last read (clock time); -1: not yet. */
    private long lastBacklog = -1;
    private volatile boolean paused;
    private boolean woken;
    private long lastPurge;
    private long lastExpire;
    private volatile boolean running;
    private Thread poller;

    OutboxWorker(Database db, Clock clock, Map<String, Target> targets, Outbox.Settings settings, Backoff backoff, MeterRegistry registry) {
        this.db = db;
        this.clock = clock;
        this.targets = targets;
        this.settings = settings;
        this.backoff = backoff;
        this.registry = registry;
        this.slots = new AttemptSlots(settings.threads(), settings.perSiteConcurrency(), settings.perTargetConcurrency(),
                settings.slowThreads(), settings.timeout().toNanos() / 2);
        AtomicInteger n = new AtomicInteger();
        this.senders = Executors.newFixedThreadPool(slots.poolSize(),
                r -> Thread.ofPlatform().name("ringpool-outbox-" + n.incrementAndGet()).daemon(true).unstarted(r));
        this.attemptTimer = Timer.builder("ringpool.outbox.attempt").description("time of one delivery attempt")
                .publishPercentiles(0.5, 0.99).register(registry);
        for (AttemptSlots.Lane lane : AttemptSlots.Lane.values()) {
            waitTimers.put(lane, Timer.builder("ringpool.outbox.wait")
                    .description("time from a delivery being due to its attempt starting, by the lane it started in (normal, slow): "
                            + "long in the normal lane means endpoints that answer wait for a sender")
                    .publishPercentiles(0.5, 0.99).tag("lane", lane.tag()).register(registry));
            io.micrometer.core.instrument.Gauge.builder("ringpool.outbox.in.flight", slots, s -> s.inFlight(lane))
                    .description("delivery attempts running now on this node, by lane (normal, slow)").tag("lane", lane.tag())
                    .register(registry);
        }
        io.micrometer.core.instrument.Gauge.builder("ringpool.outbox.slow.endpoints", slots, AttemptSlots::slowTargets)
                .description("endpoints this node treats as slow (an attempt took half the request timeout): one attempt each, "
                        + "on outbound.slowThreads")
                .register(registry);
        // Split by state since session 44 (audit AJ2 #2): the Google Ads hold filled the one series, so an alert on
        // its growth fired on every normal day of calls.
        for (String kind : targets.keySet()) {
            for (Map.Entry<String, Map<String, java.util.concurrent.atomic.AtomicLong>> state
                    : Map.of("held", held, "waiting", waiting).entrySet()) {
                java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
                state.getValue().put(kind, count);
                io.micrometer.core.instrument.Gauge.builder("ringpool.outbox.pending", count, java.util.concurrent.atomic.AtomicLong::get)
                        .description("deliveries not sent yet, by target kind and state: held (never tried, due later on purpose: "
                                + "Google Ads' 6 h 10 min) or waiting (due, or retrying after a failure); read every 10 s")
                        .tag("kind", kind).tag("state", state.getKey()).register(registry);
            }
        }
    }

    /**
     * @param sendNothing claim and send nothing (the backlog is still read and the log purged):
     *                    {@code outbound.paused}, for a restored copy that must not send what
     *                    the live server sends
     */
    void start(boolean sendNothing) {
        paused = sendNothing;
        start();
    }

    void start() {
        running = true;
        poller = Thread.ofPlatform().name("ringpool-outbox-poll").daemon(true).unstarted(this::run);
        poller.start();
    }

    void wake() {
        lock.lock();
        try {
            woken = true;
            nudged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (running) {
            try {
                if (!paused) {
                    poll();
                }
                purgeHourly();
                refreshBacklog(false);
            } catch (RuntimeException e) {
                io.ringpool.failure.FailureLog.SHARED.warn(LOG, "outbox_poll_failed", e); // every 250 ms while the store is away
            }
            lock.lock();
            try {
                if (!woken) {
                    nudged.await(settings.poll().toMillis(), TimeUnit.MILLISECONDS);
                }
                woken = false;
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** One poll: claims what is due and free to send and starts sending it; returns the attempts started. */
    private List<Future<?>> poll() {
        long now = clock.millis();
        slots.sweep(System.nanoTime());
        if (!slots.anyFree()) {
            return List.of();
        }
        if (now - lastExpire >= EXPIRE_EVERY_MILLIS) {
            lastExpire = now;
            // one statement, autocommitted like a claim
            int expired = db.read(c -> OutboxStore.expire(c, now, settings.lease().toMillis()));
            if (expired > 0) {
                LOG.warn("outbox_expired deliveries={} reason=last attempt unrecorded after the deadline", expired);
            }
        }
        List<Future<?>> started = new ArrayList<>();
        for (int read = 0; read < READS_PER_POLL && slots.anyFree(); read++) {
            List<String> fullSites = slots.fullSites();
            List<String> fullTargets = slots.fullTargets();
            List<OutboxStore.Due> due = db.read(c -> OutboxStore.due(c, now, DUE_PER_POLL, fullSites, fullTargets));
            int before = started.size();
            startInTurn(due, now, started);
            if (due.size() < DUE_PER_POLL || started.size() == before) {
                break; // all that is due was seen, or nothing more can start
            }
        }
        return started;
    }

    /**
     * Starts attempts for {@code due} while slots are free, one per site per round: the site served
     * least recently first, and within it the endpoint served least recently (ties: the oldest row).
     */
    private void startInTurn(List<OutboxStore.Due> due, long now, List<Future<?>> started) {
        Map<String, Map<String, List<OutboxStore.Due>>> bySite = new LinkedHashMap<>();
        for (OutboxStore.Due d : due) {
            bySite.computeIfAbsent(d.siteId(), k -> new LinkedHashMap<>()).computeIfAbsent(d.targetId(), k -> new ArrayList<>()).add(d);
        }
        boolean progress = true;
        while (progress && slots.anyFree()) {
            progress = false;
            for (String siteId : siteTurns.order(bySite.keySet())) {
                Map<String, List<OutboxStore.Due>> endpoints = bySite.get(siteId);
                for (String targetId : targetTurns.order(endpoints.keySet())) {
                    List<OutboxStore.Due> rows = endpoints.get(targetId);
                    if (!rows.isEmpty() && start(rows, now, started)) {
                        siteTurns.served(siteId);
                        targetTurns.served(targetId);
                        progress = true;
                        break;
                    }
                }
            }
        }
    }

    /**
     * Claims the first of {@code rows} (one endpoint's, oldest first; as many as the endpoint takes
     * in one attempt) and starts the attempt; false when no slot was free for the endpoint or none
     * could be claimed. Claimed rows, and rows another poller took, leave {@code rows}.
     */
    private boolean start(List<OutboxStore.Due> rows, long now, List<Future<?>> started) {
        OutboxStore.Due first = rows.get(0);
        Target target = targets.get(first.targetKind());
        if (target == null) {
            rows.clear(); // a kind this build does not know (a newer node wrote it): leave it to that node
            return false;
        }
        AttemptSlots.Slot slot = slots.tryTake(first.siteId(), first.targetId(), System.nanoTime());
        if (slot == null) {
            return false;
        }
        int maxBatch = Math.max(1, target.maxBatch(first.targetId()));
        List<OutboxStore.Due> batch = new ArrayList<>();
        long leaseUntil = clock.millis() + settings.lease().toMillis();
        while (!rows.isEmpty() && batch.size() < maxBatch) {
            OutboxStore.Due d = rows.remove(0);
            if (!inFlight.add(d.deliveryId())) {
                continue;
            }
            if (db.read(c -> OutboxStore.claim(c, d, owner, leaseUntil, now))) {
                batch.add(d);
            } else {
                inFlight.remove(d.deliveryId());
            }
        }
        if (batch.isEmpty()) {
            slots.release(slot, null);
            return false;
        }
        Timer waited = waitTimers.get(slot.lane());
        batch.forEach(d -> waited.record(Math.max(0, now - d.dueAt()), TimeUnit.MILLISECONDS));
        try {
            started.add(senders.submit(() -> {
                long t0 = System.nanoTime();
                boolean sent = false;
                try {
                    sent = attempt(target, batch);
                } finally {
                    batch.forEach(d -> inFlight.remove(d.deliveryId()));
                    slots.release(slot, sent ? System.nanoTime() - t0 : null);
                    wake(); // the next event of the same subject may be due now
                }
            }));
        } catch (RuntimeException rejected) {
            batch.forEach(d -> inFlight.remove(d.deliveryId()));
            slots.release(slot, null);
            throw rejected;
        }
        return true;
    }

    /** Reads the pending deliveries per kind for the gauge, at most every {@link #BACKLOG_EVERY_MILLIS} unless {@code now}. */
    Map<String, Long> refreshBacklog(boolean now) {
        long at = clock.millis();
        if (!now && lastBacklog >= 0 && at >= lastBacklog && at - lastBacklog < BACKLOG_EVERY_MILLIS) {
            return null;
        }
        lastBacklog = at;
        Map<String, OutboxStore.Backlog> counts = db.read(c -> OutboxStore.pendingByKind(c, at));
        OutboxStore.Backlog none = new OutboxStore.Backlog(0, 0);
        held.forEach((kind, count) -> count.set(counts.getOrDefault(kind, none).held()));
        waiting.forEach((kind, count) -> count.set(counts.getOrDefault(kind, none).waiting()));
        Map<String, Long> totals = new java.util.HashMap<>();
        counts.forEach((kind, backlog) -> totals.put(kind, backlog.total()));
        return totals;
    }

    private void purgeHourly() {
        long now = clock.millis();
        if (now - lastPurge < PURGE_EVERY_MILLIS) {
            return;
        }
        lastPurge = now;
        int deleted = purge(now);
        if (deleted > 0) {
            LOG.info("outbox_purged rows={} olderThanDays={}", deleted, LOG_DAYS);
        }
    }

    /** Deletes finished deliveries, their events and upload logs older than {@link #LOG_DAYS}. */
    int purge(long now) {
        return db.inTransaction(c -> OutboxStore.purge(c, now - LOG_DAYS * 86_400_000L));
    }

    /** Test hook: one poll, then waits until the attempts it started are recorded; returns their number. */
    int pollAndWait() {
        List<Future<?>> started = poll();
        for (Future<?> f : started) {
            try {
                f.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("delivery did not finish", e);
            }
        }
        return started.size();
    }

    /** One attempt at {@code target}; false when nothing was sent (the target was held meanwhile). */
    private boolean attempt(Target target, List<OutboxStore.Due> batch) {
        String targetId = batch.get(0).targetId();
        long startedAt = clock.millis();
        long t0 = System.nanoTime();
        Long heldUntil = db.read(c -> OutboxStore.heldUntil(c, targetId, startedAt));
        if (heldUntil != null) {
            // Held after these were claimed (an attempt in flight at the same time was told to wait):
            // back to the queue untried, so the wait costs them no attempt.
            db.inTransaction(c -> {
                for (OutboxStore.Due d : batch) {
                    OutboxStore.release(c, d.deliveryId(), owner, heldUntil);
                }
                return null;
            });
            return false;
        }
        Attempt result;
        try {
            List<OutboxEvent> events = db.read(c -> OutboxStore.events(c, batch.stream().map(OutboxStore.Due::eventId).toList()));
            result = target.deliver(targetId, events);
        } catch (RuntimeException e) {
            LOG.warn("outbox_attempt_crashed kind={} target={}", target.kind(), targetId, e);
            result = Attempt.failed(null, "internal error (the server log has the details)", null);
        }
        long durationMillis = (System.nanoTime() - t0) / 1_000_000;
        attemptTimer.record(durationMillis, TimeUnit.MILLISECONDS);
        Attempt a = result;
        long now = clock.millis();
        long oldest = batch.stream().mapToLong(d -> d.deadlineAt() - Backoff.RETRY_FOR.toMillis()).min().orElse(now);
        List<String> outcomes = new ArrayList<>();
        try {
            db.inTransaction(c -> {
                target.lockForRecord(c, targetId); // the target's row before any delivery's: see Target#lockForRecord
                long hold = target.holdAfterEvent(c, targetId).toMillis();
                for (OutboxStore.Due d : batch) {
                    Attempt own = a.forEvent(d.eventId()); // a row of the batch the target refused, or took, alone
                    String state;
                    Long nextAt = null;
                    if (own.success()) {
                        state = "delivered";
                    } else if (own.permanent() || now >= d.deadlineAt()) {
                        state = "failed";
                    } else {
                        // The last attempt is made at the deadline itself, so a delivery is tried for the whole window.
                        state = "pending";
                        nextAt = Math.min(now + backoff.delayMillis(d.attempts() + 1, own.retryAfter()), d.deadlineAt());
                        // Tried before the target's hold was over (a manual retry; one queued before the hold
                        // existed) and refused: the next try waits for the hold, as a new delivery would.
                        nextAt = Math.min(Math.max(nextAt, d.createdAt() + hold), d.deadlineAt());
                    }
                    String left = OutboxStore.finish(c, d, owner, own, startedAt, durationMillis, state, nextAt);
                    outcomes.add(left != null ? left : state);
                }
                if (!a.success() && a.retryAfter() != null) {
                    // The endpoint asked to be left alone: all of its deliveries wait, not only these.
                    OutboxStore.hold(c, target.kind(), targetId, now + Backoff.holdMillis(a.retryAfter()), now);
                }
                target.recordAttempt(c, targetId, a, now, oldest);
                return null;
            });
        } catch (RuntimeException e) {
            // The lease expires and the attempt is repeated: at least once, never lost.
            LOG.warn("outbox_record_failed kind={} target={} reason={}", target.kind(), targetId, e.toString());
            return true;
        }
        String outcome = a.byEvent().isEmpty() ? (a.success() ? "delivered" : outcomes.contains("failed") ? "gave_up" : "retrying")
                : outcomes.contains("failed") ? "gave_up" : outcomes.contains("pending") ? "retrying" : "delivered";
        Counter.builder("ringpool.outbox.attempts").description("delivery attempts by target kind and outcome")
                .tag("kind", target.kind()).tag("outcome", outcome).register(registry).increment();
        if (a.success() && a.statusCode() == null) {
            // Settled without a request (an upload with nothing to send, a dry run): said as such, not as "status=null" (audit P #10).
            LOG.info("outbox_settled_without_sending kind={} target={} events={} result={}", target.kind(), targetId, batch.size(),
                    a.response());
        } else if (a.success()) {
            LOG.info("outbox_delivered kind={} target={} events={} status={}", target.kind(), targetId, batch.size(), a.statusCode());
        } else {
            LOG.info("outbox_attempt_failed kind={} target={} events={} status={} outcome={} reason={}", target.kind(), targetId,
                    batch.size(), a.statusCode(), outcome, a.error());
        }
        return true;
    }

    @Override
    public void close() {
        running = false;
        if (poller != null) {
            // woken, not interrupted: an interrupt that lands while the poller reads the store
            // closes H2's file channel under every other thread (ClosedByInterruptException)
            wake();
            try {
                poller.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        senders.shutdown();
        try {
            senders.awaitTermination(12, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
