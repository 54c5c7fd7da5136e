package io.ringpool.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A feed holds what the export with the same parameters holds: a marketer who imports only target
 * calls (or calls tagged "sale") into Google Ads by a scheduled fetch must not get every call.
 */
class FeedFiltersOverHttpTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static Map<String, String> site;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
        site = server.siteWithPool(List.of("+74955550011", "+74955550012"));
        call("short-visitor-01", "Cj0-short-click", "short-call", 5);
        call("long-visitor-001", "Cj0-long-click", "long-call", 600);
        Reply calls = server.get("/v1/sites/" + site.get("siteId") + "/calls?from=2000-01-01&to=2100-01-01", site.get("apiKey"));
        String longCall = calls.json().get("calls").findParents("callId").stream().filter(c -> c.get("talkSeconds").asInt() == 600)
                .map(c -> c.get("callId").asText()).findFirst().orElseThrow();
        Reply tagged = server.send("PATCH", "/v1/sites/" + site.get("siteId") + "/calls/" + longCall, site.get("apiKey"),
                "{\"tags\":[\"Sale\"]}", "application/json", Map.of());
        assertThat(tagged.status()).as(tagged.body()).isEqualTo(200);
    }

    static void call(String visitor, String gclid, String callId, int talkSeconds) {
        FeedTestCalls.visitAndCall(server, site, visitor, gclid, callId, "completed", "+7916555" + (1000 + talkSeconds), talkSeconds);
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

    @Test
    void aFeedOfTargetCallsHoldsOnlyThemAndIsByteForByteTheExportWithTheSameFilter() {
        Reply created = create(Map.of("format", "google-ads-clicks", "target", true));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("target").asBoolean()).isTrue();
        String csv = fetch(created);
        assertThat(csv).contains("Cj0-long-click").doesNotContain("Cj0-short-click");

        String today = LocalDate.ofInstant(server.clock.instant(), ZoneId.of("Europe/Moscow")).toString();
        String monthAgo = LocalDate.parse(today).minusDays(30).toString();
        Reply export = server.get("/v1/sites/" + site.get("siteId") + "/exports/google-ads-clicks.csv?target=true&from=" + monthAgo
                + "&to=" + today, site.get("apiKey"));
        assertThat(csv).isEqualTo(export.body());

        Reply others = create(Map.of("format", "google-ads-clicks", "target", false));
        assertThat(fetch(others)).contains("Cj0-short-click").doesNotContain("Cj0-long-click");
        assertThat(fetch(create(Map.of("format", "google-ads-clicks")))).contains("Cj0-short-click", "Cj0-long-click");
    }

    @Test
    void aTagFilterIgnoresCaseAndTheFiltersAreListedWithTheFeed() {
        Reply created = create(Map.of("format", "google-ads-clicks", "tag", "  sale ", "conversionName", "Sale"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(fetch(created)).contains("Cj0-long-click,Sale,").doesNotContain("Cj0-short-click");
        Reply list = server.get("/v1/sites/" + site.get("siteId") + "/feeds", site.get("apiKey"));
        assertThat(list.json().get("feeds")).anySatisfy(f -> {
            assertThat(f.get("feedId").asText()).isEqualTo(created.text("feedId"));
            assertThat(f.get("tag").asText()).isEqualTo("sale");
            assertThat(f.get("target").isNull()).isTrue();
        });
    }

    @Test
    void badFiltersAreRefusedNamingTheFieldAndNothingIsCreated() {
        int before = server.get("/v1/sites/" + site.get("siteId") + "/feeds", site.get("apiKey")).json().get("feeds").size();
        record Bad(Map<String, Object> body, String field) {}
        for (Bad bad : List.of(
                new Bad(Map.of("format", "google-ads-clicks", "idType", "yclid"), "idType"),
                new Bad(Map.of("format", "yandex-offline", "idType", "cookie"), "idType"),
                new Bad(Map.of("format", "google-ads-clicks", "target", "yes"), "target"),
                new Bad(Map.of("format", "google-ads-clicks", "uniqueTarget", 1), "uniqueTarget"),
                new Bad(Map.of("format", "google-ads-clicks", "tag", " "), "tag"),
                new Bad(Map.of("format", "google-ads-clicks", "tag", "x".repeat(51)), "tag"))) {
            Reply r = create(bad.body());
            assertThat(r.status()).as(bad.body() + " " + r.body()).isEqualTo(422);
            assertThat(r.json().at("/error/field").asText()).as(bad.body().toString()).isEqualTo(bad.field());
        }
        assertThat(server.get("/v1/sites/" + site.get("siteId") + "/feeds", site.get("apiKey")).json().get("feeds").size())
                .isEqualTo(before);
    }

    @Test
    void aYandexFeedByYclidKeepsItsIdType() {
        Reply created = create(Map.of("format", "yandex-offline", "idType", "yclid", "leads", false));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.text("idType")).isEqualTo("yclid");
        assertThat(fetch(created)).startsWith("Yclid,Target,DateTime,Price,Currency");
    }
}
