package io.ringpool.webhook;

import io.ringpool.outbound.NetworkFailure;
import io.ringpool.outbound.OutboundHttp;
import io.ringpool.outbound.RetryAfter;
import io.ringpool.outbox.Attempt;
import io.ringpool.outbox.Backoff;
import io.ringpool.outbox.Outbox;
import io.ringpool.outbox.OutboxEvent;
import io.ringpool.site.SecretCipher;
import io.ringpool.store.Database;
import io.ringpool.telephony.RingpoolSignature;
import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Delivers an event to a webhook: {@code POST <url>} with the event as the body, signed with the
 * inbound scheme ({@code X-Ringpool-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, t + "." + body)>},
 * the timestamp of this attempt) and {@code X-Ringpool-Event-Id}. Any 2xx is success; anything
 * else — another status, a redirect (never followed), a timeout, a refused address — is retried.
 * At most {@link #RESPONSE_LIMIT} bytes of the answer are read.
 */
public final class WebhookTarget implements io.ringpool.outbox.Target {
    public static final String KIND = "webhook";

    /** The most of a receiver's answer read, bytes (API.md). */
    static final int RESPONSE_LIMIT = 64 * 1024;

    private final Database db;
    private final OutboundHttp http;
    private final SecretCipher cipher;
    private final Clock clock;

    public WebhookTarget(Database db, OutboundHttp http, SecretCipher cipher, Clock clock) {
        this.db = db;
        this.http = http;
        this.cipher = cipher;
        this.clock = clock;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<String> subscribers(Connection c, String siteId, String type) throws SQLException {
        return WebhookStore.subscribers(c, siteId, type, false);
    }

    /** A disabled webhook's events are kept as failed deliveries: "retry all failed" sends everything it missed (audit AN2 F6). */
    @Override
    public List<String> switchedOff(Connection c, String siteId, String type) throws SQLException {
        return WebhookStore.subscribers(c, siteId, type, true);
    }

    @Override
    public String switchedOffReason(Connection c, String targetId) throws SQLException {
        return "webhook disabled: " + WebhookStore.byId(c, targetId).map(s -> s.webhook().disabledReason()).orElse("");
    }

    @Override
    public int maxBatch(String targetId) {
        return 1;
    }

    @Override
    public Attempt deliver(String targetId, List<OutboxEvent> events) {
        WebhookStore.Stored stored = db.read(c -> WebhookStore.byId(c, targetId)).orElse(null);
        if (stored == null || stored.deleted()) {
            return Attempt.abandoned("webhook deleted");
        }
        if (!stored.webhook().enabled()) {
            return Attempt.abandoned("webhook disabled: " + stored.webhook().disabledReason());
        }
        OutboxEvent event = events.get(0);
        String secret = cipher.decrypt(stored.secretEnc());
        long t = clock.millis() / 1000;
        Map<String, String> headers = Map.of(
                "Content-Type", "application/json; charset=utf-8",
                "X-Ringpool-Event-Id", event.eventId(),
                "X-Ringpool-Event-Type", event.type(),
                RingpoolSignature.HEADER, RingpoolSignature.sign(secret, t, event.payload()));
        try {
            OutboundHttp.Response r = http.send(new OutboundHttp.Request("POST", URI.create(stored.webhook().url()), headers,
                    event.payload()), RESPONSE_LIMIT);
            if (r.isSuccess()) {
                return Attempt.succeeded(r.status(), r.bodyText());
            }
            Attempt failed = Attempt.failed(r.status(), "HTTP " + r.status() + (r.status() / 100 == 3 ? " (redirects are not followed)" : ""),
                    r.bodyText());
            // A receiver that is shedding load (429) or down for maintenance (503) may say when to come back.
            return RetryAfter.of(r, clock.instant()).map(failed::withRetryAfter).orElse(failed);
        } catch (IOException e) {
            return Attempt.failed(null, NetworkFailure.describe(e), null);
        }
    }

    @Override
    public void lockForRecord(Connection c, String targetId) throws SQLException {
        WebhookStore.lock(c, targetId);
    }

    /**
     * A success clears the failure streak. A failure starts one (dated from the oldest event not
     * taken: the endpoint has failed it since then), and a streak of {@link Backoff#RETRY_FOR}
     * disables the endpoint and gives up its queue.
     */
    @Override
    public void recordAttempt(Connection c, String targetId, Attempt attempt, long now, long oldestEventAt) throws SQLException {
        if (attempt.success()) {
            WebhookStore.succeeded(c, targetId, now);
            return;
        }
        if (attempt.permanent()) {
            return;
        }
        long since = WebhookStore.failed(c, targetId, now, oldestEventAt);
        if (now - since >= Backoff.RETRY_FOR.toMillis()) {
            String reason = "every delivery failed for " + Duration.ofMillis(now - since).toHours() + " h since "
                    + Instant.ofEpochMilli(since) + "; last: " + attempt.error();
            WebhookStore.disable(c, targetId, now, reason);
            Outbox.abandon(c, targetId, "webhook disabled: " + reason);
        }
    }
}
