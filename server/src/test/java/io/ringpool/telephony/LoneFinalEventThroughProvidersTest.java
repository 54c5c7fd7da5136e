package io.ringpool.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import io.ringpool.telephony.provider.ProviderSigning;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AI1 #2: the generic route dates a lone final event without a time by the length it states
 * (FinalEventWithoutTimeTest), but the UIS / operator-PBX route and Zadarma's NOTIFY_END did not:
 * a call reported only once it ended was attributed at the hang-up, to the visitor who got the
 * number after the caller had dialled it (and that visitor's click got the conversion). Each route
 * here reports a call that began while {@code first} held the number and ended 400 s later, while
 * {@code second} holds it.
 */
class LoneFinalEventThroughProvidersTest {
    static final String NUMBER = "+74950009201";
    static final String CALLER = "+79160024101";
    static final String UIS_TOKEN = "uis-token-0123456789abcdef";
    static final String ZADARMA_SECRET = "zadarma-secret-0001";
    static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow");
    static final DateTimeFormatter ZADARMA_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @TempDir
    Path dir;

    TestServer server;
    Map<String, String> site;
    String first;
    String second;
    Instant dialled;

    @BeforeEach
    void start() {
        server = new TestServer(dir, Map.of());
        site = server.siteWithPool(List.of(NUMBER));
        Reply r = patch(Map.of("coolDownSeconds", 60, "endGraceSeconds", 0, "timeZone", MOSCOW.getId(),
                "providers", Map.of("uis", Map.of("token", UIS_TOKEN), "zadarma", Map.of("secret", ZADARMA_SECRET))));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        // first holds the number when the caller dials; 400 s later the call ends while second holds it
        first = visit("first");
        advance(2); // providers write whole seconds: the call's second lies inside first's lease
        dialled = server.clock.instant();
        advance(30);
        leave(first);
        advance(120); // past the 60 s cool-down
        second = visit("second");
        for (int i = 0; i < 5; i++) {
            advance(50);
            heartbeat(second);
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Reply patch(Map<String, Object> body) {
        return server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                new String(Json.write(body), StandardCharsets.UTF_8), "application/json", Map.of());
    }

    String visit(String visitorId) {
        Reply r = server.startSession(site.get("publicKey"), visitorId, "https://example.com/?utm_source=" + visitorId);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.text("number")).isEqualTo(NUMBER);
        return r.text("sessionId");
    }

    void leave(String sessionId) {
        assertThat(server.send("POST", "/v1/sessions/" + sessionId + "/end", null, null, null, Map.of()).status()).isEqualTo(204);
        server.app.sessions().sweep();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.get("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId"), site.get("apiKey")).json().get("leased").asInt() > 0
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    void heartbeat(String sessionId) {
        Reply r = server.send("POST", "/v1/sessions/" + sessionId + "/heartbeat", null, "", "text/plain", Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    void advance(int seconds) {
        server.clock.advance(Duration.ofSeconds(seconds));
    }

    JsonNode call(String providerCallId) {
        server.awaitCallsStored();
        Reply r = server.get("/v1/sites/" + site.get("siteId") + "/calls", site.get("apiKey"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        for (JsonNode c : r.json().get("calls")) {
            if (c.get("providerCallId").asText().equals(providerCallId)) {
                return c;
            }
        }
        throw new AssertionError("no call " + providerCallId + " in " + r.body());
    }

    void assertAttributedWhenItBegan(JsonNode call) {
        assertThat(call.get("attribution").get("sessionId").asText()).as(call.toString()).isEqualTo(first).isNotEqualTo(second);
        assertThat(call.get("attribution").get("method").asText()).isEqualTo("active");
        assertThat(call.get("status").asText()).isEqualTo("completed");
    }

    static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    /** UIS's documented «Завершение звонка» template: no notification_time, the total and talk durations. */
    @Test
    void aUisCompletedNotificationAloneIsAttributedWhenTheCallBegan() {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("event", "completed");
        body.put("call_session_id", "uis-lone-1");
        body.put("contact_phone_number", CALLER.substring(1));
        body.put("virtual_phone_number", NUMBER.substring(1));
        body.put("total_time_duration", "400");
        body.put("talk_time_duration", "380");
        body.put("file_link", "{{file_link}}");
        Reply r = server.send("POST", "/v1/telephony/uis/" + site.get("siteId") + "/" + UIS_TOKEN, null,
                new String(Json.write(body), StandardCharsets.UTF_8), "application/json", Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(200);

        JsonNode call = call("uis-lone-1");
        assertAttributedWhenItBegan(call);
        assertThat(Instant.parse(call.get("startedAt").asText())).isBetween(dialled.minusSeconds(2), dialled.plusSeconds(2));
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(400);
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(380);
    }

    /** An operator PBX's GET notification with our field names, no {@code at}. */
    @Test
    void anOperatorPbxGetOfTheEndAloneIsAttributedWhenTheCallBegan() {
        String query = form(Map.of("event", "completed", "callId", "op-lone-1", "from", CALLER, "to", NUMBER,
                "durationSeconds", "400", "talkSeconds", "380"));
        Reply r = server.send("GET", "/v1/telephony/uis/" + site.get("siteId") + "/" + UIS_TOKEN + "?" + query, null, null, null, Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(200);

        JsonNode call = call("op-lone-1");
        assertAttributedWhenItBegan(call);
        assertThat(Instant.parse(call.get("startedAt").asText())).isBetween(dialled.minusSeconds(2), dialled.plusSeconds(2));
    }

    /** A notification that carries its own time keeps it: nothing is inferred. */
    @Test
    void aUisEndWithItsOwnTimeIsTakenAsItSays() {
        Instant at = server.clock.instant();
        Reply r = server.send("POST", "/v1/telephony/uis/" + site.get("siteId") + "/" + UIS_TOKEN, null,
                new String(Json.write(Map.of("event", "completed", "call_session_id", "uis-dated-1", "contact_phone_number",
                        CALLER.substring(1), "virtual_phone_number", NUMBER.substring(1), "notification_time", at.getEpochSecond(),
                        "total_time_duration", "400")), StandardCharsets.UTF_8), "application/json", Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode call = call("uis-dated-1");
        assertThat(Instant.parse(call.get("startedAt").asText())).isEqualTo(Instant.ofEpochSecond(at.getEpochSecond()));
        assertThat(call.get("attribution").get("sessionId").asText()).isEqualTo(second);
    }

    Reply zadarmaEnd(String id, String callStart, String duration) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("event", "NOTIFY_END");
        f.put("call_start", callStart);
        f.put("pbx_call_id", id);
        f.put("caller_id", CALLER.substring(1));
        f.put("called_did", NUMBER.substring(1));
        f.put("internal", "100");
        f.put("duration", duration);
        f.put("disposition", "answered");
        f.put("status_code", "16");
        f.put("is_recorded", "0");
        String hex = ProviderSigning.hex(ProviderSigning.hmac("HmacSHA1", ZADARMA_SECRET, f.get("caller_id") + f.get("called_did") + callStart));
        String signature = ProviderSigning.base64(hex.getBytes(StandardCharsets.US_ASCII));
        return server.send("POST", "/v1/telephony/zadarma/" + site.get("siteId"), null, form(f), "application/x-www-form-urlencoded",
                Map.of("Signature", signature));
    }

    /** NOTIFY_START was lost; NOTIFY_END's signed call_start, in the account's (and the site's) Moscow time, says when. */
    @Test
    void aZadarmaEndAloneIsAttributedAtItsCallStart() {
        String callStart = LocalDateTime.ofInstant(dialled, MOSCOW).format(ZADARMA_TIME);
        Reply r = zadarmaEnd("zd-lone-1", callStart, "380");
        assertThat(r.status()).as(r.body()).isEqualTo(200);

        JsonNode call = call("zd-lone-1");
        assertAttributedWhenItBegan(call);
        assertThat(Instant.parse(call.get("startedAt").asText())).isBetween(dialled.minusSeconds(1), dialled.plusSeconds(1));
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(380);
        assertThat(call.get("durationSeconds").asInt()).isBetween(399, 401);
    }

    /**
     * The account's time zone is not the site's (here call_start is written in UTC, read as Moscow:
     * three hours early, which no call of 380 s can be): call_start is not believed, and the duration
     * dates a time within the call instead, still under first.
     */
    @Test
    void aZadarmaEndWhoseCallStartIsInAnotherZoneIsDatedByItsDuration() {
        String utcWallClock = LocalDateTime.ofInstant(dialled, ZoneOffset.UTC).format(ZADARMA_TIME);
        Instant received = server.clock.instant();
        Reply r = zadarmaEnd("zd-lone-2", utcWallClock, "380");
        assertThat(r.status()).as(r.body()).isEqualTo(200);

        JsonNode call = call("zd-lone-2");
        assertAttributedWhenItBegan(call);
        assertThat(Instant.parse(call.get("startedAt").asText())).isBetween(received.minusSeconds(380), received.minusSeconds(378));
    }
}
