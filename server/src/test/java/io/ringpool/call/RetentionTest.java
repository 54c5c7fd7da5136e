package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PRODUCT.md §5: caller numbers are purged after the site's retention period; the calls stay. */
class RetentionTest {
    @TempDir
    Path dir;

    @Test
    void callersOlderThanTheRetentionPeriodAreErasedAndNewerOnesKept() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74953000001"));
            assertThat(server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), "{\"retentionDays\":2}",
                    "application/json", Map.of()).status()).isEqualTo(200);
            post(server, site, "old-call", "+79161230001");
            server.clock.advance(Duration.ofDays(2).plusHours(1));
            post(server, site, "new-call", "+79161230002");

            server.app.purgeExpiredCallers();

            String log = server.get("/v1/sites/" + site.get("siteId") + "/calls", site.get("apiKey")).body();
            assertThat(log).doesNotContain("+79161230001").contains("+79161230002").contains("erased");
            assertThat(server.get("/v1/sites/" + site.get("siteId") + "/calls", site.get("apiKey")).json().get("calls")).hasSize(2);
        }
    }

    private static void post(TestServer server, Map<String, String> site, String callId, String caller) {
        String body = new String(Json.write(Map.of("callId", callId, "event", "completed", "from", caller, "to", "+74953000001",
                "talkSeconds", 40)), StandardCharsets.UTF_8);
        String signature = Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body);
        var reply = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", signature));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }
}
