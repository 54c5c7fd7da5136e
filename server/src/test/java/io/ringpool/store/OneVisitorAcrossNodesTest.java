package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API.md: "The same visitorId with a live session gets that same session and number back", also
 * when the visitor's requests reach several nodes on one PostgreSQL (a balancer without
 * stickiness, two tabs). Real nodes on a real PostgreSQL; skipped without {@code RINGPOOL_TEST_PG_URL}.
 */
class OneVisitorAcrossNodesTest {
    @RegisterExtension
    final PostgresNodes nodes = new PostgresNodes("rp_visitor_", Map.of("leasing.sessionsPerIpPerMinute", 0,
            "leasing.sweepIntervalMillis", 200, "leasing.renewalFlushMillis", 200, "cluster.nodeBeatMillis", 500)).namedInCluster();

    static void waitFor(String what, long limitMillis, Supplier<Boolean> condition) throws InterruptedException {
        long start = System.nanoTime();
        while (!condition.get()) {
            if ((System.nanoTime() - start) / 1_000_000 > limitMillis) {
                throw new AssertionError("not within " + limitMillis + " ms: " + what);
            }
            Thread.sleep(20);
        }
    }

    /** A site with a pool, made on {@code a} and seen by every other node. */
    static Map<String, String> siteSeenBy(TestServer a, List<String> numbers, TestServer... others) throws InterruptedException {
        Map<String, String> site = a.siteWithPool(numbers);
        String path = "/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId");
        for (TestServer other : others) {
            waitFor("the pool reaches another node", 15_000, () -> other.get(path, site.get("apiKey")).status() == 200);
        }
        return site;
    }

    static List<String> numbers(String prefix, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            out.add(prefix + String.format("%02d", i));
        }
        return out;
    }

    /** The visitor's rows: session id, live number (null once over), live_visitor claim, owner node. */
    List<Map<String, String>> rowsOf(String visitorId) throws Exception {
        List<Map<String, String>> rows = new ArrayList<>();
        try (Connection c = nodes.pg().connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT session_id, live_number, live_visitor, owner_node FROM sessions WHERE visitor_id = ? ORDER BY started_at")) {
            ps.setString(1, visitorId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, String> row = new HashMap<>();
                    row.put("session", rs.getString(1));
                    row.put("liveNumber", rs.getString(2));
                    row.put("claim", rs.getString(3));
                    row.put("owner", rs.getString(4));
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    boolean over(String sessionId) throws Exception {
        try (Connection c = nodes.pg().connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT live_number IS NULL AND live_visitor IS NULL FROM sessions WHERE session_id = ?")) {
            ps.setString(1, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    static Reply heartbeat(TestServer node, String sessionId) {
        return node.post("/v1/sessions/" + sessionId + "/heartbeat", null, null);
    }

    @Test
    void aVisitorLiveOnOneNodeGetsTheSameSessionAndNumberFromAnotherWhoseHeartbeatsThenRenewIt() throws Exception {
        try (TestServer a = nodes.node("node-a"); TestServer b = nodes.node("node-b")) {
            Map<String, String> site = siteSeenBy(a, numbers("+749561000", 3), b);
            Reply first = a.startSession(site.get("publicKey"), "two-node-visitor", "https://example.com/");
            assertThat(first.status()).as(first.body()).isEqualTo(201);

            Reply onB = b.startSession(site.get("publicKey"), "two-node-visitor", "https://example.com/page-2");
            assertThat(onB.status()).as(onB.body()).isEqualTo(201);
            assertThat(onB.json().get("tracked").asBoolean()).isTrue();
            assertThat(onB.text("sessionId")).isEqualTo(first.text("sessionId"));
            assertThat(onB.text("number")).isEqualTo(first.text("number"));
            assertThat(rowsOf("two-node-visitor")).as("one visit in the store, its lease now held by b").hasSize(1)
                    .first().satisfies(row -> {
                        assertThat(row.get("owner")).isEqualTo("node-b");
                        assertThat(row.get("claim")).isEqualTo("two-node-visitor");
                        assertThat(row.get("liveNumber")).isEqualTo(first.text("number"));
                    });

            Reply beatOnB = heartbeat(b, first.text("sessionId"));
            assertThat(beatOnB.status()).as(beatOnB.body()).isEqualTo(200);
            assertThat(beatOnB.text("number")).isEqualTo(first.text("number"));

            // a learns from its refused renewal that b holds the lease; its page then gets 410 and
            // starts again, and gets the same session and number back, now held by a.
            waitFor("node a gives up the lease b took", 10_000, () -> heartbeat(a, first.text("sessionId")).status() == 410);
            Reply again = a.startSession(site.get("publicKey"), "two-node-visitor", "https://example.com/page-3");
            assertThat(again.status()).as(again.body()).isEqualTo(201);
            assertThat(again.text("sessionId")).isEqualTo(first.text("sessionId"));
            assertThat(again.text("number")).isEqualTo(first.text("number"));
            assertThat(heartbeat(a, first.text("sessionId")).status()).isEqualTo(200);
            assertThat(rowsOf("two-node-visitor")).hasSize(1).first().satisfies(row -> assertThat(row.get("owner")).isEqualTo("node-a"));
            assertThat(a.app.registry().counter("ringpool.sessions.joined").count()
                    + b.app.registry().counter("ringpool.sessions.joined").count()).isEqualTo(2.0);
        }
    }

    /**
     * Audit AI3 F1: a visitor untracked on a (the pool was full), who then got a number on b, kept
     * getting a's untracked visit and the default number on a, b's session and the tracking number
     * on b. A start on a now finds b's claim, ends the untracked visit and joins the tracked one.
     */
    @Test
    void aVisitorUntrackedOnOneNodeJoinsTheTrackedSessionItGotOnAnotherSince() throws Exception {
        try (TestServer a = nodes.node("node-a"); TestServer b = nodes.node("node-b")) {
            Map<String, String> site = siteSeenBy(a, numbers("+749565000", 1), b);
            String sitePath = "/v1/sites/" + site.get("siteId");
            assertThat(a.send("PATCH", sitePath, site.get("apiKey"), "{\"coolDownSeconds\":0,\"endGraceSeconds\":0}",
                    "application/json", Map.of()).status()).isEqualTo(200);
            waitFor("the settings reach b", 10_000,
                    () -> b.get(sitePath, site.get("apiKey")).json().path("endGraceSeconds").asInt(-1) == 0);
            Reply other = b.startSession(site.get("publicKey"), "other-visitor", "https://example.com/");
            assertThat(other.json().get("tracked").asBoolean()).as(other.body()).isTrue();
            Reply untracked = a.startSession(site.get("publicKey"), "split-visitor", "https://example.com/");
            assertThat(untracked.status()).as(untracked.body()).isEqualTo(200);
            assertThat(untracked.json().get("tracked").asBoolean()).as(untracked.body()).isFalse();
            assertThat(untracked.text("reason")).isEqualTo("pool_exhausted");

            assertThat(b.post("/v1/sessions/" + other.text("sessionId") + "/end", null, Map.of()).status()).isIn(200, 202, 204);
            waitFor("the other visitor's lease ends", 10_000, () -> {
                try {
                    return over(other.text("sessionId"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Reply tracked = b.startSession(site.get("publicKey"), "split-visitor", "https://example.com/page-2");
            assertThat(tracked.status()).as(tracked.body()).isEqualTo(201);
            assertThat(tracked.json().get("tracked").asBoolean()).as(tracked.body()).isTrue();

            for (int round = 0; round < 2; round++) {
                Reply onA = a.startSession(site.get("publicKey"), "split-visitor", "https://example.com/page-" + (3 + round));
                assertThat(onA.status()).as(onA.body()).isEqualTo(201);
                assertThat(onA.json().get("tracked").asBoolean()).as("the number the visitor holds, on a too: " + onA.body()).isTrue();
                assertThat(onA.text("sessionId")).isEqualTo(tracked.text("sessionId"));
                assertThat(onA.text("number")).isEqualTo(tracked.text("number"));
            }
            assertThat(heartbeat(a, untracked.text("sessionId")).status()).as("the untracked visit is over").isEqualTo(410);
            try (Connection c = nodes.pg().connect(); PreparedStatement ps = c.prepareStatement(
                    "SELECT ended_at IS NOT NULL FROM sessions WHERE session_id = ?")) {
                ps.setString(1, untracked.text("sessionId"));
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getBoolean(1)).as("the untracked visit ended in the store").isTrue();
                }
            }
            assertThat(rowsOf("split-visitor").stream().filter(r -> r.get("claim") != null)).as("one live claim").hasSize(1);
        }
    }

    @Test
    void eightStartsOfOneVisitorAtOnceOnTwoNodesMakeOneSessionWithOneNumber() throws Exception {
        try (TestServer a = nodes.node("node-a"); TestServer b = nodes.node("node-b")) {
            Map<String, String> site = siteSeenBy(a, numbers("+749562000", 10), b);
            for (int round = 0; round < 3; round++) {
                String visitor = "tabs-visitor-" + round;
                List<Supplier<Reply>> starts = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    TestServer node = i % 2 == 0 ? a : b;
                    starts.add(() -> node.startSession(site.get("publicKey"), visitor, "https://example.com/"));
                }
                List<Reply> replies = TestServer.atOnce(starts);
                for (Reply r : replies) {
                    assertThat(r.status()).as(r.body()).isEqualTo(201);
                    assertThat(r.json().get("tracked").asBoolean()).as(r.body()).isTrue();
                }
                assertThat(replies.stream().map(r -> r.text("sessionId")).distinct()).as("one session in every answer").hasSize(1);
                assertThat(replies.stream().map(r -> r.text("number")).distinct()).as("one number in every answer").hasSize(1);
                List<Map<String, String>> rows = rowsOf(visitor);
                assertThat(rows).as("one visit stored").hasSize(1);
                assertThat(rows.get(0).get("liveNumber")).isEqualTo(replies.get(0).text("number"));
            }
            try (Connection c = nodes.pg().connect(); PreparedStatement ps = c.prepareStatement(
                    "SELECT COUNT(*) FROM sessions WHERE live_number IS NOT NULL")) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("one number leased per visitor").isEqualTo(3);
                }
            }
        }
    }

    @Test
    void afterItsLeaseEndsOrExpiresTheVisitorGetsOneNewSessionOnEitherNode() throws Exception {
        try (TestServer a = nodes.node("node-a"); TestServer b = nodes.node("node-b")) {
            Map<String, String> site = siteSeenBy(a, numbers("+749563000", 3), b);
            Reply first = a.startSession(site.get("publicKey"), "returning-visitor", "https://example.com/");
            assertThat(first.status()).isEqualTo(201);
            assertThat(a.post("/v1/sessions/" + first.text("sessionId") + "/end", null, Map.of()).status()).isIn(200, 202, 204);
            a.clock.advance(Duration.ofSeconds(46)); // past the end grace (45 s)
            waitFor("node a ends the lease", 10_000, () -> {
                try {
                    return over(first.text("sessionId"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            Reply second = b.startSession(site.get("publicKey"), "returning-visitor", "https://example.com/");
            assertThat(second.status()).as(second.body()).isEqualTo(201);
            assertThat(second.text("sessionId")).isNotEqualTo(first.text("sessionId"));
            Reply secondOnA = a.startSession(site.get("publicKey"), "returning-visitor", "https://example.com/");
            assertThat(secondOnA.status()).as(secondOnA.body()).isEqualTo(201);
            assertThat(secondOnA.text("sessionId")).as("the new session, on the other node too").isEqualTo(second.text("sessionId"));

            // Now held by a, and never renewed again: it expires there.
            a.clock.advance(Duration.ofSeconds(181));
            waitFor("node a ends the expired lease", 10_000, () -> {
                try {
                    return over(second.text("sessionId"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Reply third = b.startSession(site.get("publicKey"), "returning-visitor", "https://example.com/");
            assertThat(third.status()).as(third.body()).isEqualTo(201);
            assertThat(third.text("sessionId")).isNotIn(first.text("sessionId"), second.text("sessionId"));
            Reply thirdOnA = a.startSession(site.get("publicKey"), "returning-visitor", "https://example.com/");
            assertThat(thirdOnA.text("sessionId")).isEqualTo(third.text("sessionId"));
            assertThat(rowsOf("returning-visitor").stream().filter(r -> r.get("claim") != null)).as("one live claim").hasSize(1);
        }
    }

    @Test
    void theLeaseOfANodeThatStoppedPastItsTtlDoesNotKeepTheVisitorPinned() throws Exception {
        Map<String, String> site;
        Reply first;
        try (TestServer gone = nodes.node("node-gone"); TestServer b = nodes.node("node-b")) {
            site = siteSeenBy(gone, numbers("+749564000", 3), b);
            first = gone.startSession(site.get("publicKey"), "pinned-visitor", "https://example.com/");
            assertThat(first.status()).isEqualTo(201);
        }
        try (TestServer b = nodes.node("node-b"); TestServer c = nodes.node("node-c")) {
            // node-gone stands still (stopped, or paused) while database time passes its lease's expiry;
            // its beat is left alone, so the silent-node reaper does not end the lease for us.
            try (Connection sql = nodes.pg().connect(); PreparedStatement ps = sql.prepareStatement(
                    "UPDATE sessions SET lease_expires_at = lease_expires_at - 3600000 WHERE owner_node = 'node-gone'")) {
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            Reply fresh = b.startSession(site.get("publicKey"), "pinned-visitor", "https://example.com/");
            assertThat(fresh.status()).as(fresh.body()).isEqualTo(201);
            assertThat(fresh.json().get("tracked").asBoolean()).isTrue();
            assertThat(fresh.text("sessionId")).isNotEqualTo(first.text("sessionId"));
            assertThat(fresh.text("number")).as("the old number stays with its lease until that ends").isNotEqualTo(first.text("number"));

            Reply onC = c.startSession(site.get("publicKey"), "pinned-visitor", "https://example.com/");
            assertThat(onC.status()).as(onC.body()).isEqualTo(201);
            assertThat(onC.text("sessionId")).as("the claim moved to the new session").isEqualTo(fresh.text("sessionId"));
            List<Map<String, String>> rows = rowsOf("pinned-visitor");
            assertThat(rows).hasSize(2);
            assertThat(rows.get(0).get("claim")).as("superseded").isNull();
            assertThat(rows.get(0).get("liveNumber")).as("still held for the stopped node").isEqualTo(first.text("number"));
            assertThat(rows.get(1).get("claim")).isEqualTo("pinned-visitor");
        }
        // The stopped node comes back: it restores its old lease for the page that may still show it,
        // but the visitor's next start there gets the session the claim names.
        try (TestServer back = nodes.node("node-gone")) {
            Reply onReturn = back.startSession(site.get("publicKey"), "pinned-visitor", "https://example.com/");
            assertThat(onReturn.status()).as(onReturn.body()).isEqualTo(201);
            assertThat(onReturn.text("sessionId")).isNotEqualTo(first.text("sessionId"));
            assertThat(rowsOf("pinned-visitor").stream().filter(r -> r.get("claim") != null)).hasSize(1)
                    .allSatisfy(r -> assertThat(r.get("session")).isEqualTo(onReturn.text("sessionId")));
        }
    }

    /**
     * A new ad click (docs/calls.md, "A new source starts a new visit") that reaches another node
     * than the one holding the visit: that node takes the lease over and passes it, fenced, to the
     * new visit; one live claim and one live number in the store throughout, the same number.
     */
    @Test
    void aNewAdClickOnAnotherNodeStartsTheNewVisitThereWithTheSameNumber() throws Exception {
        try (TestServer a = nodes.node("node-a"); TestServer b = nodes.node("node-b")) {
            Map<String, String> site = siteSeenBy(a, numbers("+749563000", 2), b);
            Reply yandex = a.startSession(site.get("publicKey"), "new-click-visitor",
                    "https://example.com/landing?utm_source=yandex&utm_medium=cpc&yclid=Y1");
            assertThat(yandex.status()).as(yandex.body()).isEqualTo(201);

            Reply google = b.startSession(site.get("publicKey"), "new-click-visitor",
                    "https://example.com/landing?gclid=G-NEW&utm_source=google&utm_medium=cpc&utm_campaign=retarget");

            assertThat(google.status()).as(google.body()).isEqualTo(201);
            assertThat(google.text("number")).isEqualTo(yandex.text("number"));
            assertThat(google.text("sessionId")).isNotEqualTo(yandex.text("sessionId"));
            assertThat(over(yandex.text("sessionId"))).isTrue();
            assertThat(rowsOf("new-click-visitor")).hasSize(2).last().satisfies(row -> {
                assertThat(row.get("session")).isEqualTo(google.text("sessionId"));
                assertThat(row.get("liveNumber")).isEqualTo(yandex.text("number"));
                assertThat(row.get("claim")).isEqualTo("new-click-visitor");
                assertThat(row.get("owner")).isEqualTo("node-b");
            });
            try (Connection c = nodes.pg().connect(); PreparedStatement ps = c.prepareStatement(
                    "SELECT end_reason, ended_at FROM sessions WHERE session_id = ?")) {
                ps.setString(1, yandex.text("sessionId"));
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("source_changed");
                }
            }

            // The first tab, on a, learns its session is over and starts again (not a landing): the new visit, same number.
            waitFor("node a gives up the old session", 10_000, () -> heartbeat(a, yandex.text("sessionId")).status() == 410);
            Reply again = a.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + site.get("publicKey") + "\",\"visitorId\":"
                    + "\"new-click-visitor\",\"url\":\"https://example.com/landing?utm_source=yandex&utm_medium=cpc&yclid=Y1\","
                    + "\"landing\":false}", "application/json", Map.of("User-Agent", TestServer.CHROME));
            assertThat(again.status()).as(again.body()).isEqualTo(201);
            assertThat(again.text("sessionId")).isEqualTo(google.text("sessionId"));
            assertThat(again.text("number")).isEqualTo(yandex.text("number"));
            assertThat(rowsOf("new-click-visitor").stream().filter(r -> r.get("claim") != null)).hasSize(1);
        }
    }
}
