package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionsOverHttpTest {
    @TempDir
    Path dir;

    TestServer server;

    /** Time moves only when a test advances it, so nothing here depends on how fast the machine is. */
    static final Clock FROZEN = Clock.fixed(Instant.parse("2026-11-30T09:00:00Z"), ZoneOffset.UTC);

    @BeforeEach
    void start() {
        server = new TestServer(dir, Map.of(), FROZEN);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static List<String> numbers(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(String.format("+7495000%04d", i));
        }
        return out;
    }

    @Test
    void fiveVisitorsOnAFiveNumberPoolGetFiveDistinctNumbersAndTheSixthGetsTheDefaultNumber() {
        var site = server.siteWithPool(numbers(5));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            Reply r = server.startSession(site.get("publicKey"), "visitor-" + i + "-abcdef", "https://example.com/?utm_source=google");
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.json().get("tracked").asBoolean()).isTrue();
            seen.add(r.text("number"));
        }
        assertThat(seen).hasSize(5).isSubsetOf(numbers(5));

        Reply sixth = server.startSession(site.get("publicKey"), "visitor-6-abcdef", "https://example.com/");
        assertThat(sixth.status()).isEqualTo(200);
        assertThat(sixth.json().get("tracked").asBoolean()).isFalse();
        assertThat(sixth.text("number")).isEqualTo("+74951234567");
        assertThat(sixth.text("reason")).isEqualTo("pool_exhausted");

        Reply pool = server.get("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId"), site.get("apiKey"));
        assertThat(pool.json().get("leased").asInt()).isEqualTo(5);
        assertThat(pool.json().get("exhaustions").asInt()).isEqualTo(1);
    }

    /** ConcurrentRequestsSweepTest: eight starts of one visitor at once leased up to eight numbers, one per session. */
    @Test
    void oneVisitorStartingInEightTabsAtOnceGetsOneSessionAndOneNumber() {
        var site = server.siteWithPool(numbers(10));
        for (int round = 0; round < 3; round++) {
            String visitor = "visitor-tabs-at-once-" + round;
            List<Reply> replies = TestServer.atOnce(java.util.Collections.nCopies(8,
                    () -> server.startSession(site.get("publicKey"), visitor, "https://example.com/?utm_source=google")));
            assertThat(replies).allSatisfy(r -> assertThat(r.status()).as(r.body()).isIn(200, 201));
            assertThat(replies.stream().map(r -> r.text("sessionId")).distinct()).hasSize(1);
            assertThat(replies.stream().map(r -> r.text("number")).distinct()).hasSize(1);
        }
        Reply pool = server.get("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId"), site.get("apiKey"));
        assertThat(pool.json().get("leased").asInt()).isEqualTo(3);
    }

    @Test
    void aReturningVisitorWithALiveSessionGetsTheSameSessionAndNumber() {
        var site = server.siteWithPool(numbers(3));
        Reply first = server.startSession(site.get("publicKey"), "visitor-tabs-01", "https://example.com/a");
        Reply second = server.startSession(site.get("publicKey"), "visitor-tabs-01", "https://example.com/b");
        assertThat(second.text("sessionId")).isEqualTo(first.text("sessionId"));
        assertThat(second.text("number")).isEqualTo(first.text("number"));
    }

    @Test
    void googlebotAndWebdriverGetTheDefaultNumberAndConsumeNothing() {
        var site = server.siteWithPool(numbers(1));
        Reply bot = server.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + site.get("publicKey") + "\"}", "application/json",
                Map.of("User-Agent", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"));
        assertThat(bot.status()).isEqualTo(200);
        assertThat(bot.text("reason")).isEqualTo("bot");
        assertThat(bot.text("number")).isEqualTo("+74951234567");
        Reply driven = server.send("POST", "/v1/sessions", null,
                "{\"siteKey\":\"" + site.get("publicKey") + "\",\"webdriver\":true}", "application/json", Map.of("User-Agent", TestServer.CHROME));
        assertThat(driven.text("reason")).isEqualTo("bot");

        Reply human = server.startSession(site.get("publicKey"), null, "https://example.com/");
        assertThat(human.status()).isEqualTo(201);
    }

    @Test
    void heartbeatsRenewTheLeaseAndALeaseWithoutHeartbeatsEndsWith410() {
        var site = server.siteWithPool(numbers(1));
        Reply started = server.startSession(site.get("publicKey"), "visitor-hb-0001", "https://example.com/");
        String session = started.text("sessionId");
        Instant firstExpiry = Instant.parse(started.text("expiresAt"));

        server.clock.advance(Duration.ofSeconds(100));
        Reply beat = server.post("/v1/sessions/" + session + "/heartbeat", null, null);
        assertThat(beat.status()).isEqualTo(200);
        assertThat(Instant.parse(beat.text("expiresAt"))).isAfter(firstExpiry);
        assertThat(beat.text("number")).isEqualTo(started.text("number"));

        server.clock.advance(Duration.ofSeconds(181));
        server.app.sessions().sweep();
        Reply late = server.post("/v1/sessions/" + session + "/heartbeat", null, null);
        assertThat(late.status()).isEqualTo(410);
        assertThat(late.errorCode()).isEqualTo("session_ended");

        assertThat(server.post("/v1/sessions/s_neverExisted0000000000/heartbeat", null, null).status()).isEqualTo(404);
    }

    @Test
    void anEndedLeaseCoolsDownBeforeAnotherVisitorGetsTheNumberButItsOwnVisitorMayComeBack() {
        var site = server.siteWithPool(numbers(1));
        String pool = "/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId");
        // "fallback": a cooling number is never lent, so whether another visitor gets it is a yes or no.
        assertThat(server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                "{\"exhaustionPolicy\":\"fallback\"}", "application/json", Map.of()).status()).isEqualTo(200);
        Reply a = server.startSession(site.get("publicKey"), "visitor-cool-aa", "https://example.com/");
        String number = a.text("number");
        assertThat(server.post("/v1/sessions/" + a.text("sessionId") + "/end", null, null).status()).isEqualTo(204);
        server.clock.advance(Duration.ofSeconds(46)); // past the 45 s end grace
        server.app.sessions().sweep();
        // The background sweeper may have taken this lease first and still be committing its end:
        // wait for the end to show (a condition), never for a fixed time.
        assertThat(coolingDownEventually(pool, site.get("apiKey"), 1)).isEqualTo(1);

        Reply b = server.startSession(site.get("publicKey"), "visitor-cool-bb", "https://example.com/");
        assertThat(b.json().get("tracked").asBoolean()).as("another visitor during the cool-down").isFalse();
        assertThat(b.text("reason")).isEqualTo("pool_exhausted");
        assertThat(b.text("number")).isEqualTo("+74951234567");

        Reply aAgain = server.startSession(site.get("publicKey"), "visitor-cool-aa", "https://example.com/");
        assertThat(aAgain.json().get("tracked").asBoolean()).isTrue();
        assertThat(aAgain.text("number")).as("its own visitor comes back to it").isEqualTo(number);

        assertThat(server.post("/v1/sessions/" + aAgain.text("sessionId") + "/end", null, null).status()).isEqualTo(204);
        server.clock.advance(Duration.ofSeconds(46 + 900)); // the end grace, then the 900 s cool-down
        server.app.sessions().sweep();
        Reply c = server.startSession(site.get("publicKey"), "visitor-cool-cc", "https://example.com/");
        assertThat(c.text("number")).as("after the cool-down anyone may have it").isEqualTo(number);
        assertThat(c.json().get("tracked").asBoolean()).isTrue();
    }

    @Test
    void withTheFallbackPolicyACoolingNumberIsNotLentAndTheVisitIsUntracked() {
        var site = server.siteWithPool(numbers(1));
        Reply patched = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                "{\"exhaustionPolicy\":\"fallback\"}", "application/json", Map.of());
        assertThat(patched.status()).isEqualTo(200);
        Reply a = server.startSession(site.get("publicKey"), "visitor-fall-aa", "https://example.com/");
        server.post("/v1/sessions/" + a.text("sessionId") + "/end", null, null);
        server.clock.advance(Duration.ofSeconds(46));
        server.app.sessions().sweep();

        Reply b = server.startSession(site.get("publicKey"), "visitor-fall-bb", "https://example.com/");
        assertThat(b.json().get("tracked").asBoolean()).isFalse();
        assertThat(b.text("reason")).isEqualTo("pool_exhausted");

        Reply again = server.startSession(site.get("publicKey"), "visitor-fall-aa", "https://example.com/");
        assertThat(again.text("number")).as("a visitor gets their own cooling number back").isEqualTo(a.text("number"));
    }

    @Test
    void intentKeepsTheNumberPastTheLeaseTtl() {
        var site = server.siteWithPool(numbers(1));
        Reply a = server.startSession(site.get("publicKey"), "visitor-intent-1", "https://example.com/");
        assertThat(server.post("/v1/sessions/" + a.text("sessionId") + "/intent", null, Map.of("kind", "tel_click")).status()).isEqualTo(204);
        server.clock.advance(Duration.ofSeconds(600));
        server.app.sessions().sweep();
        assertThat(server.post("/v1/sessions/" + a.text("sessionId") + "/heartbeat", null, null).status()).isEqualTo(200);
        assertThat(server.post("/v1/sessions/" + a.text("sessionId") + "/intent", null, Map.of("kind", "fax")).errorCode())
                .isEqualTo("invalid_value");
    }

    @Test
    void badBodiesGetClearClientErrorsNamingTheProblem() {
        var site = server.siteWithPool(numbers(1));
        assertThat(server.send("POST", "/v1/sessions", null, "{\"siteKey\":", "application/json", Map.of()).status()).isEqualTo(400);
        Reply typed = server.send("POST", "/v1/sessions", null, "{\"siteKey\":42}", "application/json", Map.of());
        assertThat(typed.status()).isEqualTo(422);
        assertThat(typed.json().path("error").path("field").asText()).isEqualTo("siteKey");
        String nested = "{\"siteKey\":" + "[".repeat(200) + "]".repeat(200) + "}";
        assertThat(server.send("POST", "/v1/sessions", null, nested, "application/json", Map.of()).status()).isEqualTo(400);
        String big = "{\"siteKey\":\"" + "a".repeat(2 * 1024 * 1024) + "\"}";
        assertThat(server.send("POST", "/v1/sessions", null, big, "application/json", Map.of()).status()).isEqualTo(413);
        assertThat(server.send("POST", "/v1/sites", TestServer.ADMIN_KEY, big, "application/json", Map.of()).status()).isEqualTo(413);
        Reply missing = server.post("/v1/sites/" + site.get("siteId") + "/pools", site.get("apiKey"), Map.of("numbers", List.of("12")));
        assertThat(missing.status()).isEqualTo(422);
        Reply badNumber = server.post("/v1/sites/" + site.get("siteId") + "/pools", site.get("apiKey"),
                Map.of("name", "x", "numbers", List.of("+74950000099", "not a number")));
        assertThat(badNumber.json().path("error").path("field").asText()).isEqualTo("numbers[1]");
        assertThat(server.send("POST", "/v1/sessions", null, "{}", "application/xml", Map.of()).status()).isEqualTo(415);
    }

    @Test
    void aMinimalSiteAndPoolNeedOnlyTheDefaultNumberAndTheNumbers() {
        Reply site = server.post("/v1/sites", TestServer.ADMIN_KEY, Map.of("name", "Bare", "defaultNumber", "+74957770000"));
        assertThat(site.status()).as(site.body()).isEqualTo(201);
        Reply pool = server.post("/v1/sites/" + site.text("siteId") + "/pools", site.text("apiKey"),
                Map.of("numbers", List.of("+74957770001")));
        assertThat(pool.status()).as(pool.body()).isEqualTo(201);
        Reply visit = server.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + site.text("publicKey") + "\",\"visitorId\":\"v1\"}",
                "application/json", Map.of("User-Agent", TestServer.CHROME, "Origin", "https://anywhere.example"));
        assertThat(visit.status()).as("a site without domains accepts any origin").isEqualTo(201);
        assertThat(visit.text("number")).isEqualTo("+74957770001");
    }

    @Test
    void anotherSitesKeySeesNothingOfThisSite() {
        var mine = server.siteWithPool(numbers(2));
        var theirs = server.siteWithPool(List.of("+74959990001"));
        assertThat(server.get("/v1/sites/" + mine.get("siteId"), theirs.get("apiKey")).status()).isEqualTo(404);
        assertThat(server.get("/v1/sites/" + mine.get("siteId") + "/pools/" + mine.get("poolId"), theirs.get("apiKey")).status()).isEqualTo(404);
        assertThat(server.get("/v1/sites/" + theirs.get("siteId") + "/pools/" + mine.get("poolId"), theirs.get("apiKey")).status()).isEqualTo(404);
        assertThat(server.get("/v1/sites/" + mine.get("siteId"), "sk_made_up_key").status()).isEqualTo(401);
        assertThat(server.post("/v1/sites", mine.get("apiKey"), Map.of("name", "x")).status()).isEqualTo(403);
    }

    @Test
    void fortyConcurrentVisitorsOnThirtyNumbersGetThirtyDistinctNumbers() throws Exception {
        var site = server.siteWithPool(numbers(30));
        ExecutorService pool = Executors.newFixedThreadPool(40);
        try {
            List<Callable<Reply>> visitors = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String visitor = "visitor-conc-" + String.format("%03d", i);
                visitors.add(() -> server.startSession(site.get("publicKey"), visitor, "https://example.com/"));
            }
            List<String> leased = new ArrayList<>();
            int untracked = 0;
            for (Future<Reply> f : pool.invokeAll(visitors)) {
                Reply r = f.get();
                if (r.status() == 201) {
                    leased.add(r.text("number"));
                } else {
                    assertThat(r.text("reason")).isEqualTo("pool_exhausted");
                    untracked++;
                }
            }
            assertThat(leased).hasSize(30).doesNotHaveDuplicates();
            assertThat(untracked).isEqualTo(10);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oneClientIpBehindTheProxyCannotDrainThePool() {
        var site = server.siteWithPool(numbers(200));
        assertThat(startsFrom(site.get("publicKey"), "203.0.113.9", 0, 125))
                .as("120 new sessions per minute per client IP, of which 20 (10% of the pool) hold numbers; then the default number")
                .containsExactly(20, 5, 100);

        server.clock.advance(Duration.ofSeconds(30)); // half a minute refills half the bucket; the 20 leases still live
        assertThat(startsFrom(site.get("publicKey"), "203.0.113.9", 125, 61)).containsExactly(0, 1, 60);

        Reply other = server.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + site.get("publicKey") + "\"}",
                "application/json", Map.of("User-Agent", TestServer.CHROME, "X-Forwarded-For", "198.51.100.20"));
        assertThat(other.status()).as("another client behind the same proxy").isEqualTo(201);
    }

    /** Starts {@code count} new visitors from {@code clientIp}; returns {tracked, rate limited, past the address cap}. */
    private List<Integer> startsFrom(String publicKey, String clientIp, int firstVisitor, int count) {
        int tracked = 0;
        int limited = 0;
        int capped = 0;
        for (int i = firstVisitor; i < firstVisitor + count; i++) {
            Reply r = server.send("POST", "/v1/sessions", null,
                    "{\"siteKey\":\"" + publicKey + "\",\"visitorId\":\"drainer-" + String.format("%04d", i) + "\"}",
                    "application/json", Map.of("User-Agent", TestServer.CHROME, "X-Forwarded-For", clientIp));
            if (r.status() == 201) {
                tracked++;
            } else if ("rate_limited".equals(r.text("reason"))) {
                limited++;
            } else if ("address_cap".equals(r.text("reason"))) {
                capped++;
            }
        }
        return List.of(tracked, limited, capped);
    }

    @Test
    void healthChecksTheStoreAndMetricsSpeakPrometheus() {
        var site = server.siteWithPool(numbers(2));
        Reply session = server.startSession(site.get("publicKey"), "visitor-metrics-1", "https://example.com/");
        assertThat(server.get("/health", null).text("status")).isEqualTo("up");
        Reply metrics = server.send("GET", "/metrics", null, null, null, Map.of());
        assertThat(metrics.headers().get("content-type").get(0)).startsWith("text/plain");
        String scrape = metrics.body();
        assertThat(scrape).contains("ringpool_lease_latency_seconds", "ringpool_pool_leased", "ringpool_pool_free",
                "ringpool_sessions_started_total", "http_server_requests_seconds_count", "hikaricp_connections", "jvm_memory_used_bytes");
        assertThat(scrape).doesNotContain(session.text("sessionId"));
        // Audit AE1 #1: a site created while the server runs had only the outcomes it had had; it
        // now has every one of its start series from its first start, so increase() sees the first of each.
        for (String outcome : List.of("free", "returning_visitor", "reused_cooling", "pool_exhausted", "no_pool", "address_cap",
                "rate_limited", "capacity")) {
            assertThat(scrape).as(outcome).containsPattern("ringpool_sessions_started_total\\{[^}]*outcome=\"" + outcome
                    + "\"[^}]*site=\"" + site.get("siteId") + "\"");
        }
    }

    /** The pool's {@code coolingDown} once it equals {@code expected}, or its last value after 10 s. */
    private int coolingDownEventually(String pool, String apiKey, int expected) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        int seen;
        do {
            seen = server.get(pool, apiKey).json().get("coolingDown").asInt();
            if (seen == expected) {
                return seen;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() < deadline);
        return seen;
    }
}
