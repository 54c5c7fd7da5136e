package io.ringpool.telephony.signalwire;

import static io.ringpool.telephony.provider.ProviderTestKit.CALLER;
import static io.ringpool.telephony.provider.ProviderTestKit.NUMBER;
import static io.ringpool.telephony.provider.ProviderTestKit.params;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SignalWire cXML webhooks signed like Twilio's (HMAC-SHA1 of URL + sorted params) with the signing key. */
class SignalwireOverHttpTest {
    static final String KEY = "PSK_signalwire_signing_key_0001";

    @TempDir
    static Path dir;

    static ProviderTestKit kit;

    @BeforeAll
    static void start() {
        kit = new ProviderTestKit(dir);
        kit.configure("signalwire", Map.of("signingKey", KEY));
    }

    @AfterAll
    static void stop() {
        kit.close();
    }

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
}
