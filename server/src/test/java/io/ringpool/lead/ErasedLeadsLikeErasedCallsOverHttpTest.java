package io.ringpool.lead;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
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
 * Audit AC2 #1 and #3: a person's erased leads must behave as their erased calls do.
 *
 * <p>#1: a change of {@code uniquenessDays} decided every lead's {@code unique} again and read an
 * erased lead as naming nobody, so it became never-unique and {@code uniqueLeads} fell for good.
 * The key an erased lead keeps stands for the person, so an erased person's leads are now decided
 * exactly as those of a person never erased (the twin in the story).
 *
 * <p>#3: erasing a person cleared their calls' copies of the visit's landing page, referrer and
 * analytics client ids (README "Personal data"), but their leads kept them, and went on being
 * exported to Metrica under the person's ClientID.
 */
class ErasedLeadsLikeErasedCallsOverHttpTest {
    @TempDir
    Path dir;

    TestServer server;
    String siteId;
    String apiKey;
    String publicKey;
    String secret;
    LocalDate day;

    @BeforeEach
    void start() {
        server = new TestServer(dir);
        Map<String, String> s = server.siteWithPool(List.of("+74993000001", "+74993000002", "+74993000003"));
        siteId = s.get("siteId");
        apiKey = s.get("apiKey");
        publicKey = s.get("publicKey");
        secret = s.get("webhookSecret");
        day = server.clock.instant().atZone(ZoneOffset.UTC).toLocalDate();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void anErasedPersonsLeadsAreDecidedAgainAsThoseOfAPersonNeverErased() {
        String single = lead(Map.of("kind", "form", "phone", "+79167770001"));
        call("pbx-1", "+79167770002", "+74993000001");
        String erasedFirst = lead(Map.of("kind", "form", "phone", "+79167770003", "email", "erased@example.com"));
        String twinFirst = lead(Map.of("kind", "form", "phone", "+79167770004", "email", "twin@example.com"));
        server.clock.advance(Duration.ofDays(10));
        String erasedSecond = lead(Map.of("kind", "email", "email", "erased@example.com"));
        String twinSecond = lead(Map.of("kind", "email", "email", "twin@example.com"));

        JsonNode before = totals();
        assertThat(before.get("leads").asInt()).isEqualTo(5);
        assertThat(before.get("uniqueLeads").asInt()).as("ever: one per person").isEqualTo(3);
        assertThat(before.get("contacts").asInt()).isEqualTo(4);
        assertThat(unique(single)).isTrue();

        erase("%2B79167770001", 1, 0);
        erase("%2B79167770002", 0, 1);
        erase("erased@example.com", 2, 0);
        assertThat(totals()).isEqualTo(before);

        patchUniquenessDays(30);
        assertThat(totals()).as("everything lies within 30 days").isEqualTo(before);
        assertThat(unique(single)).isTrue();

        patchUniquenessDays(5);
        JsonNode fiveDays = totals();
        assertThat(fiveDays.get("uniqueLeads").asInt()).as("the second leads, 10 days on, open windows of their own").isEqualTo(5);
        assertThat(fiveDays.get("contacts").asInt()).isEqualTo(6);
        assertThat(unique(erasedSecond)).as("as the twin's").isEqualTo(unique(twinSecond)).isTrue();
        assertThat(unique(erasedFirst)).isEqualTo(unique(twinFirst)).isTrue();

        patchUniquenessDays(0);
        assertThat(totals()).as("a round trip leaves the report as it was").isEqualTo(before);
        assertThat(unique(single)).isTrue();
        assertThat(unique(erasedSecond)).isEqualTo(unique(twinSecond)).isFalse();
        JsonNode call = call("pbx-1");
        assertThat(call.get("unique").asBoolean()).as("the erased call, as before").isTrue();
    }

    @Test
    void erasingAPersonClearsTheirLeadsCopiesOfTheVisitAsItClearsTheirCalls() {
        String url = "https://example.com/offer?utm_source=google&utm_medium=cpc&utm_campaign=spring&gclid=GCLID-ANNA";
        Map<String, String> v = visit("visitor-anna", url, Map.of("ym", "1700000000555555555", "ga", "GA1.1.555.1700000000"));
        String fromScript = beacon(v.get("sessionId"), Map.of("phone", "+79161234501", "name", "Anna"));
        server.clock.advance(Duration.ofMinutes(5));
        call("pbx-anna", "+79161234501", v.get("number"));
        server.clock.advance(Duration.ofMinutes(5));
        String fromCrm = lead(Map.of("kind", "callback", "phone", "+79161234501", "clientIds", Map.of("ym", "1700000000555555555")));

        assertThat(leadAttribution(fromScript).get("clientIds").get("ym").asText()).isEqualTo("1700000000555555555");
        assertThat(leadAttribution(fromScript).get("landingPage").asText()).contains("gclid=GCLID-ANNA");
        assertThat(exportedIds("yandex-offline", "lead")).containsExactly("1700000000555555555", "1700000000555555555");
        assertThat(exportedIds("yandex-calls", "")).hasSize(1);
        JsonNode totals = totals();
        Map<String, JsonNode> before = attributions(fromScript, fromCrm);

        erase("%2B79161234501", 2, 1);

        Map<String, JsonNode> after = attributions(fromScript, fromCrm);
        for (String row : after.keySet()) {
            JsonNode a = after.get(row);
            assertThat(a.get("clientIds").size()).as(row + ": client ids gone").isZero();
            for (String personal : List.of("landingPage", "referrer")) {
                assertThat(a.get(personal).isNull()).as(row + " " + personal).isTrue();
            }
            for (String marketing : List.of("method", "source", "medium", "campaign", "channel", "gclid")) {
                assertThat(text(a, marketing)).as(row + " keeps " + marketing).isEqualTo(text(before.get(row), marketing));
            }
        }
        for (String leadId : List.of(fromScript, fromCrm)) {
            JsonNode lead = server.get("/v1/sites/" + siteId + "/leads/" + leadId, apiKey).json();
            assertThat(lead.get("url").isNull()).as(leadId + ": the page it was sent from, a page view of the person").isTrue();
        }
        JsonNode call = after.get("pbx-anna");
        assertThat(text(call, "source")).isEqualTo("google");
        assertThat(text(call, "gclid")).isEqualTo("GCLID-ANNA");
        assertThat(exportedIds("yandex-offline", "lead")).as("no ClientID left to send to Metrica").isEmpty();
        assertThat(exportedIds("yandex-calls", "")).as("nor for the call").isEmpty();
        assertThat(totals()).as("counts stay").isEqualTo(totals);

        String later = lead(Map.of("kind", "chat", "message", "hi", "clientIds", Map.of("ym", "1700000000555555555")));
        assertThat(text(leadAttribution(later), "method")).as("the visit no longer holds the id").isEqualTo("none");
    }

    @Test
    void theRetentionPurgeClearsALeadsCopiesOfTheVisitAsItClearsACalls() {
        String url = "https://example.com/offer?utm_source=google&utm_medium=cpc&gclid=GCLID-OLD";
        Map<String, String> v = visit("visitor-old", url, Map.of("ym", "1700000000666666666"));
        String leadId = beacon(v.get("sessionId"), Map.of("phone", "+79161234502"));
        call("pbx-old", "+79161234502", v.get("number"));
        JsonNode totals = totals();
        server.clock.advance(Duration.ofDays(366));
        server.app.applyRetention();

        Map<String, JsonNode> after = new LinkedHashMap<>();
        after.put(leadId, leadAttribution(leadId));
        after.put("pbx-old", call("pbx-old").get("attribution"));
        after.forEach((row, a) -> {
            assertThat(a.get("clientIds").size()).as(row).isZero();
            assertThat(a.get("landingPage").isNull()).as(row).isTrue();
            assertThat(a.get("referrer").isNull()).as(row).isTrue();
            assertThat(text(a, "source")).as(row).isEqualTo("google");
            assertThat(text(a, "gclid")).as(row).isEqualTo("GCLID-OLD");
        });
        assertThat(totals()).isEqualTo(totals);
    }

    JsonNode totals() {
        Reply r = server.get("/v1/sites/" + siteId + "/reports/sources?from=" + day.minusDays(1) + "&to=" + day.plusDays(12)
                + "&model=last_click", apiKey);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("totals");
    }

    /** The attribution of each lead named and of the call pbx-anna, by id. */
    Map<String, JsonNode> attributions(String... leadIds) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (String leadId : leadIds) {
            out.put(leadId, leadAttribution(leadId));
        }
        out.put("pbx-anna", call("pbx-anna").get("attribution"));
        return out;
    }

