package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.config.ConfigLoader;
import io.ringpool.pool.PoolStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lifetime counts of a pool in {@code pool_stats} on a PostgreSQL store shared by two nodes:
 * each lease counted once, by the node that started it, and two nodes saving at once add up.
 * Audit AI3 F6: the last node's save overwrote the other's, and two nodes inserting a new pool's
 * row at once failed on its key. Audit AJ3 J5: a node counted as its own the starts the store
 * refused because the other node held the number, and those held numbers in its peak (6 leases
 * with a peak of 1 were saved as 9 with a peak of 4).
 */
class PoolStatsAcrossNodesTest {
    /** Nodes whose sweeper does not run during a test (a minute): the test ends the leases when it chooses. */
    @RegisterExtension
    final PostgresNodes nodes = new PostgresNodes("rp_test_", Map.of("leasing.sessionsPerIpPerMinute", 0,
            "leasing.sweepIntervalMillis", 60_000));

    /**
     * J5's traffic: three visitors one at a time on each node (each starts and at once ends), the
     * first node's leases still live in the store when the second chooses its numbers, so the
     * second is refused three numbers before it gets one; then both stop together.
     */
    @Test
    void sixLeasesOneAtATimeThroughTwoNodesAreSavedAsSixWithAPeakOfOne() throws Exception {
        TestServer a = nodes.node("a");
        TestServer b = nodes.node("b");
        Map<String, String> site;
        String poolId;
        try {
            site = a.siteWithPool(List.of("+74953300001", "+74953300002", "+74953300003", "+74953300004", "+74953300005",
                    "+74953300006"));
            poolId = site.get("poolId");
            assertThat(a.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                    "{\"endGraceSeconds\":0,\"coolDownSeconds\":0}", "application/json", Map.of()).status()).isEqualTo(200);
            assertThat(b.get(poolPath(site) + "/" + poolId, site.get("apiKey")).status()).as("b reads the new pool").isEqualTo(200);
            for (TestServer node : List.of(a, b)) {
                for (int i = 0; i < 3; i++) {
                    Reply started = node.startSession(site.get("publicKey"), "visitor-" + node.app.port() + "-" + i, "https://example.com/");
                    assertThat(started.status()).isEqualTo(201);
                    assertThat(started.json().path("tracked").asBoolean()).as("%s", started.json()).isTrue();
                    assertThat(node.post("/v1/sessions/" + started.text("sessionId") + "/end", null, Map.of()).status())
                            .isIn(200, 202, 204);
                }
            }
            assertThat(liveLeases(poolId)).as("a's leases are over but not yet ended in the store: b was refused their numbers")
                    .isEqualTo(6);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (liveLeases(poolId) > 0 && System.nanoTime() < deadline) {
                a.app.sessions().sweep();
                b.app.sessions().sweep();
                Thread.sleep(50);
            }
            assertThat(liveLeases(poolId)).isZero();
        } finally {
            // Both stop at once, as a cluster's stop does: both save the pool's counts at the same moment.
            CompletableFuture.allOf(CompletableFuture.runAsync(a::close), CompletableFuture.runAsync(b::close)).get();
        }
        PoolStore.StoredStats row = stored(poolId);
        assertThat(row).isNotNull();
        assertThat(new long[] {row.peakLeased(), row.leasesStarted(), row.endedLeases()}).as("peak, started, ended").containsExactly(1, 6, 6);

