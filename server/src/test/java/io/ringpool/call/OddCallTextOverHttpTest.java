package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text in call events that is no phone number and no plain id (audit B, F5): a hidden caller's
 * "anonymous", markup, letters, a NUL, an emoji cut by the caller's width, a NUL in a provider's
 * call id or in a transcript. Each call is kept and reads back, and nothing of it breaks the store:
 * PostgreSQL refuses a NUL in text and writes an unpaired surrogate as '?', which made these calls
 * 503 and 500 there ({@code OddCallTextOnPostgresTest} runs this class on PostgreSQL). What the
 * generic endpoint's own schema forbids is refused with 422 naming the field.
 */
class OddCallTextOverHttpTest {
    static final String NUMBER = "+74950007001";
    static final String UIS_TOKEN = "uis-token-odd-text-0001";

    @TempDir
    Path dir;

    /** Store settings: none for H2 in the server's data directory; a PostgreSQL database of its own in the subclass. */
    protected Map<String, Object> store() {
        return Map.of();
    }

    static Reply generic(TestServer server, Map<String, String> site, Map<String, Object> event) {
        String body = new String(Json.write(event), StandardCharsets.UTF_8);
        return server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
    }

    static Map<String, Object> completed(String callId, String from) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", "completed");
        e.put("from", from);
        e.put("to", NUMBER);
        e.put("durationSeconds", 50);
        e.put("talkSeconds", 40);
        return e;
    }

    static JsonNode calls(TestServer server, Map<String, String> site) {
        server.awaitCallsStored();
        Reply r = server.get("/v1/sites/" + site.get("siteId") + "/calls?limit=500", site.get("apiKey"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("calls");
    }

    static JsonNode byProviderId(JsonNode calls, String providerCallId) {
        for (JsonNode c : calls) {
            if (c.get("providerCallId").asText().equals(providerCallId)) {
                return c;
            }
        }
        throw new AssertionError("no call " + providerCallId + " in " + calls.findValuesAsText("providerCallId"));
    }

    @Test
    void aHiddenOrOddCallerIsKeptAsAnInvalidCallerAndTheCallReadsBackEverywhere() {
        try (TestServer server = new TestServer(dir, store())) {
            Map<String, String> site = server.siteWithPool(List.of(NUMBER));
            Map<String, String> sent = new LinkedHashMap<>();
            sent.put("anonymous", "anonymous");
            sent.put("<script>", "<script>");
            sent.put("Иван ☎", "Иван ☎");
            sent.put("a\u0000b", "ab");
            sent.put("x".repeat(63) + "\uD83D\uDE00", "x".repeat(63)); // 65 UTF-16 units over a 64 width: never half the emoji
            sent.put("\u202eevil\u0007", "\u202eevil");
            int n = 0;
            Map<String, String> ids = new LinkedHashMap<>();
            for (Map.Entry<String, String> c : sent.entrySet()) {
                String id = "odd-caller-" + n++;
                Reply r = generic(server, site, completed(id, c.getKey()));
                assertThat(r.status()).as(c.getValue() + ": " + r.body()).isEqualTo(200);
                assertThat(r.text("caller")).isEqualTo(c.getValue());
                assertThat(r.json().get("firstTime").asBoolean()).isFalse();
                assertThat(r.json().get("unique").asBoolean()).isFalse();
                ids.put(id, c.getValue());
            }
            JsonNode log = calls(server, site);
            assertThat(log).hasSize(sent.size());
            for (Map.Entry<String, String> id : ids.entrySet()) {
                JsonNode call = byProviderId(log, id.getKey());
                assertThat(call.get("caller").asText()).isEqualTo(id.getValue());
                Reply one = server.get("/v1/sites/" + site.get("siteId") + "/calls/" + call.get("callId").asText(), site.get("apiKey"));
                assertThat(one.status()).as(one.body()).isEqualTo(200);
            }
            for (String report : List.of("sources", "time", "devices", "paths")) {
                assertThat(server.get("/v1/sites/" + site.get("siteId") + "/reports/" + report, site.get("apiKey")).status()).isEqualTo(200);
            }
            for (String export : List.of("google-ads-calls", "google-enhanced", "yandex-calls")) {
                assertThat(server.get("/v1/sites/" + site.get("siteId") + "/exports/" + export + ".csv?conversionName=call", site.get("apiKey"))
                        .status()).as(export).isEqualTo(200);
            }
            Reply erased = server.send("DELETE", "/v1/sites/" + site.get("siteId") + "/callers/" + URLEncoder.encode("<script>",
                    StandardCharsets.UTF_8), site.get("apiKey"), null, null, Map.of());
            assertThat(erased.status()).as(erased.body()).isEqualTo(204);
            assertThat(calls(server, site).findValuesAsText("caller")).contains(CallerNumber.ERASED).doesNotContain("<script>");
        }
    }

    @Test
    void aNulInAProvidersCallIdOrInATranscriptKeepsTheCall() {
        try (TestServer server = new TestServer(dir, store())) {
            Map<String, String> site = server.siteWithPool(List.of(NUMBER));
            Reply patched = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                    "{\"providers\":{\"uis\":{\"token\":\"" + UIS_TOKEN + "\"}}}", "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            String path = "/v1/telephony/uis/" + site.get("siteId") + "/" + UIS_TOKEN;
            String id = "uis-odd-\u0000-id";
            for (String event : List.of("ringing", "completed")) {
                String body = "{\"event\":\"" + event + "\",\"call_session_id\":\"uis-odd-\\u0000-id\",\"contact_phone_number\":\"79161234567\","
                        + "\"virtual_phone_number\":\"" + NUMBER.substring(1) + "\",\"talk_time_duration\":\"30\"}";
                Reply r = server.send("POST", path, null, body, "application/json", Map.of());
                assertThat(r.status()).as(event + ": " + r.body()).isBetween(200, 204);
            }
            JsonNode uis = calls(server, site);
            assertThat(uis).hasSize(1);
            assertThat(uis.get(0).get("providerCallId").asText()).isEqualTo(CallEvent.storedCallId(id)).doesNotContain("\u0000");
            assertThat(uis.get(0).get("status").asText()).isEqualTo("completed");

            Map<String, Object> withTranscript = completed("odd-transcript", "+79161234568");
            withTranscript.put("transcript", "hello\u0000 world\nbye");
            Reply r = generic(server, site, withTranscript);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(byProviderId(calls(server, site), "odd-transcript").get("transcript").asText()).isEqualTo("hello world\nbye");
        }
    }

    /** Audit B, F5: our own schema refuses what makes no sense rather than keeping it. */
    @Test
    void theGenericEventRefusesMoreTalkThanCallAndControlCharactersInItsCallId() {
        try (TestServer server = new TestServer(dir, store())) {
            Map<String, String> site = server.siteWithPool(List.of(NUMBER));
            Map<String, Object> moreTalk = completed("more-talk", "+79161234567");
            moreTalk.put("durationSeconds", 10);
            moreTalk.put("talkSeconds", 100);
            Reply refused = generic(server, site, moreTalk);
            assertThat(refused.status()).as(refused.body()).isEqualTo(422);
            assertThat(refused.errorCode()).isEqualTo("invalid_value");
            assertThat(refused.json().path("error").path("field").asText()).isEqualTo("talkSeconds");
            for (String id : List.of("nul\u0000id", "bell\u0007id", "del\u007fid", "lone\uD800surrogate")) {
                Reply r = generic(server, site, completed(id, "+79161234567"));
                assertThat(r.status()).as(id + ": " + r.body()).isEqualTo(422);
                assertThat(r.json().path("error").path("field").asText()).isEqualTo("callId");
            }
            assertThat(calls(server, site)).isEmpty();

            Map<String, Object> allTalk = completed("all-talk", "+79161234567");
            allTalk.put("durationSeconds", 40);
            Reply equal = generic(server, site, allTalk);
            assertThat(equal.status()).as("talk equal to the duration: " + equal.body()).isEqualTo(200);
            assertThat(equal.json().get("target").asBoolean()).isTrue();
        }
    }
}
