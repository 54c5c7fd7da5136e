package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change of targetCallSeconds commits the setting, then classifies the site's calls again in
 * batches. A stop between the two left calls under the old rule for good (the docs told the
 * operator to send another value and the intended one again). A start now finishes the work.
 */
class InterruptedReclassificationTest {
    @TempDir
    Path dir;

    @Test
    void aStartFinishesAReclassificationThatAStopCutShort() throws Exception {
        String siteId;
        String apiKey;
        String callId;
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74955550021"));
            siteId = site.get("siteId");
            apiKey = site.get("apiKey");
            Reply visit = server.startSession(site.get("publicKey"), "reclassify-visitor", "https://example.com/");
            assertThat(visit.status()).isEqualTo(201);
            callId = call(server, site, visit.text("number"), 40);
            Reply strict = server.send("PATCH", "/v1/sites/" + siteId, apiKey, "{\"targetCallSeconds\":120}", "application/json", Map.of());
            assertThat(strict.status()).as(strict.body()).isEqualTo(200);
            assertThat(target(server, siteId, apiKey, callId)).isFalse();

            Reply patched = server.send("PATCH", "/v1/sites/" + siteId, apiKey, "{\"targetCallSeconds\":30}", "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            assertThat(target(server, siteId, apiKey, callId)).isTrue();
            assertThat(stampedTargetSeconds(server, siteId)).isEqualTo(30);

            // What a stop half way through leaves: the setting stored, this call still under the old rule,
            // and the stamp saying the calls were last wholly classified with 120 s.
            server.app.database().inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET target = FALSE, unique_target = FALSE, updated_at = "
                        + "updated_at + 1 WHERE call_id = ?")) {
                    ps.setString(1, callId);
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE site_classification SET target_call_seconds = 120 WHERE site_id = ?")) {
                    ps.setString(1, siteId);
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
                return null;
            });
            assertThat(target(server, siteId, apiKey, callId)).isFalse();
        }
        try (TestServer server = new TestServer(dir)) {
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!target(server, siteId, apiKey, callId) && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertThat(target(server, siteId, apiKey, callId)).as("the call classified with the stored 30 s after the start").isTrue();
            until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (stampedTargetSeconds(server, siteId) != 30 && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertThat(stampedTargetSeconds(server, siteId)).isEqualTo(30);
        }
    }

    static boolean target(TestServer server, String siteId, String apiKey, String callId) {
        Reply calls = server.get("/v1/sites/" + siteId + "/calls?from=2000-01-01&to=2100-01-01", apiKey);
        assertThat(calls.status()).as(calls.body()).isEqualTo(200);
        return calls.json().get("calls").findParents("callId").stream().filter(c -> c.get("callId").asText().equals(callId))
                .findFirst().orElseThrow().get("target").asBoolean();
    }

    static int stampedTargetSeconds(TestServer server, String siteId) throws Exception {
        return server.app.database().read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT target_call_seconds FROM site_classification WHERE site_id = ?")) {
                ps.setString(1, siteId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getInt(1) : -1;
                }
            }
        });
    }

    static String call(TestServer server, Map<String, String> site, String number, int talkSeconds) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", "reclassify-call-1");
        e.put("event", "completed");
        e.put("from", "+79165550199");
        e.put("to", number);
        e.put("durationSeconds", talkSeconds + 5);
        e.put("talkSeconds", talkSeconds);
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.text("callId");
    }
}
