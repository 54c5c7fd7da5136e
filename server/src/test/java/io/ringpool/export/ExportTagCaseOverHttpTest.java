package io.ringpool.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit G #2: an export's {@code tag} matches without regard to case, as the call log's and the
 * lead log's do, so "calls tagged lead" checked in the log are the ones sent to the ad platform.
 */
class ExportTagCaseOverHttpTest {
    @TempDir
    Path dir;

    TestServer server;

    /** The store's settings; the PostgreSQL variant overrides this. */
    protected Map<String, Object> store() {
        return Map.of();
    }

    @BeforeEach
    void start() {
        server = new TestServer(dir, store());
    }

    @AfterEach
    void stop() {
        if (server != null) { // null when the PostgreSQL variant skipped itself
            server.close();
        }
    }

    @Test
    void theTagFilterOfAnExportIgnoresCaseForCallsAndLeadsAsTheLogsDo() {
        Map<String, String> site = server.siteWithPool(List.of("+74957770101"));
        String siteId = site.get("siteId");
        String key = site.get("apiKey");
        String tagged = call(site, "tag-case-1", "+79160000021");
        call(site, "tag-case-2", "+79160000022");
        Reply patched = server.send("PATCH", "/v1/sites/" + siteId + "/calls/" + tagged, key, "{\"tags\": [\"Lead\"]}",
                "application/json", Map.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(server.post("/v1/sites/" + siteId + "/leads", key,
                Map.of("kind", "form", "email", "tagged@example.org", "tags", List.of("Lead"))).status()).isEqualTo(201);
        assertThat(server.post("/v1/sites/" + siteId + "/leads", key, Map.of("kind", "form", "email", "other@example.org")).status())
                .isEqualTo(201);
        assertThat(server.get("/v1/sites/" + siteId + "/calls?tag=lead", key).json().get("calls")).hasSize(1);

        for (String tag : List.of("lead", "LEAD", "Lead")) {
            assertThat(exported(siteId, key, "google-enhanced", tag)).as("google-enhanced tag=" + tag).isEqualTo(2);
            assertThat(exported(siteId, key, "google-ads-calls", tag)).as("google-ads-calls tag=" + tag).isEqualTo(1);
        }
        assertThat(exported(siteId, key, "google-enhanced", "lea")).isZero();
    }

    @Test
    void tagsWithACommaAreQuotedInsideTheYandexTagCellSoTheListCanBeReadBack() {
        Map<String, String> site = server.siteWithPool(List.of("+74957770101"));
        String siteId = site.get("siteId");
        String key = site.get("apiKey");
        Reply v = server.startSession(site.get("publicKey"), "visitor-tags-comma", "https://example.com/?yclid=424242");
        assertThat(v.status()).as(v.body()).isEqualTo(201);
        String callId = call(site, "tag-comma-1", "+79160000031");
        List<String> tags = List.of("lead", "sofa, big", "say \"hi\"", "\"quoted\"");
        Reply patched = server.send("PATCH", "/v1/sites/" + siteId + "/calls/" + callId, key,
                new String(Json.write(Map.of("tags", tags)), StandardCharsets.UTF_8), "application/json", Map.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);

        LocalDate today = LocalDate.ofInstant(server.clock.instant(), ZoneOffset.UTC);
        Reply r = server.get("/v1/sites/" + siteId + "/exports/yandex-calls.csv?idType=yclid&from=" + today.minusDays(1) + "&to="
                + today.plusDays(1), key);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<List<String>> rows = Csv.parse(r.body());
        int tagColumn = rows.get(0).indexOf("Tag");
        String cell = rows.get(1).get(tagColumn);
        assertThat(cell).isEqualTo("lead,\"sofa, big\",\"say \"\"hi\"\"\",\"\"\"quoted\"\"\"");
        assertThat(Csv.parse(cell + "\r\n").get(0)).containsExactlyElementsOf(tags);
    }

    private long exported(String siteId, String key, String format, String tag) {
        LocalDate today = LocalDate.ofInstant(server.clock.instant(), ZoneOffset.UTC);
        Reply r = server.get("/v1/sites/" + siteId + "/exports/" + format + ".csv?from=" + today.minusDays(1) + "&to=" + today.plusDays(1)
                + "&tag=" + tag, key);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return Long.parseLong(r.headers().get("x-ringpool-exported-rows").get(0));
    }

    private String call(Map<String, String> site, String callId, String from) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", "completed");
        e.put("from", from);
        e.put("to", "+74957770101");
        e.put("talkSeconds", 60);
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.text("callId");
    }
}
