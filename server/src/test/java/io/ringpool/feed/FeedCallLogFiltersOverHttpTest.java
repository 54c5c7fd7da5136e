package io.ringpool.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.config.ConfigLoader;
import io.ringpool.store.Database;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A feed takes the call log's {@code status}, {@code method} and {@code caller} filters, as the
 * exports do, under the same names and with the same 422s: a marketer who imports only answered
 * calls by a scheduled fetch gets what the same download would hold. And a feed, like an export,
 * refuses {@code leads: true} on a format with no place for leads instead of quietly holding none.
 */
class FeedCallLogFiltersOverHttpTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static Map<String, String> site;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
        site = server.siteWithPool(List.of("+74955550021", "+74955550022", "+74955550023"));
        call("answered-visitor-1", "Cj0-answered-click", "answered-call", "completed", "+79165551600", 600);
        call("missed-visitor-01", "Cj0-missed-click", "missed-call", "missed", "+79165552700", 0);
    }

    static void call(String visitor, String gclid, String callId, String event, String from, int talkSeconds) {
        FeedTestCalls.visitAndCall(server, site, visitor, gclid, callId, event, from, talkSeconds);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Reply create(Map<String, Object> body) {
        return server.post("/v1/sites/" + site.get("siteId") + "/feeds", site.get("apiKey"), body);
    }

    static String fetch(Reply created) {
        return FeedTestCalls.fetch(server, created).body();
    }

    static String export(String format, String filters) {
        String today = LocalDate.ofInstant(server.clock.instant(), ZoneId.of("Europe/Moscow")).toString();
        String monthAgo = LocalDate.parse(today).minusDays(30).toString();
        Reply r = server.get("/v1/sites/" + site.get("siteId") + "/exports/" + format + ".csv?from=" + monthAgo + "&to=" + today + "&"
                + filters, site.get("apiKey"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    @Test
    void aFeedOfOneStatusHoldsWhatTheExportWithThatStatusHolds() {
        String missed = fetch(create(Map.of("format", "google-ads-clicks", "status", "missed")));
        assertThat(missed).contains("Cj0-missed-click").doesNotContain("Cj0-answered-click").isEqualTo(export("google-ads-clicks",
                "status=missed"));
        assertThat(fetch(create(Map.of("format", "google-ads-clicks", "status", "Completed"))))
                .contains("Cj0-answered-click").doesNotContain("Cj0-missed-click");
    }

    @Test
    void aFeedByMethodAndByCallerHoldsOnlyThoseCalls() {
        assertThat(fetch(create(Map.of("format", "google-ads-clicks", "method", "active"))))
                .contains("Cj0-answered-click", "Cj0-missed-click");
        assertThat(fetch(create(Map.of("format", "google-ads-clicks", "method", "none"))))
                .doesNotContain("Cj0-answered-click", "Cj0-missed-click");

        Reply byCaller = create(Map.of("format", "google-ads-calls", "caller", "8 (916) 555-16-00"));
        assertThat(byCaller.text("caller")).as("kept as the call log reads it").isEqualTo("+79165551600");
        String csv = fetch(byCaller);
        assertThat(csv).contains("+79165551600").doesNotContain("+79165552700").isEqualTo(export("google-ads-calls",
                "caller=%2B79165551600"));
    }

    /** Audit Z1 #4: "?target=true" on a feed's link was ignored, and the feed answered every row. */
    @Test
    void aFilterAddedToAFeedsLinkIsRefusedNamingItNotIgnored() {
        Reply created = create(Map.of("format", "google-ads-clicks"));
        String url = created.text("url");
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString((created.text("username") + ":" + created.text("password"))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Reply filtered = server.send("GET", url.substring(url.indexOf("/v1/feeds/")) + "?target=true", null, null, null,
                Map.of("Authorization", auth));
        Reply stranger = server.send("GET", url.substring(url.indexOf("/v1/feeds/")) + "?target=true", null, null, null, Map.of());

        assertThat(filtered.status()).as(filtered.body()).isEqualTo(400);
        assertThat(filtered.errorCode()).isEqualTo("unknown_parameter");
        assertThat(filtered.json().get("error").get("field").asText()).isEqualTo("target");
        assertThat(stranger.status()).as("credentials are asked first").isEqualTo(401);
        assertThat(FeedTestCalls.fetch(server, created).body()).contains("Cj0-answered-click");
    }

    @Test
    void theFiltersAreListedWithTheFeed() {
        Reply created = create(Map.of("format", "yandex-calls", "status", "missed", "method", "active", "caller", "+79165552700"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(create(Map.of("format", "yandex-calls")).status()).isEqualTo(201);
        Reply list = server.get("/v1/sites/" + site.get("siteId") + "/feeds", site.get("apiKey"));
        assertThat(list.json().get("feeds")).anySatisfy(f -> {
            assertThat(f.get("feedId").asText()).isEqualTo(created.text("feedId"));
            assertThat(f.get("status").asText()).isEqualTo("missed");
            assertThat(f.get("method").asText()).isEqualTo("active");
            assertThat(f.get("caller").asText()).isEqualTo("+79165552700");
        });
        assertThat(list.json().get("feeds")).anySatisfy(f -> assertThat(f.get("status").isNull()).isTrue());
    }

    @Test
    void badCallLogFiltersAndLeadsWithoutAPlaceAreRefusedNamingTheFieldAndNothingIsCreated() {
        int before = server.get("/v1/sites/" + site.get("siteId") + "/feeds", site.get("apiKey")).json().get("feeds").size();
        record Bad(Map<String, Object> body, String field) {}
        for (Bad bad : List.of(
                new Bad(Map.of("format", "google-ads-clicks", "status", "lost"), "status"),
                new Bad(Map.of("format", "google-ads-clicks", "status", 3), "status"),
                new Bad(Map.of("format", "google-ads-clicks", "method", "guessed"), "method"),
                new Bad(Map.of("format", "google-ads-clicks", "caller", "not a number"), "caller"),
                new Bad(Map.of("format", "google-ads-calls", "leads", true), "leads"),
                new Bad(Map.of("format", "yandex-calls", "leads", true), "leads"),
                new Bad(Map.of("format", "yandex-conversion-center", "leads", true), "leads"))) {
            Reply r = create(bad.body());
            assertThat(r.status()).as(bad.body() + " " + r.body()).isEqualTo(422);
            assertThat(r.json().at("/error/field").asText()).as(bad.body().toString()).isEqualTo(bad.field());
        }
        assertThat(create(Map.of("format", "google-ads-calls", "leads", false)).status()).as("false asks for nothing").isEqualTo(201);
        assertThat(server.get("/v1/sites/" + site.get("siteId") + "/feeds", site.get("apiKey")).json().get("feeds").size())
                .isEqualTo(before + 1);
    }

    @Test
    void anExportRefusesLeadsOnAFormatWithoutAPlaceForThem() {
        for (String format : List.of("google-ads-calls", "yandex-calls", "yandex-conversion-center")) {
            Reply r = server.get("/v1/sites/" + site.get("siteId") + "/exports/" + format + ".csv?leads=true", site.get("apiKey"));
            assertThat(r.status()).as(format + " " + r.body()).isEqualTo(422);
            assertThat(r.json().at("/error/field").asText()).isEqualTo("leads");
            assertThat(r.json().at("/error/message").asText()).contains("google-ads-clicks", format);
        }
        assertThat(export("google-ads-clicks", "leads=true")).contains("Cj0-answered-click");
    }

    /**
     * On a one-number pool a caller redials the number after it went to another visitor: the call
     * is {@code ambiguous} (the earlier visit chosen). {@code ambiguous=false} keeps it out of the
     * export and of a feed, {@code true} keeps only it.
     */
    @Test
    void anAmbiguousFilterSplitsTheCallsChosenAmongSeveralVisitsFromTheOthers(@TempDir Path ownDir) {
        try (TestServer own = new TestServer(ownDir)) {
            Map<String, String> s = own.siteWithPool(List.of("+74955550041"));
            assertThat(FeedTestCalls.visitAndCall(own, s, "first-visitor-01", "Cj0-first-visit", "first-call", "completed",
                    "+79165553800", 60)).isEqualTo("+74955550041");
            own.clock.advance(java.time.Duration.ofHours(2));
            assertThat(FeedTestCalls.visitAndCall(own, s, "second-visitor-1", "Cj0-second-visit", "redial-call", "completed",
                    "+79165553800", 60)).as("the one number, again").isEqualTo("+74955550041");
            Reply log = own.get("/v1/sites/" + s.get("siteId") + "/calls?from=2000-01-01&to=2100-01-01", s.get("apiKey"));
            assertThat(log.json().get("calls").findValuesAsText("method")).as(log.body()).containsExactlyInAnyOrder("active", "ambiguous");

            String today = LocalDate.ofInstant(own.clock.instant(), ZoneId.of("Europe/Moscow")).toString();
            String base = "/v1/sites/" + s.get("siteId") + "/exports/google-ads-calls.csv?from=" + LocalDate.parse(today).minusDays(1)
                    + "&to=" + today;
            Map<String, String> rows = new LinkedHashMap<>();
            for (String filter : List.of("", "&ambiguous=false", "&ambiguous=true")) {
                Reply r = own.get(base + filter, s.get("apiKey"));
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                rows.put(filter, r.headers().get("X-Ringpool-Exported-Rows").get(0));
            }
            assertThat(rows).containsExactly(Map.entry("", "2"), Map.entry("&ambiguous=false", "1"), Map.entry("&ambiguous=true", "1"));
            Reply bad = own.get(base + "&ambiguous=maybe", s.get("apiKey"));
            assertThat(bad.status()).isEqualTo(422);
            assertThat(bad.json().at("/error/field").asText()).isEqualTo("ambiguous");

            Reply feed = own.post("/v1/sites/" + s.get("siteId") + "/feeds", s.get("apiKey"),
                    Map.of("format", "google-ads-calls", "ambiguous", false));
            assertThat(feed.status()).as(feed.body()).isEqualTo(201);
            assertThat(feed.json().get("ambiguous").asBoolean(true)).isFalse();
            assertThat(FeedTestCalls.fetch(own, feed).headers().get("X-Ringpool-Exported-Rows")).containsExactly("1");
        }
    }

    @Test
    void aFeedStoredWithLeadsOnAFormatWithoutThemKeepsAnswering(@TempDir Path ownDir) {
        Reply created;
        String expected;
        try (TestServer before = new TestServer(ownDir)) {
            Map<String, String> own = before.siteWithPool(List.of("+74955550031"));
            created = before.post("/v1/sites/" + own.get("siteId") + "/feeds", own.get("apiKey"),
                    Map.of("format", "yandex-calls", "leads", false));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String today = LocalDate.ofInstant(before.clock.instant(), ZoneId.of("Europe/Moscow")).toString();
            expected = before.get("/v1/sites/" + own.get("siteId") + "/exports/yandex-calls.csv?from=" + today + "&to=" + today,
                    own.get("apiKey")).body();
        }
        // As a feed created before the check was stored: leads true on a calls-only format.
        try (Database db = new Database(ConfigLoader.defaultsWith(Map.of("store.dataDir", ownDir.toString())).store(),
                new SimpleMeterRegistry())) {
            db.inTransaction(c -> {
                try (var ps = c.prepareStatement("UPDATE feeds SET filter_leads = TRUE WHERE feed_id = ?")) {
                    ps.setString(1, created.text("feedId"));
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
                return null;
            });
        }
        try (TestServer after = new TestServer(ownDir)) {
            assertThat(FeedTestCalls.fetch(after, created).body()).isEqualTo(expected);
        }
    }
}
