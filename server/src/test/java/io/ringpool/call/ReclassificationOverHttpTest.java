package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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
 * Audit G #1: a change of {@code targetCallSeconds} or {@code uniquenessDays} classifies the site's
 * existing calls (and, for the window, leads) again before the PATCH is answered, so the call log,
 * its filters and every report count all calls by the rule the site now has.
 */
class ReclassificationOverHttpTest {
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

    record Site(String id, String apiKey, String secret, String number) {}

    Site site(String number) {
        Map<String, String> s = server.siteWithPool(List.of(number));
        return new Site(s.get("siteId"), s.get("apiKey"), s.get("webhookSecret"), number);
    }

    Reply completed(Site site, String callId, String from, int talkSeconds) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", "completed");
        e.put("from", from);
        e.put("to", site.number());
        e.put("talkSeconds", talkSeconds);
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.id() + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.secret(), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r;
    }

    Reply patch(Site site, String json) {
        Reply r = server.send("PATCH", "/v1/sites/" + site.id(), site.apiKey(), json, "application/json", Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r;
    }

    JsonNode get(Site site, String path) {
        Reply r = server.get("/v1/sites/" + site.id() + path, site.apiKey());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    String range() {
        LocalDate today = LocalDate.ofInstant(server.clock.instant(), ZoneOffset.UTC);
        return "from=" + today.minusDays(60) + "&to=" + today.plusDays(1);
    }

    JsonNode totals(Site site) {
        return get(site, "/reports/sources?" + range() + "&groupBy=source").get("totals");
    }

    @Test
    void aHigherTargetThresholdUnmarksCallsBelowItInTheLogItsFilterAndTheReports() {
        Site site = site("+74957770001");
        patch(site, "{\"targetCallSeconds\": 30}");
        completed(site, "reclass-t-1", "+79160000001", 30);
        completed(site, "reclass-t-2", "+79160000002", 45);
        completed(site, "reclass-t-3", "+79160000003", 90);
        assertThat(get(site, "/calls?target=true").get("calls")).hasSize(3);
        assertThat(totals(site).get("targetCalls").asLong()).isEqualTo(3);

        Reply r = patch(site, "{\"targetCallSeconds\": 60}");

        assertThat(r.json().get("targetCallSeconds").asInt()).isEqualTo(60);
        JsonNode targets = get(site, "/calls?target=true").get("calls");
        assertThat(targets).hasSize(1);
        assertThat(targets.get(0).get("providerCallId").asText()).isEqualTo("reclass-t-3");
        assertThat(get(site, "/calls?target=false").get("calls")).hasSize(2);
        JsonNode totals = totals(site);
        assertThat(totals.get("targetCalls").asLong()).isEqualTo(1);
        assertThat(totals.get("uniqueTargetCalls").asLong()).isEqualTo(1);

        // And back: lowering it marks them again.
        patch(site, "{\"targetCallSeconds\": 30}");
        assertThat(get(site, "/calls?target=true").get("calls")).hasSize(3);
        assertThat(totals(site).get("targetCalls").asLong()).isEqualTo(3);
    }

    @Test
    void aShorterUniquenessWindowMakesAReturningCallerUniqueAgainAsContactsAndLeadsAlreadyCount() {
        Site site = site("+74957770002");
        patch(site, "{\"uniquenessDays\": 0}");
        completed(site, "reclass-u-1", "+79160000011", 10);
        Reply lead1 = server.post("/v1/sites/" + site.id() + "/leads", site.apiKey(), Map.of("kind", "form", "email", "u@example.org"));
        assertThat(lead1.status()).as(lead1.body()).isEqualTo(201);
        server.clock.advance(Duration.ofDays(33));
        Reply second = completed(site, "reclass-u-2", "+79160000011", 10);
        assertThat(second.json().get("unique").asBoolean()).isFalse();
        Reply lead2 = server.post("/v1/sites/" + site.id() + "/leads", site.apiKey(), Map.of("kind", "form", "email", "u@example.org"));
        assertThat(lead2.status()).as(lead2.body()).isEqualTo(201);
        JsonNode before = totals(site);
        assertThat(before.get("uniqueCalls").asLong()).isEqualTo(1);
        assertThat(before.get("uniqueLeads").asLong()).isEqualTo(1);

        patch(site, "{\"uniquenessDays\": 7}");

        JsonNode call = get(site, "/calls/" + second.text("callId"));
        assertThat(call.get("unique").asBoolean()).isTrue();
        assertThat(call.get("firstTime").asBoolean()).isFalse();
        assertThat(get(site, "/calls?unique=true").get("calls")).hasSize(2);
        JsonNode report = get(site, "/reports/sources?" + range() + "&groupBy=source");
        assertThat(report.get("uniquenessDays").asInt()).isEqualTo(7);
        JsonNode after = report.get("totals");
        assertThat(after.get("uniqueCalls").asLong()).isEqualTo(2);
        assertThat(after.get("uniqueLeads").asLong()).isEqualTo(2);
        // contacts: the caller twice and the e-mail twice, each window of 7 days opened anew.
        assertThat(after.get("contacts").asLong()).isEqualTo(4);
        assertThat(get(site, "/leads/" + lead2.text("leadId")).get("unique").asBoolean()).isTrue();

        // A wider window than the gap: not unique again, in the log and in the report.
        patch(site, "{\"uniquenessDays\": 40}");
        assertThat(get(site, "/calls/" + second.text("callId")).get("unique").asBoolean()).isFalse();
        JsonNode wide = totals(site);
        assertThat(wide.get("uniqueCalls").asLong()).isEqualTo(1);
        assertThat(wide.get("uniqueLeads").asLong()).isEqualTo(1);
        assertThat(wide.get("contacts").asLong()).isEqualTo(2);
    }
}
