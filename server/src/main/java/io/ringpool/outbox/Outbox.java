package io.ringpool.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.site.Keys;
import io.ringpool.store.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The transactional outbox: everything that leaves Ringpool is first written here, in the same
 * transaction as the change that causes it, then delivered by the {@link OutboxWorker}.
 *
 * <pre>
 *   change + publish() ──commit──> outbox_events + one outbox_deliveries row per subscribed target
 *                                        │  worker: due? claim the lease (CAS) ─> deliver ─> log the attempt
 *                                        v
 *     pending ──2xx──> delivered
 *        │ └─failure──> pending (next attempt after the backoff) ... until the deadline ──> failed
 *        └─target disabled or deleted──> failed          manual retry: any state ──> pending
 *                                                        (with the other failed ones of its subject)
 *                                                        bulk retry: every failed (or pending) ──> pending
 *   an attempt in flight when a retry or a disable took its lease: logged all the same; its 2xx ──> delivered
 * </pre>
 *
 * A process killed at any point loses nothing: an event is either not committed (nor is the change
 * that caused it) or it is in the table; a lease left by a dead node expires and another attempt
 * follows. That attempt may repeat one whose answer was received but not yet recorded — the only
 * way an event reaches a target twice outside a retry, which receivers absorb by its event id.
 */
public final class Outbox implements AutoCloseable {

    /**
     * The settings of delivery (config/ringpool.yaml, {@code outbound.*}).
     *
     * @param threads              attempts at once on this node for endpoints that answer in time
     * @param perSiteConcurrency   of those, at most this many for one site's endpoints
     * @param perTargetConcurrency of those, at most this many for one endpoint
     * @param slowThreads          more threads, for the endpoints known to be slow (one attempt each)
     * @param timeout              one request's timeout: an attempt taking half of it makes its endpoint slow
     */
    public record Settings(int threads, int perSiteConcurrency, int perTargetConcurrency, int slowThreads, Duration timeout,
            Duration poll, Duration lease) {}

    /**
     * An event's {@code data}, built only when a target takes the event; it may read on the
     * transaction's connection (a call's leads, a lead's calls), so it sees the change itself.
     */
    @FunctionalInterface
    public interface Data {
        Object build() throws SQLException;
    }

    /**
     * A target's deliveries summed up, for lists and the dashboard.
     *
     * @param heldUntil until when the target asked to be left alone (a 429 or 503 with Retry-After,
     *                  Google's RetryInfo): no delivery to it is attempted before then; null when not held
     * @param paused    this node sends nothing ({@code outbound.paused}): its deliveries stay pending
     */
    public record Health(long pending, long delivered, long failed, Delivery last, java.time.Instant heldUntil, boolean paused) {}

    /**
     * Which page of a target's delivery log to read.
     *
     * @param state  {@code pending}, {@code delivered} or {@code failed}; null for all
     * @param before the position the previous page ended at ({@link DeliveryPage#next}); null for the newest
     */
    public record DeliveryQuery(String state, Long before, int limit) {}

    /** A page of the delivery log, newest first; {@code next} is where the following page starts, null after the last. */
    public record DeliveryPage(List<Delivery> deliveries, Long next) {}

    /**
     * A delivery queued again by hand, and the other failed deliveries of its subject queued with
     * it, earlier and later ones alike (oldest first).
     */
    public record Retried(String deliveryId, List<String> alsoQueued) {}

    /**
     * Event bodies keep null fields: a receiver should see {@code "value": null} rather than guess
     * whether the field exists (the call log's rule). Times are ISO-8601.
     */
    private static final ObjectMapper PAYLOAD = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final Database db;
    private final Clock clock;
    private final Map<String, Target> targets = new LinkedHashMap<>();
    private final OutboxWorker worker;
    private volatile boolean paused;

