package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Audit s37 #2 and #4: a static number could never be read alone, edited or retired, so a typo in
 * its source stayed forever and the number could never move; and a number a site gave up went on
 * being recorded in that site's calls after another site took it.
 */
class StaticNumberLifecycleOverHttpTest {
    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String path(Map<String, String> site, String number, boolean encodePlus) {
        return "/v1/sites/" + site.get("siteId") + "/static-numbers/" + (encodePlus ? "%2B" + number.substring(1) : number);
    }

    static Reply addStatic(Map<String, String> site, Map<String, Object> body) {
        return server.post("/v1/sites/" + site.get("siteId") + "/static-numbers", site.get("apiKey"), body);
    }

    static Reply patch(Map<String, String> site, String number, String json) {
        return server.send("PATCH", path(site, number, true), site.get("apiKey"), json, "application/json", Map.of());
    }

    static Reply delete(Map<String, String> site, String number) {
        return server.send("DELETE", path(site, number, true), site.get("apiKey"), null, null, Map.of());
    }

    /** A signed generic event; {@code at} null leaves the time to the server. */
    static Reply event(Map<String, String> site, String callId, String kind, String to, Instant at) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", kind);
        e.put("from", "+79161237001");
        e.put("to", to);
        if (at != null) {
            e.put("at", at.toString());
        }
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        return server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
    }

    static JsonNode attribution(Reply call) {
        assertThat(call.status()).as(call.body()).isEqualTo(200);
        return call.json().get("attribution");
    }

    static JsonNode loggedCall(Map<String, String> site, String providerCallId) {
        for (JsonNode c : server.get("/v1/sites/" + site.get("siteId") + "/calls", site.get("apiKey")).json().get("calls")) {
            if (c.get("providerCallId").asText().equals(providerCallId)) {
                return c;
            }
        }
        return null;
    }

    static void assertError(Reply r, int status, String code, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.errorCode()).as(r.body()).isEqualTo(code);
        if (field != null) {
            assertThat(r.json().path("error").path("field").asText()).as(r.body()).isEqualTo(field);
        }
    }

    @Test
    void aStaticNumberIsReadAloneAndEditedFieldByFieldWithTheFieldNamedWhenWrong() {
        String number = "+74957731001";
        Map<String, String> site = server.siteWithPool(List.of());
        assertThat(addStatic(site, Map.of("number", number, "source", "billbaord", "medium", "offline", "campaign", "spring",
                "label", "Tverskaya")).status()).isEqualTo(201);

        for (boolean encoded : List.of(true, false)) {
            Reply one = server.get(path(site, number, encoded), site.get("apiKey"));
            assertThat(one.status()).as(one.body()).isEqualTo(200);
            assertThat(one.text("number")).isEqualTo(number);
            assertThat(one.text("source")).isEqualTo("billbaord");
        }

        Reply fixed = patch(site, number, "{\"source\":\"billboard\",\"campaign\":null}");
        assertThat(fixed.status()).as(fixed.body()).isEqualTo(200);
        assertThat(fixed.text("source")).isEqualTo("billboard");
        assertThat(fixed.json().get("campaign").isNull()).as("null removes it").isTrue();
        assertThat(fixed.text("medium")).as("a field left out stays").isEqualTo("offline");
        assertThat(fixed.text("label")).isEqualTo("Tverskaya");
        JsonNode listed = server.get("/v1/sites/" + site.get("siteId") + "/static-numbers", site.get("apiKey")).json().get("staticNumbers");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("source").asText()).isEqualTo("billboard");
        assertThat(listed.get(0).get("campaign").isNull()).isTrue();

        assertError(patch(site, number, "{\"sourse\":\"x\"}"), 400, "unknown_field", "sourse");
        assertError(patch(site, number, "{\"source\":null}"), 422, "invalid_value", "source");
        assertError(patch(site, number, "{\"source\":\"  \"}"), 422, "missing_field", "source");
        assertError(patch(site, number, "{\"medium\":42}"), 422, "invalid_value", "medium");
        assertError(patch(site, number, "{\"label\":\"" + "x".repeat(201) + "\"}"), 422, "invalid_value", "label");
        assertThat(server.get(path(site, number, true), site.get("apiKey")).text("source")).as("nothing of a refused change kept")
                .isEqualTo("billboard");

        assertError(server.get(path(site, "+74957731099", true), site.get("apiKey")), 404, "not_found", null);
        assertError(patch(site, "+74957731099", "{\"source\":\"x\"}"), 404, "not_found", null);
        assertError(delete(site, "+74957731099"), 404, "not_found", null);
        assertError(server.get(path(site, "not-a-number", false), site.get("apiKey")), 422, "invalid_value", "number");
    }

    @Test
    void callsKeepTheSourceTheyGotAndCallsAfterAChangeGetTheNewOne() {
        String number = "+74957732001";
        Map<String, String> site = server.siteWithPool(List.of());
        assertThat(addStatic(site, Map.of("number", number, "source", "billbaord", "medium", "offline")).status()).isEqualTo(201);
        assertThat(attribution(event(site, "before-edit", "ringing", number, null)).get("source").asText()).isEqualTo("billbaord");

        assertThat(patch(site, number, "{\"source\":\"billboard\",\"medium\":\"cpc\"}").status()).isEqualTo(200);
        JsonNode after = attribution(event(site, "after-edit", "ringing", number, null));
        assertThat(after.get("method").asText()).isEqualTo("static");
        assertThat(after.get("source").asText()).isEqualTo("billboard");
        assertThat(after.get("channel").asText()).as("the channel follows the new medium").isEqualTo("paid");

        JsonNode before = loggedCall(site, "before-edit").get("attribution");
        assertThat(before.get("source").asText()).as("a stored call keeps its attribution").isEqualTo("billbaord");
        assertThat(before.get("medium").asText()).isEqualTo("offline");
        // A later event of that call does not re-decide it either.
        assertThat(attribution(event(site, "before-edit", "completed", number, null)).get("source").asText()).isEqualTo("billbaord");
    }

    /**
     * Audit AM1 F5: a call posted late (a provider's retry, a PBX that queued its events), dated
     * before a PATCH of the number's source, was credited to the source the number had at receipt.
     * It gets the one in force at its own time, after a restart too; a call dated while the number
     * was retired, before the site added it back, is no static number's.
     */
    @Test
    void aCallPostedLateIsCreditedToTheSourceTheNumberHadWhenTheCallBegan(@TempDir Path own) {
        String number = "+74957739001";
        Map<String, String> site;
        Instant whileBillboard;
        Instant whileRetired;
        try (TestServer first = new TestServer(own)) {
            site = first.siteWithPool(List.of());
            assertThat(first.post("/v1/sites/" + site.get("siteId") + "/static-numbers", site.get("apiKey"),
                    Map.of("number", number, "source", "billboard", "medium", "offline", "campaign", "c1")).status()).isEqualTo(201);
            whileBillboard = first.clock.instant().plusSeconds(5);
            first.clock.advance(Duration.ofSeconds(10));
            Reply moved = first.send("PATCH", "/v1/sites/" + site.get("siteId") + "/static-numbers/%2B" + number.substring(1),
                    site.get("apiKey"), "{\"source\":\"radio\",\"campaign\":\"c2\"}", "application/json", Map.of());
            assertThat(moved.status()).as(moved.body()).isEqualTo(200);
            first.clock.advance(Duration.ofSeconds(10));

            JsonNode now = attribution(signedEvent(first, site, "after-patch", number, null));
            assertThat(now.get("source").asText()).isEqualTo("radio");
            assertThat(now.get("campaign").asText()).isEqualTo("c2");
            JsonNode late = attribution(signedEvent(first, site, "late", number, whileBillboard));
            assertThat(late.get("method").asText()).isEqualTo("static");
            assertThat(late.get("source").asText()).as("the source the number had when the call began").isEqualTo("billboard");
            assertThat(late.get("campaign").asText()).isEqualTo("c1");
            assertThat(late.get("medium").asText()).isEqualTo("offline");

            assertThat(first.send("DELETE", "/v1/sites/" + site.get("siteId") + "/static-numbers/%2B" + number.substring(1),
                    site.get("apiKey"), null, null, Map.of()).status()).isEqualTo(204);
            whileRetired = first.clock.instant().plusSeconds(5);
            first.clock.advance(Duration.ofSeconds(10));
            assertThat(first.post("/v1/sites/" + site.get("siteId") + "/static-numbers", site.get("apiKey"),
                    Map.of("number", number, "source", "metro")).status()).isEqualTo(201);
            first.clock.advance(Duration.ofSeconds(10));
            assertThat(attribution(signedEvent(first, site, "while-retired", number, whileRetired)).get("method").asText())
                    .as("dated while the number stood for no source").isEqualTo("none");
        }
        try (TestServer again = new TestServer(own)) {
            again.clock.advance(Duration.ofMinutes(2)); // past the first server's advanced clock
            assertThat(attribution(signedEvent(again, site, "late-after-restart", number, whileBillboard)).get("source").asText())
                    .isEqualTo("billboard");
            assertThat(attribution(signedEvent(again, site, "now-after-restart", number, null)).get("source").asText()).isEqualTo("metro");
        }
    }

    static Reply signedEvent(TestServer on, Map<String, String> site, String callId, String to, Instant at) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", "ringing");
        e.put("from", "+79161237004");
        e.put("to", to);
        if (at != null) {
            e.put("at", at.toString());
        }
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        return on.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), on.clock.instant().getEpochSecond(), body)));
    }

    @Test
    void aRetiredStaticNumberAttributesNoMoreCallsKeepsItsHistoryAndIsFreeForAnotherSite() {
        String number = "+74957733001";
        Map<String, String> a = server.siteWithPool(List.of());
        Map<String, String> b = server.siteWithPool(List.of());
        assertThat(addStatic(a, Map.of("number", number, "source", "billboard")).status()).isEqualTo(201);
        Instant beforeRetirement = server.clock.instant();
        assertThat(attribution(event(a, "while-static", "ringing", number, null)).get("method").asText()).isEqualTo("static");

        server.clock.advance(Duration.ofSeconds(5));
        Reply retired = delete(a, number);
        assertThat(retired.status()).as(retired.body()).isEqualTo(204);
        assertThat(server.get(path(a, number, true), a.get("apiKey")).status()).isEqualTo(404);
        assertThat(server.get("/v1/sites/" + a.get("siteId") + "/static-numbers", a.get("apiKey")).json().get("staticNumbers")).isEmpty();
        assertError(delete(a, number), 404, "not_found", null);
        assertError(patch(a, number, "{\"source\":\"x\"}"), 404, "not_found", null);

        // No other site has it yet: a call is still the site's, as for a retired pool number, but no longer the billboard's.
        JsonNode afterRetirement = attribution(event(a, "after-retirement", "ringing", number, null));
        assertThat(afterRetirement.get("method").asText()).isEqualTo("none");
        assertThat(afterRetirement.get("source").isNull()).isTrue();
        // A call that began while the number stood for the billboard, delivered late, is the billboard's.
        assertThat(attribution(event(a, "late-delivery", "ringing", number, beforeRetirement)).get("source").asText())
                .isEqualTo("billboard");
        assertThat(loggedCall(a, "while-static").get("attribution").get("source").asText()).as("history kept").isEqualTo("billboard");

        // The site gave its claim up: another site may take the number; then it cannot come back here.
        Reply taken = addStatic(b, Map.of("number", number, "source", "flyer"));
        assertThat(taken.status()).as(taken.body()).isEqualTo(201);
        Reply back = addStatic(a, Map.of("number", number, "source", "billboard"));
        assertError(back, 409, "number_in_use", "number");
        assertThat(back.json().path("error").path("message").asText()).contains("another site");
        // The calls that began before the retirement go on (retries, late deliveries); one that begins now is B's, not A's.
        assertThat(event(a, "while-static", "completed", number, null).status()).isEqualTo(200);
        assertThat(event(a, "late-delivery-2", "ringing", number, beforeRetirement).status()).isEqualTo(200);
        assertError(event(a, "after-move", "ringing", number, null), 422, "unknown_number", "to");
        assertThat(loggedCall(a, "after-move")).isNull();
        assertThat(attribution(event(b, "b-call", "ringing", number, null)).get("source").asText()).isEqualTo("flyer");
    }

    @Test
    void aRetiredStaticNumberComesBackAsTheSitesStaticNumberOrGoesIntoOneOfItsPools() {
        String comesBack = "+74957734001";
        String intoPool = "+74957734002";
        Map<String, String> site = server.siteWithPool(List.of("+74957734009"));
        assertThat(addStatic(site, Map.of("number", comesBack, "source", "billboard")).status()).isEqualTo(201);
        assertThat(addStatic(site, Map.of("number", intoPool, "source", "radio")).status()).isEqualTo(201);
        assertThat(delete(site, comesBack).status()).isEqualTo(204);
        assertThat(delete(site, intoPool).status()).isEqualTo(204);

        Reply back = addStatic(site, Map.of("number", comesBack, "source", "metro"));
        assertThat(back.status()).as(back.body()).isEqualTo(201);
        assertThat(server.get(path(site, comesBack, false), site.get("apiKey")).text("source")).isEqualTo("metro");
        assertThat(attribution(event(site, "came-back", "ringing", comesBack, null)).get("source").asText()).isEqualTo("metro");

        Reply pooled = server.post("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId") + "/numbers", site.get("apiKey"),
                Map.of("numbers", List.of(intoPool)));
        assertThat(pooled.status()).as(pooled.body()).isEqualTo(201);
        Reply visit = server.startSession(site.get("publicKey"), "pooled-static-" + System.nanoTime(), "https://example.com/");
        assertThat(visit.status()).as(visit.body()).isEqualTo(201);
        assertThat(List.of("+74957734009", intoPool)).contains(visit.text("number"));
    }

    /** Audit s37 #4: after a number moved from A's pool to B's static numbers, A still recorded calls to it. */
    @Test
    void aNumberRetiredFromAPoolAndTakenByAnotherSiteTakesNoNewCallsButTheOnesThatBeganBefore() {
        String number = "+74957735001";
        Map<String, String> a = server.siteWithPool(List.of(number, "+74957735002"));
        Map<String, String> b = server.siteWithPool(List.of());
        Instant whileHeld = server.clock.instant();
        assertThat(event(a, "began-while-held", "ringing", number, whileHeld).status()).isEqualTo(200);
        server.clock.advance(Duration.ofSeconds(5));
        assertThat(server.send("DELETE", "/v1/sites/" + a.get("siteId") + "/pools/" + a.get("poolId") + "/numbers/%2B" + number.substring(1),
                a.get("apiKey"), null, null, Map.of()).status()).isEqualTo(204);
        // Retired, not yet anyone else's: the site's calls go on as before.
        assertThat(event(a, "retired-not-taken", "ringing", number, null).status()).isEqualTo(200);

        assertThat(addStatic(b, Map.of("number", number, "source", "billboard")).status()).isEqualTo(201);
        Reply refused = event(a, "after-move", "ringing", number, null);
        assertError(refused, 422, "unknown_number", "to");
        assertThat(refused.json().path("error").path("message").asText()).contains("another site");
        assertThat(loggedCall(a, "after-move")).isNull();
        // Events of calls that began while A held the number are still A's: a retry, and a first delivery dated then.
        assertThat(event(a, "began-while-held", "completed", number, null).status()).isEqualTo(200);
        assertThat(event(a, "retired-not-taken", "answered", number, null).status()).isEqualTo(200);
        assertThat(event(a, "late-first-event", "ringing", number, whileHeld).status()).isEqualTo(200);
        assertThat(loggedCall(a, "late-first-event")).isNotNull();
        assertThat(attribution(event(b, "b-call", "ringing", number, null)).get("source").asText()).isEqualTo("billboard");
    }

    /**
     * Twilio's webhooks are journaled after a check in memory, so the same rule is applied there: a
     * status callback of a call that began before the retirement (its end less its duration) is
     * kept, a call that begins after the move is not (the caller is still put through).
     */
    @Test
    void twilioWebhooksFollowTheSameRuleBeforeTheyAreJournaled(@TempDir Path own) {
        String publicUrl = "https://calls.example.com";
        String token = "twilio-token-for-moved-numbers";
        try (TestServer twilio = new TestServer(own, Map.of("server.publicUrl", publicUrl))) {
            String number = "+74957737001";
            Map<String, String> a = twilio.siteWithPool(List.of(number, "+74957737002"));
            Map<String, String> b = twilio.siteWithPool(List.of());
            assertThat(twilio.send("PATCH", "/v1/sites/" + a.get("siteId"), a.get("apiKey"), "{\"twilioAuthToken\":\"" + token + "\"}",
                    "application/json", Map.of()).status()).isEqualTo(200);
            Map<String, String> began = twilioCall("CA00000000000000000000000000007001", "ringing", number, twilio.clock.instant(), null);
            assertThat(twilio.twilioForm(publicUrl, token, a.get("siteId"), "voice", began).status()).isEqualTo(200);
            twilio.clock.advance(Duration.ofSeconds(30));
            assertThat(twilio.send("DELETE", "/v1/sites/" + a.get("siteId") + "/pools/" + a.get("poolId") + "/numbers/" + number,
                    a.get("apiKey"), null, null, Map.of()).status()).isEqualTo(204);
            assertThat(twilio.post("/v1/sites/" + b.get("siteId") + "/static-numbers", b.get("apiKey"),
                    Map.of("number", number, "source", "billboard")).status()).isEqualTo(201);
            twilio.clock.advance(Duration.ofSeconds(30));

            Map<String, String> ended = twilioCall("CA00000000000000000000000000007001", "completed", number, twilio.clock.instant(), "60");
            Reply kept = twilio.twilioForm(publicUrl, token, a.get("siteId"), "status", ended);
            assertThat(kept.status()).as(kept.body()).isEqualTo(204);
            Map<String, String> after = twilioCall("CA00000000000000000000000000007002", "ringing", number, twilio.clock.instant(), null);
            Reply voice = twilio.twilioForm(publicUrl, token, a.get("siteId"), "voice", after);
            assertThat(voice.status()).as("the caller is put through all the same").isEqualTo(200);
            Reply status = twilio.twilioForm(publicUrl, token, a.get("siteId"), "status", after);
            assertThat(status.status()).as(status.body()).isEqualTo(422);
            assertThat(status.errorCode()).isEqualTo("unknown_number");
            assertThat(status.json().path("error").path("field").asText()).isEqualTo("To");
            twilio.awaitCallsStored();

            JsonNode calls = twilio.get("/v1/sites/" + a.get("siteId") + "/calls", a.get("apiKey")).json().get("calls");
            assertThat(calls).hasSize(1);
            assertThat(calls.get(0).get("providerCallId").asText()).isEqualTo("CA00000000000000000000000000007001");
            assertThat(calls.get(0).get("status").asText()).as("its end was kept").isNotEqualTo("ringing");
        }
    }

    static Map<String, String> twilioCall(String sid, String status, String to, Instant at, String duration) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("CallSid", sid);
        form.put("CallStatus", status);
        form.put("From", "+79161237002");
        form.put("To", to);
        form.put("Timestamp", DateTimeFormatter.RFC_1123_DATE_TIME.format(at.atOffset(ZoneOffset.UTC)));
        if (duration != null) {
            form.put("CallDuration", duration);
        }
        return form;
    }

    /** Retired static numbers stay retired across a restart, with their retirement time; one in use stays in use. */
    @Test
    void aRestartKeepsWhatIsInUseAndWhatWasRetired(@TempDir Path own) {
        String inUse = "+74957738001";
        String retired = "+74957738002";
        Map<String, String> site;
        Instant beforeRetirement;
        try (TestServer first = new TestServer(own)) {
            site = first.siteWithPool(List.of());
            for (String n : List.of(inUse, retired)) {
                assertThat(first.post("/v1/sites/" + site.get("siteId") + "/static-numbers", site.get("apiKey"),
                        Map.of("number", n, "source", "billboard")).status()).isEqualTo(201);
            }
            beforeRetirement = first.clock.instant();
            first.clock.advance(Duration.ofSeconds(5));
            assertThat(first.send("DELETE", "/v1/sites/" + site.get("siteId") + "/static-numbers/" + retired, site.get("apiKey"),
                    null, null, Map.of()).status()).isEqualTo(204);
        }
        try (TestServer again = new TestServer(own)) {
            JsonNode listed = again.get("/v1/sites/" + site.get("siteId") + "/static-numbers", site.get("apiKey")).json().get("staticNumbers");
            assertThat(listed).extracting(n -> n.get("number").asText()).containsExactly(inUse);
            assertThat(again.get("/v1/sites/" + site.get("siteId") + "/static-numbers/" + retired, site.get("apiKey")).status()).isEqualTo(404);
            Map<String, String> signedBy = site;
            String late = new String(Json.write(Map.of("callId", "late", "event", "ringing", "from", "+79161237003", "to", retired,
                    "at", beforeRetirement.toString())), StandardCharsets.UTF_8);
            Reply r = again.send("POST", "/v1/telephony/" + signedBy.get("siteId") + "/events", null, late, "application/json",
                    Map.of("X-Ringpool-Signature", Signing.ringpool(signedBy.get("webhookSecret"), again.clock.instant().getEpochSecond(), late)));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().get("attribution").get("method").asText()).as("it began before the retirement").isEqualTo("static");
            Reply back = again.post("/v1/sites/" + site.get("siteId") + "/static-numbers", site.get("apiKey"),
                    Map.of("number", retired, "source", "radio"));
            assertThat(back.status()).as(back.body()).isEqualTo(201);
        }
    }
}
