package io.ringpool.upload;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.export.EarlierVisitIds;
import io.ringpool.outbound.NetworkFailure;
import io.ringpool.outbound.OutboundHttp;
import io.ringpool.outbound.RetryAfter;
import io.ringpool.outbox.Attempt;
import io.ringpool.outbox.CallEvents;
import io.ringpool.outbox.OutboxEvent;
import io.ringpool.outbox.Target;
import io.ringpool.site.Keys;
import io.ringpool.site.SecretCipher;
import io.ringpool.site.SiteRegistry;
import io.ringpool.store.Database;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Uploads completed calls, and new leads where the platform has a place for them (GA4, Google Ads
 * clicks, Yandex offline conversions), to a destination. Every destination of a site takes
 * {@code call.completed}, those whose platform {@link Platform#takesLeads() takes leads} also
 * {@code lead.created}, and those that leave unanswered calls out also a call first reported
 * unanswered whose answer came after its end ({@link CallEvents#ANSWERED_LATE}); the outbox hands over up to the platform's batch of due events at once,
 * so a burst of calls goes up in one upload and a trickle one by one. Each upload is logged with
 * its rows, its requests (credentials masked) and the platform's answer; in dry-run mode nothing
 * is sent and the log shows what would have been. Calls nobody answered (on the conversion
 * uploads) and those the destination's {@link DestinationFilter} leaves out are counted as skipped.
 */
public final class DestinationTarget implements Target {
    /** How the error of a delivery this target refused to send begins: nothing of it went out. */
    static final String NOT_SENT = "not sent: ";

    public static final String KIND = "destination";
    static final String CALL_COMPLETED = "call.completed";
    static final String LEAD_CREATED = "lead.created";

    private final Database db;
    private final OutboundHttp http;
    private final SecretCipher cipher;
    private final SiteRegistry sites;
    private final Platforms platforms;
    private final Clock clock;
    private final Map<String, Integer> batchByDestination = new ConcurrentHashMap<>();
    private final Map<String, java.time.Duration> holdByDestination = new ConcurrentHashMap<>();

    public DestinationTarget(Database db, OutboundHttp http, SecretCipher cipher, SiteRegistry sites, Clock clock) {
        this.db = db;
        this.http = http;
        this.cipher = cipher;
        this.sites = sites;
        this.platforms = new Platforms(clock);
        this.clock = clock;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<String> subscribers(Connection c, String siteId, String type) throws SQLException {
        if (CALL_COMPLETED.equals(type)) {
            return UploadStore.subscribers(c, siteId, (t, filter) -> true);
        }
        if (CallEvents.ANSWERED_LATE.equals(type)) {
            // The call went to every destination at call.completed, unanswered; those that take
            // unanswered calls have it already (as missed), the others left it out and take it now.
            return UploadStore.subscribers(c, siteId, (t, filter) -> platforms.of(t).map(p -> !p.takesUnanswered()).orElse(false));
        }
        if (LEAD_CREATED.equals(type)) {
            return UploadStore.subscribers(c, siteId, (t, filter) -> platforms.of(t).map(Platform::takesLeads).orElse(false)
                    && !Boolean.FALSE.equals(filter.leads()));
        }
        return List.of();
    }

    @Override
    public int maxBatch(String targetId) {
        return batchByDestination.computeIfAbsent(targetId, id -> db.read(c -> UploadStore.destination(c, id, s -> null))
                .flatMap(d -> platforms.of(d.type())).map(Platform::maxBatch).orElse(1));
    }

    /** The platform's {@link Platform#holdAfterCall}: Google Ads takes no call or click under six hours old. */
    @Override
    public java.time.Duration holdAfterEvent(Connection c, String targetId) throws SQLException {
        java.time.Duration known = holdByDestination.get(targetId);
        if (known != null) {
            return known;
        }
        java.time.Duration hold = UploadStore.destination(c, targetId, s -> null).flatMap(d -> platforms.of(d.type()))
                .map(Platform::holdAfterCall).orElse(java.time.Duration.ZERO);
        holdByDestination.put(targetId, hold);
        return hold;
    }

    @Override
    public Attempt deliver(String targetId, List<OutboxEvent> events) {
        Destination d = db.read(c -> UploadStore.destination(c, targetId, cipher::decrypt)).orElse(null);
        if (d == null) {
            return Attempt.abandoned("destination deleted");
        }
        Platform platform = platforms.of(d.type()).orElse(null);
        SiteRegistry.Entry site = sites.byId(d.siteId()).orElse(null);
        if (platform == null || site == null) {
            return Attempt.abandoned("destination type or site unknown");
        }
        List<DestinationProblem> problems = platform.problems(d);
        if (!problems.isEmpty()) {
            return refuseBroken(d, problems, events.size());
        }
        List<CallConversion> calls = new ArrayList<>();
        List<String> callEvents = new ArrayList<>(); // callEvents.get(i): the event of calls.get(i)
        Instant now = clock.instant();
        List<CallConversion> read = new ArrayList<>();
        List<JsonNode> attributions = new ArrayList<>();
        for (OutboxEvent e : events) {
            try {
                JsonNode data = UploadStore.JSON.readTree(e.payload()).path("data");
                read.add(LEAD_CREATED.equals(e.type()) ? CallConversion.ofLead(data) : CallConversion.of(data));
                attributions.add(data.path("attribution"));
            } catch (IOException | RuntimeException bad) {
                return Attempt.abandoned("event " + e.eventId() + " unreadable");
            }
        }
        withEarlierIds(d.siteId(), read, attributions);
        List<CallConversion> marked = db.read(c -> MarksAtUpload.current(c, d.siteId(), read));
        read.clear();
        read.addAll(marked);
        for (int i = 0; i < events.size(); i++) {
            OutboxEvent e = events.get(i);
            CallConversion c = read.get(i);
            if ((platform.takesUnanswered() || c.lead() || c.answered()) && d.filter().admits(c)) {
                calls.add(c.notAfter(now));
                callEvents.add(e.eventId());
            }
        }
        int leftOut = events.size() - calls.size();
        UploadSender sender = new UploadSender(http, d.dryRun());
        UploadOutcome outcome;
        String error = null;
        try {
            outcome = calls.isEmpty() ? new UploadOutcome(List.of(), 0, true, null, null, null)
                    : platform.upload(d, calls, site.site().settings().timeZone(), site.site().settings().currency(), now, sender);
        } catch (IOException e) {
            // Each platform keeps its rows when the network fails under one of its requests (UploadOutcome#unreachable):
            // what reaches here failed before any row was built.
            outcome = new UploadOutcome(List.of(), 0, false, null, null, null);
            error = NetworkFailure.describe(e);
        }
        if (leftOut > 0) { // unanswered calls and those the filter leaves out are counted with the platform's own skips
            outcome = new UploadOutcome(outcome.rows(), outcome.skipped() + leftOut, outcome.success(), outcome.status(),
                    outcome.response(), outcome.error(), outcome.byCall());
        }
        UploadOutcome o = outcome;
        String failure = error != null ? error : o.error();
        long refused = o.byCall().values().stream().filter(r -> !r.accepted()).count();
        String status = !o.success() ? "failed" : o.rows().isEmpty() ? "nothing_to_send" : d.dryRun() ? "dry_run"
                : refused == o.rows().size() ? "failed" : failure != null || refused > 0 ? "partial" : "sent";
        UploadStore.Upload upload = new UploadStore.Upload(Keys.timeOrdered("upl_", now.toEpochMilli(), 9), d.destinationId(), now,
                status, o.rows().size(), o.skipped(), o.rows(), sender.log(), o.status(), o.response(), failure);
        db.inTransaction(c -> {
            UploadStore.insertUpload(c, upload, d.siteId());
            return null;
        });
        if (o.success()) {
            // A message the platform gave of single rows goes to those rows' deliveries only; one it gave of the
            // whole upload (Metrica's rows dropped without saying which) to every delivery of it.
            String shared = o.byCall().isEmpty() ? failure : null;
            Attempt taken = new Attempt(true, o.status(), shared, status + ": " + o.rows().size() + " rows, " + o.skipped() + " skipped",
                    false);
            return taken.withEventOutcomes(rowOutcomes(o, callEvents));
        }
        // A quota answer (429) or an outage (503) may say when to come back, in Retry-After or (Google
        // Ads) in the body; the outbox holds the destination that long.
        Attempt failed = Attempt.failed(o.status(), failure, o.response());
        return RetryAfter.of(sender.last(), clock.instant()).or(() -> platform.retryDelay(sender.last()))
                .map(failed::withRetryAfter).orElse(failed);
    }

    /**
     * Gives each row that lacks a click id or ClientID of its own the one its visitor's earlier
     * visits give it, by the rule the exports and feeds follow ({@link EarlierVisitIds}): a direct
     * return takes the click id of the visit the default model credits, so a visitor who clicked
     * a Google ad on Monday and called from a bookmark on Wednesday is Google's conversion (until
     * session 45 only an export or feed sent it). Read when the upload is made, as an export is.
     */
    private void withEarlierIds(String siteId, List<CallConversion> rows, List<JsonNode> attributions) {
        if (rows.stream().noneMatch(CallConversion::lacksIds)) {
            return;
        }
        db.read(c -> {
            try (EarlierVisitIds earlier = new EarlierVisitIds(siteId, c)) {
                for (int i = 0; i < rows.size(); i++) {
                    CallConversion row = rows.get(i);
                    JsonNode a = attributions.get(i);
                    String visitorId = a.path("visitorId").textValue();
                    if (!row.lacksIds() || visitorId == null) {
                        continue;
                    }
                    String sessionId = a.path("sessionId").textValue();
                    String channel = a.path("channel").textValue();
                    // Any click id the visit carried, even one of the wrong shape, is the visit's own: it came from an ad.
                    boolean ownClickId = a.hasNonNull("gclid") || a.hasNonNull("yclid") || a.path("clickIds").hasNonNull("gclid")
                            || a.path("clickIds").hasNonNull("yclid");
                    long at = row.startedAt() == null ? clock.millis() : row.startedAt().toEpochMilli();
                    rows.set(i, row.withEarlierIds(earlier.creditedClickId(visitorId, sessionId, channel, ownClickId, at, "gclid"),
                            earlier.creditedClickId(visitorId, sessionId, channel, ownClickId, at, "yclid"),
                            row.ymClientId() == null ? earlier.earlierClientId(visitorId, at) : null));
                }
            }
            return null;
        });
    }

    /** The deliveries whose rows the platform answered for alone, by event id. */
    private static Map<String, Attempt> rowOutcomes(UploadOutcome o, List<String> callEvents) {
        Map<String, Attempt> byEvent = new java.util.HashMap<>();
        o.byCall().forEach((call, row) -> {
            Attempt own;
            if (row.accepted()) {
                own = new Attempt(true, o.status(), row.message(), null, false);
            } else if (row.finallyRefused()) {
                own = new Attempt(false, o.status(), row.message(), null, true); // no retry makes the platform take it
            } else {
                own = Attempt.failed(o.status(), row.message(), null).withRetryAfter(row.retryIn());
            }
            byEvent.put(callEvents.get(call), own);
        });
        return byEvent;
    }

    /**
     * A destination whose settings today's rules refuse (a GA4 event name from before they were
     * checked: GA4 would answer 2xx and drop the event) sends nothing: the upload is logged as
     * failed with the reason, and the deliveries are given up at once rather than retried for a
     * day, since no retry fixes a setting. The PATCH that fixes it queues them again
     * ({@link DestinationService#update}), by the error's first words, {@link #NOT_SENT}.
     */
    private Attempt refuseBroken(Destination d, List<DestinationProblem> problems, int events) {
        String reason = NOT_SENT + String.join("; ", problems.stream().map(DestinationProblem::message).toList())
                + "; fix the destination (PATCH) and retry";
        Instant now = clock.instant();
        UploadStore.Upload upload = new UploadStore.Upload(Keys.timeOrdered("upl_", now.toEpochMilli(), 9), d.destinationId(), now,
                "failed", 0, events, List.of(), List.of(), null, null, reason);
        db.inTransaction(c -> {
            UploadStore.insertUpload(c, upload, d.siteId());
            return null;
        });
        return new Attempt(false, null, reason, null, true);
    }

    @Override
    public void recordAttempt(Connection c, String targetId, Attempt attempt, long now, long oldestEventAt) {
        // A destination's health is its upload log; nothing more to keep.
    }

    /** Drops what this node cached about a destination (deleted here or on another node). */
    public void forget(String destinationId) {
        batchByDestination.remove(destinationId);
        holdByDestination.remove(destinationId);
    }
}