    /** The call the telephony events named {@code providerCallId}, as the call log shows it. */
    JsonNode call(String providerCallId) {
        Reply r = server.get("/v1/sites/" + siteId + "/calls?from=" + day.minusDays(1) + "&to=" + day.plusDays(12), apiKey);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        for (JsonNode c : r.json().get("calls")) {
            if (providerCallId.equals(c.get("providerCallId").asText())) {
                return c;
            }
        }
        throw new AssertionError("no call " + providerCallId + " in " + r.body());
    }

    boolean unique(String leadId) {
        Reply r = server.get("/v1/sites/" + siteId + "/leads/" + leadId, apiKey);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("unique").asBoolean();
    }

    JsonNode leadAttribution(String leadId) {
        Reply r = server.get("/v1/sites/" + siteId + "/leads/" + leadId, apiKey);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("attribution");
    }

    /** The first column of the export's rows (after the header) whose second column is {@code target}, or every row. */
    List<String> exportedIds(String format, String target) {
        Reply r = server.get("/v1/sites/" + siteId + "/exports/" + format + ".csv?from=" + day.minusDays(1) + "&to=" + day.plusDays(12),
                apiKey);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.body().lines().skip(1).filter(l -> !l.isBlank())
                .map(l -> l.split(",", -1))
                .filter(cols -> target.isEmpty() || cols.length > 1 && cols[1].equals(target))
                .map(cols -> cols[0]).toList();
    }