    public Outbox(Database db, Clock clock, List<Target> targets, Settings settings, MeterRegistry registry) {
        this.db = db;
        this.clock = clock;
        for (Target t : targets) {
            this.targets.put(t.kind(), t);
        }
        this.worker = new OutboxWorker(db, clock, this.targets, settings, new Backoff(ThreadLocalRandom.current()), registry);
    }

    public void start() {
        worker.start();
    }

    /** Starts reading the backlog without sending anything: {@code outbound.paused}. */
    public void startPaused() {
        paused = true;
        worker.start(true);
    }

    /** Whether this node sends nothing ({@code outbound.paused}): what it queues waits for a node that sends. */
    public boolean paused() {
        return paused;
    }

    /** The health of a target that has no delivery yet. */
    public Health noDeliveries() {
        return new Health(0, 0, 0, null, null, paused);
    }

    /** Pending deliveries per target kind read now (the gauge is refreshed every 10 s; tests and the start log). */
    public Map<String, Long> pendingNow() {
        return worker.refreshBacklog(true);
    }

    /**
     * Writes an event for every target of the site that takes {@code type}, on the caller's
     * connection and so inside its transaction; writes nothing when no target takes it.
     *
     * @param data    the {@code data} of the body: the call or lead as the API shows it; built only
     *                when a target takes the event: most sites have none, and it is built on the
     *                group-commit thread (so its reads are indexed lookups of one call or lead)
     * @param changes for {@code *.updated}: which fields changed; null otherwise
     * @return the event id, or empty when nothing subscribes
     */
    public Optional<String> publish(Connection c, String siteId, String type, String subjectId, Data data, List<String> changes)
            throws SQLException {
        Map<Target, List<String>> subscribers = new LinkedHashMap<>();
        Map<Target, List<String>> switchedOff = new LinkedHashMap<>();
        for (Target t : targets.values()) {
            List<String> ids = t.subscribers(c, siteId, type);
            if (!ids.isEmpty()) {
                subscribers.put(t, ids);
            }
            List<String> off = t.switchedOff(c, siteId, type);
            if (!off.isEmpty()) {
                switchedOff.put(t, off);
            }
        }
        if (subscribers.isEmpty() && switchedOff.isEmpty()) {
            return Optional.empty();
        }
        long now = clock.millis();
        String eventId = Keys.timeOrdered("evt_", now, 9);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", eventId);
        body.put("type", type);
        body.put("createdAt", Instant.ofEpochMilli(now));
        if (changes != null) {
            body.put("changes", changes);
        }
        body.put("data", data.build());
        byte[] payload;
        try {
            payload = PAYLOAD.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode event " + type, e);
        }
        OutboxEvent event = new OutboxEvent(eventId, siteId, type, subjectId, now, payload);
        OutboxStore.insertEvent(c, event);
        for (Map.Entry<Target, List<String>> e : subscribers.entrySet()) {
            for (String targetId : e.getValue()) {
                // A target that takes nothing this recent (Google Ads: six hours) is due later, with a whole day of retries from then.
                long dueAt = now + e.getKey().holdAfterEvent(c, targetId).toMillis();
                OutboxStore.insertDelivery(c, event, e.getKey().kind(), targetId, dueAt, dueAt + Backoff.RETRY_FOR.toMillis());
            }
        }
        for (Map.Entry<Target, List<String>> e : switchedOff.entrySet()) {
            for (String targetId : e.getValue()) {
                OutboxStore.insertFailedDelivery(c, event, e.getKey().kind(), targetId, e.getKey().switchedOffReason(c, targetId));
            }
        }
        // A nudge, not a promise: the worker may look before this commits and find it on its next poll.
        worker.wake();
        return Optional.of(eventId);
    }

    /** A page of a target's deliveries, newest first, with their attempts. */
    public DeliveryPage deliveries(String targetId, DeliveryQuery query) {
        OutboxStore.Page page = db.read(c -> OutboxStore.page(c, targetId, query.state(), query.before(), query.limit(), clock.millis()));
        return new DeliveryPage(page.deliveries(), page.next());
    }

