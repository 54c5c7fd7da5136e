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
 * Audit N #6: a platform answered 429 with {@code Retry-After: 120} and was tried again 29 s later.
 * The next attempt of that delivery now waits what the platform asked (at least the backoff, at
 * most an hour).
 */
class UploadRetryAfterTest {
    @TempDir
    Path dir;

    static final Instant T0 = Instant.parse("2027-03-02T07:00:00Z");

    @Test
    void aQuotaAnswersRetryAfterHoldsTheNextAttemptBackThatLong() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20),
                Clock.fixed(T0, ZoneOffset.UTC));
                Receiver ga4 = new Receiver(n -> n == 1 ? 429 : 204)) {
            ga4.answerWith("{\"error\":\"quota\"}".getBytes(StandardCharsets.UTF_8), Map.of("Retry-After", "120"));
            Map<String, String> site = server.siteWithPool(List.of("+74956670001"));
            Reply created = server.post("/v1/sites/" + site.get("siteId") + "/destinations", site.get("apiKey"), Map.of("type", "ga4",
                    "measurementId", "G-TEST12345", "apiSecret", PlatformDouble.GA4_SECRET, "baseUrl", ga4.url("")));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String path = "/v1/sites/" + site.get("siteId") + "/destinations/" + created.text("destinationId") + "/deliveries";
            UploadRetriedDuringItsAttemptTest.visitAndCall(server, site, "retry-after-1");

            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (delivery(server, site, path).get("attempts").asInt() < 1 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            JsonNode d = delivery(server, site, path);
            assertThat(d.get("responseCode").asInt()).isEqualTo(429);
            Instant tried = Instant.parse(d.get("lastAttemptAt").asText());
            assertThat(Duration.between(tried, Instant.parse(d.get("nextAttemptAt").asText())))
                    .as("the platform's 120 s, not the backoff's 5 to 10 s").isEqualTo(Duration.ofSeconds(120));

            server.clock.advance(Duration.ofSeconds(119));
            server.app.outbox().deliverDueNow();
            assertThat(ga4.received()).as("not before the platform said").hasSize(1);
            server.clock.advance(Duration.ofSeconds(1));
            server.app.outbox().deliverDueNow();
            until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // the worker's own poll may have taken it instead
            while (!delivery(server, site, path).get("state").asText().equals("delivered") && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(delivery(server, site, path).get("state").asText()).isEqualTo("delivered");
            assertThat(ga4.received()).hasSize(2);
        }
    }

    static JsonNode delivery(TestServer server, Map<String, String> site, String path) {
        return server.get(path, site.get("apiKey")).json().get("deliveries").get(0);
    }
}
