package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session 11: a lease past its expiry blocked its number until the sweeper ran (up to a second in
 * production; the test server sweeps only when told). A heartbeat for it already answered 410, yet
 * a start on a full pool in that window got {@code pool_exhausted} and counted an exhaustion where,
 * a moment later, it would have been given the number. Now a start treats the lease as ended at its
 * expiry, exactly as the sweep would: the same end in the store, the same cool-down and counts.
 */
class ExpiredLeaseBeforeSweepTest {
    static final String NUMBER = "+74957100001";

    @TempDir
    Path dir;

    @Test
    void aStartAfterTheOnlyLeaseExpiredReusesItsNumberFromCoolDownInsteadOfReportingTheNumberAsTaken() {
        // A clock that moves only when told: the lease's end is checked to the second.
        try (TestServer server = new TestServer(dir, Map.of(), Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC))) {
            Map<String, String> site = server.siteWithPool(List.of(NUMBER));
            settings(server, site, "{\"exhaustionPolicy\":\"reuse_cooling\",\"coolDownSeconds\":900,\"leaseTtlSeconds\":180}");
            Reply holder = server.startSession(site.get("publicKey"), "holder", "https://example.com/?utm_source=first");
            assertThat(holder.text("number")).isEqualTo(NUMBER);

            server.clock.advance(Duration.ofSeconds(181)); // past the holder's expiry; no sweep has run
            Reply next = server.startSession(site.get("publicKey"), "next", "https://example.com/?utm_source=second");

            assertThat(next.status()).as(next.body()).isEqualTo(201);
            assertThat(next.json().get("tracked").asBoolean()).as(next.body()).isTrue();
            assertThat(next.text("number")).isEqualTo(NUMBER);
            // What the same start gets after the sweep: the number reused from cool-down, which is an exhaustion.
            String metrics = scrape(server);
            assertThat(metrics).contains(series("ringpool_sessions_started_total", site, "reused_cooling") + " 1.0")
                    .contains(series("ringpool_sessions_started_total", site, "pool_exhausted") + " 0.0"); // at 0 from the site's first start
            assertThat(metrics).contains(exhaustions(site) + " 1.0");
            assertThat(server.post("/v1/sessions/" + holder.text("sessionId") + "/heartbeat", null, null).status()).isEqualTo(410);

            // The sweep, running later, ends nothing twice and leaves the new lease alone.
            server.app.sessions().sweep();
            Reply pool = server.get("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId"), site.get("apiKey"));
            assertThat(pool.json().get("leased").asInt()).isEqualTo(1);
            assertThat(server.post("/v1/sessions/" + next.text("sessionId") + "/heartbeat", null, null).status()).isEqualTo(200);