    void erase(String contact, int leads, int calls) {
        Reply r = server.send("DELETE", "/v1/sites/" + siteId + "/contacts/" + contact, apiKey, null, null, Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("leads").asInt()).as(contact).isEqualTo(leads);
        assertThat(r.json().get("calls").asInt()).as(contact).isEqualTo(calls);
    }

    void patchUniquenessDays(int days) {
        Reply r = server.send("PATCH", "/v1/sites/" + siteId, apiKey, "{\"uniquenessDays\":" + days + "}", "application/json", Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    Map<String, String> visit(String visitorId, String url, Map<String, String> clientIds) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("siteKey", publicKey);
        body.put("visitorId", visitorId);
        body.put("url", url);
        body.put("referrer", "https://www.google.com/");
        body.put("clientIds", clientIds);
        Reply r = server.send("POST", "/v1/sessions", null, json(body), "application/json", Map.of("User-Agent", TestServer.CHROME));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return Map.of("sessionId", r.text("sessionId"), "number", r.text("number"));
    }

    String beacon(String sessionId, Map<String, String> fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "form");
        body.put("formId", "order");
        body.put("url", "https://example.com/contacts?gclid=GCLID-ANNA");
        body.put("fields", fields);
        Reply r = server.send("POST", "/v1/sessions/" + sessionId + "/leads", null, json(body), "text/plain;charset=UTF-8", Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.text("leadId");
    }

    String lead(Map<String, Object> body) {
        Reply r = server.post("/v1/sites/" + siteId + "/leads", apiKey, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.text("leadId");
    }

    void call(String callId, String from, String to) {
        for (String event : List.of("ringing", "answered", "completed")) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("callId", callId);
            e.put("event", event);
            e.put("from", from);
            e.put("to", to);
            if (event.equals("completed")) {
                e.put("durationSeconds", 70);
                e.put("talkSeconds", 60);
            }
            String body = json(e);
            Reply r = server.send("POST", "/v1/telephony/" + siteId + "/events", null, body, "application/json",
                    Map.of("X-Ringpool-Signature", Signing.ringpool(secret, server.clock.instant().getEpochSecond(), body)));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static String json(Object o) {
        return new String(Json.write(o), StandardCharsets.UTF_8);
    }
}
