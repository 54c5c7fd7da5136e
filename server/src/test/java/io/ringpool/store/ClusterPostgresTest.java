package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes that agree, on a real PostgreSQL (skipped without {@code RINGPOOL_TEST_PG_URL}): what one
 * node changes the others see within the change poll; a node's lease that the store no longer
 * holds for it is refused and dropped (fencing); a silent node's expired leases are ended by the
 * others in database time.
 */
class ClusterPostgresTest {
    /** The stated bound: one change poll (1 s by default) plus one read; allowed slack for this shared box. */
    static final long CHANGE_BOUND_MILLIS = 1_000;
    static final long SLACK_MILLIS = 4_000;

    @TempDir
    Path dir;

    TestPostgres pg;

    @BeforeEach
    void freshDatabase() {
        pg = TestPostgres.create("rp_cluster_");
    }

    @AfterEach
    void dropDatabase() {
        if (pg != null) {
            pg.close();
        }
    }

    TestServer node(String name) {
        Map<String, Object> settings = new HashMap<>(Map.of("store.url", pg.url, "store.user", pg.user, "store.password", pg.password,
                "leasing.sessionsPerIpPerMinute", 0, "leasing.sweepIntervalMillis", 200, "leasing.renewalFlushMillis", 200,
                "cluster.nodeId", name, "cluster.nodeBeatMillis", 500,
                "security.secretKey", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"));
        return new TestServer(dir.resolve(name), settings);
    }

    Connection sql() throws Exception {
        return pg.connect();
    }

    /** Waits until {@code condition} holds; returns how long it took, ms. */
    static long waitFor(String what, long limitMillis, Supplier<Boolean> condition) throws InterruptedException {
        long start = System.nanoTime();
        while (!condition.get()) {
            if ((System.nanoTime() - start) / 1_000_000 > limitMillis) {
                throw new AssertionError("not within " + limitMillis + " ms: " + what);
            }
            Thread.sleep(20);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void aKeyRotatedOnOneNodeIsTakenByAnotherWhichKeepsTheOldKeyOnlyThroughItsOverlap() throws Exception {
        try (TestServer a = node("node-a"); TestServer b = node("node-b")) {
            Map<String, String> site = a.siteWithPool(List.of("+74954000011"));
            String path = "/v1/sites/" + site.get("siteId");
            waitFor("site seen by node b", CHANGE_BOUND_MILLIS + SLACK_MILLIS, () -> b.get(path, site.get("apiKey")).status() == 200);

            Reply rotated = a.post(path + "/keys/rotate", site.get("apiKey"), Map.of("key", "api", "overlapSeconds", 60));
            assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
            String newKey = rotated.text("apiKey");
            waitFor("new key accepted by node b", CHANGE_BOUND_MILLIS + SLACK_MILLIS, () -> b.get(path, newKey).status() == 200);
            assertThat(b.get(path, site.get("apiKey")).status()).as("the old key inside its overlap, on the reloading node").isEqualTo(200);
            b.clock.advance(java.time.Duration.ofSeconds(61));
            assertThat(b.get(path, site.get("apiKey")).status()).as("past the overlap").isEqualTo(401);

            // Rotated again with no overlap: a reload keeps no key past its window.
            Reply revoked = a.post(path + "/keys/rotate", newKey, Map.of("key", "api", "overlapSeconds", 0));
            assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
            String newest = revoked.text("apiKey");
            waitFor("newest key accepted by node b", CHANGE_BOUND_MILLIS + SLACK_MILLIS, () -> b.get(path, newest).status() == 200);
            assertThat(b.get(path, newKey).status()).isEqualTo(401);
            assertThat(b.get(path, site.get("apiKey")).status()).isEqualTo(401);
        }
    }

    @Test
    void aSiteCreatedOnOneNodeLeasesOnAnotherWithinTheChangeBound() throws Exception {
        try (TestServer a = node("node-a"); TestServer b = node("node-b")) {
            Map<String, String> site = a.siteWithPool(List.of("+74954000001", "+74954000002"));
            long took = waitFor("site and pool seen by node b", CHANGE_BOUND_MILLIS + SLACK_MILLIS, () -> {
                // One visitor throughout: a try that lands after the site but before its pool reached
                // b is untracked (no_pool), and the next try, a resume, catches up on the pool.
                Reply r = b.startSession(site.get("publicKey"), "cluster-visitor-1", "https://example.com/");
                return r.status() == 201 && r.json().get("tracked").asBoolean();
            });
            System.out.println("cluster_change_seen_ms=" + took);

            // Settings and numbers changed on a are applied on b as well.
            assertThat(a.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), "{\"coolDownSeconds\":77}",
                    "application/json", Map.of()).status()).isEqualTo(200);
            assertThat(a.post("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId") + "/numbers", site.get("apiKey"),
                    Map.of("numbers", List.of("+74954000003"))).status()).isIn(200, 201);
            waitFor("settings seen by node b", CHANGE_BOUND_MILLIS + SLACK_MILLIS,
                    () -> b.get("/v1/sites/" + site.get("siteId"), site.get("apiKey")).json().get("coolDownSeconds").asInt() == 77);
            waitFor("added number seen by node b", CHANGE_BOUND_MILLIS + SLACK_MILLIS,
                    () -> b.get("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId"), site.get("apiKey"))
                            .json().get("size").asInt() == 3);
        }
    }

