package io.ringpool.telephony.signalwire;

import static io.ringpool.telephony.provider.ProviderTestKit.CALLER;
import static io.ringpool.telephony.provider.ProviderTestKit.NUMBER;
import static io.ringpool.telephony.provider.ProviderTestKit.params;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SignalWire cXML webhooks signed like Twilio's (HMAC-SHA1 of URL + sorted params) with the signing key. */
class SignalwireOverHttpTest {
    static final String KEY = "PSK_signalwire_signing_key_0001";

    @RegisterExtension
    static final ProviderTestKit kit = ProviderTestKit.serving("signalwire", Map.of("signingKey", KEY));

    static Reply post(String endpoint, Map<String, String> params, String key) {
        String path = "/v1/telephony/signalwire/" + kit.siteId + "/" + endpoint;
        return kit.postForm(path, params, Map.of("X-SignalWire-Signature", Signing.twilio(key, ProviderTestKit.PUBLIC_URL + path, params)));
    }

    @Test
    void theVoiceWebhookForwardsAndTheForwardedLegsCallbacksCompleteTheCall() {
        Reply voice = post("voice", params("AccountSid", "proj", "CallSid", "sw-call-1", "From", CALLER, "To", NUMBER,
                "CallStatus", "ringing", "Direction", "inbound"), KEY);
        assertThat(voice.status()).isEqualTo(200);
        assertThat(voice.body()).contains("<Number statusCallback=\"" + ProviderTestKit.PUBLIC_URL + "/v1/telephony/signalwire/"
                + kit.siteId + "/status\"").contains(ProviderTestKit.FORWARD_TO + "</Number></Dial>");
        assertThat(post("status", params("CallSid", "sw-leg-2", "ParentCallSid", "sw-call-1", "CallStatus", "completed",
                "CallDuration", "75", "From", NUMBER, "To", ProviderTestKit.FORWARD_TO), KEY).status()).isEqualTo(204);
        assertThat(post("status", params("CallSid", "sw-leg-2", "ParentCallSid", "sw-call-1", "CallStatus", "in-progress"), KEY)
                .status()).isEqualTo(204);
        JsonNode call = kit.call("sw-call-1");
        assertThat(call.get("provider").asText()).isEqualTo("signalwire");
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(75);
        assertThat(call.get("attribution").get("method").asText()).isEqualTo("active");
    }

