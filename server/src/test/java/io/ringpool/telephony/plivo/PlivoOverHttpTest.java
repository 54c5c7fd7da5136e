package io.ringpool.telephony.plivo;

import static io.ringpool.telephony.provider.ProviderTestKit.CALLER;
import static io.ringpool.telephony.provider.ProviderTestKit.NUMBER;
import static io.ringpool.telephony.provider.ProviderTestKit.params;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.telephony.provider.ProviderSigning;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Plivo callbacks signed with X-Plivo-Signature-V3 as plivo-python's signature_v3.py builds it for a
 * POST without a query: base64(HMAC-SHA256(token, url + "?" + sorted name+value + "." + nonce)).
 */
class PlivoOverHttpTest {
    static final String TOKEN = "plivo-auth-token-0001";

    @RegisterExtension
    static final ProviderTestKit kit = ProviderTestKit.serving("plivo", Map.of("authToken", TOKEN));

    static String v3(String token, String url, Map<String, String> params, String nonce) {
        StringBuilder base = new StringBuilder(url).append('?');
        new TreeMap<>(params).forEach((k, v) -> base.append(k).append(v));
        return ProviderSigning.base64(ProviderSigning.hmac("HmacSHA256", token, base + "." + nonce));
    }

    static Reply post(String endpoint, Map<String, String> params, String token, String nonce) {
        String path = "/v1/telephony/plivo/" + kit.siteId + "/" + endpoint;
        return kit.postForm(path, params, Map.of("X-Plivo-Signature-V3", v3(token, ProviderTestKit.PUBLIC_URL + path, params, nonce),
                "X-Plivo-Signature-V3-Nonce", nonce));
    }

    static Reply post(String endpoint, Map<String, String> params) {
        return post(endpoint, params, TOKEN, UUID.randomUUID().toString().replace("-", ""));
    }

    /**
     * An answer URL with a query: Plivo's SDKs sign the URL without it, then "?", its parameters decoded and sorted
     * ("name=value" joined by "&"), "." and the POST parameters. The server reads the query from the target as
     * received (audit B, F1), which must keep verifying Plivo's recipe.
     */
    @Test
    void anAnswerUrlWithAQueryIsVerifiedByPlivosRecipe() {
        String path = "/v1/telephony/plivo/" + kit.siteId + "/answer";
        Map<String, String> p = params("CallUUID", "c5d3f1e2-0000-4000-8000-00000000q001", "From", CALLER.substring(1), "To",
                NUMBER.substring(1), "CallStatus", "ringing");
        String nonce = UUID.randomUUID().toString().replace("-", "");
        StringBuilder base = new StringBuilder(ProviderTestKit.PUBLIC_URL + path).append("?a=1&b=x y&flag=.");
        new TreeMap<>(p).forEach((k, v) -> base.append(k).append(v));
        String sig = ProviderSigning.base64(ProviderSigning.hmac("HmacSHA256", TOKEN, base + "." + nonce));
        Reply answer = kit.postForm(path + "?flag&b=x%20y&a=1", p, Map.of("X-Plivo-Signature-V3", sig, "X-Plivo-Signature-V3-Nonce", nonce));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("<Number>74951112233</Number>");
    }

