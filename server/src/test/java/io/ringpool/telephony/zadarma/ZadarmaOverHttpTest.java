package io.ringpool.telephony.zadarma;

import static io.ringpool.telephony.provider.ProviderTestKit.CALLER;
import static io.ringpool.telephony.provider.ProviderTestKit.NUMBER;
import static io.ringpool.telephony.provider.ProviderTestKit.params;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.telephony.provider.ProviderSigning;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Zadarma notifications signed as Zadarma's PHP SDK signs them: base64_encode(hash_hmac('sha1', data, secret)). */
class ZadarmaOverHttpTest {
    static final String SECRET = "zadarma-api-secret-0001";

    @RegisterExtension
    static final ProviderTestKit kit = ProviderTestKit.serving("zadarma", Map.of("secret", SECRET));

    /** PHP's hash_hmac returns lower-case hex; Zadarma base64-encodes that text. */
    static String phpSignature(String data, String secret) {
        String hex = ProviderSigning.hex(ProviderSigning.hmac("HmacSHA1", secret, data));
        return ProviderSigning.base64(hex.getBytes(StandardCharsets.US_ASCII));
    }

    static Reply post(Map<String, String> form, String signedData, String secret) {
        return kit.postForm("/v1/telephony/zadarma/" + kit.siteId, form, Map.of("Signature", phpSignature(signedData, secret)));
    }

    static final String START = "2026-11-30 12:00:00";
    static final String CALLER_RAW = CALLER.substring(1);
    static final String DID = NUMBER.substring(1);

    @Test
    void theUrlCheckEchoesZdEcho() {
        Reply r = kit.server.get("/v1/telephony/zadarma/" + kit.siteId + "?zd_echo=a1b2c3d4", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("a1b2c3d4");
    }

    @Test
    void aFullCallInAnyOrderIsOneCallWithTalkTimeAndRecording() {
        String id = "1732951200.123456";
        Map<String, String> end = params("event", "NOTIFY_END", "call_start", START, "pbx_call_id", id, "caller_id", CALLER_RAW,
                "called_did", DID, "internal", "100", "duration", "75", "disposition", "answered", "status_code", "16",
                "is_recorded", "1", "call_id_with_rec", "1732951200.123457");
        kit.server.clock.advance(java.time.Duration.ofSeconds(20));
        // The end arrives first, then the start, then the answer, the recording, and the end again.
        assertThat(post(end, CALLER_RAW + DID + START, SECRET).status()).isEqualTo(200);
        Map<String, String> start = params("event", "NOTIFY_START", "call_start", START, "pbx_call_id", id, "caller_id", CALLER_RAW,
                "called_did", DID);
        assertThat(post(start, CALLER_RAW + DID + START, SECRET).status()).isEqualTo(200);
        Map<String, String> answer = params("event", "NOTIFY_ANSWER", "caller_id", CALLER_RAW, "destination", "100",
                "call_start", START, "pbx_call_id", id, "internal", "100");
        assertThat(post(answer, CALLER_RAW + "100" + START, SECRET).status()).isEqualTo(200);
        Map<String, String> record = params("event", "NOTIFY_RECORD", "call_id_with_rec", "1732951200.123457", "pbx_call_id", id);
        assertThat(post(record, id + "1732951200.123457", SECRET).status()).isEqualTo(200);
        assertThat(post(end, CALLER_RAW + DID + START, SECRET).status()).isEqualTo(200);

        JsonNode call = kit.call(id);
        assertThat(call.get("caller").asText()).isEqualTo(CALLER);
        assertThat(call.get("number").asText()).isEqualTo(NUMBER);
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(75);
        assertThat(call.get("recordingUrl").asText()).isEqualTo("zadarma-recording:1732951200.123457");
        assertThat(call.get("attribution").get("method").asText()).isEqualTo("active");
    }

    @Test
    void aWrongSecretAMissingSignatureAndAChangedCallerAreRefused() {
        Map<String, String> start = params("event", "NOTIFY_START", "call_start", START, "pbx_call_id", "refused-1",
                "caller_id", CALLER_RAW, "called_did", DID);
        assertThat(post(start, CALLER_RAW + DID + START, "other-secret").status()).isEqualTo(403);
        assertThat(kit.postForm("/v1/telephony/zadarma/" + kit.siteId, start, Map.of()).status()).isEqualTo(403);
        Map<String, String> changed = params("event", "NOTIFY_START", "call_start", START, "pbx_call_id", "refused-1",
                "caller_id", "79990000000", "called_did", DID);
        assertThat(post(changed, CALLER_RAW + DID + START, SECRET).status()).isEqualTo(403);
        assertThat(kit.calls().findValuesAsText("providerCallId")).doesNotContain("refused-1");
        assertThat(kit.diagnostics("zadarma").findValuesAsText("reason")).contains("mismatch", "missing");
    }

    @Test
    void aBusyEndIsBusyWithNoTalk() {
        Map<String, String> end = params("event", "NOTIFY_END", "call_start", START, "pbx_call_id", "busy-1", "caller_id", "79161112233",
                "called_did", DID, "duration", "0", "disposition", "busy");
        assertThat(post(end, "79161112233" + DID + START, SECRET).status()).isEqualTo(200);
        JsonNode call = kit.call("busy-1");
        assertThat(call.get("status").asText()).isEqualTo("busy");
        assertThat(call.get("talkSeconds").asInt()).isZero();
    }

    /** Audit W #2 and #3: an IVR notification is acknowledged as the docs say, and the URL check is not called journaled. */
    @Test
    void anIvrNotificationIsAcknowledgedAndTheUrlCheckIsLoggedAsWhatItIs() {
        // Zadarma's own library signs NOTIFY_IVR as the NOTIFY_START it extends: caller_id + called_did + call_start
        Map<String, String> ivr = params("event", "NOTIFY_IVR", "call_start", START, "pbx_call_id", "ivr-1", "caller_id", CALLER_RAW,
                "called_did", DID);
        Reply r = post(ivr, CALLER_RAW + DID + START, SECRET);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(post(ivr, CALLER_RAW + DID + START, "other-secret").status()).isEqualTo(403);
        assertThat(kit.calls().findValuesAsText("providerCallId")).doesNotContain("ivr-1");

        assertThat(kit.server.get("/v1/telephony/zadarma/" + kit.siteId + "?zd_echo=e5f6", null).body()).isEqualTo("e5f6");
        assertThat(kit.diagnostics("zadarma").findValuesAsText("message")).contains("zd_echo check answered")
                .contains("NOTIFY_IVR is not an incoming call's event");
    }
}
