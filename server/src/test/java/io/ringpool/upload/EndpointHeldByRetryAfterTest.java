package io.ringpool.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.webhook.Receiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session 32, conversions out #1: a 429 with {@code Retry-After} held back the delivery it
 * answered, but the next call's upload to the same destination went at once and met its own 429.
 * The endpoint is now held: every pending delivery to it waits, without spending an attempt, and
 * the destination shows until when.
 */
class EndpointHeldByRetryAfterTest {
    @TempDir
    Path dir;

    static final Instant T0 = Instant.parse("2027-03-02T07:00:00Z");

    @Test
    void aRetryAfterHoldsTheNextCallsUploadToTheSameDestinationWithoutSpendingItsAttempts() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20),
                Clock.fixed(T0, ZoneOffset.UTC));
                Receiver ga4 = new Receiver(n -> n == 1 ? 429 : 204)) {
            ga4.answerWith("{\"error\":\"quota\"}".getBytes(StandardCharsets.UTF_8), Map.of("Retry-After", "120"));
            Map<String, String> site = server.siteWithPool(List.of("+74956670001", "+74956670002"));
            Reply created = server.post("/v1/sites/" + site.get("siteId") + "/destinations", site.get("apiKey"), Map.of("type", "ga4",
                    "measurementId", "G-TEST12345", "apiSecret", PlatformDouble.GA4_SECRET, "baseUrl", ga4.url("")));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String one = "/v1/sites/" + site.get("siteId") + "/destinations/" + created.text("destinationId");
            assertThat(server.get(one, site.get("apiKey")).json().get("heldUntil").isNull()).isTrue();

            UploadRetriedDuringItsAttemptTest.visitAndCall(server, site, "held-1");
            await(() -> deliveries(server, site, one).size() == 1 && deliveries(server, site, one).get(0).get("attempts").asInt() == 1);
            assertThat(deliveries(server, site, one).get(0).get("responseCode").asInt()).isEqualTo(429);
            assertThat(server.get(one, site.get("apiKey")).json().get("heldUntil").asText())
                    .as("the destination shows the hold").isEqualTo(T0.plusSeconds(120).toString());
            JsonNode listed = server.get("/v1/sites/" + site.get("siteId") + "/destinations", site.get("apiKey")).json()
                    .get("destinations").get(0);
            assertThat(listed.get("heldUntil").asText()).isEqualTo(T0.plusSeconds(120).toString());

            UploadRetriedDuringItsAttemptTest.visitAndCall(server, site, "held-2");
            await(() -> deliveries(server, site, one).size() == 2);
            server.app.outbox().deliverDueNow();
            server.clock.advance(Duration.ofSeconds(119));
            server.app.outbox().deliverDueNow();
            assertThat(ga4.received()).as("the second call's upload waits for the platform's 120 s as well").hasSize(1);
            JsonNode second = deliveries(server, site, one).get(0);
            assertThat(second.get("state").asText()).isEqualTo("pending");
            assertThat(second.get("attempts").asInt()).as("held, not tried: no attempt spent").isZero();
            assertThat(second.get("nextAttemptAt").asText()).isEqualTo(T0.plusSeconds(120).toString());

            server.clock.advance(Duration.ofSeconds(1));
            server.app.outbox().deliverDueNow();
            await(() -> deliveries(server, site, one).stream().allMatch(d -> d.get("state").asText().equals("delivered")));
            assertThat(ga4.received()).hasSize(3);
            assertThat(deliveries(server, site, one).get(0).get("attempts").asInt()).as("delivered at its first attempt").isEqualTo(1);
            assertThat(server.get(one, site.get("apiKey")).json().get("heldUntil").isNull()).as("the hold is over").isTrue();
        }
    }

    /** The destination's deliveries, newest first. */
    static List<JsonNode> deliveries(TestServer server, Map<String, String> site, String destination) {
        List<JsonNode> out = new java.util.ArrayList<>();
        server.get(destination + "/deliveries", site.get("apiKey")).json().get("deliveries").forEach(out::add);
        return out;
    }

    static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).as("reached within 10 s").isTrue();
    }
}
