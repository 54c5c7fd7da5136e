package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit 27 A, item 2: API.md says the site-script routes are "CORS for the site's domains", but
 * only the start checked the page's origin. Heartbeats, page views, intents and ends from any page
 * were accepted and told the browser it could read the answer. Here every session route refuses a
 * page of another origin with 403 {@code origin_not_allowed}, records nothing, and no refusal
 * carries {@code Access-Control-Allow-Origin}. The other origin is another tenant's domain, so the
 * preflight lets it through (any site's origin may preflight) and only the per-site check stops it.
 */
class SessionOriginsOverHttpTest {
    @TempDir
    Path dir;

    TestServer server;
    Map<String, String> site;

    static final Clock FROZEN = Clock.fixed(Instant.parse("2026-11-30T09:00:00Z"), ZoneOffset.UTC);
    static final String OTHER_TENANT = "https://other.test";

    @BeforeEach
    void start() {
        server = new TestServer(dir, Map.of(), FROZEN);
        site = server.siteWithPool(SessionsOverHttpTest.numbers(3)); // domains example.com, localhost
        Reply other = server.post("/v1/sites", TestServer.ADMIN_KEY, Map.of("name", "Other", "domains", List.of("other.test"),
                "defaultNumber", "+74957654321"));
        assertThat(other.status()).as(other.body()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Reply call(String sessionId, String route, String body, String origin) {
        Map<String, String> headers = origin == null ? Map.of() : Map.of("Origin", origin);
        return server.send("POST", "/v1/sessions/" + sessionId + "/" + route, null, body, "text/plain", headers);
    }

    String startedSession(String visitorId) {
        Reply started = server.startSession(site.get("publicKey"), visitorId, "https://example.com/");
        assertThat(started.status()).isEqualTo(201);
        return started.text("sessionId");
    }

    @Test
    void everySessionRouteRefusesAPageOfAnotherOriginWithoutAllowOriginAndRecordsNothing() throws Exception {
        String sessionId = startedSession("visitor-origin-01");
        Map<String, String> bodies = Map.of("heartbeat", "{}", "pageviews", "{\"url\":\"https://other.test/x\"}",
                "intent", "{\"kind\":\"copy\"}", "end", "{}");
        for (Map.Entry<String, String> route : bodies.entrySet()) {
            Reply refused = call(sessionId, route.getKey(), route.getValue(), OTHER_TENANT);
            assertThat(refused.status()).as(route.getKey()).isEqualTo(403);
            assertThat(refused.errorCode()).as(route.getKey()).isEqualTo("origin_not_allowed");
            assertThat(refused.headers()).as(route.getKey()).doesNotContainKey("access-control-allow-origin");
        }
        try (Connection c = DriverManager.getConnection(ConfigLoader.defaultH2Url(dir))) {
            assertThat(ScriptFloodTest.count(c, "SELECT COUNT(*) FROM pageviews WHERE session_id = ?", sessionId)).isZero();
            assertThat(ScriptFloodTest.count(c, "SELECT pageviews FROM sessions WHERE session_id = ?", sessionId)).as("the start's")
                    .isEqualTo(1);
            assertThat(ScriptFloodTest.count(c, "SELECT COUNT(*) FROM intents WHERE session_id = ?", sessionId)).isZero();
        }
        // The refused end did not release the lease: past the end grace (45 s) the session still lives.
        server.clock.advance(Duration.ofSeconds(60));
        server.app.sessions().sweep();
        Reply beat = call(sessionId, "heartbeat", "{}", "https://example.com");
        assertThat(beat.status()).as(beat.body()).isEqualTo(200);
    }

    /**
     * Audit AB1 #2: a malformed body was parsed before the origin was checked, and its 400 invited
     * the other origin to read it. The session's site now judges the origin first; a body that is no
     * JSON object names no site, and its 400 invites no origin.
     */
    @Test
    void aBrokenBodyFromAPageOfAnotherOriginGetsA403OrA400WithoutAllowOrigin() {
        String sessionId = startedSession("visitor-origin-03");
        for (String route : List.of("pageviews", "intent", "leads")) {
            for (String body : List.of("{{{", "[]", "{\"kind\":5,\"url\":5,\"fields\":5}")) {
                Reply refused = call(sessionId, route, body, OTHER_TENANT);
                assertThat(refused.status()).as(route + " " + body).isEqualTo(403);
                assertThat(refused.errorCode()).as(route).isEqualTo("origin_not_allowed");
                assertThat(refused.headers()).as(route + " " + body).doesNotContainKey("access-control-allow-origin");
            }
            // From the site's own page the body is read: its 400 is still no answer the script reads.
            Reply own = call(sessionId, route, "{{{", "https://example.com");
            assertThat(own.status()).as(route).isEqualTo(400);
            assertThat(own.headers()).as(route).doesNotContainKey("access-control-allow-origin");
        }
        Reply broken = server.send("POST", "/v1/sessions", null, "{{{", "text/plain",
                Map.of("User-Agent", TestServer.CHROME, "Origin", OTHER_TENANT));
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.headers()).doesNotContainKey("access-control-allow-origin");
        // The site key is read first: its site refuses the origin before the other fields are judged.
        Reply badField = server.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + site.get("publicKey") + "\",\"url\":5}",
                "text/plain", Map.of("User-Agent", TestServer.CHROME, "Origin", OTHER_TENANT));
        assertThat(badField.status()).as(badField.body()).isEqualTo(403);
        assertThat(badField.headers()).doesNotContainKey("access-control-allow-origin");
        // A session that is not live answers 404 (or 410) before its body is read, as the heartbeat does.
        Reply unknown = call("s_neverExisted0000000000", "pageviews", "{{{", OTHER_TENANT);
        assertThat(unknown.status()).isEqualTo(404);
    }

    /**
     * Audit AB1 #2's remainder: a start whose site key is missing, not a string or unknown has no
     * site to judge the page's origin by, and its refusal invited any origin some site allows to read it.
     */
    @Test
    void aStartRefusedForItsSiteKeyInvitesNoOriginToReadIt() {
        for (String body : List.of("{}", "{\"siteKey\":5}", "{\"siteKey\":\"pk_noSuchSiteKey000000000000\"}", "{\"siteKey\":\"\"}")) {
            Reply refused = server.send("POST", "/v1/sessions", null, body, "text/plain",
                    Map.of("User-Agent", TestServer.CHROME, "Origin", OTHER_TENANT));
            assertThat(refused.status()).as(body + " " + refused.body()).isBetween(400, 499);
            assertThat(refused.headers()).as(body).doesNotContainKey("access-control-allow-origin");
        }
        Reply own = server.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + site.get("publicKey")
                + "\",\"url\":\"https://example.com/\"}", "text/plain", Map.of("User-Agent", TestServer.CHROME, "Origin", "https://example.com"));
        assertThat(own.status()).as(own.body()).isIn(200, 201);
        assertThat(own.headers().get("access-control-allow-origin")).containsExactly("https://example.com");
    }

    @Test
    void aStartFromAnotherOriginIsRefusedWithoutAllowOrigin() {
        Reply refused = server.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + site.get("publicKey") + "\"}", "text/plain",
                Map.of("User-Agent", TestServer.CHROME, "Origin", OTHER_TENANT));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.errorCode()).isEqualTo("origin_not_allowed");
        assertThat(refused.headers()).doesNotContainKey("access-control-allow-origin");
    }

    @Test
    void theSitesOwnPagesSubdomainsBeaconsAndServersKeepWorking() {
        String sessionId = startedSession("visitor-origin-02");
        Reply beat = call(sessionId, "heartbeat", "{}", "https://www.example.com");
        assertThat(beat.status()).isEqualTo(200);
        assertThat(beat.headers().get("access-control-allow-origin")).containsExactly("https://www.example.com");
        Reply view = call(sessionId, "pageviews", "{\"url\":\"https://shop.example.com/a\"}", "https://shop.example.com");
        assertThat(view.status()).isEqualTo(204);
        assertThat(view.headers().get("access-control-allow-origin")).containsExactly("https://shop.example.com");
        assertThat(call(sessionId, "intent", "{\"kind\":\"tel_click\"}", "https://example.com").status()).isEqualTo(204);
        assertThat(call(sessionId, "heartbeat", "{}", null).status()).as("server to server: no Origin").isEqualTo(200);
        // navigator.sendBeacon: text/plain, a body the route does not read, the page's origin.
        Reply beacon = call(sessionId, "end", "{}", "https://example.com");
        assertThat(beacon.status()).isEqualTo(204);
        assertThat(beacon.headers().get("access-control-allow-origin")).containsExactly("https://example.com");
    }

    @Test
    void aSiteWithoutDomainsAcceptsEveryOriginOnItsSessions() {
        Reply bare = server.post("/v1/sites", TestServer.ADMIN_KEY, Map.of("name", "Bare", "defaultNumber", "+74957770000"));
        Reply pool = server.post("/v1/sites/" + bare.text("siteId") + "/pools", bare.text("apiKey"),
                Map.of("numbers", List.of("+74957770001")));
        assertThat(pool.status()).isEqualTo(201);
        Reply started = server.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + bare.text("publicKey") + "\"}", "text/plain",
                Map.of("User-Agent", TestServer.CHROME, "Origin", "https://anywhere.example"));
        assertThat(started.status()).isEqualTo(201);
        Reply beat = call(started.text("sessionId"), "heartbeat", "{}", "https://anywhere.example");
        assertThat(beat.status()).isEqualTo(200);
        assertThat(beat.headers().get("access-control-allow-origin")).containsExactly("https://anywhere.example");
    }
}
