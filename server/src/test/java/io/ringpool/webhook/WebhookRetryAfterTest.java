package io.ringpool.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver shedding load (429) or down for maintenance (503) that says {@code Retry-After} gets
 * its next attempt no sooner than it asked, as the ad platforms do (audit N #6, for webhooks).
 */
class WebhookRetryAfterTest {
    @TempDir
    Path dir;

    static final Instant T0 = Instant.parse("2027-03-02T07:00:00Z");

    @Test
    void aReceiversRetryAfterHoldsTheNextAttemptBackThatLong() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20),
                Clock.fixed(T0, ZoneOffset.UTC));
                Receiver receiver = new Receiver(n -> n == 1 ? 503 : 200)) {
            receiver.answerWith("{\"error\":\"maintenance\"}".getBytes(StandardCharsets.UTF_8), Map.of("Retry-After", "300"));
            Map<String, String> site = server.siteWithPool(List.of("+74956670101"));
            Reply created = server.post("/v1/sites/" + site.get("siteId") + "/webhooks", site.get("apiKey"),
                    Map.of("url", receiver.url("/hook"), "events", List.of("call.completed")));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String path = "/v1/sites/" + site.get("siteId") + "/webhooks/" + created.text("webhookId") + "/deliveries";
            call(server, site, "+74956670101");

            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((server.get(path, site.get("apiKey")).json().get("deliveries").isEmpty()
                    || delivery(server, site, path).get("attempts").asInt() < 1) && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            JsonNode d = delivery(server, site, path);
            assertThat(d.get("responseCode").asInt()).isEqualTo(503);
            Instant tried = Instant.parse(d.get("lastAttemptAt").asText());
            assertThat(Duration.between(tried, Instant.parse(d.get("nextAttemptAt").asText())))
                    .as("the receiver's 300 s, not the backoff's 5 to 10 s").isEqualTo(Duration.ofSeconds(300));

            server.clock.advance(Duration.ofSeconds(299));
            server.app.outbox().deliverDueNow();
            assertThat(receiver.received()).as("not before the receiver said").hasSize(1);
            server.clock.advance(Duration.ofSeconds(1));
            server.app.outbox().deliverDueNow();
            until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!delivery(server, site, path).get("state").asText().equals("delivered") && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(delivery(server, site, path).get("state").asText()).isEqualTo("delivered");
            assertThat(receiver.received()).hasSize(2);
        }
    }

    /**
     * Session 32, conversions out #1: the 503's Retry-After held back the delivery it answered, but
     * the next call's event went to the same receiver at once. The receiver is now held: every
     * pending delivery to it waits, spending no attempt, and the webhook shows until when.
     */
    @Test
    void aReceiversRetryAfterHoldsTheNextCallsDeliveryToo() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20),
                Clock.fixed(T0, ZoneOffset.UTC));
                Receiver receiver = new Receiver(n -> n == 1 ? 503 : 200)) {
            receiver.answerWith("{\"error\":\"maintenance\"}".getBytes(StandardCharsets.UTF_8), Map.of("Retry-After", "300"));
            Map<String, String> site = server.siteWithPool(List.of("+74956670101", "+74956670102"));
            Reply created = server.post("/v1/sites/" + site.get("siteId") + "/webhooks", site.get("apiKey"),
                    Map.of("url", receiver.url("/hook"), "events", List.of("call.completed")));
            String hook = "/v1/sites/" + site.get("siteId") + "/webhooks/" + created.text("webhookId");
            call(server, site, "+74956670101", "held-hook-1");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (receiver.received().isEmpty() || server.get(hook, site.get("apiKey")).json().get("heldUntil").isNull()) {
                assertThat(System.nanoTime()).as("the 503 is recorded within 10 s").isLessThan(until);
                Thread.sleep(10);
            }
            assertThat(server.get(hook, site.get("apiKey")).json().get("heldUntil").asText()).isEqualTo(T0.plusSeconds(300).toString());

            call(server, site, "+74956670102", "held-hook-2");
            server.app.outbox().deliverDueNow();
            server.clock.advance(Duration.ofSeconds(299));
            server.app.outbox().deliverDueNow();
            assertThat(receiver.received()).as("the second call's event waits for the receiver's 300 s too").hasSize(1);
            JsonNode second = delivery(server, site, hook + "/deliveries");
            assertThat(second.get("attempts").asInt()).as("held, not tried").isZero();
            assertThat(second.get("nextAttemptAt").asText()).isEqualTo(T0.plusSeconds(300).toString());

            server.clock.advance(Duration.ofSeconds(1));
            server.app.outbox().deliverDueNow();
            until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (receiver.received().size() < 3 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(receiver.received()).hasSize(3);
        }
    }

    static void call(TestServer server, Map<String, String> site, String to) {
        call(server, site, to, "retry-after-hook-1");
    }

    static void call(TestServer server, Map<String, String> site, String to, String callId) {
        for (String event : List.of("ringing", "answered", "completed")) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("callId", callId);
            e.put("event", event);
            e.put("from", "+79161234567");
            e.put("to", to);
            if (event.equals("completed")) {
                e.put("durationSeconds", 65);
                e.put("talkSeconds", 60);
            }
            String body = new String(Json.write(e), StandardCharsets.UTF_8);
            Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                    Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
    }

    static JsonNode delivery(TestServer server, Map<String, String> site, String path) {
        return server.get(path, site.get("apiKey")).json().get("deliveries").get(0);
    }
}
