package io.ringpool.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import io.ringpool.webhook.Receiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit F #1 for destinations, which share the webhooks' outbox: a retry asked for while the
 * upload is in flight took its lease, and the upload was then sent again every lease for ever.
 */
class UploadRetriedDuringItsAttemptTest {
    @TempDir
    Path dir;

    @Test
    void aRetryAskedForWhileTheUploadIsInFlightEndsWithOneDeliveredUpload() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20));
                Receiver ga4 = new Receiver(n -> {
                    if (n == 1) {
                        arrived.countDown();
                        try {
                            release.await(8, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return 204;
                })) {
            Map<String, String> site = server.siteWithPool(List.of("+74956660001"));
            Reply created = server.post("/v1/sites/" + site.get("siteId") + "/destinations", site.get("apiKey"), Map.of("type", "ga4",
                    "measurementId", "G-TEST12345", "apiSecret", PlatformDouble.GA4_SECRET, "baseUrl", ga4.url("")));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String path = "/v1/sites/" + site.get("siteId") + "/destinations/" + created.text("destinationId");
            visitAndCall(server, site, "upload-inflight-1");
            assertThat(arrived.await(10, TimeUnit.SECONDS)).as("the upload reached the platform").isTrue();
            String deliveryId = server.get(path + "/deliveries", site.get("apiKey")).json().get("deliveries").get(0).get("deliveryId").asText();

            Reply retry = server.post(path + "/deliveries/" + deliveryId + "/retry", site.get("apiKey"), null);
            assertThat(retry.status()).as(retry.body()).isEqualTo(202);
            release.countDown();

            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!"delivered".equals(server.get(path + "/deliveries", site.get("apiKey")).json().get("deliveries").get(0).get("state")
                    .asText()) && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            for (Duration step : List.of(Duration.ofMinutes(2), Duration.ofHours(25))) {
                server.clock.advance(step);
                server.app.outbox().deliverDueNow();
            }
            JsonNode d = server.get(path + "/deliveries", site.get("apiKey")).json().get("deliveries").get(0);
            assertThat(d.get("state").asText()).isEqualTo("delivered");
            assertThat(d.get("attempts").asInt()).isEqualTo(1);
            assertThat(ga4.received()).as("uploaded once").hasSize(1);
        }
    }

    /** A visit with a GA client id, then its answered call, completed. */
    static void visitAndCall(TestServer server, Map<String, String> site, String callId) {
        Map<String, Object> session = Map.of("siteKey", site.get("publicKey"), "visitorId", "visitor-" + callId, "url",
                "https://example.com/?utm_source=google&utm_medium=cpc", "clientIds", Map.of("ga", "GA1.1.123456789.1700000000"));
        Reply s = server.send("POST", "/v1/sessions", null, new String(Json.write(session), StandardCharsets.UTF_8), "application/json",
                Map.of("User-Agent", TestServer.CHROME));
        assertThat(s.status()).as(s.body()).isEqualTo(201);
        String body = new String(Json.write(Map.of("callId", callId, "event", "completed", "from", "+79161110001", "to", s.text("number"),
                "talkSeconds", 75, "durationSeconds", 90)), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }
}
