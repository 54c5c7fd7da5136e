package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attribution where two readings of time meet, over real HTTP with a clock that moves only when
 * told: a call timed in whole seconds in the second its visit began, and a visitor who comes back
 * to their own number a minute after leaving.
 */
class AttributionAtTheEdgesOverHttpTest {
    /** Half a second into a second, as a visit begins at any instant. */
    static final Instant START = Instant.parse("2026-12-06T10:00:00.512Z");

    @TempDir
    Path dir;

    static Reply post(TestServer server, Map<String, String> site, Map<String, Object> event) {
        String body = new String(Json.write(event), StandardCharsets.UTF_8);
        return server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
    }

    static Map<String, Object> ringing(String callId, String to, Object at) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", "ringing");
        e.put("from", "+79161234567");
        e.put("to", to);
        if (at != null) {
            e.put("at", at);
        }
        return e;
    }

    /**
     * Audit AM1 F10: a PBX's epoch, unix seconds or an ISO time without a fraction names a whole
     * second. Read as that second's first instant, a call posted as soon as its visit began came
     * before the lease, and was "none" about half the time.
     */
    @Test
    void aCallTimedInTheWholeSecondItsVisitBeganIsTheVisits() {
        try (TestServer server = new TestServer(dir, Map.of(), Clock.fixed(START, ZoneOffset.UTC))) {
            Map<String, String> site = server.siteWithPool(List.of("+74953110001", "+74953110002", "+74953110003"));
            Reply visit = server.startSession(site.get("publicKey"), "whole-second", "https://example.com/?utm_source=google&utm_medium=cpc");
            server.clock.advance(Duration.ofMillis(100));

            JsonNode unix = post(server, site, ringing("unix-second", visit.text("number"), START.getEpochSecond())).json();
            JsonNode iso = post(server, site, ringing("iso-second", visit.text("number"), "2026-12-06T10:00:00Z")).json();

            for (JsonNode call : List.of(unix, iso)) {
                assertThat(call.at("/attribution/method").asText()).as(call.toString()).isEqualTo("active");
                assertThat(call.at("/attribution/sessionId").asText()).isEqualTo(visit.text("sessionId"));
            }
        }
    }

    /**
     * A visitor who left (the end beacon) and came back 70 s later from another ad gets their own
     * number again, and a call from then on is the new visit's, with its click. (Audit AM4 F5
     * reported the old visit credited; its call was a hang-up-only event of 70 s, whose start is
     * put 70 s back, when the old visit held the number: that credit is right, calls.md.)
     */
    @Test
    void aVisitorBackAMinuteAfterLeavingIsCreditedToTheNewVisit() {
        try (TestServer server = new TestServer(dir, Map.of(), Clock.fixed(START, ZoneOffset.UTC))) {
            Map<String, String> site = server.siteWithPool(List.of("+74953120001", "+74953120002", "+74953120003"));
            Reply first = server.startSession(site.get("publicKey"), "back-in-a-minute",
                    "https://example.com/?utm_source=google&utm_medium=cpc&gclid=OLD-GCLID");
            assertThat(server.send("POST", "/v1/sessions/" + first.text("sessionId") + "/end", null, "", "text/plain", Map.of()).status())
                    .isLessThan(300);
            server.clock.advance(Duration.ofSeconds(70));
            server.app.sessions().sweep(); // the lease ends, 45 s after the beacon
            Reply second = server.startSession(site.get("publicKey"), "back-in-a-minute",
                    "https://example.com/?utm_source=yandex&utm_medium=cpc&yclid=777000");
            assertThat(second.text("number")).isEqualTo(first.text("number"));
            assertThat(second.text("sessionId")).isNotEqualTo(first.text("sessionId"));
            server.clock.advance(Duration.ofSeconds(1));

            JsonNode call = post(server, site, ringing("back-call", second.text("number"), null)).json();

            assertThat(call.at("/attribution/sessionId").asText()).as(call.toString()).isEqualTo(second.text("sessionId"));
            assertThat(call.at("/attribution/method").asText()).isEqualTo("active");
            assertThat(call.at("/attribution/source").asText()).isEqualTo("yandex");
        }
    }

    /**
     * Audit AM1 F9: in Asterisk's h extension ${EXTEN} is "h", so the hang-up of calls.md's old
     * script named no tracking number, was refused 422, and every call stayed ringing. An event of
     * a stored call is taken by its callId whatever its `to`; a first event still needs the number.
     */
    @Test
    void aHangUpNamingNoTrackingNumberEndsTheCallItsCallIdNames() {
        try (TestServer server = new TestServer(dir, Map.of(), Clock.fixed(START, ZoneOffset.UTC))) {
            Map<String, String> site = server.siteWithPool(List.of("+74953150001", "+74953150002"));
            Reply visit = server.startSession(site.get("publicKey"), "asterisk-h", "https://example.com/?utm_source=google&utm_medium=cpc");
            server.clock.advance(Duration.ofSeconds(5));
            assertThat(post(server, site, ringing("1733480000.42", visit.text("number"), null)).status()).isEqualTo(200);
            server.clock.advance(Duration.ofSeconds(60));

            for (String to : List.of("h", "101", "+74951234567")) {
                Map<String, Object> end = new LinkedHashMap<>(ringing("1733480000.42", to, null));
                end.put("event", "completed");
                end.put("durationSeconds", 60);
                end.put("talkSeconds", 45);
                Reply r = post(server, site, end);
                assertThat(r.status()).as(to + ": " + r.body()).isEqualTo(200);
                assertThat(r.json().path("status").asText()).isEqualTo("completed");
                assertThat(r.json().path("talkSeconds").asInt()).isEqualTo(45);
                assertThat(r.json().path("number").asText()).isEqualTo(visit.text("number"));
            }
            Reply first = post(server, site, ringing("never-seen", "h", null));
            assertThat(first.status()).as(first.body()).isEqualTo(422);
        }
    }
}
