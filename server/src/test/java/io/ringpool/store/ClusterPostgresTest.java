package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.config.RingpoolConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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

    @RegisterExtension
    final PostgresNodes nodes = new PostgresNodes("rp_cluster_", Map.of("leasing.sessionsPerIpPerMinute", 0,
            "leasing.sweepIntervalMillis", 200, "leasing.renewalFlushMillis", 200, "cluster.nodeBeatMillis", 500)).namedInCluster();

    Connection sql() throws Exception {
        return nodes.pg().connect();
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
        try (TestServer a = nodes.node("node-a"); TestServer b = nodes.node("node-b")) {
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
        try (TestServer a = nodes.node("node-a"); TestServer b = nodes.node("node-b")) {
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

    /**
     * Node b polls the change log only once a minute here, so what it answers at once it learnt
     * by catching up when a request named a site it did not know (cluster.ChangeCatchUp).
     */
    @Test
    void aSiteCreatedOnOneNodeAnswersOnAnotherAtTheVeryNextRequest() throws Exception {
        try (TestServer a = nodes.node("node-a"); TestServer b = nodes.node("node-b", Map.of("cluster.changePollMillis", 60_000))) {
            Map<String, String> site = a.siteWithPool(List.of("+74954100001", "+74954100002"));
            Reply started = b.startSession(site.get("publicKey"), "catch-up-visitor", "https://example.com/");
            assertThat(started.status()).as(started.body()).isEqualTo(201);
            assertThat(started.json().get("tracked").asBoolean()).isTrue();
            assertThat(started.json().get("number").asText()).isIn("+74954100001", "+74954100002");

            Map<String, String> second = a.siteWithPool(List.of("+74954100003"));
            String poolPath = "/v1/sites/" + second.get("siteId") + "/pools/" + second.get("poolId");
            Reply pool = b.get(poolPath, second.get("apiKey"));
            assertThat(pool.status()).as("the API, through a site key b has not seen yet").isEqualTo(200);
            assertThat(pool.json().get("size").asInt()).isEqualTo(1);

            Reply rotated = a.post("/v1/sites/" + second.get("siteId") + "/keys/rotate", second.get("apiKey"),
                    Map.of("key", "api", "overlapSeconds", 0));
            assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
            assertThat(b.get(poolPath, rotated.text("apiKey")).status()).as("a key rotated through a, used on b at once").isEqualTo(200);
            assertThat(b.get(poolPath, second.get("apiKey")).status()).as("the key it replaced, without overlap").isEqualTo(401);

            // What no node created is still unknown, after its own catch-up.
            Reply unknown = b.startSession("pk_no_such_site_0123456789", "nobody", "https://example.com/");
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.body()).contains("unknown_site");
            assertThat(b.get("/v1/sites/site_no_such_site/pools", site.get("apiKey")).status()).isIn(401, 404);
            assertThat(b.get("/metrics", null).body()).containsPattern("ringpool_cluster_catch_ups_total [1-9]");
        }
    }

    /**
     * Node b polls once a minute and knows the site already, so nothing asks it to catch up: what
     * it learns within seconds it learns from the commit's notification (cluster.ChangeNotifications).
     */
    @Test
    void aPoolOrSettingChangedOnOneNodeIsInTheOthersMemoryWithoutWaitingForItsPoll() throws Exception {
        try (TestServer a = nodes.node("node-a"); TestServer b = nodes.node("node-b", Map.of("cluster.changePollMillis", 60_000))) {
            waitFor("node b listening", SLACK_MILLIS, () -> b.get("/metrics", null).body().contains("ringpool_cluster_listening 1.0"));
            Map<String, String> site = a.siteWithPool(List.of("+74954200001"));
            String sitePath = "/v1/sites/" + site.get("siteId");
            Reply first = b.startSession(site.get("publicKey"), "notified-visitor-1", "https://example.com/");
            assertThat(first.json().get("number").asText()).as(first.body()).isEqualTo("+74954200001");

            // The pool's one number is held: b can track a second visitor only with a number added through a.
            assertThat(a.post(sitePath + "/pools/" + site.get("poolId") + "/numbers", site.get("apiKey"),
                    Map.of("numbers", List.of("+74954200002"))).status()).isIn(200, 201);
            long took = waitFor("the added number leased through node b", SLACK_MILLIS, () -> {
                Reply r = b.startSession(site.get("publicKey"), "notified-visitor-2", "https://example.com/");
                return r.json().path("tracked").asBoolean();
            });
            System.out.println("cluster_notified_number_ms=" + took);

            assertThat(a.send("PATCH", sitePath, site.get("apiKey"), "{\"coolDownSeconds\":88}", "application/json", Map.of()).status())
                    .isEqualTo(200);
            waitFor("a setting changed through a, on b", SLACK_MILLIS,
                    () -> b.get(sitePath, site.get("apiKey")).json().get("coolDownSeconds").asInt() == 88);
            assertThat(b.get("/metrics", null).body()).containsPattern("ringpool_cluster_notifications_total [1-9]");
        }
    }

    /**
     * Without notifications (cluster.listenForChanges false) and with a poll once a minute, node b
     * knows a new site before its pool exists; its first start after the pool's creation through a
     * still leases, because a start on a site b heard of moments ago and has no pool for catches up
     * first. Later starts of a site with no pool at all answer no_pool without waiting for anything.
     */
    @Test
    void aNewSitesFirstStartCatchesUpOnAPoolCreatedRightAfterIt() throws Exception {
        try (TestServer a = nodes.node("node-a");
                TestServer b = nodes.node("node-b", Map.of("cluster.changePollMillis", 60_000, "cluster.listenForChanges", false))) {
            Map<String, String> site = a.siteWithPool(List.of());
            String sitePath = "/v1/sites/" + site.get("siteId");
            assertThat(b.get(sitePath, site.get("apiKey")).status()).as("b learns the site, poolless").isEqualTo(200);
            assertThat(b.get("/metrics", null).body()).doesNotContain("ringpool_cluster_listening");

            Reply pool = a.post(sitePath + "/pools", site.get("apiKey"), Map.of("name", "main", "numbers", List.of("+74954200021")));
            assertThat(pool.status()).as(pool.body()).isEqualTo(201);
            Reply started = b.startSession(site.get("publicKey"), "first-on-b", "https://example.com/");
            assertThat(started.json().path("tracked").asBoolean()).as(started.body()).isTrue();
            assertThat(started.json().get("number").asText()).isEqualTo("+74954200021");

            // The API, for the pool b has just learnt of, and for one it has not.
            Reply second = a.post(sitePath + "/pools", site.get("apiKey"), Map.of("name", "second", "numbers", List.of("+74954200022")));
            assertThat(second.status()).as(second.body()).isEqualTo(201);
            Reply seen = b.get(sitePath + "/pools/" + second.text("poolId"), site.get("apiKey"));
            assertThat(seen.status()).as(seen.body()).isEqualTo(200);
            assertThat(seen.json().get("size").asInt()).isEqualTo(1);
            assertThat(b.get(sitePath + "/pools/pool_no_such_pool", site.get("apiKey")).status()).isEqualTo(404);
        }
    }

    /**
     * Audit AI3 F8: a call through node b to a number added through node a milliseconds earlier was
     * refused 422 unknown_number (final for a provider: the call was never recorded). b now reads
     * a's changes once before refusing, on the generic route and on a provider's (Twilio's voice
     * webhook, answered from memory). b polls once a minute and listens for nothing here, so only
     * that catch-up can tell it.
     */
    @Test
    void aCallThroughAnotherNodeToANumberJustAddedIsRecordedNotRefused() throws Exception {
        String publicUrl = "https://ringpool.example.com";
        String token = "twilio-token-0123456789abcdef";
        try (TestServer a = nodes.node("node-a");
                TestServer b = nodes.node("node-b", Map.of("cluster.changePollMillis", 60_000, "cluster.listenForChanges", false,
                        "server.publicUrl", publicUrl))) {
            Map<String, String> site = a.siteWithPool(List.of("+74954200031"));
            String sitePath = "/v1/sites/" + site.get("siteId");
            assertThat(a.send("PATCH", sitePath, site.get("apiKey"), "{\"forwardTo\":\"+74951112233\",\"twilioAuthToken\":\"" + token
                    + "\"}", "application/json", Map.of()).status()).isEqualTo(200);
            assertThat(b.get(sitePath, site.get("apiKey")).status()).as("b learns the site").isEqualTo(200);

            assertThat(a.post(sitePath + "/static-numbers", site.get("apiKey"), Map.of("number", "+74954200032", "source", "google"))
                    .status()).isEqualTo(201);
            String body = "{\"callId\":\"generic-f8\",\"event\":\"completed\",\"from\":\"+79161234567\",\"to\":\"+74954200032\","
                    + "\"durationSeconds\":65,\"talkSeconds\":60}";
            Reply generic = b.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                    Map.of("X-Ringpool-Signature", io.ringpool.call.Signing.ringpool(site.get("webhookSecret"),
                            b.clock.instant().getEpochSecond(), body)));
            assertThat(generic.status()).as(generic.body()).isEqualTo(200);

            assertThat(a.post(sitePath + "/static-numbers", site.get("apiKey"), Map.of("number", "+74954200033", "source", "yandex"))
                    .status()).isEqualTo(201);
            Map<String, String> ringing = new java.util.LinkedHashMap<>();
            ringing.put("CallSid", "CA-f8-voice");
            ringing.put("From", "+79161234568");
            ringing.put("To", "+74954200033");
            ringing.put("CallStatus", "ringing");
            ringing.put("Direction", "inbound");
            Reply voice = b.twilioForm(publicUrl, token, site.get("siteId"), "voice", ringing);
            assertThat(voice.status()).as(voice.body()).isEqualTo(200);
            assertThat(voice.body()).contains("+74951112233");
            b.awaitCallsStored();

            try (Connection c = sql(); PreparedStatement ps = c.prepareStatement(
                    "SELECT number FROM calls WHERE site_id = ? ORDER BY number")) {
                ps.setString(1, site.get("siteId"));
                try (ResultSet rs = ps.executeQuery()) {
                    List<String> stored = new java.util.ArrayList<>();
                    while (rs.next()) {
                        stored.add(rs.getString(1));
                    }
                    assertThat(stored).as("both calls recorded").containsExactly("+74954200032", "+74954200033");
                }
            }
        }
    }

    /** A listening connection cut by the database (a restart, a failover, an idle killer) is opened again. */
    @Test
    void aNodeWhoseListeningConnectionIsCutListensAgain() throws Exception {
        try (TestServer a = nodes.node("node-a"); TestServer b = nodes.node("node-b", Map.of("cluster.changePollMillis", 60_000))) {
            waitFor("node b listening", SLACK_MILLIS, () -> listenerPid("node-b") > 0);
            int cut = listenerPid("node-b");
            try (Connection c = sql(); Statement s = c.createStatement()) {
                s.execute("SELECT pg_terminate_backend(" + cut + ")");
            }
            waitFor("node b listening again", SLACK_MILLIS, () -> {
                int pid = listenerPid("node-b");
                return pid > 0 && pid != cut && b.get("/metrics", null).body().contains("ringpool_cluster_listening 1.0");
            });

            Map<String, String> site = a.siteWithPool(List.of("+74954200011"));
            String sitePath = "/v1/sites/" + site.get("siteId");
            assertThat(b.get(sitePath, site.get("apiKey")).status()).isEqualTo(200);
            assertThat(a.send("PATCH", sitePath, site.get("apiKey"), "{\"coolDownSeconds\":99}", "application/json", Map.of()).status())
                    .isEqualTo(200);
            waitFor("a setting changed through a, on b after its reconnect", SLACK_MILLIS,
                    () -> b.get(sitePath, site.get("apiKey")).json().get("coolDownSeconds").asInt() == 99);
        }
    }

    /** The backend that listens for {@code node}, from PostgreSQL's own view; -1: none. */
    int listenerPid(String node) {
        try (Connection c = sql(); PreparedStatement ps = c.prepareStatement(
                "SELECT max(pid) FROM pg_stat_activity WHERE application_name = ?")) {
            ps.setString(1, "ringpool-listen " + node);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int pid = rs.getInt(1);
                return rs.wasNull() ? -1 : pid;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void providerSettingsAndIntegrationsChangedOnOneNodeReachTheOther() throws Exception {
        try (TestServer a = nodes.node("node-a"); TestServer b = nodes.node("node-b")) {
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
        try (TestServer a = nodes.node("node-a")) {
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
        try (TestServer gone = nodes.node("node-gone")) {
            site = gone.siteWithPool(List.of("+74954200001"));
            Reply held = gone.startSession(site.get("publicKey"), "visitor-of-gone-node", "https://example.com/");
            heldNumber = held.text("number");
        }
        try (TestServer b = nodes.node("node-b")) {
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

    /**
     * Audit AE3 #5: the store refused the lost node's number to node b, so b kept it out of its
     * choices for one TTL, and went on answering pool_exhausted after b itself had ended the lost
     * node's lease, while the pool read the number free. The reclaim now gives it back at once.
     */
    @Test
    void aNumberThisNodeReclaimedIsLeasedAtOnceNotAfterItsHeldElsewhereHold() throws Exception {
        Map<String, String> site;
        String heldNumber;
        try (TestServer gone = nodes.node("node-gone")) {
            site = gone.siteWithPool(List.of("+74954200021"));
            Reply patched = gone.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                    "{\"coolDownSeconds\":0,\"exhaustionPolicy\":\"fallback\"}", "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            heldNumber = gone.startSession(site.get("publicKey"), "visitor-of-lost-node", "https://example.com/").text("number");
        }
        try (TestServer b = nodes.node("node-b")) {
            assertThat(b.startSession(site.get("publicKey"), "visitor-before", "https://example.com/").json().get("tracked").asBoolean())
                    .as("held by the silent node").isFalse();
            try (Connection c = sql(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE cluster_nodes SET seen_at = seen_at - 3600000 WHERE node_id = 'node-gone'");
                s.executeUpdate("UPDATE sessions SET lease_expires_at = lease_expires_at - 3600000 WHERE owner_node = 'node-gone'");
            }
            waitFor("node b ends the silent node's lease", 15_000,
                    () -> b.app.registry().counter("ringpool.cluster.leases.reclaimed").count() == 1.0);
            Reply after = b.startSession(site.get("publicKey"), "visitor-after", "https://example.com/");
            assertThat(after.json().get("tracked").asBoolean()).as(after.body()).isTrue();
            assertThat(after.text("number")).isEqualTo(heldNumber);
        }
    }

    /**
     * Audit AE3 #1: the silence after which a lost node's leases were ended was the longest lease
     * TTL of any site, so one tenant's one-hour TTL kept every other site's numbers of a lost node
     * out of use for an hour. Each site's leases are now ended after that site's own TTL.
     */
    @Test
    void aSilentNodesLeasesAreEndedAfterTheirOwnSitesTtlNotTheLongestOfAnySite() throws Exception {
        try (TestServer gone = nodes.node("node-gone")) {
            Map<String, String> shortSite = gone.siteWithPool(List.of("+74954200011"));
            Map<String, String> longSite = gone.siteWithPool(List.of("+74954200012"));
            Reply patched = gone.send("PATCH", "/v1/sites/" + longSite.get("siteId"), longSite.get("apiKey"),
                    "{\"leaseTtlSeconds\":3600}", "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            assertThat(gone.startSession(shortSite.get("publicKey"), "visitor-short", "https://example.com/").json()
                    .get("tracked").asBoolean()).isTrue();
            assertThat(gone.startSession(longSite.get("publicKey"), "visitor-long", "https://example.com/").json()
                    .get("tracked").asBoolean()).isTrue();
        }
        try (TestServer b = nodes.node("node-b")) {
            // Ten minutes of silence: past the short site's 180 s TTL (and the margin), not the long one's hour.
            try (Connection c = sql(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE cluster_nodes SET seen_at = seen_at - 600000 WHERE node_id = 'node-gone'");
                s.executeUpdate("UPDATE sessions SET lease_expires_at = lease_expires_at - 7200000 WHERE owner_node = 'node-gone'");
            }
            waitFor("node b ends the short site's lease", 15_000,
                    () -> b.app.registry().counter("ringpool.cluster.leases.reclaimed").count() == 1.0);
            Thread.sleep(1_500); // more reclaim rounds: the long site's lease must stay
            try (Connection c = sql(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT live_visitor, end_reason FROM sessions WHERE owner_node = 'node-gone' ORDER BY live_visitor")) {
                List<String> rows = new java.util.ArrayList<>();
                while (rs.next()) {
                    rows.add(rs.getString(1) + "/" + rs.getString(2));
                }
                assertThat(rows).containsExactlyInAnyOrder("null/node_lost", "visitor-long/null");
            }
            try (Connection c = sql(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE cluster_nodes SET seen_at = seen_at - 3600000 WHERE node_id = 'node-gone'");
            }
            waitFor("node b ends the long site's lease an hour later", 15_000,
                    () -> b.app.registry().counter("ringpool.cluster.leases.reclaimed").count() == 2.0);
        }
    }

    /**
     * Audit E #2: node a holds both numbers of a pool, so a visit on node b is untracked; a then
     * frees one number while it keeps the other. b's catch-up once chose the number a still holds
     * on every heartbeat (the store refused it and b never marked it held elsewhere), and the visit
     * stayed untracked while a brand-new visitor got the free number. It now chooses again, as a start does.
     */
    @Test
    void anUntrackedVisitOnOneNodeCatchesUpOnTheNumberAnotherNodeFreedWhileThatNodeHoldsTheOther() throws Exception {
        try (TestServer a = nodes.node("node-a"); TestServer b = nodes.node("node-b")) {
            Map<String, String> site = a.siteWithPool(List.of("+74954300001", "+74954300002"));
            String sitePath = "/v1/sites/" + site.get("siteId");
            assertThat(a.send("PATCH", sitePath, site.get("apiKey"), "{\"coolDownSeconds\":0,\"endGraceSeconds\":0}",
                    "application/json", Map.of()).status()).isEqualTo(200);
            waitFor("settings and pool seen by node b", CHANGE_BOUND_MILLIS + SLACK_MILLIS, () -> {
                Reply seen = b.get(sitePath, site.get("apiKey"));
                return seen.status() == 200 && seen.json().get("coolDownSeconds").asInt() == 0
                        && b.get(sitePath + "/pools/" + site.get("poolId"), site.get("apiKey")).status() == 200;
            });
            Reply kept = a.startSession(site.get("publicKey"), "keeps-its-number", "https://example.com/");
            Reply leaving = a.startSession(site.get("publicKey"), "leaves", "https://example.com/");
            assertThat(kept.json().get("tracked").asBoolean()).isTrue();
            assertThat(leaving.json().get("tracked").asBoolean()).isTrue();

            Reply waiting = b.startSession(site.get("publicKey"), "waits-on-b", "https://example.com/");
            assertThat(waiting.json().get("tracked").asBoolean()).as("both numbers are held on a").isFalse();
            String waitingSession = waiting.text("sessionId");

            assertThat(a.post("/v1/sessions/" + leaving.text("sessionId") + "/end", null, Map.of()).status()).isIn(200, 202, 204);
            waitFor("node a ends the leaving visitor's lease", 20_000, () -> {
                try (Connection c = sql(); PreparedStatement ps = c.prepareStatement(
                        "SELECT live_number IS NULL FROM sessions WHERE session_id = ?")) {
                    ps.setString(1, leaving.text("sessionId"));
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() && rs.getBoolean(1);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // b keeps the numbers it saw refused out of its choices for one TTL (180 s); the visit
            // heartbeats across it, and a's visitor keeps its lease in database time meanwhile.
            b.clock.advance(java.time.Duration.ofSeconds(100));
            assertThat(b.post("/v1/sessions/" + waitingSession + "/heartbeat", null, null).status()).isEqualTo(200);
            b.clock.advance(java.time.Duration.ofSeconds(100));
            assertThat(a.post("/v1/sessions/" + kept.text("sessionId") + "/heartbeat", null, null).status()).isEqualTo(200);

            Reply[] last = {null};
            waitFor("the untracked visit on b takes the number a freed", 5_000, () -> {
                last[0] = b.post("/v1/sessions/" + waitingSession + "/heartbeat", null, null);
                return last[0].status() == 200 && last[0].json().get("tracked").asBoolean();
            });
            assertThat(last[0].text("number")).isEqualTo(leaving.text("number"));
            assertThat(a.post("/v1/sessions/" + kept.text("sessionId") + "/heartbeat", null, null).text("number"))
                    .isEqualTo(kept.text("number"));
        }
    }

    /**
     * A node stopped (SIGSTOP, a host lost) in the middle of a transaction keeps that transaction
     * open on the server, and with it its row locks: here the lock a renewal flush takes on the
     * lease's row. PostgreSQL ends the transaction after the node connections' idle limit, so the
     * others' reclaim goes through; without the limit it waited until the node came back, and the
     * cluster chaos test once waited past its 60 s.
     */
    @Test
    void aNodeStoppedInsideATransactionDoesNotHoldItsLeasesPastTheIdleLimit() throws Exception {
        Map<String, String> site;
        try (TestServer gone = nodes.node("node-gone")) {
            site = gone.siteWithPool(List.of("+74954200101"));
            assertThat(gone.startSession(site.get("publicKey"), "visitor-of-stopped-node", "https://example.com/").json()
                    .get("tracked").asBoolean()).isTrue();
        }
        try (Connection c = sql(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE cluster_nodes SET seen_at = seen_at - 3600000 WHERE node_id = 'node-gone'");
            s.executeUpdate("UPDATE sessions SET lease_expires_at = lease_expires_at - 3600000 WHERE owner_node = 'node-gone'");
        }
        // The stopped node's pool, as a node opens it: its connection takes the lease's row lock and goes quiet.
        TestPostgres pg = nodes.pg();
        var store = new RingpoolConfig.Store(nodes.path("stopped"), pg.url, pg.user, pg.password, 2, 64, 1_000, false);
        Database stopped = new Database(store, new SimpleMeterRegistry());
        Connection stuck = stopped.dataSource().getConnection();
        try {
            stuck.setAutoCommit(false);
            try (Statement s = stuck.createStatement()) {
                assertThat(s.executeUpdate("UPDATE sessions SET lease_expires_at = lease_expires_at WHERE owner_node = 'node-gone'"))
                        .isEqualTo(1);
            }
            long lockedAt = System.nanoTime();
            try (TestServer b = nodes.node("node-b")) {
                waitFor("node b ends the stopped node's lease", Database.POSTGRES_IDLE_IN_TRANSACTION_MILLIS + 15_000,
                        () -> b.app.registry().counter("ringpool.cluster.leases.reclaimed").count() == 1.0);
                long tookMillis = (System.nanoTime() - lockedAt) / 1_000_000;
                System.out.println("cluster_reclaim_after_stuck_transaction_ms=" + tookMillis);
                assertThat(tookMillis).as("the lock held until PostgreSQL ended the quiet transaction")
                        .isGreaterThanOrEqualTo(Database.POSTGRES_IDLE_IN_TRANSACTION_MILLIS - 500);
            }
            try (Statement s = stuck.createStatement()) {
                assertThatThrownBy(() -> s.executeQuery("SELECT 1"))
                        .as("the stopped node's transaction was ended by the server").isInstanceOf(SQLException.class);
            }
        } finally {
            try {
                stuck.close();
            } catch (Exception ignored) {
                // already ended by the server
            }
            stopped.close();
        }
    }

    /** A streaming read waits on its HTTP client between rows; it is the one transaction the idle limit spares. */
    @Test
    void aStreamingReadIsNotEndedByTheIdleLimit() throws Exception {
        TestPostgres pg = nodes.pg();
        var store = new RingpoolConfig.Store(nodes.path("streaming"), pg.url, pg.user, pg.password, 2, 64, 1_000, false);
        Database db = new Database(store, new SimpleMeterRegistry());
        try {
            assertThat(db.read(ClusterPostgresTest::idleLimit)).isEqualTo("5s");
            assertThat(db.readStreaming(ClusterPostgresTest::idleLimit)).isEqualTo("0");
            assertThat(db.read(ClusterPostgresTest::idleLimit)).as("back to the limit after the streaming read").isEqualTo("5s");
        } finally {
            db.close();
        }
    }

    static String idleLimit(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW idle_in_transaction_session_timeout")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
