package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Audit AC3 #3: on two nodes of one PostgreSQL store, a pool's {@code leased} and {@code free} were
 * each node's own view (node A said "leased 0, free 11" while node B held 2 leases). The pool
 * endpoints now count every node's leases, read from the store.
 */
class PoolOccupancyAcrossNodesTest {
    @RegisterExtension
    final PostgresNodes nodes = new PostgresNodes("rp_test_", Map.of("leasing.sessionsPerIpPerMinute", 0, "leasing.sweepIntervalMillis", 200,
            "leasing.renewalFlushMillis", 200));

    @Test
    void bothNodesCountTheLeasesAndCoolDownsEitherHolds() throws Exception {
        try (TestServer a = nodes.node("a"); TestServer b = nodes.node("b")) {
            Map<String, String> site = a.siteWithPool(List.of("+74953100001", "+74953100002", "+74953100003", "+74953100004"));
            String key = site.get("apiKey");
            String poolPath = "/v1/sites/" + site.get("siteId") + "/pools";
            String poolId = a.get(poolPath, key).json().path("pools").get(0).path("poolId").asText();

            // On b, which ends the lease below: its own change is in its memory at once.
            assertThat(b.send("PATCH", "/v1/sites/" + site.get("siteId"), key, "{\"endGraceSeconds\":0}", "application/json", Map.of())
                    .status()).isEqualTo(200);
            // a first: a knows nothing of b's cooling number, which it might otherwise choose (cool-downs are per node).
            assertThat(a.startSession(site.get("publicKey"), "visitor-on-a-1", "https://example.com/").status()).isEqualTo(201);
            Reply leaving = b.startSession(site.get("publicKey"), "visitor-on-b-0", "https://example.com/");
            assertThat(leaving.status()).isEqualTo(201);
            assertThat(b.post("/v1/sessions/" + leaving.text("sessionId") + "/end", null, Map.of()).status()).isIn(200, 202, 204);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (a.get(poolPath + "/" + poolId, key).json().path("coolingDown").asInt() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(b.startSession(site.get("publicKey"), "visitor-on-b-1", "https://example.com/").status()).isEqualTo(201);
            assertThat(b.startSession(site.get("publicKey"), "visitor-on-b-2", "https://example.com/").status()).isEqualTo(201);

            for (TestServer node : List.of(a, b)) {
                Reply pool = node.get(poolPath + "/" + poolId, key);
                assertThat(pool.status()).isEqualTo(200);
                assertThat(pool.json().path("size").asInt()).isEqualTo(4);
                assertThat(pool.json().path("leased").asInt()).as("node %s: %s", node.app.port(), pool.json()).isEqualTo(3);
                assertThat(pool.json().path("coolingDown").asInt()).as("the number b's ended lease rests").isEqualTo(1);
                assertThat(pool.json().path("free").asInt()).isZero();
                Reply listed = node.get(poolPath, key);
                assertThat(listed.json().path("pools").get(0).path("leased").asInt()).isEqualTo(3);
                assertThat(listed.json().path("pools").get(0).path("free").asInt()).isZero();
            }
        }
    }
}
