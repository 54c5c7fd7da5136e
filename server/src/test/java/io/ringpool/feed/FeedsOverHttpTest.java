package io.ringpool.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Feeds over real HTTP: created with a site key, fetched with HTTP Basic as Google's and Yandex's fetchers do. */
class FeedsOverHttpTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static Map<String, String> site;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
        site = server.siteWithPool(List.of("+74955550001"));
        Reply visit = server.startSession(site.get("publicKey"), "feed-visitor-01",
                "https://example.com/?utm_source=google&utm_medium=cpc&gclid=Cj0-feed-gclid");
        assertThat(visit.status()).isEqualTo(201);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", "feed-call-1");
        e.put("event", "completed");
        e.put("from", "+79165550101");
        e.put("to", visit.text("number"));
        e.put("talkSeconds", 60);
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Reply createFeed(Map<String, Object> body) {
        return server.post("/v1/sites/" + site.get("siteId") + "/feeds", site.get("apiKey"), body);
    }

    static Reply fetch(String url, String user, String password) {
        String path = url.substring(url.indexOf("/v1/feeds/"));
        Map<String, String> headers = user == null ? Map.of()
                : Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        return server.send("GET", path, null, null, null, headers);
    }

    @Test
    void theRightCredentialsGetTheCsvOfTheRollingWindow() {
        Reply created = createFeed(Map.of("format", "google-ads-clicks", "windowDays", 30, "conversionName", "Calls"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.text("url")).endsWith("/v1/feeds/" + created.text("feedId") + ".csv");
        assertThat(created.text("password")).hasSizeGreaterThanOrEqualTo(32);

        Reply csv = fetch(created.text("url"), created.text("username"), created.text("password"));
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.headers().get("content-type").get(0)).startsWith("text/csv");
        // The export's own layout (PRODUCT.md §4): the time zone line, then the header, local times.
        assertThat(csv.body()).startsWith("Parameters:TimeZone=Europe/Moscow\r\n"
                + "Google Click ID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency\r\n");
        assertThat(csv.body()).containsPattern("Cj0-feed-gclid,Calls,\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,");
        assertThat(created.text("layout")).isEqualTo("export");

        Reply list = server.get("/v1/sites/" + site.get("siteId") + "/feeds", site.get("apiKey"));
        assertThat(list.body()).doesNotContain(created.text("password"));
        assertThat(list.json().get("feeds").findValuesAsText("feedId")).contains(created.text("feedId"));
    }

    /**
     * Audit C, finding 10: feeds of the Google formats answered Data Manager's layout although a
     * feed's format is "one of the export formats". By default a feed is now the export itself.
     */
    @Test
    void aFeedAnswersByteForByteWhatTheExportOfItsFormatAnswersForTheSameDays() {
        String today = java.time.LocalDate.ofInstant(server.clock.instant(), java.time.ZoneId.of("Europe/Moscow")).toString();
        String monthAgo = java.time.LocalDate.parse(today).minusDays(30).toString();
        for (String format : List.of("google-ads-clicks", "google-ads-calls", "google-enhanced", "yandex-calls", "yandex-offline",
                "yandex-conversion-center")) {
            Reply created = createFeed(Map.of("format", format));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            Reply feed = fetch(created.text("url"), created.text("username"), created.text("password"));
            Reply export = server.get("/v1/sites/" + site.get("siteId") + "/exports/" + format + ".csv?from=" + monthAgo + "&to=" + today,
                    site.get("apiKey"));
            assertThat(export.status()).as(export.body()).isEqualTo(200);
            assertThat(feed.body()).as(format).isEqualTo(export.body());
        }
    }

    @Test
    void aFeedForDataManagerIsChosenAtCreationShownInTheListAndLaidOutWithTheHeaderFirstAndOffsetTimes() {
        Reply created = createFeed(Map.of("format", "google-ads-clicks", "layout", "data-manager"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.text("layout")).isEqualTo("data-manager");
        Reply csv = fetch(created.text("url"), created.text("username"), created.text("password"));
        // Data Manager's layout: the header first, times with their offset (it reads no Parameters line).
        assertThat(csv.body()).startsWith("Google Click ID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency\r\n");
        assertThat(csv.body()).containsPattern("Cj0-feed-gclid,Phone call,\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+03:00,");
        Reply list = server.get("/v1/sites/" + site.get("siteId") + "/feeds", site.get("apiKey"));
        assertThat(list.json().get("feeds")).anySatisfy(f -> {
            assertThat(f.get("feedId").asText()).isEqualTo(created.text("feedId"));
            assertThat(f.get("layout").asText()).isEqualTo("data-manager");
        });

        for (Map<String, Object> bad : List.of(Map.<String, Object>of("format", "yandex-calls", "layout", "data-manager"),
                Map.<String, Object>of("format", "google-ads-clicks", "layout", "excel"))) {
            Reply refused = createFeed(bad);
            assertThat(refused.status()).as(refused.body()).isEqualTo(422);
            assertThat(refused.json().get("error").get("field").asText()).isEqualTo("layout");
        }
    }

    @Test
    void theYandexConversionCentreFeedIsSemicolonSeparatedOrdersOfItsStandardFormat() {
        Reply created = createFeed(Map.of("format", "yandex-conversion-center"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Reply csv = fetch(created.text("url"), created.text("username"), created.text("password"));
        assertThat(csv.status()).isEqualTo(200);
        String[] lines = csv.body().split("\r\n");
        assertThat(lines[0]).isEqualTo("id;create_date_time;client_uniq_id;client_ids;phones;order_status;revenue");
        assertThat(lines[1]).matches("call_[^;]+;\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d;79165550101;;79165550101;PAID;");
    }

    @Test
    void wrongMissingOrRevokedCredentialsAreRefusedWith401AndABasicChallenge() {
        Reply a = createFeed(Map.of("format", "yandex-calls"));
        Reply b = createFeed(Map.of("format", "yandex-offline"));
        String url = a.text("url");
        for (Reply r : List.of(fetch(url, a.text("username"), "wrong-password"), fetch(url, null, null),
                fetch(url, b.text("username"), b.text("password")), fetch(url, a.text("username"), ""),
                fetch(url.replace(a.text("feedId"), "fd_nosuchfeed"), a.text("username"), a.text("password")))) {
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.headers().get("www-authenticate").get(0)).startsWith("Basic realm=");
            assertThat(r.body()).doesNotContain("ClientId");
        }
        assertThat(fetch(url, a.text("username"), a.text("password")).status()).isEqualTo(200);

        assertThat(server.send("DELETE", "/v1/sites/" + site.get("siteId") + "/feeds/" + a.text("feedId"), site.get("apiKey"), null,
                null, Map.of()).status()).isEqualTo(204);
        assertThat(fetch(url, a.text("username"), a.text("password")).status()).isEqualTo(401);
    }

    @Test
    void anUnknownFormatOrWindowIsRefusedNamingTheField() {
        Reply format = createFeed(Map.of("format", "excel"));
        assertThat(format.status()).isEqualTo(422);
        assertThat(format.json().get("error").get("field").asText()).isEqualTo("format");
        // Audit C, finding 9: 0 was refused as "between 1 and 10000", 91 as "from 1 to 90"; the rule is 1 to 90.
        for (int days : List.of(0, 91, 365)) {
            Reply window = createFeed(Map.of("format", "yandex-calls", "windowDays", days));
            assertThat(window.status()).isEqualTo(422);
            assertThat(window.json().get("error").get("field").asText()).isEqualTo("windowDays");
            assertThat(window.json().get("error").get("message").asText()).isEqualTo("'windowDays' must be between 1 and 90");
        }
        // Audit AH1: an empty text was read as "not given" ("caller": "" made a feed of every caller).
        for (String field : List.of("conversionName", "layout", "caller", "leadConversionName")) {
            for (String empty : List.of("", "   ")) {
                Reply blank = createFeed(Map.of("format", "google-ads-clicks", field, empty));
                assertThat(blank.status()).as(field + " " + blank.body()).isEqualTo(422);
                assertThat(blank.json().get("error").get("field").asText()).isEqualTo(field);
            }
        }
    }

    @Test
    void anotherSitesKeyCannotListOrRevokeFeeds() {
        Map<String, String> other = server.siteWithPool(List.of());
        Reply created = createFeed(Map.of("format", "yandex-calls"));
        assertThat(server.get("/v1/sites/" + site.get("siteId") + "/feeds", other.get("apiKey")).status()).isEqualTo(404);
        assertThat(server.send("DELETE", "/v1/sites/" + other.get("siteId") + "/feeds/" + created.text("feedId"), other.get("apiKey"),
                null, null, Map.of()).status()).isEqualTo(404);
        assertThat(fetch(created.text("url"), created.text("username"), created.text("password")).status()).isEqualTo(200);
    }

    /** ConcurrentRequestsSweepTest: creates at once each counted 19 and inserted, 21 feeds on a site limited to 20. */
    @Test
    void feedsCreatedAtOnceNeverPassTheLimitOfTwenty() {
        Map<String, String> own = server.siteWithPool(List.of());
        String path = "/v1/sites/" + own.get("siteId") + "/feeds";
        for (int i = 0; i < 16; i++) {
            assertThat(server.post(path, own.get("apiKey"), Map.of("format", "google-ads-calls")).status()).isEqualTo(201);
        }
        List<Reply> replies = TestServer.atOnce(java.util.Collections.nCopies(8,
                () -> server.post(path, own.get("apiKey"), Map.of("format", "google-ads-calls"))));
        assertThat(replies.stream().filter(r -> r.status() == 201)).hasSize(4);
        assertThat(replies.stream().filter(r -> r.status() == 409).map(Reply::errorCode)).containsOnly("too_many_feeds").hasSize(4);
        assertThat(server.get(path, own.get("apiKey")).json().path("feeds").size()).isEqualTo(20);
    }
}
