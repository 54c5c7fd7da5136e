package io.ringpool.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Twilio's voice webhook and status callbacks over real HTTP, signed as Twilio signs them: over
 * the configured public URL (RINGPOOL_PUBLIC_URL) + path, not the loopback address we post to.
 */
class TwilioOverHttpTest {
    static final String PUBLIC_URL = "https://ringpool.example.com";
    static final String TOKEN = "twilio-auth-token-for-tests";
    static final String CALLER = "+79161234567";
    /** The current test's tracking number: a number belongs to one site, and each test makes its own site. */
    static String NUMBER = "+74950001001";
    static final java.util.concurrent.atomic.AtomicInteger NEXT_NUMBER = new java.util.concurrent.atomic.AtomicInteger(1001);

    @TempDir
    static Path dir;

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(dir, Map.of("server.publicUrl", PUBLIC_URL));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Map<String, String> site(boolean withToken) {
        NUMBER = "+7495000" + NEXT_NUMBER.incrementAndGet();
        Map<String, String> site = server.siteWithPool(List.of(NUMBER));
        Map<String, Object> patch = new LinkedHashMap<>();
        patch.put("forwardTo", "+74951112233");
        if (withToken) {
            patch.put("twilioAuthToken", TOKEN);
        }
        Reply r = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                new String(io.ringpool.http.Json.write(patch), StandardCharsets.UTF_8), "application/json", Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return site;
    }

    static Reply twilio(String siteId, String endpoint, Map<String, String> params, String signature) {
        String body = params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        Map<String, String> headers = signature == null ? Map.of() : Map.of("X-Twilio-Signature", signature);
        return server.send("POST", "/v1/telephony/twilio/" + siteId + "/" + endpoint, null, body,
                "application/x-www-form-urlencoded", headers);
    }

    static Reply signed(String siteId, String endpoint, Map<String, String> params) {
        String url = PUBLIC_URL + "/v1/telephony/twilio/" + siteId + "/" + endpoint;
        return twilio(siteId, endpoint, params, Signing.twilio(TOKEN, url, params));
    }

