package io.ringpool.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import io.ringpool.webhook.Receiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Event bodies carry caller numbers: finished deliveries leave the store after 30 days (pending ones never do: the purge skips them). */
class OutboxRetentionTest {
    @TempDir
    Path dir;

    @Test
    void finishedDeliveriesAndTheirEventsArePurgedAfterThirtyDaysAndYoungerOnesAreKept() throws Exception {
        try (Receiver ok = new Receiver(n -> 200); Receiver down = new Receiver(n -> 503);
                TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20))) {
            Map<String, String> site = server.siteWithPool(List.of("+74958880001"));
            String path = "/v1/sites/" + site.get("siteId") + "/webhooks";
            String delivered = server.post(path, site.get("apiKey"), Map.of("url", ok.url("/a"), "events", List.of("call.started")))
                    .text("webhookId");
            String body = new String(Json.write(Map.of("callId", "keep-1", "event", "ringing", "from", "+79160009999",
                    "to", "+74958880001")), StandardCharsets.UTF_8);
            server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                    Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
            // Until the outbox recorded the delivery, not only until the receiver had it: the purge
            // below must find it finished (a loaded box recorded it after the purge, and it was kept).
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!server.get(path + "/" + delivered + "/deliveries", site.get("apiKey")).body().contains("\"state\":\"delivered\"")
                    && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(ok.received()).hasSize(1);
            String failing = server.post(path, site.get("apiKey"), Map.of("url", down.url("/b"), "events", List.of("call.completed")))
                    .text("webhookId");
            server.clock.advance(Duration.ofDays(29));
            String completed = new String(Json.write(Map.of("callId", "keep-1", "event", "completed", "from", "+79160009999",
                    "to", "+74958880001", "talkSeconds", 5)), StandardCharsets.UTF_8);
            server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, completed, "application/json",
                    Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(),
                            completed)));

            assertThat(server.app.outbox().purgeOld()).as("nothing is 30 days old yet").isZero();
            server.clock.advance(Duration.ofDays(2));
            server.app.outbox().deliverDueNow();

            server.app.outbox().purgeOld(); // the worker may have purged first (hourly, on the moved clock): look at the effect
            assertThat(server.get(path + "/" + delivered + "/deliveries", site.get("apiKey")).json().get("deliveries")).isEmpty();
            assertThat(server.get(path + "/" + failing + "/deliveries", site.get("apiKey")).json().get("deliveries"))
                    .as("a delivery of 2 days ago is kept").hasSize(1);
        }
    }
}
