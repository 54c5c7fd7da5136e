package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Personal data minimised (issue 18): the probe was an e-mail and a phone in a landing URL, still
 * there after the caller was erased, and visits kept forever.
 */
class PersonalDataOverHttpTest {
    @TempDir
    Path dir;

    TestServer server;
    Map<String, String> site;

    static final Clock FROZEN = Clock.fixed(Instant.parse("2026-11-30T09:00:00Z"), ZoneOffset.UTC);
    static final String LANDING = "https://user:pw@example.com/offer?email=jane.doe%40mail.ru&phone=%2B79161234567"
            + "&utm_source=google&utm_campaign=winter&gclid=EAIa1&fbclid=FB1&ref=partner7#name=Jane";
    static final String CALLER = "+79161234567";

    @BeforeEach
    void start() {
        server = new TestServer(dir, Map.of(), FROZEN);
        site = server.siteWithPool(List.of("+74950000001", "+74950000002"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Reply startVisit(String visitorId) {
        return server.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + site.get("publicKey") + "\",\"visitorId\":\"" + visitorId
                + "\",\"url\":\"" + LANDING + "\",\"referrer\":\"https://www.google.com/search?q=jane+doe+phone\",\"title\":\"Jane's order\","
                + "\"clientIds\":{\"ym\":\"1700000000123\"}}", "application/json", Map.of("User-Agent", TestServer.CHROME));
    }

    @Test
    void urlsAreStoredWithOnlyTheParametersRingpoolReadsAndTitlesOnlyWhenTheSiteAsks() throws Exception {
        String sessionId = startVisit("visitor-private-1").text("sessionId");
        server.send("POST", "/v1/sessions/" + sessionId + "/pageviews", null,
                "{\"url\":\"https://example.com/cart?order=991&utm_source=google&phone=123\",\"title\":\"Cart of Jane\"}", "text/plain", Map.of());
        try (Connection c = store()) {
            List<String> visit = row(c, "SELECT landing_page, referrer, title FROM sessions WHERE session_id = ?", sessionId);
            assertThat(visit.get(0)).isEqualTo("https://example.com/offer?utm_source=google&utm_campaign=winter&gclid=EAIa1&fbclid=FB1");
            assertThat(visit.get(1)).isEqualTo("https://www.google.com/search");
            assertThat(visit.get(2)).as("titles are off by default").isNull();
            List<String> view = row(c, "SELECT url, title FROM pageviews WHERE session_id = ?", sessionId);
            assertThat(view).containsExactly("https://example.com/cart?utm_source=google", null);
        }

        Reply settings = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                "{\"storeTitles\":true,\"queryParameters\":[\"Ref\"]}", "application/json", Map.of());
        assertThat(settings.status()).isEqualTo(200);
        assertThat(settings.json().get("queryParameters").get(0).asText()).isEqualTo("ref");
        String second = startVisit("visitor-private-2").text("sessionId");
        try (Connection c = store()) {
            List<String> visit = row(c, "SELECT landing_page, title FROM sessions WHERE session_id = ?", second);
            assertThat(visit.get(0)).endsWith("&ref=partner7").doesNotContain("email").doesNotContain("phone");
            assertThat(visit.get(1)).isEqualTo("Jane's order");
        }
    }

    @Test
    void erasingACallerClearsTheVisitsLinkedToTheirCallsAndAfterRetentionTheVisitsAreGone() throws Exception {
        server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), "{\"storeTitles\":true,\"queryParameters\":[\"email\"]}",
                "application/json", Map.of());
        Reply visit = startVisit("visitor-caller-1");
        String sessionId = visit.text("sessionId");
        server.send("POST", "/v1/sessions/" + sessionId + "/pageviews", null, "{\"url\":\"https://example.com/b?email=x%40y.z\"}",
                "text/plain", Map.of());
        String other = startVisit("visitor-bystander").text("sessionId");
        String body = "{\"callId\":\"pbx-77\",\"event\":\"completed\",\"from\":\"" + CALLER + "\",\"to\":\"" + visit.text("number")
                + "\",\"talkSeconds\":60}";
        long t = server.clock.instant().getEpochSecond();
        Reply call = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), t, body)));
        assertThat(call.status()).isEqualTo(200);
        assertThat(call.json().path("attribution").path("landingPage").asText()).contains("jane.doe");

        Reply erased = server.send("DELETE", "/v1/sites/" + site.get("siteId") + "/callers/%2B79161234567", site.get("apiKey"), null, null, Map.of());
        assertThat(erased.status()).isEqualTo(204);
        try (Connection c = store()) {
            assertThat(row(c, "SELECT landing_page, referrer, title, client_ids_json FROM sessions WHERE session_id = ?", sessionId))
                    .containsOnlyNulls();
            assertThat(count(c, "SELECT COUNT(*) FROM pageviews WHERE session_id = ?", sessionId)).isZero();
            assertThat(row(c, "SELECT landing_page, referrer, client_ids_json FROM calls WHERE provider_call_id = ?", "pbx-77"))
                    .containsOnlyNulls();
            assertThat(row(c, "SELECT landing_page FROM sessions WHERE session_id = ?", other).get(0))
                    .as("another visitor's visit is not theirs to erase").contains("jane.doe");
        }
        Reply log = server.get("/v1/sites/" + site.get("siteId") + "/calls", site.get("apiKey"));
        assertThat(log.body()).doesNotContain("jane.doe").doesNotContain("79161234567");

        // Retention: a day's retention, the visits end, two days pass, the hourly job runs.
        server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), "{\"retentionDays\":1}", "application/json", Map.of());
        server.clock.advance(Duration.ofHours(1));
        server.app.sessions().sweep();
        try (Connection c = store()) {
            // The sweep queues the ends on the group-commit writer; wait for them to land.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (count(c, "SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL", null) > 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        }
        server.clock.advance(Duration.ofDays(2));
        server.app.applyRetention();
        try (Connection c = store()) {
            assertThat(count(c, "SELECT COUNT(*) FROM sessions", null)).isZero();
            assertThat(count(c, "SELECT COUNT(*) FROM pageviews", null)).isZero();
            assertThat(count(c, "SELECT COUNT(*) FROM calls WHERE landing_page LIKE '%jane%'", null)).isZero();
            assertThat(count(c, "SELECT COUNT(*) FROM calls", null)).as("the call and its attribution stay").isEqualTo(1);
        }
    }

    Connection store() throws Exception {
        return DriverManager.getConnection(ConfigLoader.defaultH2Url(dir));
    }

    static List<String> row(Connection c, String sql, String param) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("a row for " + param).isTrue();
                List<String> out = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    out.add(rs.getString(i));
                }
                return out;
            }
        }
    }

    static long count(Connection c, String sql, String param) throws Exception {
        return ScriptFloodTest.count(c, sql, param);
    }
}
