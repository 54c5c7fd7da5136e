package io.ringpool.telephony.freeswitch;

import static io.ringpool.telephony.provider.ProviderTestKit.CALLER;
import static io.ringpool.telephony.provider.ProviderTestKit.NUMBER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.telephony.provider.ProviderSigning;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** mod_json_cdr posts, one JSON CDR per leg, with HTTP Basic credentials. */
class FreeswitchOverHttpTest {
    @RegisterExtension
    static final ProviderTestKit kit = ProviderTestKit.serving("freeswitch", Map.of("username", "fs", "password", "cdr-password-0001"));

    static String basic(String user, String password) {
        return "Basic " + ProviderSigning.base64((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A leg's CDR. An answered one is bridged when it is answered, as a call to an extension is (the
     * B-leg's answer answers the caller's leg): {@code bridge_epoch} = {@code answer_epoch}, with
     * the B-leg named in {@code bridge_uuid} and {@code last_bridge_to}.
     */
    static String cdr(String uuid, String direction, long start, long answer, long end, int billsec, String cause) {
        Map<String, String> bridge = new java.util.LinkedHashMap<>();
        if (billsec > 0 && answer > 0) {
            bridge.put("bridge_epoch", Long.toString(answer));
            bridge.put("bridge_uuid", "b-" + uuid);
            bridge.put("last_bridge_to", "b-" + uuid);
        }
        return cdr(uuid, direction, start, answer, end, billsec, cause, bridge);
    }

    /** A leg's CDR with {@code more} variables, as given (none added). */
    static String cdr(String uuid, String direction, long start, long answer, long end, int billsec, String cause, Map<String, String> more) {
        StringBuilder extra = new StringBuilder();
        more.forEach((k, v) -> extra.append('"').append(k).append("\":\"").append(v).append("\","));
        return "{\"core-uuid\":\"core-1\",\"switchname\":\"pbx\",\"channel_data\":{\"state\":\"CS_REPORTING\",\"direction\":\""
                + direction + "\"},\"variables\":{" + extra + "\"uuid\":\"" + uuid + "\",\"direction\":\"" + direction
                + "\",\"caller_id_number\":\"" + CALLER + "\",\"destination_number\":\"" + NUMBER + "\",\"start_epoch\":\"" + start
                + "\",\"answer_epoch\":\"" + answer + "\",\"end_epoch\":\"" + end + "\",\"duration\":\"" + (end - start)
                + "\",\"billsec\":\"" + billsec + "\",\"hangup_cause\":\"" + cause + "\",\"ringpool_recording_url\":\"https://pbx.example/rec/"
                + uuid + ".wav\"},\"callflow\":[{\"caller_profile\":{\"uuid\":\"" + uuid + "\",\"caller_id_number\":\"" + CALLER
                + "\",\"destination_number\":\"" + NUMBER + "\"},\"times\":{}}]}";
    }

    static Reply post(String body, String auth) {
        return kit.server.send("POST", "/v1/telephony/freeswitch/" + kit.siteId + "/cdr", null, body, "application/json",
                auth == null ? Map.of() : Map.of("Authorization", auth));
    }

    @Test
    void anAnsweredInboundLegIsOneCompletedCallAndItsBridgedLegIsIgnored() {
        long t0 = kit.server.clock.instant().getEpochSecond();
        String a = cdr("a-leg-0001", "inbound", t0, t0 + 20, t0 + 95, 75, "NORMAL_CLEARING");
        assertThat(post(a, basic("fs", "cdr-password-0001")).status()).isEqualTo(200);
        assertThat(post(a, basic("fs", "cdr-password-0001")).status()).isEqualTo(200); // mod_json_cdr retries: harmless
        assertThat(post(cdr("b-leg-0001", "outbound", t0 + 1, t0 + 20, t0 + 95, 75, "NORMAL_CLEARING"), basic("fs", "cdr-password-0001"))
                .status()).isEqualTo(200);
        JsonNode call = kit.call("a-leg-0001");
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(95);
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(75);
        assertThat(call.get("recordingUrl").asText()).isEqualTo("https://pbx.example/rec/a-leg-0001.wav");
        assertThat(call.get("attribution").get("method").asText()).isEqualTo("active");
        assertThat(kit.calls().findValuesAsText("providerCallId")).doesNotContain("b-leg-0001");
    }

    @Test
    void aFormEncodedCdrOfAnUnansweredCallIsMissed() {
        long t0 = kit.server.clock.instant().getEpochSecond();
        String body = "cdr=" + URLEncoder.encode(cdr("a-leg-missed", "inbound", t0, 0, t0 + 25, 0, "ORIGINATOR_CANCEL"), StandardCharsets.UTF_8);
        Reply r = kit.server.send("POST", "/v1/telephony/freeswitch/" + kit.siteId + "/cdr", null, body,
                "application/x-www-form-urlencoded", Map.of("Authorization", basic("fs", "cdr-password-0001")));
        assertThat(r.status()).isEqualTo(200);
        assertThat(kit.call("a-leg-missed").get("status").asText()).isEqualTo("missed");
    }

    /**
     * Audit AI1 #3: an IVR answers every caller (answer_epoch at the start, billsec the whole call),
     * and this caller was never bridged to anyone: the greeting, then voicemail. The switch's answer
     * is no person's, so the call is missed, not a 45 s conversation and a target call.
     */
    @Test
    void aCallTheIvrAnsweredAndNobodyTookIsMissed() {
        long t0 = kit.server.clock.instant().getEpochSecond();
        String ivr = cdr("a-leg-voicemail", "inbound", t0, t0, t0 + 45, 45, "NORMAL_CLEARING",
                Map.of("bridge_epoch", "0", "bridge_uepoch", "0", "last_app", "voicemail", "endpoint_disposition", "ANSWER"));
        assertThat(post(ivr, basic("fs", "cdr-password-0001")).status()).isEqualTo(200);
        JsonNode call = kit.call("a-leg-voicemail");
        assertThat(call.get("status").asText()).isEqualTo("missed");
        assertThat(call.get("talkSeconds").asInt()).isZero();
        assertThat(call.get("target").asBoolean()).isFalse();
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(45);
    }

    /** The same IVR, then a bridge to extension 101 at +15 s: the talk is from the bridge, 30 s, not the IVR's 45. */
    @Test
    void theTalkOfACallBridgedAfterTheIvrStartsAtTheBridge() {
        long t0 = kit.server.clock.instant().getEpochSecond();
        String bridged = cdr("a-leg-ivr-bridged", "inbound", t0, t0, t0 + 45, 45, "NORMAL_CLEARING",
                Map.of("bridge_epoch", Long.toString(t0 + 15), "bridge_uuid", "b-leg-101", "last_bridge_to", "b-leg-101",
                        "last_app", "bridge"));
        assertThat(post(bridged, basic("fs", "cdr-password-0001")).status()).isEqualTo(200);
        JsonNode call = kit.call("a-leg-ivr-bridged");
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(30);
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(45);
        assertThat(Instant.parse(call.get("answeredAt").asText())).isEqualTo(Instant.ofEpochSecond(t0 + 15));
    }

    /**
     * A call put straight through to an extension, as FreeSWITCH writes its A-leg (a real CDR's
     * times, moved to now): the B-leg's answer answers the caller's leg, so answer and bridge are
     * the same microsecond, and the talk is billsec, as before.
     */
    @Test
    void aCallAnsweredStraightByAnExtensionKeepsItsBillsec() {
        long t0 = kit.server.clock.instant().getEpochSecond();
        long micros = t0 * 1_000_000L;
        String direct = cdr("a-leg-direct", "inbound", t0, t0 + 1, t0 + 3, 2, "NORMAL_CLEARING",
                Map.of("start_uepoch", Long.toString(micros + 64_073), "answer_uepoch", Long.toString(micros + 1_604_069),
                        "bridge_epoch", Long.toString(t0 + 1), "bridge_uepoch", Long.toString(micros + 1_604_069),
                        "end_uepoch", Long.toString(micros + 3_944_059), "bridge_uuid", "ba27d90e-f679-4b38-bb39-07b9d3448abf",
                        "last_bridge_to", "ba27d90e-f679-4b38-bb39-07b9d3448abf", "last_app", "bridge",
                        "endpoint_disposition", "ANSWER"));
        assertThat(post(direct, basic("fs", "cdr-password-0001")).status()).isEqualTo(200);
        JsonNode call = kit.call("a-leg-direct");
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(2);
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(3);
    }

    /**
     * Audit I #2: mod_json_cdr URL-encodes every variable's value by default (encode-values), so the
     * dialplan's recording link came as https%3A//… and was dropped, and a caller id as %2B….
     */
    @Test
    void variablesUrlEncodedByTheModulesDefaultAreReadDecoded() {
        long t0 = kit.server.clock.instant().getEpochSecond();
        String encoded = cdr("a-leg-encoded", "inbound", t0, t0 + 5, t0 + 65, 60, "NORMAL_CLEARING")
                .replace("\"caller_id_number\":\"" + CALLER + "\",\"destination", "\"caller_id_number\":\"%2B" + CALLER.substring(1)
                        + "\",\"destination")
                .replace("https://pbx.example/rec/a-leg-encoded.wav", "https%3A//pbx.example/rec/a-leg-encoded.wav");
        assertThat(encoded).contains("%2B").contains("https%3A//");
        assertThat(post(encoded, basic("fs", "cdr-password-0001")).status()).isEqualTo(200);
        JsonNode call = kit.call("a-leg-encoded");
        assertThat(call.get("recordingUrl").asText()).isEqualTo("https://pbx.example/rec/a-leg-encoded.wav");
        assertThat(call.get("caller").asText()).isEqualTo(CALLER);
    }

    /** The module's encode=base64 option: cdr=<base64 of the JSON>, as application/x-www-form-base64-encoded. */
    @Test
    void aBase64EncodedCdrIsRead() {
        long t0 = kit.server.clock.instant().getEpochSecond();
        String json = cdr("a-leg-base64", "inbound", t0, t0 + 5, t0 + 35, 30, "NORMAL_CLEARING");
        String body = "cdr=" + java.util.Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        Reply r = kit.server.send("POST", "/v1/telephony/freeswitch/" + kit.siteId + "/cdr", null, body,
                "application/x-www-form-base64-encoded", Map.of("Authorization", basic("fs", "cdr-password-0001")));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(kit.call("a-leg-base64").get("talkSeconds").asInt()).isEqualTo(30);
    }

    @Test
    void aWrongPasswordOrNoCredentialsAreRefused() {
        long t0 = kit.server.clock.instant().getEpochSecond();
        String a = cdr("a-leg-refused", "inbound", t0, t0 + 1, t0 + 5, 4, "NORMAL_CLEARING");
        assertThat(post(a, basic("fs", "wrong")).status()).isEqualTo(401);
        assertThat(post(a, null).status()).isEqualTo(401);
        assertThat(kit.calls().findValuesAsText("providerCallId")).doesNotContain("a-leg-refused");
        assertThat(kit.diagnostics("freeswitch").findValuesAsText("reason")).contains("mismatch", "missing");
    }

    /**
     * Found by ProviderWebhookSweepTest: a billsec of 2^31 wrapped into a negative talk time and an
     * epoch beyond Instant's range threw (500); a missing or unreadable start_epoch or end_epoch
     * refused the CDR (422). mod_json_cdr retries both into the same answer, and the call was lost.
     */
    @Test
    void aCdrWithUnreadableTimesAndOverflowingDurationsIsStillOneCall() {
        String a = cdr("a-leg-odd-1", "inbound", 0, 0, 0, 0, "NORMAL_CLEARING")
                .replace("\"start_epoch\":\"0\"", "\"start_epoch\":\"yesterday\"")
                .replace("\"end_epoch\":\"0\"", "\"end_epoch\":\"9223372036854775807\"")
                .replace("\"billsec\":\"0\"", "\"billsec\":\"2147483648\"")
                .replace("\"duration\":\"0\"", "\"duration\":1e400");
        assertThat(post(a, basic("fs", "cdr-password-0001")).status()).isEqualTo(200);
        long t0 = kit.server.clock.instant().getEpochSecond();
        String b = cdr("a-leg-odd-2", "inbound", t0, t0 + 20, t0 + 95, 75, "NORMAL_CLEARING").replace("\"start_epoch\":\"" + t0 + "\",", "");
        assertThat(post(b, basic("fs", "cdr-password-0001")).status()).isEqualTo(200);

        JsonNode odd = kit.call("a-leg-odd-1");
        assertThat(odd.get("status").asText()).isEqualTo("missed");
        assertThat(odd.get("talkSeconds").asInt()).isZero();
        JsonNode noStart = kit.call("a-leg-odd-2");
        assertThat(noStart.get("status").asText()).isEqualTo("completed");
        assertThat(noStart.get("talkSeconds").asInt()).isEqualTo(75);
    }

    /**
     * Audit AB1 #1, the same mistake as Mango's: a CDR without its own duration got end_epoch −
     * start_epoch even when start_epoch was a time the call model replaces (1970: a duration of
     * 1.8e9 s). The length comes from times the call keeps, and never undercuts the talk.
     */
    @Test
    void aCdrWhoseStartIsNoTimeGetsItsDurationFromTimesTheCallKeeps() {
        long t0 = kit.server.clock.instant().getEpochSecond();
        String a = cdr("a-leg-1970", "inbound", t0, t0 + 20, t0 + 95, 75, "NORMAL_CLEARING")
                .replace("\"start_epoch\":\"" + t0 + "\"", "\"start_epoch\":\"123\"")
                .replace("\"duration\":\"95\",", "");
        assertThat(post(a, basic("fs", "cdr-password-0001")).status()).isEqualTo(200);
        JsonNode call = kit.call("a-leg-1970");
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(75);
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(75);
    }
}
