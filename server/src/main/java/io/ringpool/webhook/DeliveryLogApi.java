package io.ringpool.webhook;

import io.ringpool.failure.DomainFailure;
import io.ringpool.http.JsonBody;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import io.ringpool.outbox.Delivery;
import io.ringpool.outbox.Outbox;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The delivery log's requests and answers, one shape for webhooks and upload destinations (their
 * deliveries are the outbox's either way): the page of {@code GET …/deliveries}, the bulk retry's
 * body, a delivery as JSON.
 */
public final class DeliveryLogApi {
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;
    private static final Set<String> LOG_PARAMETERS = Set.of("limit", "cursor", "state");
    private static final List<String> STATES = List.of("pending", "delivered", "failed");
    /** What a bulk retry may queue again: what was given up, or what waits for its backoff; never what was delivered. */
    private static final List<String> RETRY_STATES = List.of("failed", "pending");

    /** A bulk retry's choice: deliveries in {@code state} created at or after {@code since} (null: any time). */
    public record RetryFilter(String state, Instant since) {}

    private DeliveryLogApi() {}

    /**
     * {@code limit} (1–500, default 50), {@code cursor} (the previous page's {@code nextCursor}),
     * {@code state}; an unknown parameter is 400 {@code unknown_parameter}, as on every route.
     */
    public static Outbox.DeliveryQuery query(Request request) {
        QueryParameters q = QueryParameters.of(request, LOG_PARAMETERS);
        int limit = q.limit("limit", DEFAULT_LIMIT, MAX_LIMIT);
        Long before = q.cursor("cursor", 1, parts -> {
            long seq = Long.parseLong(parts.get(0));
            if (seq <= 0) {
                throw new IllegalArgumentException("not a position");
            }
            return seq;
        });
        String state = q.text("state", 20);
        if (state != null && !STATES.contains(state)) {
            throw DomainFailure.invalid("state", "'state' must be one of " + String.join(", ", STATES));
        }
        return new Outbox.DeliveryQuery(state, before, limit);
    }

    /** {@code {"deliveries": [...], "nextCursor"}}: the cursor is null on the last page. */
    public static Map<String, Object> page(Outbox.DeliveryPage page) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("deliveries", page.deliveries().stream().map(DeliveryLogApi::delivery).toList());
        out.put("nextCursor", page.next() == null ? null : QueryParameters.cursor(Long.toString(page.next())));
        return out;
    }

    /**
     * The bulk retry's optional body {@code {"state", "since"}}: {@code state} {@code failed} (the
     * default) or {@code pending}; {@code since} an ISO-8601 time with an offset. No body is the
     * default: every failed delivery.
     */
    public static RetryFilter retryFilter(Request request) {
        if (blank(request.body())) {
            return new RetryFilter("failed", null);
        }
        JsonBody body = JsonBody.of(request).rejectUnknown(Set.of("state", "since"));
        String state = body.optionalString("state", 20);
        if (state != null && !RETRY_STATES.contains(state)) {
            throw DomainFailure.invalid("state", "'state' must be failed or pending (a delivered one is sent again one by one: "
                    + "POST …/deliveries/{deliveryId}/retry)");
        }
        String since = body.optionalString("since", 100);
        Instant from = null;
        if (since != null) {
            try {
                from = OffsetDateTime.parse(since).toInstant();
            } catch (DateTimeException e) {
                throw DomainFailure.invalid("since", "'since' must be an ISO-8601 time with an offset, such as 2026-11-26T03:15:00Z");
            }
        }
        return new RetryFilter(state == null ? "failed" : state, from);
    }

    /** A single retry's answer: {@code {"deliveryId", "state": "pending", "alsoQueued", "paused"}}. */
    public static Map<String, Object> retried(Outbox.Retried retried, boolean paused) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("deliveryId", retried.deliveryId());
        out.put("state", "pending");
        out.put("alsoQueued", retried.alsoQueued());
        out.put("paused", paused);
        return out;
    }

    public static Map<String, Object> delivery(Delivery d) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("deliveryId", d.deliveryId());
        out.put("eventId", d.eventId());
        out.put("type", d.type());
        out.put("subjectId", d.subjectId());
        out.put("state", d.state());
        out.put("attempts", d.attempts());
        out.put("createdAt", d.createdAt());
        out.put("nextAttemptAt", d.nextAttemptAt());
        out.put("waitingFor", d.waitingFor());
        out.put("lastAttemptAt", d.lastAttemptAt());
        out.put("responseCode", d.lastStatus());
        out.put("lastError", d.lastError());
        out.put("deliveredAt", d.deliveredAt());
        out.put("log", d.log().stream().map(a -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("attempt", a.attempt());
            m.put("at", a.at());
            m.put("durationMillis", a.durationMillis());
            m.put("responseCode", a.statusCode());
            m.put("error", a.error());
            m.put("response", a.response());
            return m;
        }).toList());
        return out;
    }

    private static boolean blank(byte[] body) {
        if (body == null) {
            return true;
        }
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }
}
