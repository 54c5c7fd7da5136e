package io.ringpool.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import io.ringpool.report.ReportFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call or lead borrows an earlier visit's click id only after a direct return, and only the id
 * of the visit the default attribution (last non-direct) credits, so no two ad platforms claim one
 * conversion (audit AK1 F3: a lead from a Google Ads click went to Yandex too, with the yclid of the
 * visitor's Direct click an hour before). Each visitor below has its own story, over real HTTP:
 *
 * <pre>
 * visitor       visits, an hour apart                        then
 * yg-lead       yandex/cpc YCL-YG-L, google/cpc GCL-YG-L      a form on the Google visit
 * gy-lead       google/cpc GCL-GY-L, yandex/cpc YCL-GY-L      a form on the Yandex visit
 * yg-call       yandex/cpc YCL-YG-C, google/cpc GCL-YG-C      a call to the Google visit's number
 * gy-call       google/cpc GCL-GY-C, yandex/cpc YCL-GY-C      a call to the Yandex visit's number
 * y-direct      yandex/cpc YCL-DIRECT, direct                 a form and a call on the direct visit
 * g-organic     google/cpc GCL-ORGANIC, organic Google        a form on the organic visit
 * y-org-direct  yandex/cpc YCL-BEHIND, organic, direct        a form on the direct visit (credited: the organic one)
 * </pre>
 */
class OneClaimPerConversionOverHttpTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static ReportFixture f;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
        f = new ReportFixture(server, 427);
        String yg = story("yg-lead", "utm_source=yandex&utm_medium=cpc&yclid=YCL-YG-L", "utm_source=google&utm_medium=cpc&gclid=GCL-YG-L");
        form(yg);
        String gy = story("gy-lead", "utm_source=google&utm_medium=cpc&gclid=GCL-GY-L", "utm_source=yandex&utm_medium=cpc&yclid=YCL-GY-L");
        form(gy);
        f.call("yg-call", "+79160000101", number("yg-call", "utm_source=yandex&utm_medium=cpc&yclid=YCL-YG-C",
                "utm_source=google&utm_medium=cpc&gclid=GCL-YG-C"), 40);
        f.call("gy-call", "+79160000102", number("gy-call", "utm_source=google&utm_medium=cpc&gclid=GCL-GY-C",
                "utm_source=yandex&utm_medium=cpc&yclid=YCL-GY-C"), 40);
        Map<String, String> direct = visits("y-direct", List.of("utm_source=yandex&utm_medium=cpc&yclid=YCL-DIRECT", ""), null);
        form(direct.get("sessionId"));
        f.call("y-direct", "+79160000103", direct.get("number"), 40);
        form(visits("g-organic", List.of("utm_source=google&utm_medium=cpc&gclid=GCL-ORGANIC", ""), "https://www.google.com/")
                .get("sessionId"));
        Map<String, String> behind = visits("y-org-direct", List.of("utm_source=yandex&utm_medium=cpc&yclid=YCL-BEHIND"), null);
        server.send("POST", "/v1/sessions/" + behind.get("sessionId") + "/end", null, "", "text/plain", Map.of());
        f.advance(Duration.ofHours(1));
        f.visit("visitor-y-org-direct", "https://example.com/", "https://www.google.com/", Map.of(), TestServer.CHROME, "y-org-direct-2");
        f.advance(Duration.ofHours(1));
        form(f.visit("visitor-y-org-direct", "https://example.com/", null, Map.of(), TestServer.CHROME, "y-org-direct-3").get("sessionId"));
        f.advance(Duration.ofMinutes(5));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aLeadFromAGoogleClickAfterAYandexClickGoesToGoogleAlone() {
        assertThat(ids("google-ads-clicks", "")).contains("GCL-YG-L");
        assertThat(ids("yandex-offline", "&idType=yclid")).doesNotContain("YCL-YG-L");
    }

    @Test
    void aLeadFromAYandexClickAfterAGoogleClickGoesToYandexAlone() {
        assertThat(ids("yandex-offline", "&idType=yclid")).contains("YCL-GY-L");
        assertThat(ids("google-ads-clicks", "")).doesNotContain("GCL-GY-L");
    }

    @Test
    void aCallFromAGoogleClickAfterAYandexClickGoesToGoogleAlone() {
        assertThat(ids("google-ads-clicks", "")).contains("GCL-YG-C");
        assertThat(ids("yandex-offline", "&idType=yclid")).doesNotContain("YCL-YG-C");
        assertThat(ids("yandex-calls", "&idType=yclid")).doesNotContain("YCL-YG-C");
    }

    @Test
    void aCallFromAYandexClickAfterAGoogleClickGoesToYandexAlone() {
        assertThat(ids("yandex-offline", "&idType=yclid")).contains("YCL-GY-C");
        assertThat(ids("yandex-calls", "&idType=yclid")).contains("YCL-GY-C");
        assertThat(ids("google-ads-clicks", "")).doesNotContain("GCL-GY-C");
    }

    @Test
    void aDirectReturnAfterAYandexClickStillConvertsThatClick() {
        // The form and the call of the direct visit: two rows with the earlier visit's yclid.
        assertThat(ids("yandex-offline", "&idType=yclid")).filteredOn("YCL-DIRECT"::equals).hasSize(2);
        assertThat(ids("yandex-calls", "&idType=yclid")).contains("YCL-DIRECT");
    }

    @Test
    void anOrganicVisitAfterAGoogleClickConvertsNoGoogleClick() {
        assertThat(ids("google-ads-clicks", "")).doesNotContain("GCL-ORGANIC");
    }

    @Test
    void aDirectReturnTakesTheClickOfTheCreditedVisitOnlyNotAnOlderOne() {
        // The default model credits the organic visit between: it has no click, so Yandex gets nothing.
        assertThat(ids("yandex-offline", "&idType=yclid")).doesNotContain("YCL-BEHIND");
    }

    @Test
    void aScheduledFeedFollowsTheSameRule() {
        Reply created = f.server.post("/v1/sites/" + f.siteId + "/feeds", f.apiKey,
                Map.of("format", "yandex-offline", "windowDays", 30, "idType", "yclid", "leads", true));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String url = created.text("url");
        String basic = Base64.getEncoder().encodeToString((created.text("username") + ":" + created.text("password"))
                .getBytes(StandardCharsets.UTF_8));
        Reply feed = server.send("GET", url.substring(url.indexOf("/v1/feeds/")), null, null, null, Map.of("Authorization", "Basic " + basic));
        assertThat(feed.status()).as(feed.body()).isEqualTo(200);
        List<String> ids = Csv.parse(feed.body()).stream().map(row -> row.get(0)).toList();
        assertThat(ids).contains("YCL-GY-L", "YCL-GY-C", "YCL-DIRECT").doesNotContain("YCL-YG-L", "YCL-YG-C", "YCL-BEHIND");
    }

    /** Two visits of one visitor an hour apart (the first ended); the second's session id. */
    static String story(String visitor, String firstQuery, String secondQuery) {
        return visits(visitor, List.of(firstQuery, secondQuery), null).get("sessionId");
    }

    /** As {@link #story}: the second visit's number. */
    static String number(String visitor, String firstQuery, String secondQuery) {
        return visits(visitor, List.of(firstQuery, secondQuery), null).get("number");
    }

    /**
     * The visitor's visits an hour apart, each ended before the next; the last (empty query: no
     * tags; with {@code lastReferrer} if given) is left open and returned.
     */
    static Map<String, String> visits(String visitor, List<String> queries, String lastReferrer) {
        Map<String, String> last = null;
        for (int i = 0; i < queries.size(); i++) {
            if (last != null) {
                server.send("POST", "/v1/sessions/" + last.get("sessionId") + "/end", null, "", "text/plain", Map.of());
                f.advance(Duration.ofHours(1));
            }
            String q = queries.get(i);
            last = f.visit("visitor-" + visitor, "https://example.com/" + (q.isEmpty() ? "" : "?" + q),
                    i == queries.size() - 1 ? lastReferrer : null, Map.of(), TestServer.CHROME, visitor + "-" + (i + 1));
        }
        f.advance(Duration.ofMinutes(1));
        return last;
    }

    static void form(String sessionId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "form");
        body.put("formId", "order");
        body.put("url", "https://example.com/contacts");
        body.put("fields", Map.of("message", "call me"));
        Reply r = server.send("POST", "/v1/sessions/" + sessionId + "/leads", null, new String(Json.write(body), StandardCharsets.UTF_8),
                "text/plain;charset=UTF-8", Map.of());
        assertThat(r.status()).as(r.body()).isIn(200, 201);
        f.advance(Duration.ofMinutes(1));
    }

    /** The first column of every row of the export (calls, then leads where the format holds them). */
    static List<String> ids(String format, String query) {
        // yandex-calls holds calls only and refuses leads=true.
        String leads = format.equals("yandex-calls") ? "" : "&leads=true";
        Reply r = f.get("/exports/" + format + ".csv?" + f.range() + leads + query);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        for (List<String> row : Csv.parse(r.body())) {
            out.add(row.get(0));
        }
        return out;
    }
}
