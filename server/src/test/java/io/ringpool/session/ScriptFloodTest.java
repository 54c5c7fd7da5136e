package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The story of issue 18: one session, and one address, flooding the script routes must not fill
 * the disk. Each test floods for a simulated hour (the clock is moved a minute at a time) and
 * measures what reached the store against the bound the README states:
 * per session and hour at most one visit row plus {@code pageviewsStoredPerSession} (200) page
 * views of at most {@code maxUrlChars + maxTitleChars} (1,200) characters each.
 */
class ScriptFloodTest {
    @TempDir
    Path dir;

    TestServer server;
    Map<String, String> site;

    static final Clock FROZEN = Clock.fixed(Instant.parse("2026-11-30T09:00:00Z"), ZoneOffset.UTC);
    /** Every page view the flood sends: 4,000 characters of URL with personal data, a 1,000-character title. */
    static final String LONG_URL = "https://example.com/" + "p".repeat(3900) + "?email=jane%40example.com&utm_source=google";
    static final String LONG_TITLE = "T".repeat(1000);
    /** Characters of one stored page view at most (URL + title), with the default caps. */
    static final int PAGEVIEW_CHARS = 1000 + 200;

    @BeforeEach
    void start() {
        server = new TestServer(dir, Map.of(), FROZEN);
        site = server.siteWithPool(SessionsOverHttpTest.numbers(50));
        Reply titles = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), "{\"storeTitles\":true}",
                "application/json", Map.of());
        assertThat(titles.status()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Reply startFrom(String address, String visitorId) {
        return server.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + site.get("publicKey") + "\",\"visitorId\":\"" + visitorId
                + "\",\"url\":\"" + LONG_URL + "\"}", "application/json", Map.of("User-Agent", TestServer.CHROME, "X-Forwarded-For", address));
    }

    Reply pageview(String sessionId, String address) {
        return server.send("POST", "/v1/sessions/" + sessionId + "/pageviews", null,
                "{\"url\":\"" + LONG_URL + "\",\"title\":\"" + LONG_TITLE + "\"}", "text/plain", Map.of("X-Forwarded-For", address));
    }

    Reply heartbeat(String sessionId, String address) {
        return server.send("POST", "/v1/sessions/" + sessionId + "/heartbeat", null, null, null, Map.of("X-Forwarded-For", address));
    }

    @Test
    void oneSessionFloodingPageViewsForAnHourStoresAtMostItsCapAndGets429sWithRetryAfter() throws Exception {
        String address = "198.51.100.70";
        String sessionId = startFrom(address, "flooder-session-1").text("sessionId");
        long fileBefore = storeFileBytes();
        int accepted = 0;
        int limited = 0;
        for (int minute = 0; minute < 60; minute++) {
            for (int i = 0; i < 40; i++) {
                Reply r = pageview(sessionId, address);
                if (r.status() == 204) {
                    accepted++;
                } else {
                    assertThat(r.status()).isEqualTo(429);
                    assertThat(r.errorCode()).isEqualTo("rate_limited");
                    assertThat(Integer.parseInt(r.headers().get("retry-after").get(0))).isBetween(1, 60);
                    limited++;
                }
            }
            server.clock.advance(Duration.ofMinutes(1));
            assertThat(heartbeat(sessionId, address).status()).isEqualTo(200);
        }
        assertThat(accepted).as("30 a minute per session").isEqualTo(30 * 60);
        assertThat(limited).isEqualTo(10 * 60);
        try (Connection c = store()) {
            assertThat(count(c, "SELECT COUNT(*) FROM pageviews WHERE session_id = ?", sessionId)).as("stored: the cap").isEqualTo(200);
            assertThat(count(c, "SELECT pageviews FROM sessions WHERE session_id = ?", sessionId)).as("counted: all").isEqualTo(1 + 1800);
            long chars = count(c, "SELECT SUM(LENGTH(url) + COALESCE(LENGTH(title), 0)) FROM pageviews WHERE session_id = ?", sessionId);
            assertThat(chars).isLessThanOrEqualTo(200L * PAGEVIEW_CHARS);
            assertThat(count(c, "SELECT COUNT(*) FROM pageviews WHERE session_id = ? AND url LIKE '%email%'", sessionId)).isZero();
            long visitChars = count(c, "SELECT LENGTH(landing_page) FROM sessions WHERE session_id = ?", sessionId);
            assertThat(visitChars).isLessThanOrEqualTo(1000);
            System.out.printf("flood_one_session requests=%d accepted=%d limited=%d stored_rows=200 stored_chars=%d h2_file_growth_bytes=%d%n",
                    accepted + limited, accepted, limited, chars, storeFileBytes() - fileBefore);
        }
    }

    /**
     * Audit 27 A, item 1: every start of a returning visitor is a page view of their session, and
     * past the session's 30 a minute the start was answered 429, refusing the visitor the number
     * API.md promises them. Now the visitor keeps getting their session and number, and the page
     * views past the budget are dropped, so the disk is bounded as before.
     */
    @Test
    void aReturningVisitorPastThePageViewBudgetStillGetsTheirSessionAndNumberAndTheExcessIsNotRecorded() throws Exception {
        String address = "198.51.100.72";
        Reply first = startFrom(address, "returning-many-pages");
        assertThat(first.status()).isEqualTo(201);
        for (int i = 0; i < 40; i++) {
            Reply again = startFrom(address, "returning-many-pages");
            assertThat(again.status()).as("resume %d: %s", i + 1, again.body()).isEqualTo(201);
            assertThat(again.text("sessionId")).isEqualTo(first.text("sessionId"));
            assertThat(again.text("number")).isEqualTo(first.text("number"));
        }
        try (Connection c = store()) {
            String sessionId = first.text("sessionId");
            assertThat(count(c, "SELECT pageviews FROM sessions WHERE session_id = ?", sessionId)).as("the start and 30 resumes")
                    .isEqualTo(1 + 30);
            assertThat(count(c, "SELECT COUNT(*) FROM pageviews WHERE session_id = ?", sessionId)).isEqualTo(30);
        }
        // The budget is per minute: the next minute's pages are recorded again.
        server.clock.advance(Duration.ofMinutes(1));
        assertThat(startFrom(address, "returning-many-pages").text("sessionId")).isEqualTo(first.text("sessionId"));
        try (Connection c = store()) {
            assertThat(count(c, "SELECT COUNT(*) FROM pageviews WHERE session_id = ?", first.text("sessionId"))).isEqualTo(31);
        }
    }

    @Test
    void oneAddressFloodingFromManySessionsIsBoundedByItsOwnBudgets() throws Exception {
        String address = "2001:db8:77:1::1";
        int sessions = 0;
        int accepted = 0;
        int limited = 0;
        for (int minute = 0; minute < 10; minute++) {
            // A new visitor every few requests, each from another address of the same /64.
            for (int i = 0; i < 20; i++) {
                String from = "2001:db8:77:1::" + Integer.toHexString(minute * 100 + i + 2);
                Reply started = startFrom(from, "flood-" + minute + "-" + i);
                if (started.text("sessionId") == null) {
                    continue;
                }
                sessions++;
                for (int j = 0; j < 20; j++) {
                    Reply r = pageview(started.text("sessionId"), address);
                    if (r.status() == 204) {
                        accepted++;
                    } else {
                        assertThat(r.status()).isEqualTo(429);
                        limited++;
                    }
                }
            }
            server.clock.advance(Duration.ofMinutes(1));
        }
        // 300 page views a minute for the /64, whatever the sessions.
        assertThat(accepted).isLessThanOrEqualTo(300 * 10).isGreaterThanOrEqualTo(300 * 9);
        assertThat(limited).isPositive();
        try (Connection c = store()) {
            long chars = count(c, "SELECT SUM(LENGTH(url) + COALESCE(LENGTH(title), 0)) FROM pageviews", null);
            assertThat(chars).isLessThanOrEqualTo((long) accepted * PAGEVIEW_CHARS);
            System.out.printf("flood_one_address minutes=10 sessions=%d accepted=%d limited=%d stored_chars=%d%n",
                    sessions, accepted, limited, chars);
        }
    }

    @Test
    void intentsAndHeartbeatsHaveTheirOwnPerSessionBudgets() {
        String address = "198.51.100.71";
        String sessionId = startFrom(address, "flooder-intents").text("sessionId");
        int intents = 0;
        for (int i = 0; i < 15; i++) {
            Reply r = server.send("POST", "/v1/sessions/" + sessionId + "/intent", null, "{\"kind\":\"tel_click\"}", "application/json",
                    Map.of("X-Forwarded-For", address));
            intents += r.status() == 204 ? 1 : 0;
        }
        assertThat(intents).isEqualTo(10);
        int beats = 0;
        for (int i = 0; i < 70; i++) {
            beats += heartbeat(sessionId, address).status() == 200 ? 1 : 0;
        }
        assertThat(beats).isEqualTo(60);
    }

    long storeFileBytes() throws Exception {
        Path file = dir.resolve("ringpool.mv.db");
        return Files.exists(file) ? Files.size(file) : 0;
    }

    /** The server's own H2 database: the same URL in the same JVM opens the same database. */
    Connection store() throws Exception {
        return DriverManager.getConnection(ConfigLoader.defaultH2Url(dir));
    }

    static long count(Connection c, String sql, String param) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (param != null) {
                ps.setString(1, param);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
