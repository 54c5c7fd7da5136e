package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10, item 7: a visit shown the default number because the pool was full gets a number once one frees. */
class UntrackedCatchUpTest {
    @TempDir
    Path dir;

    @Test
    void aVisitorShownTheDefaultNumberGetsAFreedNumberOnALaterHeartbeatAndCallsAfterThatAreTheirs() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74957000001"));
            server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                    "{\"exhaustionPolicy\":\"fallback\",\"coolDownSeconds\":60,\"endGraceSeconds\":0}", "application/json", Map.of());
            Reply first = server.startSession(site.get("publicKey"), "holder", "https://example.com/");
            Reply waiting = server.startSession(site.get("publicKey"), "waiting", "https://example.com/?utm_source=x");
            assertThat(waiting.json().get("tracked").asBoolean()).isFalse();
            assertThat(waiting.text("reason")).isEqualTo("pool_exhausted");
            String session = waiting.text("sessionId");

            Reply stillFull = server.post("/v1/sessions/" + session + "/heartbeat", null, null);
            assertThat(stillFull.json().get("tracked").asBoolean()).isFalse();
            assertThat(stillFull.text("number")).isEqualTo("+74951234567");

            server.post("/v1/sessions/" + first.text("sessionId") + "/end", null, null);
            server.clock.advance(Duration.ofSeconds(30));
            server.app.sessions().sweep();
            Reply cooling = server.post("/v1/sessions/" + session + "/heartbeat", null, null);
            assertThat(cooling.json().get("tracked").asBoolean()).as("a number still cooling for its last visitor is not taken").isFalse();

            server.clock.advance(Duration.ofSeconds(31));
            Reply caughtUp = server.post("/v1/sessions/" + session + "/heartbeat", null, null);
            assertThat(caughtUp.status()).isEqualTo(200);
            assertThat(caughtUp.json().get("tracked").asBoolean()).isTrue();
            assertThat(caughtUp.text("number")).isEqualTo("+74957000001");

            Reply again = server.post("/v1/sessions/" + session + "/heartbeat", null, null);
            assertThat(again.text("number")).isEqualTo("+74957000001");
            Reply pool = server.get("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId"), site.get("apiKey"));
            assertThat(pool.json().get("leased").asInt()).isEqualTo(1);
            assertThat(pool.json().get("exhaustions").asInt()).as("trying again is not an exhaustion").isEqualTo(1);

            server.clock.advance(Duration.ofSeconds(5));
            String body = "{\"callId\":\"pbx-catch-up\",\"event\":\"ringing\",\"from\":\"+79161234567\",\"to\":\"+74957000001\"}";
            Reply call = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                    Map.of("X-Ringpool-Signature", io.ringpool.call.Signing.ringpool(site.get("webhookSecret"),
                            server.clock.instant().getEpochSecond(), body)));
            assertThat(call.status()).as(call.body()).isEqualTo(200);
            assertThat(call.json().path("attribution").path("method").asText()).isEqualTo("active");
            assertThat(call.json().path("attribution").path("sessionId").asText()).isEqualTo(session);
        }
    }

    /**
     * A restart gives every live lease back, and on H2 it finds them number by number (no unique
     * live-number index there since V108): a number's live lease is its latest, which for a visit
     * leased after it started means the catch-up must count as the lease's start.
     */
    @Test
    void aVisitLeasedOnALaterHeartbeatKeepsItsNumberOverARestartAndTheEndedHolderDoesNot() {
        Map<String, String> site;
        String holder;
        String other;
        String waiting;
        Instant stoppedAt;
        try (TestServer server = new TestServer(dir, Map.of(), Clock.fixed(Instant.parse("2026-11-30T10:00:00Z"), ZoneOffset.UTC))) {
            site = server.siteWithPool(List.of("+74957000001", "+74957000002"));
            server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                    "{\"exhaustionPolicy\":\"fallback\",\"coolDownSeconds\":60,\"endGraceSeconds\":0}", "application/json", Map.of());
            holder = server.startSession(site.get("publicKey"), "holder", "https://example.com/").text("sessionId");
            other = server.startSession(site.get("publicKey"), "other", "https://example.com/").text("sessionId");
            Reply full = server.startSession(site.get("publicKey"), "waiting", "https://example.com/");
            assertThat(full.text("reason")).isEqualTo("pool_exhausted");
            waiting = full.text("sessionId");
            String heldFirst = server.post("/v1/sessions/" + holder + "/heartbeat", null, null).text("number");

            server.post("/v1/sessions/" + holder + "/end", null, null);
            server.clock.advance(Duration.ofSeconds(61));
            server.app.sessions().sweep();
            server.post("/v1/sessions/" + other + "/heartbeat", null, null);
            Reply caughtUp = server.post("/v1/sessions/" + waiting + "/heartbeat", null, null);
            assertThat(caughtUp.json().get("tracked").asBoolean()).isTrue();
            assertThat(caughtUp.text("number")).isEqualTo(heldFirst);
            stoppedAt = server.clock.instant();
        }
        try (TestServer server = new TestServer(dir, Map.of(), Clock.fixed(stoppedAt.plusSeconds(5), ZoneOffset.UTC))) {
            Reply waitingAgain = server.post("/v1/sessions/" + waiting + "/heartbeat", null, null);
            assertThat(waitingAgain.status()).as(waitingAgain.body()).isEqualTo(200);
            assertThat(waitingAgain.json().get("tracked").asBoolean()).isTrue();
            Reply otherAgain = server.post("/v1/sessions/" + other + "/heartbeat", null, null);
            assertThat(otherAgain.status()).as(otherAgain.body()).isEqualTo(200);
            assertThat(otherAgain.text("number")).isNotEqualTo(waitingAgain.text("number"));
            assertThat(server.post("/v1/sessions/" + holder + "/heartbeat", null, null).status()).isEqualTo(410);
            Reply late = server.startSession(site.get("publicKey"), "late", "https://example.com/");
            assertThat(late.text("reason")).as("both numbers are still leased after the restart").isEqualTo("pool_exhausted");
            Reply pool = server.get("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId"), site.get("apiKey"));
            assertThat(pool.json().get("leased").asInt()).isEqualTo(2);
        }
    }

    @Test
    void aCatchUpIsAStartItTakesTheAddresssStartTokenAndWaitingOnAFullPoolSpendsNone() {
        // Two starts a minute per address; the test speaks over loopback, a trusted proxy, so X-Forwarded-For names the client.
        try (TestServer server = new TestServer(dir, Map.of("leasing.sessionsPerIpPerMinute", 2, "leasing.addressCapPercent", 0))) {
            Map<String, String> site = server.siteWithPool(List.of("+74957000001"));
            server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                    "{\"exhaustionPolicy\":\"fallback\",\"coolDownSeconds\":0,\"endGraceSeconds\":0}", "application/json", Map.of());
            Map<String, String> fromOther = Map.of("User-Agent", TestServer.CHROME, "X-Forwarded-For", "198.51.100.9");
            Map<String, String> fromWaiting = Map.of("User-Agent", TestServer.CHROME, "X-Forwarded-For", "203.0.113.7");
            Reply holder = start(server, site, "holder", fromOther);
            Reply waiting = start(server, site, "waiting", fromWaiting);
            assertThat(waiting.text("reason")).isEqualTo("pool_exhausted");
            String session = waiting.text("sessionId");

            for (int i = 0; i < 5; i++) {
                Reply full = server.send("POST", "/v1/sessions/" + session + "/heartbeat", null, null, "application/json", fromWaiting);
                assertThat(full.json().get("tracked").asBoolean()).isFalse();
            }
            // Heartbeats on a full pool took no start token: the address still has its second start.
            assertThat(start(server, site, "second-visitor", fromWaiting).text("reason")).isEqualTo("pool_exhausted");
            assertThat(start(server, site, "third-visitor", fromWaiting).text("reason")).isEqualTo("rate_limited");

            server.post("/v1/sessions/" + holder.text("sessionId") + "/end", null, null);
            server.clock.advance(Duration.ofSeconds(1));
            server.app.sessions().sweep();
            Reply pool = server.get("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId"), site.get("apiKey"));
            assertThat(pool.json().get("leased").asInt()).as("the number is free again").isZero();
            Reply refused = server.send("POST", "/v1/sessions/" + session + "/heartbeat", null, null, "application/json", fromWaiting);
            assertThat(refused.json().get("tracked").asBoolean()).as("a free number, but the address spent its starts").isFalse();

            server.clock.advance(Duration.ofSeconds(61));
            Reply caughtUp = server.send("POST", "/v1/sessions/" + session + "/heartbeat", null, null, "application/json", fromWaiting);
            assertThat(caughtUp.json().get("tracked").asBoolean()).as(caughtUp.body()).isTrue();
            assertThat(caughtUp.text("number")).isEqualTo("+74957000001");
            assertThat(start(server, site, "fourth-visitor", fromWaiting).text("reason"))
                    .as("the catch-up took one of the refilled tokens").isEqualTo("pool_exhausted");
            assertThat(start(server, site, "fifth-visitor", fromWaiting).text("reason")).isEqualTo("rate_limited");
        }
    }

    @Test
    void visitsThatCameBeforeTheSitesFirstPoolGetANumberOnTheirNextPageOrHeartbeat() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of());
            Reply onPage = server.startSession(site.get("publicKey"), "early-reader", "https://example.com/");
            Reply beating = server.startSession(site.get("publicKey"), "early-beater", "https://example.com/?utm_source=x");
            Reply other = server.startSession(site.get("publicKey"), "early-google", "https://example.com/?utm_source=google");
            for (Reply r : List.of(onPage, beating, other)) {
                assertThat(r.json().get("tracked").asBoolean()).isFalse();
                assertThat(r.text("reason")).isEqualTo("no_pool");
            }
            // A pool for Google visits only: the visit from elsewhere stays untracked.
            Reply pool = server.post("/v1/sites/" + site.get("siteId") + "/pools", site.get("apiKey"),
                    Map.of("name", "google", "match", Map.of("utm_source", "google"), "numbers", List.of("+74957000001")));
            assertThat(pool.status()).as(pool.body()).isEqualTo(201);
            Reply stillNone = server.post("/v1/sessions/" + beating.text("sessionId") + "/heartbeat", null, null);
            assertThat(stillNone.json().get("tracked").asBoolean()).isFalse();

            // The Google visit's next page (a start with the same visitor id) takes the number at once.
            Reply nextPage = server.startSession(site.get("publicKey"), "early-google", "https://example.com/next");
            assertThat(nextPage.text("sessionId")).isEqualTo(other.text("sessionId"));
            assertThat(nextPage.json().get("tracked").asBoolean()).as(nextPage.body()).isTrue();
            assertThat(nextPage.text("number")).isEqualTo("+74957000001");
            assertThat(nextPage.json().has("reason") && !nextPage.json().get("reason").isNull()).isFalse();
            Reply kept = server.post("/v1/sessions/" + other.text("sessionId") + "/heartbeat", null, null);
            assertThat(kept.text("number")).isEqualTo("+74957000001");

            // A catch-all pool: the visit from elsewhere gets its number on the next heartbeat.
            server.post("/v1/sites/" + site.get("siteId") + "/pools", site.get("apiKey"),
                    Map.of("name", "all", "numbers", List.of("+74957000002")));
            Reply caughtUp = server.post("/v1/sessions/" + beating.text("sessionId") + "/heartbeat", null, null);
            assertThat(caughtUp.json().get("tracked").asBoolean()).as(caughtUp.body()).isTrue();
            assertThat(caughtUp.text("number")).isEqualTo("+74957000002");
            // Both numbers are out: the reader's next page finds none free and stays untracked.
            Reply full = server.startSession(site.get("publicKey"), "early-reader", "https://example.com/more");
            assertThat(full.text("sessionId")).isEqualTo(onPage.text("sessionId"));
            assertThat(full.json().get("tracked").asBoolean()).isFalse();
            assertThat(full.text("reason")).isEqualTo("no_pool");
        }
    }

    private static Reply start(TestServer server, Map<String, String> site, String visitorId, Map<String, String> headers) {
        String body = "{\"siteKey\":\"" + site.get("publicKey") + "\",\"visitorId\":\"" + visitorId + "\",\"url\":\"https://example.com/\"}";
        return server.send("POST", "/v1/sessions", null, body, "application/json", headers);
    }
}