    @Test
    void theAnswerDialsTheBusinessAndTheCallbacksMakeOneCompletedCall() {
        String uuid = "c5d3f1e2-0000-4000-8000-" + "000000000001";
        Reply answer = post("answer", params("CallUUID", uuid, "From", CALLER.substring(1), "To", NUMBER.substring(1),
                "CallStatus", "ringing", "Direction", "inbound", "Event", "StartApp"));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).contains("<Dial callbackUrl=\"" + ProviderTestKit.PUBLIC_URL + "/v1/telephony/plivo/" + kit.siteId
                + "/hangup\" callbackMethod=\"POST\"><Number>74951112233</Number></Dial>");
        // The call's own hangup first, then the dial's events.
        assertThat(post("hangup", params("CallUUID", uuid, "From", CALLER.substring(1), "To", NUMBER.substring(1), "CallStatus",
                "completed", "Duration", "95", "BillDuration", "95", "Event", "Hangup", "HangupCauseName", "Normal Hangup")).status())
                .isEqualTo(200);
        assertThat(post("hangup", params("CallUUID", uuid, "DialAction", "answer", "DialBLegUUID", "b-1", "DialBLegStatus", "answer"))
                .status()).isEqualTo(200);
        assertThat(post("hangup", params("CallUUID", uuid, "DialAction", "hangup", "DialBLegUUID", "b-1", "DialBLegStatus", "hangup",
                "DialBLegDuration", "75", "DialBLegBillDuration", "75")).status()).isEqualTo(200);
        JsonNode call = kit.call(uuid);
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(95);
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(75);
        assertThat(call.get("attribution").get("method").asText()).isEqualTo("active");
    }

    @Test
    void aCallTheBusinessNeverAnsweredIsMissed() {
        String uuid = "missed-" + UUID.randomUUID();
        post("answer", params("CallUUID", uuid, "From", "79160001122", "To", NUMBER.substring(1), "CallStatus", "ringing"));
        assertThat(post("hangup", params("CallUUID", uuid, "CallStatus", "completed", "Duration", "30", "From", "79160001122",
                "To", NUMBER.substring(1))).status()).isEqualTo(200);
        assertThat(kit.call(uuid).get("status").asText()).isEqualTo("missed");
    }

    /**
     * Audit AN3 F8: Plivo answers the caller's leg itself to run the XML, so only the Dial callback
     * knows the business was busy ({@code DialBLegHangupCause=USER_BUSY}); that was ignored and the
     * call stored missed, where Twilio, SignalWire and Vonage store busy. A rejected leg is failed,
     * as Vonage's {@code rejected}; one nobody picked up stays missed.
     */
    @Test
    void aBusyOrRejectingBusinessLineIsBusyOrFailedAsOnTheOtherProviders() {
        for (String[] c : new String[][] {{"USER_BUSY", "busy"}, {"CALL_REJECTED", "failed"}, {"NO_ANSWER", "missed"}}) {
            String uuid = "dial-" + c[0] + "-" + UUID.randomUUID();
            post("answer", params("CallUUID", uuid, "From", "79160001122", "To", NUMBER.substring(1), "CallStatus", "ringing"));
            assertThat(post("hangup", params("CallUUID", uuid, "DialAction", "hangup", "DialBLegUUID", "b-" + uuid, "DialBLegStatus",
                    "hangup", "DialBLegDuration", "0", "DialBLegHangupCause", c[0])).status()).isEqualTo(200);
            assertThat(post("hangup", params("CallUUID", uuid, "CallStatus", "completed", "Duration", "31", "From", "79160001122",
                    "To", NUMBER.substring(1))).status()).isEqualTo(200);
            JsonNode call = kit.call(uuid);
            assertThat(call.get("status").asText()).as(c[0]).isEqualTo(c[1]);
            assertThat(call.get("talkSeconds").asInt()).isZero();
            assertThat(call.get("durationSeconds").asInt()).isEqualTo(31);
        }
    }

    @Test
    void aWrongTokenAReusedNonceAndAChangedParameterAreRefused() {
        Map<String, String> p = params("CallUUID", "refused-1", "From", CALLER.substring(1), "To", NUMBER.substring(1));
        assertThat(post("answer", p, "other-token", "nonce00000000000001").status()).isEqualTo(403);
        String path = "/v1/telephony/plivo/" + kit.siteId + "/answer";
        String sig = v3(TOKEN, ProviderTestKit.PUBLIC_URL + path, p, "nonce00000000000002");
        Map<String, String> changed = params("CallUUID", "refused-1", "From", "79990000000", "To", NUMBER.substring(1));
        assertThat(kit.postForm(path, changed, Map.of("X-Plivo-Signature-V3", sig, "X-Plivo-Signature-V3-Nonce", "nonce00000000000002"))
                .status()).isEqualTo(403);
        assertThat(kit.postForm(path, p, Map.of()).status()).isEqualTo(403);
        assertThat(kit.calls().findValuesAsText("providerCallId")).doesNotContain("refused-1");

        Map<String, String> q = params("CallUUID", "nonce-once", "From", CALLER.substring(1), "To", NUMBER.substring(1));
        assertThat(post("answer", q, TOKEN, "nonce00000000000003").status()).isEqualTo(200);
        Reply replay = post("answer", q, TOKEN, "nonce00000000000003");
        assertThat(replay.status()).isEqualTo(403);
        assertThat(replay.errorCode()).isEqualTo("replayed_signature");
    }

    @Test
    void aRecordingSiteSpeaksTheNoticeRecordsFromTheDialAnswerAndTheRecordActionJoinsTheCall() {
        assertThat(kit.patch(Map.of("recordCalls", true, "recordingNotice", "This call may be recorded.")).status()).isEqualTo(200);
        String uuid = "c5d3f1e2-0000-4000-8000-" + "0000000000r1";
        try {
            Reply answer = post("answer", params("CallUUID", uuid, "From", CALLER.substring(1), "To", NUMBER.substring(1),
                    "CallStatus", "ringing", "Direction", "inbound", "Event", "StartApp"));
            assertThat(answer.body()).contains("<Response><Speak>This call may be recorded.</Speak><Record action=\""
                    + ProviderTestKit.PUBLIC_URL + "/v1/telephony/plivo/" + kit.siteId + "/recording\" method=\"POST\" redirect=\"false\""
                    + " startOnDialAnswer=\"true\" fileFormat=\"mp3\" maxLength=\"14400\"/><Dial callbackUrl=\"");
            Reply rec = post("recording", params("CallUUID", uuid, "RecordUrl", "https://media.plivo.com/v1/Account/MA1/Recording/rec-1.mp3",
                    "RecordingID", "rec-1", "RecordingDuration", "-1"));
            assertThat(rec.status()).isEqualTo(200);
            assertThat(rec.body()).contains("<Response></Response>");
            JsonNode call = kit.call(uuid);
            assertThat(call.get("recordingUrl").asText()).isEqualTo("https://media.plivo.com/v1/Account/MA1/Recording/rec-1.mp3");
            assertThat(call.get("recordingStatus").asText()).isEqualTo("queued");
        } finally {
            kit.patch(Map.of("recordCalls", false));
        }
        Reply plain = post("answer", params("CallUUID", "c5d3f1e2-0000-4000-8000-0000000000r2", "From", CALLER.substring(1),
                "To", NUMBER.substring(1), "CallStatus", "ringing"));
        assertThat(plain.body()).doesNotContain("<Record").doesNotContain("<Speak>");
    }

    /**
     * Found by ProviderWebhookSweepTest: a CallUUID over 100 characters was refused (422) on the answer
     * URL, so the caller was not even put through, and on the hangup URL, so the call was lost.
     */
    @Test
    void aCallUuidLongerThanTheStoresColumnIsForwardedAndIsOneCall() {
        String uuid = "long-" + "c5d3f1e2".repeat(40);
        Reply answer = post("answer", params("CallUUID", uuid, "From", CALLER.substring(1), "To", NUMBER.substring(1), "CallStatus", "ringing"));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).contains("<Dial");
        assertThat(post("hangup", params("CallUUID", uuid, "CallStatus", "completed", "Duration", "30", "From", CALLER.substring(1),
                "To", NUMBER.substring(1))).status()).isEqualTo(200);
        assertThat(kit.call(io.ringpool.call.CallEvent.storedCallId(uuid)).get("status").asText()).isEqualTo("missed");
    }
}
