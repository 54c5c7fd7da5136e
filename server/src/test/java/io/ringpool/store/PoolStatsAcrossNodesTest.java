package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import io.ringpool.pool.PoolStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AI3 F6: two nodes of one PostgreSQL store stopped together both inserted a new pool's
 * {@code pool_stats} row; one failed on the key ({@code pool_stats_not_saved … duplicate key}) and
 * its counts were lost, and even saves that did not collide overwrote each other's totals. Each
 * node now adds what it counted since its last save ({@code INSERT … ON CONFLICT DO UPDATE}).
 */
class PoolStatsAcrossNodesTest {
    @TempDir
    Path dir;

    TestPostgres pg;

    @BeforeEach
    void freshDatabase() {
        pg = TestPostgres.create("rp_test_");
    }

    @AfterEach
    void dropDatabase() {
        if (pg != null) {
            pg.close();
        }
    }

    TestServer node(String name) {
        return new TestServer(dir.resolve(name), Map.of("store.url", pg.url, "store.user", pg.user, "store.password", pg.password,
                "leasing.sessionsPerIpPerMinute", 0, "security.secretKey",
                "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"));
    }

    @Test
    void twoNodesSavingANewPoolsCountsAtTheSameMomentAddUpWithoutAKeyConflict() throws Exception {
        String poolId;
        try (TestServer a = node("a")) {
            poolId = a.siteWithPool(List.of("+74953200001", "+74953200002")).get("poolId");
        }
        int rounds = 20;
        try (Database one = database(); Database two = database()) {
            PoolStore first = new PoolStore(one);
            PoolStore second = new PoolStore(two);
            CyclicBarrier together = new CyclicBarrier(2);
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            Thread[] nodes = new Thread[2];
            for (int n = 0; n < 2; n++) {
                PoolStore store = n == 0 ? first : second;
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
            PoolStore.StoredStats stored = first.loadStats().get(poolId);
            assertThat(stored).isEqualTo(new PoolStore.StoredStats(5, 2L * 2 * rounds, 2L * rounds, 2L * 1_000 * rounds));
        }
    }

    @Test
    void twoNodesStoppedTogetherSaveWithoutAnErrorAndARestartAddsNothing() throws Exception {
        String poolId;
        TestServer a = node("a");
        TestServer b = node("b");
        try {
            Map<String, String> site = a.siteWithPool(List.of("+74953300001", "+74953300002", "+74953300003", "+74953300004"));
            poolId = site.get("poolId");
            assertThat(a.startSession(site.get("publicKey"), "on-a", "https://example.com/").status()).isEqualTo(201);
            assertThat(b.startSession(site.get("publicKey"), "on-b", "https://example.com/").status()).isEqualTo(201);
        } finally {
            // Both stop at once, as a cluster's stop does: both save the pool's counts at the same moment.
            CompletableFuture.allOf(CompletableFuture.runAsync(a::close), CompletableFuture.runAsync(b::close)).get();
        }
        long saved = leasesStarted(poolId);
        // Each node counts its own leases, and a number the store refused it because the other held it (docs/scaling.md).
        assertThat(saved).as("both nodes' leases").isBetween(2L, 4L);

        try (TestServer again = node("a")) {
            assertThat(again.get("/health", null).status()).isEqualTo(200);
        }
        assertThat(leasesStarted(poolId)).as("a start that loaded the counts adds none it did not count").isEqualTo(saved);
    }

    Database database() {
        return new Database(ConfigLoader.defaultsWith(pg.storeSettings()).store(), new SimpleMeterRegistry());
    }

    long leasesStarted(String poolId) throws Exception {
        try (Connection c = pg.connect(); var ps = c.prepareStatement("SELECT leases_started FROM pool_stats WHERE pool_id = ?")) {
            ps.setString(1, poolId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }
}
