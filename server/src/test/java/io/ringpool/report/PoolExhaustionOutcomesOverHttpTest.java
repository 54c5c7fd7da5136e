package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit G #4: {@code reports/pools} tells the three outcomes of a full pool apart — a visit that
 * got a free number of a lower-priority pool is {@code nextPool}, not {@code reusedCooling}
 * (which means ambiguous attribution) — and the range counts an exhaustion at once, as the pool's
 * own {@code now.exhaustions} does, not after the tally's next write.
 */
class PoolExhaustionOutcomesOverHttpTest {
    @TempDir
    static Path dir;

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void visitsThatWentToTheNextPoolAreNextPoolNotReusedCoolingAndCountAtOnce() {
        Map<String, String> site = server.siteWithPool(List.of("+74957775001", "+74957775002", "+74957775003", "+74957775004"));
        Reply google = server.post("/v1/sites/" + site.get("siteId") + "/pools", site.get("apiKey"),
                Map.of("name", "google", "priority", 10, "match", Map.of("utm_source", "google"), "numbers", List.of("+74957775101")));
        assertThat(google.status()).as(google.body()).isEqualTo(201);
        String googlePool = google.text("poolId");

        List<String> numbers = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Reply v = server.startSession(site.get("publicKey"), "visitor-next-pool-" + i, "https://example.com/?utm_source=google&utm_medium=cpc");
            assertThat(v.status()).as(v.body()).isEqualTo(201);
            numbers.add(v.text("number"));
        }
        assertThat(numbers.get(0)).isEqualTo("+74957775101");
        assertThat(numbers.subList(1, 4)).doesNotContain("+74957775101").doesNotHaveDuplicates();

        LocalDate today = LocalDate.ofInstant(server.clock.instant(), ZoneId.of("Europe/Moscow"));
        Reply r = server.get("/v1/sites/" + site.get("siteId") + "/reports/pools?from=" + today + "&to=" + today, site.get("apiKey"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode pool = null;
        for (JsonNode p : r.json().get("pools")) {
            if (p.get("poolId").asText().equals(googlePool)) {
                pool = p;
            }
        }
        assertThat(pool).isNotNull();
        JsonNode ex = pool.get("exhaustions");
        assertThat(ex.get("total").asLong()).as(ex.toString()).isEqualTo(3);
        assertThat(ex.get("nextPool").asLong()).as(ex.toString()).isEqualTo(3);
        assertThat(ex.get("reusedCooling").asLong()).as(ex.toString()).isZero();
        assertThat(ex.get("untracked").asLong()).as(ex.toString()).isZero();
        assertThat(pool.get("now").get("exhaustions").asLong()).isEqualTo(ex.get("total").asLong());
        long inBuckets = 0;
        for (JsonNode b : pool.get("buckets")) {
            inBuckets += b.get("exhaustions").asLong();
        }
        assertThat(inBuckets).isEqualTo(3);
    }
}
