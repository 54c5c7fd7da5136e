package io.ringpool.telephony.telnyx;

import static io.ringpool.telephony.provider.ProviderTestKit.CALLER;
import static io.ringpool.telephony.provider.ProviderTestKit.FORWARD_TO;
import static io.ringpool.telephony.provider.ProviderTestKit.NUMBER;
import static io.ringpool.telephony.provider.ProviderTestKit.params;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.telephony.provider.ProviderSigning;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Telnyx webhooks signed with an Ed25519 key made here, as Telnyx signs them: timestamp + "|" + body. */
class TelnyxOverHttpTest {
    @TempDir
    static Path dir;

    static ProviderTestKit kit;
    static PrivateKey telnyx;
    static PrivateKey stranger;

    @BeforeAll
    static void start() throws Exception {
        kit = new ProviderTestKit(dir);
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        telnyx = pair.getPrivate();
        stranger = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();
        byte[] spki = pair.getPublic().getEncoded();
        byte[] raw = Arrays.copyOfRange(spki, spki.length - 32, spki.length); // X.509 SPKI ends with the raw key
        kit.configure("telnyx", Map.of("publicKey", ProviderSigning.base64(raw)));
    }

    @AfterAll
    static void stop() {
        kit.close();
    }

    static String sign(PrivateKey key, long t, String body) throws Exception {
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key);
        s.update((t + "|" + body).getBytes(StandardCharsets.UTF_8));
        return ProviderSigning.base64(s.sign());
    }

    static long now() {
        return kit.server.clock.instant().getEpochSecond();
    }

    static Reply postJson(String body, PrivateKey key, long t) throws Exception {
        return kit.postJson("/v1/telephony/telnyx/" + kit.siteId, body,
                Map.of("telnyx-signature-ed25519", sign(key, t, body), "telnyx-timestamp", Long.toString(t)));
    }

    static String event(String type, String session, String extraPayload, Instant at) {
        return "{\"data\":{\"event_type\":\"" + type + "\",\"id\":\"" + java.util.UUID.randomUUID() + "\",\"occurred_at\":\"" + at
                + "\",\"payload\":{\"call_control_id\":\"v3:abc\",\"call_leg_id\":\"leg-1\",\"call_session_id\":\"" + session
                + "\",\"direction\":\"incoming\",\"from\":\"" + CALLER + "\",\"to\":\"" + NUMBER + "\"" + extraPayload
                + "}},\"meta\":{\"attempt\":1}}";
    }

    @Test
    void aFullCallControlCallInAnyOrderIsOneCallWithDurationsAndRecording() throws Exception {
        Instant t0 = kit.server.clock.instant();
        String session = "428c31b6-7af4-4bcb-b7f5-5013ef9657c1";
        assertThat(postJson(event("call.hangup", session, ",\"hangup_cause\":\"normal_clearing\"", t0.plusSeconds(95)), telnyx, now())
                .status()).isEqualTo(200);
        assertThat(postJson(event("call.initiated", session, ",\"state\":\"parked\"", t0), telnyx, now()).status()).isEqualTo(200);
        assertThat(postJson(event("call.answered", session, "", t0.plusSeconds(20)), telnyx, now()).status()).isEqualTo(200);
        assertThat(postJson(event("call.recording.saved", session,
                ",\"recording_urls\":{\"mp3\":\"https://s3.telnyx.example/rec.mp3\"}", t0.plusSeconds(96)), telnyx, now()).status())
                .isEqualTo(200);
        // A retry signed anew is harmless.
        assertThat(postJson(event("call.answered", session, "", t0.plusSeconds(20)), telnyx, now() + 1).status()).isEqualTo(200);

        JsonNode call = kit.call(session);
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("caller").asText()).isEqualTo(CALLER);
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(95);
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(75);
        assertThat(call.get("recordingUrl").asText()).isEqualTo("https://s3.telnyx.example/rec.mp3");
        assertThat(call.get("attribution").get("method").asText()).isEqualTo("active");
    }

    /**
     * Audit W #1: Telnyx sends {@code direction} with {@code call.initiated} only. The leg the
     * business answers (from the tracking number to the business) was refused 422 unknown_number
     * on its answered and hangup, so the answer was never seen.
     */
    @Test
    void theBusinessLegsAnswerAndHangupWithoutADirectionAreTheCallsNotRefused() throws Exception {
        Instant t0 = kit.server.clock.instant();
        String session = "5d1e0a52-bridged-leg-0001";
        assertThat(postJson(event("call.initiated", session, ",\"state\":\"parked\"", t0), telnyx, now()).status()).isEqualTo(200);
        String business = "+74950000000";
        String answered = "{\"data\":{\"event_type\":\"call.answered\",\"id\":\"" + java.util.UUID.randomUUID() + "\",\"occurred_at\":\""
                + t0.plusSeconds(12) + "\",\"payload\":{\"call_control_id\":\"v3:leg2\",\"call_leg_id\":\"leg-2\",\"call_session_id\":\""
                + session + "\",\"from\":\"" + NUMBER + "\",\"to\":\"" + business + "\",\"state\":\"answered\"}}}";
        Reply a = postJson(answered, telnyx, now());
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        String hangup = "{\"data\":{\"event_type\":\"call.hangup\",\"id\":\"" + java.util.UUID.randomUUID() + "\",\"occurred_at\":\""
                + t0.plusSeconds(70) + "\",\"payload\":{\"call_control_id\":\"v3:leg2\",\"call_leg_id\":\"leg-2\",\"call_session_id\":\""
                + session + "\",\"from\":\"" + NUMBER + "\",\"to\":\"" + business + "\",\"hangup_cause\":\"normal_clearing\","
                + "\"hangup_source\":\"callee\",\"state\":\"hangup\"}}}";
        Reply h = postJson(hangup, telnyx, now());
        assertThat(h.status()).as(h.body()).isEqualTo(200);

        JsonNode call = kit.call(session);
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("caller").asText()).isEqualTo(CALLER);
        assertThat(call.get("number").asText()).isEqualTo(NUMBER);
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(58);
    }

    /**
     * Audit AE2 #2: Telnyx times carry microseconds and the store keeps milliseconds. The answer
     * arriving after the hangup was folded, to the microsecond, against the hangup as stored: a
     * 30 s talk came out 29 s (and not a target call) in that order only.
     */
    @Test
    void microsecondTimesGiveTheSameDurationsInEveryOrderOfArrival() throws Exception {
        Instant t0 = kit.server.clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusNanos(130_013_000);
        String[][] orders = {{"init", "answered", "hangup"}, {"init", "hangup", "answered"}, {"hangup", "answered", "init"}};
        for (String[] order : orders) {
            String session = "microseconds-" + String.join("-", order);
            for (String step : order) {
                String body = switch (step) {
                    case "init" -> event("call.initiated", session, ",\"state\":\"parked\"", t0);
                    case "answered" -> event("call.answered", session, "", t0.plusSeconds(5));
                    default -> event("call.hangup", session, ",\"hangup_cause\":\"normal_clearing\"", t0.plusSeconds(35));
                };
                assertThat(postJson(body, telnyx, now()).status()).isEqualTo(200);
            }
            JsonNode call = kit.call(session);
            assertThat(call.get("durationSeconds").asInt()).as(session).isEqualTo(35);
            assertThat(call.get("talkSeconds").asInt()).as(session).isEqualTo(30);
            assertThat(call.get("target").asBoolean()).as(session + ": 30 s is the default target").isTrue();
        }
    }

    @Test
    void anotherKeyAStaleTimestampAReplayAndAChangedBodyAreRefused() throws Exception {
        String body = event("call.initiated", "refused-session", "", kit.server.clock.instant());
        assertThat(postJson(body, stranger, now()).status()).isEqualTo(403);
        Reply stale = postJson(body, telnyx, now() - 301);
        assertThat(stale.status()).isEqualTo(403);
        assertThat(stale.errorCode()).isEqualTo("stale_signature");
        long t = now();
        String sig = sign(telnyx, t, body);
        Reply tampered = kit.postJson("/v1/telephony/telnyx/" + kit.siteId, body.replace(CALLER, "+79990000000"),
                Map.of("telnyx-signature-ed25519", sig, "telnyx-timestamp", Long.toString(t)));
        assertThat(tampered.status()).isEqualTo(403);
        assertThat(kit.calls().findValuesAsText("providerCallId")).doesNotContain("refused-session");

        String other = event("call.initiated", "replayed-session", "", kit.server.clock.instant());
        Map<String, String> headers = Map.of("telnyx-signature-ed25519", sign(telnyx, t, other), "telnyx-timestamp", Long.toString(t));
        assertThat(kit.postJson("/v1/telephony/telnyx/" + kit.siteId, other, headers).status()).isEqualTo(200);
        Reply replay = kit.postJson("/v1/telephony/telnyx/" + kit.siteId, other, headers);
        assertThat(replay.status()).isEqualTo(403);
        assertThat(replay.errorCode()).isEqualTo("replayed_signature");
        assertThat(kit.diagnostics("telnyx").findValuesAsText("reason")).contains("mismatch", "stale", "replayed");
    }

    @Test
    void aTexmlCallIsForwardedAndItsDialOutcomeEndsIt() throws Exception {
        String form = ProviderTestKit.form(params("AccountSid", "acc", "CallSid", "v3:texml-1", "From", CALLER, "To", NUMBER,
                "CallStatus", "ringing", "Direction", "inbound"));
        long t = now();
        Reply voice = kit.server.send("POST", "/v1/telephony/telnyx/" + kit.siteId, null, form, "application/x-www-form-urlencoded",
                Map.of("telnyx-signature-ed25519", sign(telnyx, t, form), "telnyx-timestamp", Long.toString(t)));
        assertThat(voice.status()).isEqualTo(200);
        assertThat(voice.body()).contains("<Dial action=\"" + ProviderTestKit.PUBLIC_URL + "/v1/telephony/telnyx/" + kit.siteId + "\"")
                .contains("<Number>" + FORWARD_TO + "</Number>");
        String action = ProviderTestKit.form(params("CallSid", "v3:texml-1", "DialCallStatus", "completed", "DialCallDuration", "42"));
        Reply done = kit.server.send("POST", "/v1/telephony/telnyx/" + kit.siteId, null, action, "application/x-www-form-urlencoded",
                Map.of("telnyx-signature-ed25519", sign(telnyx, t, action), "telnyx-timestamp", Long.toString(t)));
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.body()).contains("<Hangup/>");
        JsonNode call = kit.call("v3:texml-1");
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(42);
    }

    @Test
    void aRecordingSitesTexmlPlaysTheNoticeRecordsTheDialAndTheRecordingCallbackJoinsTheCall() throws Exception {
        assertThat(kit.patch(Map.of("recordCalls", true, "recordingNotice", "https://cdn.example.com/notice.mp3?a=1&b=2")).status())
                .isEqualTo(200);
        try {
            long t = now();
            String form = ProviderTestKit.form(params("AccountSid", "acc", "CallSid", "v3:texml-rec", "From", CALLER, "To", NUMBER,
                    "CallStatus", "ringing", "Direction", "inbound"));
            Reply voice = kit.server.send("POST", "/v1/telephony/telnyx/" + kit.siteId, null, form, "application/x-www-form-urlencoded",
                    Map.of("telnyx-signature-ed25519", sign(telnyx, t, form), "telnyx-timestamp", Long.toString(t)));
            String url = ProviderTestKit.PUBLIC_URL + "/v1/telephony/telnyx/" + kit.siteId;
            assertThat(voice.body()).contains("<Response><Play>https://cdn.example.com/notice.mp3?a=1&amp;b=2</Play><Dial action=\"" + url
                    + "\" method=\"POST\" timeout=\"30\" record=\"record-from-answer-dual\" recordingStatusCallback=\"" + url
                    + "\" recordingStatusCallbackMethod=\"POST\" recordingStatusCallbackEvent=\"completed\"><Number>");
            String callback = ProviderTestKit.form(params("AccountSid", "acc", "CallSid", "v3:texml-rec", "RecordingStatus", "completed",
                    "RecordingUrl", "https://telnyx-recordings.s3.amazonaws.com/rec-9.mp3", "RecordingSid", "rec-9"));
            Reply done = kit.server.send("POST", "/v1/telephony/telnyx/" + kit.siteId, null, callback, "application/x-www-form-urlencoded",
                    Map.of("telnyx-signature-ed25519", sign(telnyx, t, callback), "telnyx-timestamp", Long.toString(t)));
            assertThat(done.status()).isEqualTo(200);
            assertThat(done.body()).doesNotContain("<Dial");
            JsonNode call = kit.call("v3:texml-rec");
            assertThat(call.get("recordingUrl").asText()).isEqualTo("https://telnyx-recordings.s3.amazonaws.com/rec-9.mp3");
            assertThat(call.get("recordingStatus").asText()).isEqualTo("queued");
        } finally {
            kit.patch(Map.of("recordCalls", false));
        }
    }
}