            // In the store the holder's lease ended at its expiry (180 s after its start), as the sweep records it.
            server.clock.advance(Duration.ofSeconds(9));
            JsonNode attribution = call(server, site, "pbx-after-expiry").path("attribution");
            assertThat(attribution.path("sessionId").asText()).isEqualTo(next.text("sessionId"));
            List<String> reasons = new ArrayList<>();
            attribution.path("candidates").forEach(c -> reasons.add(c.path("sessionId").asText() + ": " + c.path("reason").asText()));
            assertThat(reasons).anySatisfy(r -> assertThat(r).startsWith(holder.text("sessionId")).contains("10 s before the call"));
        }
    }

    @Test
    void aLeaseThatExpiredLongerAgoThanTheCoolDownIsAFreeNumberAndNoExhaustionIsCounted() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of(NUMBER));
            settings(server, site, "{\"exhaustionPolicy\":\"fallback\",\"coolDownSeconds\":0,\"leaseTtlSeconds\":60}");
            Reply holder = server.startSession(site.get("publicKey"), "holder", "https://example.com/");
            assertThat(holder.json().get("tracked").asBoolean()).isTrue();

            server.clock.advance(Duration.ofSeconds(61));
            Reply next = server.startSession(site.get("publicKey"), "next", "https://example.com/");

            assertThat(next.json().get("tracked").asBoolean()).as(next.body()).isTrue();
            assertThat(next.text("number")).isEqualTo(NUMBER);
            String metrics = scrape(server);
            assertThat(metrics).contains(series("ringpool_sessions_started_total", site, "free") + " 2.0");
            assertThat(metrics).contains(exhaustions(site) + " 0.0");

            // The holder never sent a heartbeat: the sweep still reports its session over, so it leaves memory.
            assertThat(server.app.sessions().liveSessions()).isEqualTo(2);
            assertThat(server.app.sessions().sweep()).isEqualTo(1);
            assertThat(server.app.sessions().liveSessions()).isEqualTo(1);
            assertThat(server.app.sessions().sweep()).isZero();
        }
    }

    @Test
    void aVisitorWhoseOwnLeaseExpiredGetsTheirNumberBackBeforeTheSweep() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of(NUMBER));
            settings(server, site, "{\"exhaustionPolicy\":\"fallback\",\"coolDownSeconds\":900,\"leaseTtlSeconds\":60}");
            Reply first = server.startSession(site.get("publicKey"), "returning", "https://example.com/");

            server.clock.advance(Duration.ofSeconds(61));
            Reply again = server.startSession(site.get("publicKey"), "returning", "https://example.com/");

            assertThat(again.status()).as(again.body()).isEqualTo(201);
            assertThat(again.text("sessionId")).isNotEqualTo(first.text("sessionId"));
            assertThat(again.text("number")).isEqualTo(NUMBER);
            assertThat(scrape(server)).contains(series("ringpool_sessions_started_total", site, "returning_visitor") + " 1.0")
                    .contains(exhaustions(site) + " 0.0");
        }
    }

    @Test
    void aVisitWaitingOnAFullPoolTakesTheNumberOnItsNextHeartbeatOnceTheHoldersLeaseExpired() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of(NUMBER));
            settings(server, site, "{\"exhaustionPolicy\":\"fallback\",\"coolDownSeconds\":0,\"leaseTtlSeconds\":60}");
            server.startSession(site.get("publicKey"), "holder", "https://example.com/");
            Reply waiting = server.startSession(site.get("publicKey"), "waiting", "https://example.com/");
            assertThat(waiting.text("reason")).isEqualTo("pool_exhausted");

            server.clock.advance(Duration.ofSeconds(30));
            server.post("/v1/sessions/" + waiting.text("sessionId") + "/heartbeat", null, null);
            server.clock.advance(Duration.ofSeconds(31)); // the holder sent no heartbeat: expired, not yet swept
            Reply caughtUp = server.post("/v1/sessions/" + waiting.text("sessionId") + "/heartbeat", null, null);

            assertThat(caughtUp.json().get("tracked").asBoolean()).as(caughtUp.body()).isTrue();
            assertThat(caughtUp.text("number")).isEqualTo(NUMBER);
        }
    }

    private static void settings(TestServer server, Map<String, String> site, String json) {
        Reply r = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), json, "application/json", Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    private static JsonNode call(TestServer server, Map<String, String> site, String callId) {
        String body = "{\"callId\":\"" + callId + "\",\"event\":\"ringing\",\"from\":\"+79161234567\",\"to\":\"" + NUMBER + "\"}";
        Reply call = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", io.ringpool.call.Signing.ringpool(site.get("webhookSecret"),
                        server.clock.instant().getEpochSecond(), body)));
        assertThat(call.status()).as(call.body()).isEqualTo(200);
        return call.json();
    }

    private static String series(String name, Map<String, String> site, String outcome) {
        return name + "{outcome=\"" + outcome + "\",site=\"" + site.get("siteId") + "\",tracked=\""
                + !"pool_exhausted".equals(outcome) + "\"}";
    }

    private static String exhaustions(Map<String, String> site) {
        return "ringpool_pool_exhaustions_total{pool=\"" + site.get("poolId") + "\",site=\"" + site.get("siteId") + "\"}";
    }

    private static String scrape(TestServer server) {
        Reply metrics = server.send("GET", "/metrics", null, null, null, Map.of());
        assertThat(metrics.status()).isEqualTo(200);
        return metrics.body();
    }
}
