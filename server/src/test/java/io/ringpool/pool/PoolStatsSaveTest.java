package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One node on H2: each save adds to {@code pool_stats} what the node counted since the last one
 * (an upsert, MERGE on H2), so the 30-second save and the stop's save do not count a lease twice,
 * and a restart, which reads the row, adds nothing it read. The same counts across two nodes on
 * PostgreSQL: {@code store.PoolStatsAcrossNodesTest}.
 */
class PoolStatsSaveTest {
    @TempDir
    Path dir;

    /** The sweeper does not run on its own during the test (a minute): the test ends leases and saves when it chooses. */
    TestServer node() {
        return new TestServer(dir, Map.of("leasing.sessionsPerIpPerMinute", 0, "leasing.sweepIntervalMillis", 60_000));
    }

    @Test
    void everySaveAddsWhatWasCountedSinceTheLastAndARestartAddsNothing() {
        Map<String, String> site;
        try (TestServer server = node()) {
            site = server.siteWithPool(List.of("+74956100001", "+74956100002", "+74956100003"));
            assertThat(server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                    "{\"endGraceSeconds\":0,\"coolDownSeconds\":0}", "application/json", Map.of()).status()).isEqualTo(200);
            leasesOneAtATime(server, site, "first", 3);
            server.app.savePoolStats(); // the sweeper's save
            assertThat(stored(server, site)).as("peak, started, ended").containsExactly(1, 3, 3);
            server.app.savePoolStats();
            assertThat(stored(server, site)).as("nothing new, nothing added").containsExactly(1, 3, 3);
            leasesOneAtATime(server, site, "second", 2);
        } // the stop's save
        try (TestServer again = node()) {
            assertThat(stored(again, site)).containsExactly(1, 5, 5);
            JsonNode pool = again.get("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId"), site.get("apiKey")).json();
            assertThat(pool.path("peakLeased").asInt()).isEqualTo(1);
            assertThat(pool.path("recommendation").asText()).contains("peak 1 live leases").contains(" in 5 leases");
            leasesOneAtATime(again, site, "third", 1);
            again.app.savePoolStats();
            assertThat(stored(again, site)).as("the lease of this run added to what the start read").containsExactly(1, 6, 6);
        }
        try (TestServer third = node()) {
            assertThat(stored(third, site)).as("two restarts add nothing they read").containsExactly(1, 6, 6);
        }
    }

    /** {@code count} visitors one after the other, each leaving at once; returns when the store has every end. */
    static void leasesOneAtATime(TestServer server, Map<String, String> site, String name, int count) {
        for (int i = 0; i < count; i++) {
            Reply started = server.startSession(site.get("publicKey"), name + "-" + i, "https://example.com/");
            assertThat(started.json().path("tracked").asBoolean()).as("%s", started.json()).isTrue();
            // Each lease lasts a second: one begun and ended within the same millisecond (a quiet, fast box) averaged
            // 0 ms, and the pool's advice said no lease had ended yet.
            server.clock.advance(Duration.ofSeconds(1));
            assertThat(server.post("/v1/sessions/" + started.text("sessionId") + "/end", null, Map.of()).status()).isIn(200, 202, 204);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.count("SELECT COUNT(*) FROM sessions WHERE pool_id = ? AND tracked AND ended_at IS NULL", site.get("poolId")) > 0
                && System.nanoTime() < deadline) {
            server.app.sessions().sweep();
            Thread.onSpinWait(); // the lease ends commit in the background
        }
        try {
            Thread.sleep(300); // an end is counted on the writer's thread right after its commit, which the row shows first
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static long[] stored(TestServer server, Map<String, String> site) {
        String poolId = site.get("poolId");
        return new long[] {
            server.count("SELECT peak_leased FROM pool_stats WHERE pool_id = ?", poolId),
            server.count("SELECT leases_started FROM pool_stats WHERE pool_id = ?", poolId),
            server.count("SELECT ended_leases FROM pool_stats WHERE pool_id = ?", poolId)};
    }
}
