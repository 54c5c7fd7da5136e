package io.ringpool.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AI2 #1b: the site's retention erased a caller from an old call, while the upload log kept
 * the number for its 30 days and a redelivered webhook sent it (and the visit's client id) again.
 * Now the events about the aged call lose what the call lost, and the site's delivery and upload
 * logs older than its retention go; a newer call of the same caller keeps its number.
 */
class RetentionReachesTheOutboxOverHttpTest {
    static final String CALLER = "+79165550808";

    @TempDir
    Path dir;

    TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void anAgedCallsEventsAndLogsLoseTheCallerAndANewerCallKeepsIt() throws Exception {
        Map<String, String> s = server.siteWithPool(List.of("+74956660002"));
        String sitePath = "/v1/sites/" + s.get("siteId");
        String apiKey = s.get("apiKey");
        assertThat(server.send("PATCH", sitePath, apiKey, "{\"retentionDays\":2}", "application/json", Map.of()).status()).isEqualTo(200);
        try (Receiver ok = new Receiver(n -> 200)) {
            Reply hook = server.post(sitePath + "/webhooks", apiKey, Map.of("url", ok.url("/ok")));
            Reply dest = server.post(sitePath + "/destinations", apiKey, Map.of("type", "yandex-metrica-calls", "counterId", "44444444",
                    "oauthToken", "y0_retention-token", "baseUrl", ok.url(""), "dryRun", true));
            assertThat(dest.status()).as(dest.body()).isEqualTo(201);
            String uploadsPath = sitePath + "/destinations/" + dest.text("destinationId") + "/uploads";
            String deliveriesPath = sitePath + "/webhooks/" + hook.text("webhookId") + "/deliveries";

            ErasureReachesTheOutboxOverHttpTest.visitAndCall(server, s, "aged-call", CALLER);
            ErasureReachesTheOutboxOverHttpTest.waitUntil(server, () -> ok.received().size() >= 2
                    && server.get(uploadsPath, apiKey).body().contains(CALLER));
            server.app.outbox().deliverDueNow();
            assertThat(server.get(uploadsPath, apiKey).body()).as("the dry-run upload names the caller").contains(CALLER)
                    .contains(ErasureReachesTheOutboxOverHttpTest.YM_CLIENT_ID);

            // Three hours later the call is tagged: that event is younger than the call, and outlives its retention by 3 hours.
            server.clock.advance(Duration.ofHours(3));
            String agedCallId = server.get(sitePath + "/calls", apiKey).json().get("calls").get(0).get("callId").asText();
            assertThat(server.send("PATCH", sitePath + "/calls/" + agedCallId, apiKey, "{\"tags\":[\"lead\"]}", "application/json",
                    Map.of()).status()).isEqualTo(200);
            ErasureReachesTheOutboxOverHttpTest.waitUntil(server, () -> ok.received().size() >= 3);
            server.app.outbox().deliverDueNow();
            // A day later the same person calls again; a day and more after that, the first call ages out.
            server.clock.advance(Duration.ofHours(21));
            ErasureReachesTheOutboxOverHttpTest.visitAndCall(server, s, "newer-call", CALLER);
            ErasureReachesTheOutboxOverHttpTest.waitUntil(server, () -> ok.received().size() >= 5);
            server.app.outbox().deliverDueNow();
            server.clock.advance(Duration.ofDays(1).plusHours(2));
            server.app.applyRetention();

            Map<String, String> callerByProviderId = new java.util.HashMap<>();
            for (JsonNode call : server.get(sitePath + "/calls", apiKey).json().get("calls")) {
                callerByProviderId.put(call.get("providerCallId").asText(), call.get("caller").asText());
            }
            assertThat(callerByProviderId).containsEntry("aged-call", "erased").containsEntry("newer-call", CALLER);

            // The aged call's uploads are gone from the log; the newer call's remain with its number.
            String uploads = server.get(uploadsPath, apiKey).body();
            assertThat(uploads).doesNotContain(agedCallId).contains(CALLER);
            // Every delivery left is redelivered: the aged call's events carry no trace of the person, the newer call's do.
            int before = ok.received().size();
            JsonNode delivered = server.get(deliveriesPath, apiKey).json().get("deliveries");
            for (JsonNode d : delivered) {
                assertThat(server.post(deliveriesPath + "/" + d.get("deliveryId").asText() + "/retry", apiKey, Map.of()).status())
                        .isEqualTo(202);
            }
            ErasureReachesTheOutboxOverHttpTest.waitUntil(server, () -> ok.received().size() >= before + delivered.size());
            List<Receiver.Received> resent = ok.received().subList(before, ok.received().size());
            assertThat(resent).anySatisfy(r -> assertThat(r.body()).contains("newer-call").contains(CALLER));
            assertThat(resent).as("the tag's event, younger than the retention").anySatisfy(r -> assertThat(r.body()).contains(agedCallId));
            for (Receiver.Received r : resent) {
                JsonNode data = ErasureReachesTheOutboxOverHttpTest.json(r.body()).get("data");
                if (data.get("callId").asText().equals(agedCallId)) {
                    assertThat(r.body()).doesNotContain(CALLER).doesNotContain(CALLER.substring(1))
                            .doesNotContain(ErasureReachesTheOutboxOverHttpTest.YM_CLIENT_ID);
                    assertThat(data.get("attribution").get("landingPage").isNull()).isTrue();
                }
            }
        }
    }
}