    public Health health(String targetId) {
        long now = clock.millis();
        return db.read(c -> {
            OutboxStore.Summary s = OutboxStore.summary(c, targetId, now);
            Long held = OutboxStore.heldUntil(c, targetId, now);
            return new Health(s.pending(), s.delivered(), s.failed(), s.last().orElse(null),
                    held == null ? null : java.time.Instant.ofEpochMilli(held), paused);
        });
    }

    /**
     * Queues a target's delivery again now with a fresh 24-hour deadline, and with it every other
     * delivery of the same subject (call or lead) to the target that failed: retrying a call's
     * {@code call.completed} must not give the receiver a call that ends without starting, nor
     * retrying its {@code call.started} one that never ends. They go out in the order of their
     * events: a subject's later delivery waits behind its earlier pending one. Empty when the target
     * has no such delivery.
     */
    public Optional<Retried> retry(Connection c, String targetId, String deliveryId) throws SQLException {
        long now = clock.millis();
        long deadline = now + Backoff.RETRY_FOR.toMillis();
        Optional<List<String>> rest = OutboxStore.retryWithRestOfSubject(c, targetId, deliveryId, now, deadline);
        if (rest.isPresent()) {
            worker.wake();
        }
        return rest.map(others -> new Retried(deliveryId, others));
    }

    /**
     * Queues again now, with a fresh 24-hour deadline, every delivery of the target in {@code state}
     * ({@code failed}, or {@code pending} to try the waiting ones now rather than at their backoff)
     * created at or after {@code since} (null: any); inside the caller's transaction. They go out in
     * the order of their events, each call's in turn. The number queued.
     */
    public int retryAll(Connection c, String targetId, String state, Instant since) throws SQLException {
        long now = clock.millis();
        int queued = OutboxStore.retryAll(c, targetId, state, since == null ? null : since.toEpochMilli(), now,
                now + Backoff.RETRY_FOR.toMillis());
        if (queued > 0) {
            worker.wake();
        }
        return queued;
    }

    /**
     * Queues again, now and with a fresh 24-hour deadline, the target's deliveries given up with an
     * error starting {@code errorPrefix}: the ones it refused to send while its settings were
     * broken, once they are fixed. Inside the caller's transaction; the number queued.
     */
    public int retryFailed(Connection c, String targetId, String errorPrefix) throws SQLException {
        long now = clock.millis();
        int queued = OutboxStore.retryFailed(c, targetId, errorPrefix, now, now + Backoff.RETRY_FOR.toMillis());
        if (queued > 0) {
            worker.wake();
        }
        return queued;
    }

    /** Gives up a target's pending deliveries (it was disabled or deleted); inside the caller's transaction. */
    public static int abandon(Connection c, String targetId, String reason) throws SQLException {
        return OutboxStore.abandonTarget(c, targetId, reason);
    }

    /** Looks for due deliveries now instead of at the next poll. */
    public void wake() {
        worker.wake();
    }

    /** Deletes finished deliveries, events and upload logs older than 30 days (the worker does it hourly); returns rows deleted. */
    public int purgeOld() {
        return worker.purge(clock.millis());
    }

    /**
     * The site's retention, applied to what left for it: finished deliveries, their attempts and
     * events, and upload logs older than {@code before} are deleted when that is sooner than the
     * 30 days logs are otherwise kept (audit AI2 #1b: a 1-day retention purged the caller from the
     * call while the upload log kept the number and a redelivered webhook sent it again). Returns rows deleted.
     */
    public int purgeSite(String siteId, long before) {
        if (before <= clock.millis() - OutboxWorker.LOG_DAYS * 86_400_000L) {
            return 0; // the hourly purge of every site's logs reaches further back already
        }
        return db.inTransaction(c -> OutboxStore.purgeSite(c, siteId, before));
    }

    /** Runs one round of the worker on the calling thread and waits for its deliveries (tests). */
    public int deliverDueNow() {
        return worker.pollAndWait();
    }

    @Override
    public void close() {
        worker.close();
    }
}
