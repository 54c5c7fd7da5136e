package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10, item 5: pool advice from observed leases and exhaustions, kept across restarts. */
class PoolAdviceTest {
    @TempDir
    Path dir;

    @Test
    void withoutACompletedLeaseThereIsNoNumberOnlyNotEnoughData() {
        PoolAdvice advice = PoolAdvice.of(5, 5, 0, 0, 23, 900_000);
        assertThat(advice.recommendedSize()).isNull();
        assertThat(advice.note()).startsWith("not enough data");
    }

    @Test
    void exhaustionsRaiseTheAdviceAboveWhatThePeakAloneSays() {
        // 5 live at peak, 3-minute leases, 15-minute cool-down: 5 × (3 + 15) ÷ 3 × 1.2 = 36
        PoolAdvice calm = PoolAdvice.of(5, 100, 100, 180_000, 0, 900_000);
        // the same pool turned away 50 visits on top of its 100 leases: demand was 1.5× the peak it could show
        PoolAdvice starved = PoolAdvice.of(5, 100, 100, 180_000, 50, 900_000);
        assertThat(calm.recommendedSize()).isEqualTo(36);
        assertThat(starved.recommendedSize()).isEqualTo(54);
    }

    @Test
    void aHandfulOfVisitsIsNeverAdvisedMoreNumbersThanVisitsThatAskedForOne() {
        // audit U #2: 1 lease of 45 s, 2 visitors turned away, 15-minute cool-down; the steady-traffic estimate is 76
        PoolAdvice tiny = PoolAdvice.of(1, 1, 1, 45_000, 2, 900_000);
        assertThat(tiny.recommendedSize()).isEqualTo(3);
        assertThat(tiny.note()).startsWith("too few visits to size from: 3 asked for a number").contains("76");
        // at the cap exactly the estimate stands, with the ordinary note
        PoolAdvice atCap = PoolAdvice.of(5, 100, 100, 180_000, 0, 900_000);
        assertThat(atCap.recommendedSize()).isEqualTo(36);
        assertThat(atCap.note()).startsWith("peak 5 live leases");
        // the bound: 36 visits that asked leave the estimate of 36 as it is, 35 cap it at 35
        assertThat(PoolAdvice.of(5, 36, 36, 180_000, 0, 900_000).note()).startsWith("peak 5");
        assertThat(PoolAdvice.of(5, 36, 36, 180_000, 0, 900_000).recommendedSize()).isEqualTo(36);
        assertThat(PoolAdvice.of(5, 35, 35, 180_000, 0, 900_000).recommendedSize()).isEqualTo(35);
    }

    JsonNode pool(TestServer server, Map<String, String> site) {
        Reply r = server.get("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId"), site.get("apiKey"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void aFullPoolWithNoEndedLeaseSaysNotEnoughDataThenAdvisesAndPeakAndExhaustionsSurviveARestart() {
        Map<String, String> site;
        JsonNode before;
        try (TestServer server = new TestServer(dir)) {
            List<String> numbers = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                numbers.add("+7495600000" + i);
            }
            site = server.siteWithPool(numbers);
            server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), "{\"exhaustionPolicy\":\"fallback\"}",
                    "application/json", Map.of());
            List<String> sessions = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Reply r = server.startSession(site.get("publicKey"), "advice-" + i, "https://example.com/");
                if (r.json().path("tracked").asBoolean()) {
                    sessions.add(r.text("sessionId"));
                }
            }
            JsonNode full = pool(server, site);
            assertThat(full.get("exhaustions").asInt()).isEqualTo(3);
            assertThat(full.get("recommendedSize").isNull()).isTrue();
            assertThat(full.get("recommendation").asText()).startsWith("not enough data");

            server.send("POST", "/v1/sessions/" + sessions.get(0) + "/end", null, null, null, Map.of());
            server.clock.advance(Duration.ofSeconds(120));
            server.app.sessions().sweep();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (pool(server, site).get("recommendedSize").isNull() && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the lease end commits in the background
            }
            before = pool(server, site);
            assertThat(before.get("recommendedSize").asInt()).isGreaterThan(5);
            assertThat(before.get("peakLeased").asInt()).isEqualTo(5);
        }
        try (TestServer again = new TestServer(dir)) {
            JsonNode after = pool(again, site);
            assertThat(after.get("peakLeased").asInt()).isEqualTo(5);
            assertThat(after.get("exhaustions").asInt()).isEqualTo(3);
            assertThat(after.get("recommendedSize").asInt()).isEqualTo(before.get("recommendedSize").asInt());
        }
    }

    @Test
    void aSiteWithThreeVisitorsEverIsAdvisedThreeNumbersOverHttp() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74956000101"));
            String first = null;
            for (int i = 0; i < 3; i++) {
                Reply r = server.startSession(site.get("publicKey"), "tiny-" + i, "https://example.com/");
                if (r.json().path("tracked").asBoolean()) {
                    first = r.text("sessionId");
                }
            }
            assertThat(first).isNotNull();
            server.send("POST", "/v1/sessions/" + first + "/end", null, null, null, Map.of());
            server.clock.advance(Duration.ofSeconds(3660));
            server.app.sessions().sweep();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (pool(server, site).get("recommendedSize").isNull() && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the lease end commits in the background
            }
            JsonNode pool = pool(server, site);
            assertThat(pool.get("exhaustions").asInt()).isEqualTo(2);
            assertThat(pool.get("recommendedSize").asInt()).as(pool.toString()).isEqualTo(3);
            assertThat(pool.get("recommendation").asText()).startsWith("too few visits to size from: 3 asked");
        }
    }
}