        try (TestServer again = nodes.node("a")) {
            JsonNode pool = again.get(poolPath(site) + "/" + poolId, site.get("apiKey")).json();
            assertThat(pool.path("peakLeased").asInt()).isEqualTo(1);
            assertThat(pool.path("recommendation").asText()).contains("peak 1 live leases").contains(" in 6 leases");
        }
        assertThat(stored(poolId).leasesStarted()).as("a start that read the counts adds none it did not count").isEqualTo(6);
    }

    /**
     * A visitor of node a starts on node b, which takes the live lease over; it ends there. Node a
     * still holds its copy until it expires and its fenced end changes nothing: the lease was
     * started once (on a) and ended once (on b), though each node ended it in memory.
     */
    @Test
    void aLeaseTheOtherNodeTookOverIsCountedOnceStartedAndOnceEnded() throws Exception {
        TestServer a = nodes.node("a");
        TestServer b = nodes.node("b");
        String poolId;
        try {
            Map<String, String> site = a.siteWithPool(List.of("+74953400001", "+74953400002"));
            poolId = site.get("poolId");
            assertThat(a.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                    "{\"endGraceSeconds\":0,\"coolDownSeconds\":0,\"leaseTtlSeconds\":60}", "application/json", Map.of())
                    .status()).isEqualTo(200);
            assertThat(b.get(poolPath(site) + "/" + poolId, site.get("apiKey")).status()).isEqualTo(200);
            Reply onA = a.startSession(site.get("publicKey"), "wanderer", "https://example.com/");
            assertThat(onA.json().path("tracked").asBoolean()).as("%s", onA.json()).isTrue();
            Reply onB = b.startSession(site.get("publicKey"), "wanderer", "https://example.com/");
            assertThat(onB.text("sessionId")).as("b took the live session over").isEqualTo(onA.text("sessionId"));
            assertThat(b.post("/v1/sessions/" + onB.text("sessionId") + "/end", null, Map.of()).status()).isIn(200, 202, 204);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (liveLeases(poolId) > 0 && System.nanoTime() < deadline) {
                b.app.sessions().sweep();
                Thread.sleep(50);
            }
            assertThat(liveLeases(poolId)).isZero();
            a.clock.advance(java.time.Duration.ofSeconds(61)); // a's copy of the lease expires
            a.app.sessions().sweep(); // returns once its end is written
            Thread.sleep(300); // and counted, on the writer's thread, right after
        } finally {
            CompletableFuture.allOf(CompletableFuture.runAsync(a::close), CompletableFuture.runAsync(b::close)).get();
        }
        PoolStore.StoredStats row = stored(poolId);
        assertThat(new long[] {row.peakLeased(), row.leasesStarted(), row.endedLeases()}).as("peak, started, ended").containsExactly(1, 1, 1);
    }

    @Test
    void twoNodesSavingANewPoolsCountsAtTheSameMomentAddUpWithoutAKeyConflict() throws Exception {
        String poolId;
        try (TestServer a = nodes.node("a")) {
            poolId = a.siteWithPool(List.of("+74953200001", "+74953200002")).get("poolId");
        }
        int rounds = 20;
        try (Database one = database(); Database two = database()) {
            CyclicBarrier together = new CyclicBarrier(2);
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            Thread[] nodes = new Thread[2];
            for (int n = 0; n < 2; n++) {
                PoolStore store = new PoolStore(n == 0 ? one : two);
                int peak = n == 0 ? 3 : 5;
                nodes[n] = Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < rounds; i++) {
                            together.await(10, TimeUnit.SECONDS);
                            store.addStats(Map.of(poolId, new PoolStore.StoredStats(peak, 2, 1, 1_000)), System.currentTimeMillis());
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                });
            }
            for (Thread t : nodes) {
                t.join();
            }
            assertThat(failures).as("the first round's two inserts used to fail on pool_stats_pkey").isEmpty();
        }
        assertThat(stored(poolId)).isEqualTo(new PoolStore.StoredStats(5, 2L * 2 * rounds, 2L * rounds, 2L * 1_000 * rounds));
    }

    static String poolPath(Map<String, String> site) {
        return "/v1/sites/" + site.get("siteId") + "/pools";
    }

    Database database() {
        return new Database(ConfigLoader.defaultsWith(nodes.pg().storeSettings()).store(), new SimpleMeterRegistry());
    }

    long liveLeases(String poolId) throws Exception {
        try (Connection c = nodes.pg().connect();
                var ps = c.prepareStatement("SELECT COUNT(*) FROM sessions WHERE pool_id = ? AND live_number IS NOT NULL")) {
            ps.setString(1, poolId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    PoolStore.StoredStats stored(String poolId) throws Exception {
        try (Connection c = nodes.pg().connect(); var ps = c.prepareStatement(
                "SELECT peak_leased, leases_started, ended_leases, ended_lease_millis FROM pool_stats WHERE pool_id = ?")) {
            ps.setString(1, poolId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new PoolStore.StoredStats(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)) : null;
            }
        }
    }
}
