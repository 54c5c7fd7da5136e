package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lease ends reach the pools report although the refresh no longer re-reads open leases: the
 * report reads them when it computes. The lease here ends long after the facts read its visit,
 * outside the window the visit read looks back over, so only that read can see the end.
 */
class PoolsReportLeaseEndsTest {
    @TempDir
    Path dir;

    @Test
    void aLeaseThatEndsAfterItsVisitWasReadShowsAsEndedInThePoolsReport() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74957000001", "+74957000002", "+74957000003"));
            Reply patched = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                    "{\"leaseTtlSeconds\":3600,\"endGraceSeconds\":0,\"coolDownSeconds\":0}", "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            Reply leaving = server.startSession(site.get("publicKey"), "leaving", "https://example.com/");
            Reply staying = server.startSession(site.get("publicKey"), "staying", "https://example.com/");
            assertThat(leaving.json().get("tracked").asBoolean()).isTrue();
            assertThat(staying.json().get("tracked").asBoolean()).isTrue();

            server.clock.advance(Duration.ofSeconds(60));
            assertThat(lastBucket(pools(server, site)).get("leased").asInt()).as("both leases are live").isEqualTo(2);

            server.post("/v1/sessions/" + leaving.text("sessionId") + "/end", null, null);
            server.clock.advance(Duration.ofSeconds(1));
            server.app.sessions().sweep();
            server.clock.advance(Duration.ofSeconds(120));

            JsonNode pool = pools(server, site);
            assertThat(pool.get("now").get("leased").asInt()).isEqualTo(1);
            assertThat(lastBucket(pool).get("leased").asInt()).as("the ended lease is not counted as held").isEqualTo(1);
        }
    }

    private static JsonNode pools(TestServer server, Map<String, String> site) {
        String day = server.clock.instant().atZone(ZoneId.of("Europe/Moscow")).toLocalDate().toString();
        Reply r = server.get("/v1/sites/" + site.get("siteId") + "/reports/pools?from=" + day + "&to=" + day + "&bucketMinutes=1",
                site.get("apiKey"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("pools").get(0);
    }

    /** The bucket holding now: the last one with a lease started, or the last of the day before now. */
    private static JsonNode lastBucket(JsonNode pool) {
        JsonNode buckets = pool.get("buckets");
        JsonNode last = null;
        for (JsonNode b : buckets) {
            if (b.get("leased").asInt() > 0 || last == null) {
                last = b;
            }
        }
        return last;
    }
}
