package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator scrapes about a pool: its occupancy and its exhaustions, from its creation on. */
class PoolMetricsTest {
    @TempDir
    Path dir;

    @Test
    void aPoolsExhaustionCounterIsScrapedAtZeroFromItsCreationAndCountsEachVisitTurnedAway() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74950000001"));
            String series = "ringpool_pool_exhaustions_total{pool=\"" + site.get("poolId") + "\",site=\"" + site.get("siteId") + "\"}";

            assertThat(scrape(server)).contains(series + " 0.0", "ringpool_pool_free{pool=\"" + site.get("poolId") + "\"");

            assertThat(server.startSession(site.get("publicKey"), "first", "https://example.com/").status()).isEqualTo(201);
            var turnedAway = server.startSession(site.get("publicKey"), "second", "https://example.com/");
            assertThat(turnedAway.text("reason")).isEqualTo("pool_exhausted");
            assertThat(scrape(server)).contains(series + " 1.0");
        }
    }

    private static String scrape(TestServer server) {
        var metrics = server.send("GET", "/metrics", null, null, null, Map.of());
        assertThat(metrics.status()).isEqualTo(200);
        return metrics.body();
    }
}