    static Map<String, String> voice(String sid) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("AccountSid", "AC0000000000000000000000000000test");
        p.put("CallSid", sid);
        p.put("From", CALLER);
        p.put("To", NUMBER);
        p.put("CallStatus", "ringing");
        p.put("Direction", "inbound");
        return p;
    }

    static JsonNode calls(Map<String, String> site) {
        server.awaitCallsStored(); // Twilio's webhooks are journaled and reach the store just after the answer
        Reply r = server.get("/v1/sites/" + site.get("siteId") + "/calls", site.get("apiKey"));
        assertThat(r.status()).isEqualTo(200);
        return r.json().get("calls");
    }

    @Test
    void aVoiceWebhookWithAValidSignatureGetsTwimlDialingForwardToWithAStatusCallback() {
        var site = site(true);
        Reply r = signed(site.get("siteId"), "voice", voice("CA00000000000000000000000000000001"));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().get("content-type").get(0)).startsWith("text/xml");
        assertThat(r.body()).contains("<Dial").contains(">+74951112233</Number>")
                .contains("statusCallback=\"" + PUBLIC_URL + "/v1/telephony/twilio/" + site.get("siteId") + "/status\"");
        JsonNode log = calls(site);
        assertThat(log).hasSize(1);
        assertThat(log.get(0).get("caller").asText()).isEqualTo(CALLER);
        assertThat(log.get(0).get("number").asText()).isEqualTo(NUMBER);
        assertThat(log.get(0).get("status").asText()).isEqualTo("ringing");
        assertThat(log.get(0).get("providerCallId").asText()).isEqualTo("CA00000000000000000000000000000001");
    }

    /** Audit L #7: these answered 204 for a form naming no call, as if something had been kept. */
    @Test
    void recordingAndTranscriptionCallbacksWithoutCallSidAre422NamingIt() {
        Map<String, String> site = site(true);
        for (String endpoint : List.of("recording", "transcription")) {
            Map<String, String> form = new LinkedHashMap<>();
            form.put("AccountSid", "AC0000000000000000000000000000test");
            form.put("RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE0");
            form.put("TranscriptionText", "hello");
            Reply r = signed(site.get("siteId"), endpoint, form);
            assertThat(r.status()).as(endpoint + " " + r.body()).isEqualTo(422);
            assertThat(r.json().at("/error/field").asText()).isEqualTo("CallSid");
        }
    }

    /**
     * Audit AN3 F4: the webhook diagnostics log (GET …/telephony/events, "the last 50 webhooks per
     * provider") left out Twilio and the generic route, so a failing Twilio signature, the
     * commonest setup error, showed there as nothing; ?provider=twilio was even 422.
     */
    @Test
    void twilioAndGenericRequestsAreInTheWebhookDiagnosticsLog() {
        var site = site(true);
        String siteId = site.get("siteId");
        assertThat(twilio(siteId, "status", voice("CA00000000000000000000000000000d01"), "bm90LXRoZS1zaWduYXR1cmU=").status())
                .isEqualTo(403);
        assertThat(signed(siteId, "voice", voice("CA00000000000000000000000000000d02")).status()).isEqualTo(200);
        String body = "{\"callId\":\"diag-1\",\"event\":\"ringing\",\"to\":\"" + NUMBER + "\"}";
        assertThat(server.send("POST", "/v1/telephony/" + siteId + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", "t=" + server.clock.instant().getEpochSecond() + ",v1=" + "0".repeat(64))).status())
                .isEqualTo(403);

        Reply twilioLog = server.get("/v1/sites/" + siteId + "/telephony/events?provider=twilio", site.get("apiKey"));
        assertThat(twilioLog.status()).as(twilioLog.body()).isEqualTo(200);
        JsonNode entries = twilioLog.json().get("events");
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).get("outcome").asText()).isEqualTo("accepted");
        assertThat(entries.get(0).get("route").asText()).isEqualTo("/v1/telephony/twilio/{siteId}/voice");
        assertThat(entries.get(1).get("outcome").asText()).isEqualTo("refused");
        assertThat(entries.get(1).get("reason").asText()).isEqualTo("invalid_signature");
        assertThat(entries.get(1).get("message").asText()).contains("set RINGPOOL_PUBLIC_URL");

        Reply genericLog = server.get("/v1/sites/" + siteId + "/telephony/events?provider=generic", site.get("apiKey"));
        assertThat(genericLog.status()).as(genericLog.body()).isEqualTo(200);
        assertThat(genericLog.json().get("events").get(0).get("reason").asText()).isEqualTo("invalid_signature");
    }

    @Test
    void aVoiceWebhookWithABadOrMissingSignatureIs403AndStoresNothing() {
        var site = site(true);
        Map<String, String> params = voice("CA00000000000000000000000000000002");
        String wrongUrl = "https://elsewhere.example.com/v1/telephony/twilio/" + site.get("siteId") + "/voice";

        Reply wrongToken = twilio(site.get("siteId"), "voice", params,
                Signing.twilio("another-token", PUBLIC_URL + "/v1/telephony/twilio/" + site.get("siteId") + "/voice", params));
        Reply wrongUrlSigned = twilio(site.get("siteId"), "voice", params, Signing.twilio(TOKEN, wrongUrl, params));
        Reply missing = twilio(site.get("siteId"), "voice", params, null);
        Map<String, String> tamperedParams = new LinkedHashMap<>(params);
        String goodSignature = Signing.twilio(TOKEN, PUBLIC_URL + "/v1/telephony/twilio/" + site.get("siteId") + "/voice", params);
        tamperedParams.put("From", "+79990000000");
        Reply tampered = twilio(site.get("siteId"), "voice", tamperedParams, goodSignature);

        for (Reply r : List.of(wrongToken, wrongUrlSigned, missing, tampered)) {
            assertThat(r.status()).as(r.body()).isEqualTo(403);
            assertThat(r.errorCode()).isEqualTo("invalid_signature");
        }
        assertThat(calls(site)).isEmpty();
    }

    @Test
    void aSiteWithoutATwilioTokenAnswers403WithAClearMessage() {
        var site = site(false);
        Reply r = signed(site.get("siteId"), "voice", voice("CA00000000000000000000000000000003"));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.errorCode()).isEqualTo("twilio_not_configured");
        assertThat(r.json().path("error").path("message").asText()).contains("twilioAuthToken");
        assertThat(calls(site)).isEmpty();
    }

    @Test
    void statusCallbacksSetDurationAndStatusAndRepeatsAreHarmless() {
        var site = site(true);
        String parent = "CA00000000000000000000000000000004";
        assertThat(signed(site.get("siteId"), "voice", voice(parent)).status()).isEqualTo(200);

        Map<String, String> answered = new LinkedHashMap<>();
        answered.put("CallSid", "CA0000000000000000000000000000leg1");
        answered.put("ParentCallSid", parent);
        answered.put("CallStatus", "in-progress");
        answered.put("From", CALLER);
        answered.put("To", "+74951112233");
        Map<String, String> completed = new LinkedHashMap<>(answered);
        completed.put("CallStatus", "completed");
        completed.put("CallDuration", "47");
        completed.put("RecordingUrl", "https://api.twilio.com/recordings/RE1");

        assertThat(signed(site.get("siteId"), "status", answered).status()).isEqualTo(204);
        assertThat(signed(site.get("siteId"), "status", completed).status()).isEqualTo(204);
        assertThat(signed(site.get("siteId"), "status", completed).status()).isEqualTo(204);

        JsonNode log = calls(site);
        assertThat(log).hasSize(1);
        JsonNode call = log.get(0);
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(47);
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(47);
        assertThat(call.get("recordingUrl").asText()).isEqualTo("https://api.twilio.com/recordings/RE1");
        assertThat(call.get("target").asBoolean()).isTrue();
        assertThat(call.get("caller").asText()).isEqualTo(CALLER);
    }

    @Test
    void aStatusCallbackThatOvertakesTheVoiceWebhookWaitsForIt() {
        var site = site(true);
        String parent = "CA00000000000000000000000000000005";
        Map<String, String> noAnswer = new LinkedHashMap<>();
        noAnswer.put("CallSid", "CA0000000000000000000000000000leg2");
        noAnswer.put("ParentCallSid", parent);
        noAnswer.put("CallStatus", "no-answer");
        assertThat(signed(site.get("siteId"), "status", noAnswer).status()).isEqualTo(204);
        assertThat(calls(site)).isEmpty();

        assertThat(signed(site.get("siteId"), "voice", voice(parent)).status()).isEqualTo(200);
        JsonNode log = calls(site);
        assertThat(log).hasSize(1);
        assertThat(log.get(0).get("status").asText()).isEqualTo("missed");
    }

    /**
     * Audit B, F1: Twilio signs the URL configured in its console byte for byte, query included. The
     * query was rebuilt from its decoded values (%20 came back as '+', '~' as %7E, a bare flag as
     * "flag="), so these genuine signatures were refused with 403 and the caller was not put through.
     */
    @Test
    void aWebhookUrlWithAQueryIsVerifiedAsTwilioSentItAndTheCallerIsPutThrough() {
        var site = site(true);
        String path = "/v1/telephony/twilio/" + site.get("siteId") + "/voice";
        int n = 0;
        for (String query : List.of("?x=a%20b", "?flag", "?x=a~b", "?x=a+b&b=2&a=1", "?x=%2B79%2Fb&flag&y=", "?x=%d0%bc")) {
            Map<String, String> params = voice("CA0000000000000000000000000000q" + (n++));
            Reply r = twilioAt(path + query, params, Signing.twilio(TOKEN, PUBLIC_URL + path + query, params));
            assertThat(r.status()).as(query + ": " + r.body()).isEqualTo(200);
            assertThat(r.body()).as(query).contains(">+74951112233</Number>");
        }
        assertThat(calls(site)).hasSize(n);
    }

    @Test
    void aSignatureOverAnotherSpellingOfTheQueryIsRefusedAndTheMessageNamesTheUrlCheckedWithItsQuery() {
        var site = site(true);
        String path = "/v1/telephony/twilio/" + site.get("siteId") + "/voice";
        Map<String, String> params = voice("CA00000000000000000000000000000q9");
        // Signed over the spelling the server used to rebuild, sent as Twilio sends it: not the same URL.
        Reply r = twilioAt(path + "?x=a%20b", params, Signing.twilio(TOKEN, PUBLIC_URL + path + "?x=a+b", params));
        assertThat(r.status()).as(r.body()).isEqualTo(403);
        assertThat(r.errorCode()).isEqualTo("invalid_signature");
        assertThat(r.json().path("error").path("message").asText()).contains("verified against " + PUBLIC_URL + path + "?x=a%20b;");
        assertThat(calls(site)).isEmpty();
    }

    /** A Twilio post to {@code pathAndQuery} exactly as written (the client sends the target unchanged). */
    static Reply twilioAt(String pathAndQuery, Map<String, String> params, String signature) {
        String body = params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return server.send("POST", pathAndQuery, null, body, "application/x-www-form-urlencoded", Map.of("X-Twilio-Signature", signature));
    }

    static Map<String, String> leg(String parent, String status) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("CallSid", "CA" + Integer.toHexString(parent.hashCode()) + "leg");
        p.put("ParentCallSid", parent);
        p.put("CallStatus", status);
        p.put("From", CALLER);
        p.put("To", "+74951112233");
        p.put("Direction", "outbound-dial");
        p.put("CallDuration", "0");
        return p;
    }

    static Map<String, String> parentStatus(String parent, String status, int duration) {
        Map<String, String> p = voice(parent);
        p.put("CallStatus", status);
        p.put("CallDuration", Integer.toString(duration));
        return p;
    }

    /**
     * Audit B, F2: the documented setup (the Dial's status callback and the number's own "Call status changes")
     * on a call the business never picked up. The caller's call is "completed" because Twilio ran our TwiML;
     * the call was stored as completed with no answer and no talk, and left out of every missed-call count.
     */
    @Test
    void aForwardedCallTheBusinessNeverAnsweredIsMissedThoughTwilioCompletesTheCallersCall() {
        var site = site(true);
        String parent = "CA000000000000000000000000000f2001";
        assertThat(signed(site.get("siteId"), "voice", voice(parent)).status()).isEqualTo(200);
        for (String s : List.of("initiated", "ringing", "no-answer")) {
            assertThat(signed(site.get("siteId"), "status", leg(parent, s)).status()).isEqualTo(204);
        }
        assertThat(signed(site.get("siteId"), "status", parentStatus(parent, "completed", 35)).status()).isEqualTo(204);

        JsonNode call = calls(site).get(0);
        assertThat(call.get("status").asText()).isEqualTo("missed");
        assertThat(call.get("answeredAt").isNull()).isTrue();
        assertThat(call.get("talkSeconds").asInt()).isZero();
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(35);
        assertThat(call.get("target").asBoolean()).isFalse();
        Reply missed = server.get("/v1/sites/" + site.get("siteId") + "/calls?status=missed", site.get("apiKey"));
        assertThat(missed.json().get("calls")).hasSize(1);
    }

    @Test
    void theCallersCallCompletingAloneIsAMissedCall() {
        var site = site(true);
        String parent = "CA000000000000000000000000000f2002";
        assertThat(signed(site.get("siteId"), "voice", voice(parent)).status()).isEqualTo(200);
        assertThat(signed(site.get("siteId"), "status", parentStatus(parent, "completed", 12)).status()).isEqualTo(204);
        JsonNode call = calls(site).get(0);
        assertThat(call.get("status").asText()).isEqualTo("missed");
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(12);
    }

    @Test
    void aBusyOrFailedForwardedLegNamesTheEndWhenTheCallersCallCompletes() {
        var site = site(true);
        for (String end : List.of("busy", "failed")) {
            String parent = "CA000000000000000000000000000f2" + end.length() + "03";
            assertThat(signed(site.get("siteId"), "voice", voice(parent)).status()).isEqualTo(200);
            assertThat(signed(site.get("siteId"), "status", parentStatus(parent, "completed", 9)).status()).isEqualTo(204);
            assertThat(signed(site.get("siteId"), "status", leg(parent, end)).status()).isEqualTo(204);
        }
        JsonNode log = calls(site);
        assertThat(log.findValuesAsText("status")).containsExactlyInAnyOrder("busy", "failed");
    }

    @Test
    void aForwardedCallTheBusinessAnsweredIsCompletedWithTheCallersDurationAndTheLegsTalkTime() {
        var site = site(true);
        String parent = "CA000000000000000000000000000f2004";
        assertThat(signed(site.get("siteId"), "voice", voice(parent)).status()).isEqualTo(200);
        // The caller's call may be reported answered before the business is (a recording notice plays first).
        assertThat(signed(site.get("siteId"), "status", parentStatus(parent, "in-progress", 0)).status()).isEqualTo(204);
        assertThat(calls(site).get(0).get("status").asText()).isEqualTo("ringing");
        assertThat(signed(site.get("siteId"), "status", leg(parent, "in-progress")).status()).isEqualTo(204);
        Map<String, String> done = leg(parent, "completed");
        done.put("CallDuration", "47");
        // Any order: the caller's call completing first must not make it missed.
        assertThat(signed(site.get("siteId"), "status", parentStatus(parent, "completed", 60)).status()).isEqualTo(204);
        assertThat(signed(site.get("siteId"), "status", done).status()).isEqualTo(204);

        JsonNode call = calls(site).get(0);
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("answeredAt").isNull()).isFalse();
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(47);
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(60);
        assertThat(call.get("target").asBoolean()).isTrue();
    }

    /** Audit B, F3 through Twilio: the forwarded leg's in-progress stamped after its no-answer changes nothing. */
    @Test
    void aForwardedLegsInProgressTimedAfterItsNoAnswerLeavesTheCallMissed() {
        var site = site(true);
        String parent = "CA000000000000000000000000000f3001";
        assertThat(signed(site.get("siteId"), "voice", voice(parent)).status()).isEqualTo(200);
        Map<String, String> noAnswer = leg(parent, "no-answer");
        noAnswer.put("Timestamp", "Thu, 26 Nov 2026 04:30:00 +0000");
        Map<String, String> late = leg(parent, "in-progress");
        late.put("Timestamp", "Thu, 26 Nov 2026 04:30:05 +0000");
        assertThat(signed(site.get("siteId"), "status", noAnswer).status()).isEqualTo(204);
        assertThat(signed(site.get("siteId"), "status", late).status()).isEqualTo(204);

        JsonNode call = calls(site).get(0);
        assertThat(call.get("status").asText()).isEqualTo("missed");
        assertThat(call.get("answeredAt").isNull()).isTrue();
    }

    /**
     * Audit B, F4: the status callback answered 204 to posts it could not record (no CallSid, CallStatus=weird,
     * CallDuration abc / -4 / 20 digits), telling the sender an event was taken when nothing was kept.
     */
    @Test
    void aStatusCallbackThatIsNoTwilioStatusIs422NamingTheFieldAndStoresNothing() {
        var site = site(true);
        String parent = "CA000000000000000000000000000f4001";
        Map<String, Map<String, String>> cases = new LinkedHashMap<>();
        Map<String, String> noSid = parentStatus(parent, "completed", 30);
        noSid.remove("CallSid");
        cases.put("CallSid", noSid);
        Map<String, String> noStatus = parentStatus(parent, "completed", 30);
        noStatus.remove("CallStatus");
        cases.put("CallStatus (missing)", noStatus);
        cases.put("CallStatus", parentStatus(parent, "weird", 30));
        for (String duration : List.of("abc", "-4", "99999999999999999999", "1.5")) {
            Map<String, String> p = parentStatus(parent, "completed", 0);
            p.put("CallDuration", duration);
            cases.put("CallDuration " + duration, p);
        }
        for (Map.Entry<String, Map<String, String>> c : cases.entrySet()) {
            Reply r = signed(site.get("siteId"), "status", c.getValue());
            String field = c.getKey().split(" ")[0];
            assertThat(r.status()).as(c.getKey() + ": " + r.body()).isEqualTo(422);
            assertThat(r.errorCode()).as(c.getKey()).isEqualTo(c.getKey().equals("CallSid") || c.getKey().contains("missing")
                    ? "missing_field" : "invalid_value");
            assertThat(r.json().path("error").path("field").asText()).as(c.getKey()).isEqualTo(field);
        }
        assertThat(calls(site)).isEmpty();
        // The same callback with its fields right is kept.
        assertThat(signed(site.get("siteId"), "status", parentStatus(parent, "completed", 30)).status()).isEqualTo(204);
        assertThat(calls(site)).hasSize(1);
    }

    /**
     * Audit AB2 #4: {@code server.publicUrl} is what api.md says Twilio signatures are checked
     * against; one over the URL of the request's {@code Host} was accepted too. It is refused when
     * the URL is configured, and still accepted when it is not (the server's own guess,
     * {@code http://localhost:<port>}, is no URL Twilio calls; a transparent proxy's Host is).
     */
    @Test
    void aSignatureOverTheHostsUrlCountsOnlyWhenNoPublicUrlIsConfigured(@TempDir Path ownDir) {
        var site = site(true);
        Map<String, String> params = voice("CA0000000000000000000000000000h1");
        String path = "/v1/telephony/twilio/" + site.get("siteId") + "/voice";
        Reply refused = twilio(site.get("siteId"), "voice", params, Signing.twilio(TOKEN, server.base() + path, params));
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.errorCode()).isEqualTo("invalid_signature");
        assertThat(calls(site)).isEmpty();

        try (TestServer unconfigured = new TestServer(ownDir, Map.of())) {
            Map<String, String> other = unconfigured.siteWithPool(List.of("+74950009991"));
            Reply patch = unconfigured.send("PATCH", "/v1/sites/" + other.get("siteId"), other.get("apiKey"),
                    "{\"forwardTo\":\"+74951112233\",\"twilioAuthToken\":\"" + TOKEN + "\"}", "application/json", Map.of());
            assertThat(patch.status()).as(patch.body()).isEqualTo(200);
            Map<String, String> p = voice("CA0000000000000000000000000000h2");
            p.put("To", "+74950009991");
            String otherPath = "/v1/telephony/twilio/" + other.get("siteId") + "/voice";
            Reply accepted = unconfigured.send("POST", otherPath, null, p.entrySet().stream()
                    .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&")), "application/x-www-form-urlencoded",
                    Map.of("X-Twilio-Signature", Signing.twilio(TOKEN, unconfigured.base() + otherPath, p)));
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
        }
    }
}
