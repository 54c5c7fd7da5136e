package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit U #5: a late event timed before a call's others re-decides the call, but
 * {@code ringpool_calls_attributed_total} counts a call once, by its first decision; an alert on
 * calls that end {@code none} missed one re-decided to it. The re-decision has its own series.
 */
class ReattributedMetricTest {
    static final String NUMBER = "+74950009201";

    @TempDir
    Path dir;

    @Test
    void aCallReDecidedByAnEarlierEventIsCountedFromItsOldMethodToItsNewOne() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of(NUMBER));
            String metric = "ringpool_calls_reattributed_total{from=\"active\",to=\"none\"} ";
            assertThat(server.get("/metrics", null).body()).contains(metric + "0.0");

            Reply visit = server.startSession(site.get("publicKey"), "holder", "https://example.com/");
            assertThat(visit.status()).as(visit.body()).isEqualTo(201);
            Instant now = server.clock.instant();
            Reply completed = post(server, site, "late-1", "completed", now);
            assertThat(completed.json().get("attribution").get("method").asText()).isEqualTo("active");

            // The call's ringing, an hour before anybody held the number, arrives after its end.
            Reply ringing = post(server, site, "late-1", "ringing", now.minusSeconds(3600));
            assertThat(ringing.status()).as(ringing.body()).isEqualTo(200);
            assertThat(ringing.json().get("attribution").get("method").asText()).isEqualTo("none");

            String scrape = server.get("/metrics", null).body();
            assertThat(scrape).contains(metric + "1.0");
            assertThat(scrape).as("counted once, by its first decision")
                    .contains("ringpool_calls_attributed_total{method=\"active\"} 1.0")
                    .contains("ringpool_calls_attributed_total{method=\"none\"} 0.0");
        }
    }

    private static Reply post(TestServer server, Map<String, String> site, String callId, String kind, Instant at) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", kind);
        e.put("from", "+79161230077");
        e.put("to", NUMBER);
        e.put("at", at.toString());
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        return server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
    }
}