    /** Audit B, F1: the URL is verified as it was sent (SignalWire signs it like Twilio), not a re-encoding of its query. */
    @Test
    void aVoiceUrlWithAQueryIsVerifiedAsSentAndTheRefusalNamesTheUrlWithItsQuery() {
        String path = "/v1/telephony/signalwire/" + kit.siteId + "/voice";
        int n = 0;
        for (String query : List.of("?x=a%20b", "?flag", "?x=a~b")) {
            Map<String, String> p = params("CallSid", "sw-query-" + n++, "From", CALLER, "To", NUMBER, "CallStatus", "ringing");
            Reply r = kit.postForm(path + query, p, Map.of("X-SignalWire-Signature", Signing.twilio(KEY, ProviderTestKit.PUBLIC_URL + path + query, p)));
            assertThat(r.status()).as(query + ": " + r.body()).isEqualTo(200);
            assertThat(r.body()).contains(ProviderTestKit.FORWARD_TO + "</Number></Dial>");
        }
        Map<String, String> p = params("CallSid", "sw-query-re-encoded", "From", CALLER, "To", NUMBER, "CallStatus", "ringing");
        Reply refused = kit.postForm(path + "?x=a%20b", p,
                Map.of("X-SignalWire-Signature", Signing.twilio(KEY, ProviderTestKit.PUBLIC_URL + path + "?x=a+b", p)));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().path("error").path("message").asText()).contains(ProviderTestKit.PUBLIC_URL + path + "?x=a%20b");
        assertThat(kit.call("sw-query-0").get("status").asText()).isEqualTo("ringing");
    }

    /** As for Twilio (audit B, F2): the caller's call completes when the cXML has run, answered or not. */
    @Test
    void aCallTheBusinessNeverAnsweredIsMissedThoughTheCallersCallCompletes() {
        assertThat(post("voice", params("CallSid", "sw-unanswered", "From", CALLER, "To", NUMBER, "CallStatus", "ringing"), KEY).status())
                .isEqualTo(200);
        assertThat(post("status", params("CallSid", "sw-unanswered-leg", "ParentCallSid", "sw-unanswered", "CallStatus", "no-answer",
                "CallDuration", "0"), KEY).status()).isEqualTo(204);
        assertThat(post("status", params("CallSid", "sw-unanswered", "From", CALLER, "To", NUMBER, "CallStatus", "completed",
                "CallDuration", "31"), KEY).status()).isEqualTo(204);
        JsonNode call = kit.call("sw-unanswered");
        assertThat(call.get("status").asText()).isEqualTo("missed");
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(31);
        assertThat(call.get("talkSeconds").asInt()).isZero();
    }

    /** As Twilio's (audit B, F4): a status post that is no status callback is 422 naming the field, not 204. */
    @Test
    void aStatusPostWithoutAKnownStatusOrWithAnOddDurationIs422NamingTheField() {
        Reply weird = post("status", params("CallSid", "sw-weird", "From", CALLER, "To", NUMBER, "CallStatus", "weird"), KEY);
        assertThat(weird.status()).as(weird.body()).isEqualTo(422);
        assertThat(weird.json().path("error").path("field").asText()).isEqualTo("CallStatus");
        Reply duration = post("status", params("CallSid", "sw-weird", "From", CALLER, "To", NUMBER, "CallStatus", "completed",
                "CallDuration", "-4"), KEY);
        assertThat(duration.status()).as(duration.body()).isEqualTo(422);
        assertThat(duration.json().path("error").path("field").asText()).isEqualTo("CallDuration");
        Reply noSid = post("status", params("From", CALLER, "To", NUMBER, "CallStatus", "completed"), KEY);
        assertThat(noSid.status()).as(noSid.body()).isEqualTo(422);
        assertThat(noSid.json().path("error").path("field").asText()).isEqualTo("CallSid");
        assertThat(kit.calls().findValuesAsText("providerCallId")).doesNotContain("sw-weird");
    }

    @Test
    void aWrongKeyOrAChangedParameterIsRefused() {
        Map<String, String> p = params("CallSid", "sw-refused", "From", CALLER, "To", NUMBER, "CallStatus", "ringing");
        assertThat(post("voice", p, "other-key").status()).isEqualTo(403);
        String path = "/v1/telephony/signalwire/" + kit.siteId + "/voice";
        String sig = Signing.twilio(KEY, ProviderTestKit.PUBLIC_URL + path, p);
        Map<String, String> changed = params("CallSid", "sw-refused", "From", "+79990000000", "To", NUMBER, "CallStatus", "ringing");
        assertThat(kit.postForm(path, changed, Map.of("X-SignalWire-Signature", sig)).status()).isEqualTo(403);
        assertThat(kit.calls().findValuesAsText("providerCallId")).doesNotContain("sw-refused");
    }

    @Test
    void aCallToANumberTheSiteDoesNotTrackIsStillForwardedAndTheRefusalIsLogged() {
        Reply voice = post("voice", params("CallSid", "sw-untracked", "From", CALLER, "To", "+74959999999", "CallStatus", "ringing"), KEY);
        assertThat(voice.status()).isEqualTo(200);
        assertThat(voice.body()).contains(ProviderTestKit.FORWARD_TO + "</Number></Dial>");
        assertThat(kit.calls().findValuesAsText("providerCallId")).doesNotContain("sw-untracked");
        assertThat(kit.diagnostics("signalwire").findValuesAsText("reason")).contains("unknown_number");
    }

    @Test
    void aRecordingSiteGetsTheNoticeAndADualRecordingFromAnswerAndTheRecordingCallbackJoinsTheCall() {
        assertThat(kit.patch(Map.of("recordCalls", true, "recordingNotice", "Разговор может быть записан & <ok>")).status()).isEqualTo(200);
        try {
            Reply voice = post("voice", params("CallSid", "sw-rec-1", "From", CALLER, "To", NUMBER, "CallStatus", "ringing"), KEY);
            assertThat(voice.body()).contains("<Response><Say>Разговор может быть записан &amp; &lt;ok&gt;</Say><Dial answerOnBridge=\"true\""
                    + " timeout=\"30\" record=\"record-from-answer-dual\" recordingStatusCallback=\"" + ProviderTestKit.PUBLIC_URL
                    + "/v1/telephony/signalwire/" + kit.siteId + "/recording\" recordingStatusCallbackMethod=\"POST\""
                    + " recordingStatusCallbackEvent=\"completed\"><Number ");
            assertThat(post("recording", params("CallSid", "sw-rec-1", "RecordingStatus", "in-progress", "RecordingUrl",
                    "https://x.signalwire.com/api/laml/2010-04-01/Accounts/p/Recordings/r1"), KEY).status()).isEqualTo(204);
            assertThat(kit.call("sw-rec-1").get("recordingUrl").isNull()).isTrue();
            assertThat(post("recording", params("CallSid", "sw-rec-1", "RecordingStatus", "completed", "RecordingUrl",
                    "https://x.signalwire.com/api/laml/2010-04-01/Accounts/p/Recordings/r1", "RecordingSid", "r1"), KEY).status()).isEqualTo(204);
            JsonNode call = kit.call("sw-rec-1");
            assertThat(call.get("recordingUrl").asText()).isEqualTo("https://x.signalwire.com/api/laml/2010-04-01/Accounts/p/Recordings/r1");
            assertThat(call.get("recordingStatus").asText()).isEqualTo("queued");
            assertThat(post("recording", params("CallSid", "sw-rec-1", "RecordingStatus", "completed", "RecordingUrl", "https://x/r"), "bad")
                    .status()).isEqualTo(403);
        } finally {
            kit.patch(Map.of("recordCalls", false));
        }
        Reply plain = post("voice", params("CallSid", "sw-rec-2", "From", CALLER, "To", NUMBER, "CallStatus", "ringing"), KEY);
        assertThat(plain.body()).doesNotContain("record").doesNotContain("<Say>");
    }

    /** Audit AB1 #8: an unknown dialled number was 422 naming {@code to}; SignalWire's form field is {@code To}, as Twilio's. */
    @Test
    void anUnknownToIsNamedAsTheFormFieldSignalwireSent() {
        Reply r = post("status", params("CallSid", "SWto1", "From", "+79161112233", "To", "+70000000000", "CallStatus", "completed"), KEY);
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.errorCode()).isEqualTo("unknown_number");
        assertThat(r.json().path("error").path("field").asText()).isEqualTo("To");
        assertThat(r.json().path("error").path("message").asText()).as("audit AE2 #5: the message names it too")
                .startsWith("'To' is not a tracking number").doesNotContain("'to'");
    }

    /**
     * Audit AB2 #4: with {@code server.publicUrl} configured, a signature over the URL of the request's
     * {@code Host} (here the loopback address the test posts to) was accepted as well; the
     * configured URL is the one a provider signs, and the only one checked.
     */
    @Test
    void withAPublicUrlConfiguredASignatureOverTheHostsUrlIsRefused() {
        String path = "/v1/telephony/signalwire/" + kit.siteId + "/status";
        Map<String, String> p = params("CallSid", "sw-host-1", "From", CALLER, "To", NUMBER, "CallStatus", "ringing");
        Reply r = kit.postForm(path, p, Map.of("X-SignalWire-Signature", Signing.twilio(KEY, kit.server.base() + path, p)));
        assertThat(r.status()).as(r.body()).isEqualTo(403);
        assertThat(r.errorCode()).isEqualTo("invalid_signature");
        assertThat(kit.calls().findValuesAsText("providerCallId")).doesNotContain("sw-host-1");
    }
}
