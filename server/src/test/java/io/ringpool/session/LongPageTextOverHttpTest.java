package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AG1 F2: a page whose title is over 1,000 characters, or whose URL is over 4,000, was refused
 * (422) at the start, so the visit went untracked and its ad click was never known. The page's URL,
 * referrer and title are now read whole, the tags from the whole URL, and what is stored is cut.
 */
class LongPageTextOverHttpTest {
    @TempDir
    Path dir;

    TestServer server;
    Map<String, String> site;

    static final Clock FROZEN = Clock.fixed(Instant.parse("2026-11-30T09:00:00Z"), ZoneOffset.UTC);
    /** An SEO-stuffed catalogue title, as the audit's (1,154 characters). */
    static final String LONG_TITLE = "Диваны купить недорого в Москве — каталог ".repeat(28);
    /** A tagged landing whose click id and campaign come after 4,000 characters of utm_content. */
    static final String LONG_URL = "https://example.com/sofas?utm_source=google&utm_medium=cpc&utm_content=" + "x".repeat(4_000)
            + "&utm_campaign=sofas&gclid=G-LONGURL";

    @BeforeEach
    void start() {
        server = new TestServer(dir, Map.of(), FROZEN);
        site = server.siteWithPool(List.of("+74950000001"));
        assertThat(server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), "{\"storeTitles\":true}",
                "application/json", Map.of()).status()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aLongTitleUrlAndReferrerStartATrackedVisitWithTheTagsOfTheWholeUrlAndAreStoredCut() throws Exception {
        assertThat(LONG_TITLE.length()).isGreaterThan(1_000);
        assertThat(LONG_URL.length()).isGreaterThan(4_000);
        String referrer = "https://news.example.org/article?" + "q".repeat(5_000);
        Reply started = server.post("/v1/sessions", null, Map.of("siteKey", site.get("publicKey"), "visitorId", "visitor-long-1",
                "url", LONG_URL, "referrer", referrer, "title", LONG_TITLE));
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        assertThat(started.json().path("tracked").asBoolean()).isTrue();
        String sessionId = started.text("sessionId");

        Reply view = server.send("POST", "/v1/sessions/" + sessionId + "/pageviews", null,
                new String(io.ringpool.http.Json.write(Map.of("url", LONG_URL + "&page=2", "title", LONG_TITLE))), "text/plain", Map.of());
        assertThat(view.status()).as(view.body()).isEqualTo(204);

        try (Connection c = DriverManager.getConnection(ConfigLoader.defaultH2Url(dir))) {
            List<String> visit = PersonalDataOverHttpTest.row(c,
                    "SELECT source, medium, campaign, click_ids_json, landing_page, referrer, title FROM sessions WHERE session_id = ?", sessionId);
            assertThat(visit.subList(0, 3)).containsExactly("google", "cpc", "sofas");
            assertThat(visit.get(3)).contains("G-LONGURL");
            // limits.maxUrlChars and limits.maxTitleChars, 1,000 and 200 by default
            assertThat(visit.get(4)).startsWith("https://example.com/sofas?utm_source=google").hasSize(1_000);
            assertThat(visit.get(5)).isEqualTo("https://news.example.org/article");
            assertThat(visit.get(6)).isEqualTo(LONG_TITLE.substring(0, 200));
            List<String> page = PersonalDataOverHttpTest.row(c, "SELECT url, title FROM pageviews WHERE session_id = ?", sessionId);
            assertThat(page.get(0)).hasSize(1_000);
            assertThat(page.get(1)).isEqualTo(LONG_TITLE.substring(0, 200));
        }
    }

    /** Really bad input is still refused, naming the field; and the body limit bounds how long any of these can be. */
    @Test
    void aTitleThatIsNoStringIsStill422AndABodyOverTheLimitIs413() {
        Reply typed = server.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + site.get("publicKey") + "\",\"title\":42}",
                "text/plain", Map.of());
        assertThat(typed.status()).as(typed.body()).isEqualTo(422);
        assertThat(typed.json().path("error").path("field").asText()).isEqualTo("title");
        Reply huge = server.post("/v1/sessions", null, Map.of("siteKey", site.get("publicKey"), "url", LONG_URL + "x".repeat(20_000)));
        assertThat(huge.status()).as(huge.body()).isEqualTo(413);
    }
}