    @Test
    void providerSettingsAndIntegrationsChangedOnOneNodeReachTheOther() throws Exception {
        try (TestServer a = node("node-a"); TestServer b = node("node-b")) {
            Map<String, String> site = a.siteWithPool(List.of("+74954300001"));
            String sitePath = "/v1/sites/" + site.get("siteId");
            waitFor("site seen by node b", CHANGE_BOUND_MILLIS + SLACK_MILLIS, () -> b.get(sitePath, site.get("apiKey")).status() == 200);
            String token = "cluster-uis-token-0123456789";
            String uisPath = "/v1/telephony/uis/" + site.get("siteId") + "/" + token + "?event=ringing&callId=cl-1&from=79161234567&to=74954300001";
            assertThat(b.get(uisPath, null).status()).as("no provider configured yet").isEqualTo(403);

            assertThat(a.send("PATCH", sitePath, site.get("apiKey"), "{\"providers\":{\"uis\":{\"token\":\"" + token + "\"}}}",
                    "application/json", Map.of()).status()).isEqualTo(200);
            long took = waitFor("provider settings seen by node b", CHANGE_BOUND_MILLIS + SLACK_MILLIS,
                    () -> b.get(uisPath, null).status() == 200);
            System.out.println("cluster_provider_change_seen_ms=" + took);
            assertThat(b.get(sitePath, site.get("apiKey")).json().at("/providers/uis/secretsSet").toString()).contains("token");

            assertThat(a.send("PATCH", sitePath, site.get("apiKey"), "{\"providers\":{\"uis\":null}}", "application/json", Map.of())
                    .status()).isEqualTo(200);
            waitFor("provider removal seen by node b", CHANGE_BOUND_MILLIS + SLACK_MILLIS, () -> b.get(uisPath, null).status() == 403);
            assertThat(b.get(sitePath, site.get("apiKey")).json().path("providers").has("uis")).isFalse();

            // Integration definitions are logged as changes in their own transactions, like site settings.
            Reply feed = a.post(sitePath + "/feeds", site.get("apiKey"), Map.of("format", "yandex-calls"));
            assertThat(feed.status()).as(feed.body()).isEqualTo(201);
            assertThat(a.send("DELETE", sitePath + "/feeds/" + feed.text("feedId"), site.get("apiKey"), null, null, Map.of()).status())
                    .isIn(200, 204);
            Reply dest = a.post(sitePath + "/destinations", site.get("apiKey"), Map.of("type", "ga4", "measurementId", "G-CLUSTER1",
                    "apiSecret", "cluster-secret", "dryRun", true));
            assertThat(dest.status()).as(dest.body()).isEqualTo(201);
            assertThat(b.get(sitePath + "/destinations/" + dest.text("destinationId"), site.get("apiKey")).status()).isEqualTo(200);
            try (Connection c = sql(); PreparedStatement ps = c.prepareStatement(
                    "SELECT kind, ref FROM cluster_changes WHERE site_id = ? AND kind IN ('providers','feed','destination') ORDER BY version")) {
                ps.setString(1, site.get("siteId"));
                List<String> rows = new java.util.ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rs.getString(2);
                        rows.add(rs.getString(1));
                    }
                }
                assertThat(rows).containsExactly("providers", "providers", "feed", "feed", "destination");
            }
        }
    }

    @Test
    void aLeaseTheStoreTookAwayIsRefusedOnItsNextWriteAndForgotten() throws Exception {
        try (TestServer a = node("node-a")) {
            Map<String, String> site = a.siteWithPool(List.of("+74954100001"));
            Reply started = a.startSession(site.get("publicKey"), "fenced-visitor", "https://example.com/");
            String sessionId = started.text("sessionId");
            long storedExpiry;
            // Someone took the lease over (as the reaper does): the epoch moves on.
            try (Connection c = sql(); PreparedStatement ps = c.prepareStatement(
                    "UPDATE sessions SET lease_epoch = lease_epoch + 1 WHERE session_id = ? RETURNING lease_expires_at")) {
                ps.setString(1, sessionId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    storedExpiry = rs.getLong(1);
                }
            }
            a.clock.advance(java.time.Duration.ofSeconds(30));
            assertThat(a.post("/v1/sessions/" + sessionId + "/heartbeat", null, null).status())
                    .as("answered from memory before the store is asked").isEqualTo(200);
            waitFor("the node learns it lost the lease", 10_000,
                    () -> a.app.registry().counter("ringpool.lease.lost").count() == 1.0);
            assertThat(a.post("/v1/sessions/" + sessionId + "/heartbeat", null, null).status()).isEqualTo(410);
            try (Connection c = sql(); PreparedStatement ps = c.prepareStatement("SELECT lease_expires_at FROM sessions WHERE session_id = ?")) {
                ps.setString(1, sessionId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("the fenced renewal changed nothing").isEqualTo(storedExpiry);
                }
            }
        }
    }

    @Test
    void theExpiredLeasesOfASilentNodeAreEndedByAnotherNodeAndItsNumberLeasedAgain() throws Exception {
        Map<String, String> site;
        String heldNumber;
        try (TestServer gone = node("node-gone")) {
            site = gone.siteWithPool(List.of("+74954200001"));
            Reply held = gone.startSession(site.get("publicKey"), "visitor-of-gone-node", "https://example.com/");
            heldNumber = held.text("number");
        }
        try (TestServer b = node("node-b")) {
            Reply refused = b.startSession(site.get("publicKey"), "visitor-on-b", "https://example.com/");
            assertThat(refused.json().get("tracked").asBoolean()).as("the number is still held by the silent node").isFalse();
            // Time passes for the silent node: its last beat and its lease's expiry lie far behind (database time).
            try (Connection c = sql(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE cluster_nodes SET seen_at = seen_at - 3600000 WHERE node_id = 'node-gone'");
                s.executeUpdate("UPDATE sessions SET lease_expires_at = lease_expires_at - 3600000 WHERE owner_node = 'node-gone'");
            }
            waitFor("node b ends the silent node's lease", 15_000,
                    () -> b.app.registry().counter("ringpool.cluster.leases.reclaimed").count() == 1.0);
            try (Connection c = sql(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT end_reason, lease_epoch, live_number FROM sessions WHERE owner_node = 'node-gone'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("node_lost");
                assertThat(rs.getLong(2)).as("fenced: the epoch moved on").isGreaterThan(0);
                assertThat(rs.getString(3)).isNull();
            }
            // b marked the number as held elsewhere for one TTL when the store refused it; after that it leases it.
            b.clock.advance(java.time.Duration.ofSeconds(200));
            int[] attempt = {0};
            waitFor("node b leases the reclaimed number", 10_000, () -> {
                Reply again = b.startSession(site.get("publicKey"), "visitor-on-b-" + attempt[0]++, "https://example.com/");
                return again.json().get("tracked").asBoolean() && heldNumber.equals(again.text("number"));
            });
        }
    }
}
