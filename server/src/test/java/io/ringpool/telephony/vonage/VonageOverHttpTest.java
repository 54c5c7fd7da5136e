package io.ringpool.telephony.vonage;

import static io.ringpool.telephony.provider.ProviderTestKit.CALLER;
import static io.ringpool.telephony.provider.ProviderTestKit.NUMBER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import io.ringpool.telephony.provider.ProviderSigning;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Vonage Voice webhooks with the JWT built here by hand (base64url header.claims, HMAC-SHA256 with
 * the signature secret), claims as Vonage sends them: iat, jti, iss, payload_hash, api_key, application_id.
 */
class VonageOverHttpTest {
    static final String SECRET = "vonage-signature-secret-of-forty-chars-01";

    @RegisterExtension
    static final ProviderTestKit kit = ProviderTestKit.serving("vonage", Map.of("signatureSecret", SECRET));

    static String jwt(String secret, long iat, String jti, String payloadHash) {
        String header = ProviderSigning.base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = "{\"iat\":" + iat + ",\"jti\":\"" + jti + "\",\"iss\":\"Vonage\""
                + (payloadHash == null ? "" : ",\"payload_hash\":\"" + payloadHash + "\"")
                + ",\"api_key\":\"abcd1234\",\"application_id\":\"aaaaaaaa-bbbb-cccc-dddd-0123456789ab\"}";
        String input = header + "." + ProviderSigning.base64Url(claims.getBytes(StandardCharsets.UTF_8));
        return input + "." + ProviderSigning.base64Url(ProviderSigning.hmac("HmacSHA256", secret, input));
    }

    static String sha256Hex(String s) throws Exception {
        return ProviderSigning.hex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    static long now() {
        return kit.server.clock.instant().getEpochSecond();
    }

    static Reply event(Map<String, Object> body) throws Exception {
        String json = new String(Json.write(body), StandardCharsets.UTF_8);
        return kit.postJson("/v1/telephony/vonage/" + kit.siteId + "/event", json,
                Map.of("Authorization", "Bearer " + jwt(SECRET, now(), UUID.randomUUID().toString(), sha256Hex(json))));
    }

    @Test
    void theAnswerWebhookConnectsTheCallerAndTheEventsMakeOneCall() throws Exception {
        String conv = "CON-" + UUID.randomUUID();
        String query = "to=" + NUMBER.substring(1) + "&from=" + CALLER.substring(1) + "&uuid=leg-a&conversation_uuid=" + conv;
        String queryJson = "{\"to\":\"" + NUMBER.substring(1) + "\",\"from\":\"" + CALLER.substring(1)
                + "\",\"uuid\":\"leg-a\",\"conversation_uuid\":\"" + conv + "\"}";
        Reply answer = kit.server.send("GET", "/v1/telephony/vonage/" + kit.siteId + "/answer?" + query, null, null, null,
                Map.of("Authorization", "Bearer " + jwt(SECRET, now(), UUID.randomUUID().toString(), sha256Hex(queryJson))));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonNode ncco = Json.MAPPER.readTree(answer.body());
        assertThat(ncco.get(0).get("action").asText()).isEqualTo("connect");
        assertThat(ncco.get(0).get("endpoint").get(0).get("number").asText()).isEqualTo(ProviderTestKit.FORWARD_TO.substring(1));
        assertThat(ncco.get(0).get("eventUrl").get(0).asText())
                .isEqualTo(ProviderTestKit.PUBLIC_URL + "/v1/telephony/vonage/" + kit.siteId + "/event");

        // Out of order: the outbound leg's completion comes before the business's answer.
        assertThat(event(Map.of("conversation_uuid", conv, "uuid", "leg-b", "direction", "outbound", "status", "completed",
                "duration", "75", "from", NUMBER.substring(1), "to", "74951112233")).status()).isEqualTo(204);
        assertThat(event(Map.of("conversation_uuid", conv, "uuid", "leg-b", "direction", "outbound", "status", "answered",
                "from", NUMBER.substring(1), "to", "74951112233")).status()).isEqualTo(204);
        assertThat(event(Map.of("conversation_uuid", conv, "uuid", "leg-a", "direction", "inbound", "status", "completed",
                "duration", "95", "from", CALLER.substring(1), "to", NUMBER.substring(1))).status()).isEqualTo(204);
        assertThat(event(Map.of("conversation_uuid", conv, "recording_url", "https://api.nexmo.com/v1/files/rec-1",
                "recording_uuid", "rec-1")).status()).isEqualTo(204);

        JsonNode call = kit.call(conv);
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("caller").asText()).isEqualTo(CALLER);
        assertThat(call.get("number").asText()).isEqualTo(NUMBER);
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(95);
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(75);
        assertThat(call.get("recordingUrl").asText()).isEqualTo("https://api.nexmo.com/v1/files/rec-1");
        assertThat(call.get("attribution").get("method").asText()).isEqualTo("active");
    }

    @Test
    void anUnansweredForwardLeavesTheCallMissed() throws Exception {
        String conv = "CON-missed-" + UUID.randomUUID();
        assertThat(event(Map.of("conversation_uuid", conv, "direction", "inbound", "status", "ringing", "from", "79160001122",
                "to", NUMBER.substring(1))).status()).isEqualTo(204);
        assertThat(event(Map.of("conversation_uuid", conv, "direction", "outbound", "status", "timeout")).status()).isEqualTo(204);
        assertThat(event(Map.of("conversation_uuid", conv, "direction", "inbound", "status", "completed", "duration", "31",
                "from", "79160001122", "to", NUMBER.substring(1))).status()).isEqualTo(204);
        JsonNode call = kit.call(conv);
        assertThat(call.get("status").asText()).isEqualTo("missed");
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(31);
    }

    @Test
    void aWrongSecretAStaleTokenAReplayedTokenAndAChangedBodyAreRefused() throws Exception {
        String json = "{\"conversation_uuid\":\"CON-refused\",\"direction\":\"inbound\",\"status\":\"started\",\"from\":\"79161234567\",\"to\":\""
                + NUMBER.substring(1) + "\"}";
        String path = "/v1/telephony/vonage/" + kit.siteId + "/event";
        assertThat(kit.postJson(path, json, Map.of("Authorization", "Bearer " + jwt("other-secret", now(), "j1", sha256Hex(json))))
                .status()).isEqualTo(403);
        Reply stale = kit.postJson(path, json, Map.of("Authorization", "Bearer " + jwt(SECRET, now() - 600, "j2", sha256Hex(json))));
        assertThat(stale.status()).isEqualTo(403);
        assertThat(stale.errorCode()).isEqualTo("stale_signature");
        assertThat(kit.postJson(path, json.replace("started", "ringing"),
                Map.of("Authorization", "Bearer " + jwt(SECRET, now(), "j3", sha256Hex(json)))).status()).isEqualTo(403);
        assertThat(kit.postJson(path, json, Map.of()).status()).isEqualTo(403);
        assertThat(kit.calls().findValuesAsText("providerCallId")).doesNotContain("CON-refused");

        Map<String, String> once = Map.of("Authorization", "Bearer " + jwt(SECRET, now(), "j4", sha256Hex(json)));
        assertThat(kit.postJson(path, json, once).status()).isEqualTo(204);
        assertThat(kit.postJson(path, json, once).status()).isEqualTo(403);
        assertThat(kit.diagnostics("vonage").findValuesAsText("reason")).contains("mismatch", "stale", "missing", "replayed");
    }

    @Test
    void aRecordingSitesNccoTalksTheNoticeThenRecordsBothSidesBeforeConnecting() throws Exception {
        assertThat(kit.patch(Map.of("recordCalls", true, "recordingNotice", "Line one \"quoted\"\nline two")).status()).isEqualTo(200);
        try {
            String conv = "CON-" + UUID.randomUUID();
            String query = "to=" + NUMBER.substring(1) + "&from=" + CALLER.substring(1) + "&uuid=leg-a&conversation_uuid=" + conv;
            String queryJson = "{\"to\":\"" + NUMBER.substring(1) + "\",\"from\":\"" + CALLER.substring(1)
                    + "\",\"uuid\":\"leg-a\",\"conversation_uuid\":\"" + conv + "\"}";
            Reply answer = kit.server.send("GET", "/v1/telephony/vonage/" + kit.siteId + "/answer?" + query, null, null, null,
                    Map.of("Authorization", "Bearer " + jwt(SECRET, now(), UUID.randomUUID().toString(), sha256Hex(queryJson))));
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            JsonNode ncco = Json.MAPPER.readTree(answer.body());
            assertThat(ncco.get(0).get("action").asText()).isEqualTo("talk");
            assertThat(ncco.get(0).get("text").asText()).isEqualTo("Line one \"quoted\"\nline two");
            JsonNode record = ncco.get(1);
            assertThat(record.get("action").asText()).isEqualTo("record");
            assertThat(record.get("split").asText()).isEqualTo("conversation");
            assertThat(record.get("channels").asInt()).isEqualTo(2);
            assertThat(record.get("format").asText()).isEqualTo("mp3");
            assertThat(record.get("eventUrl").get(0).asText()).isEqualTo(ProviderTestKit.PUBLIC_URL + "/v1/telephony/vonage/" + kit.siteId + "/event");
            assertThat(record.has("endOnSilence") || record.has("timeOut") || record.has("endOnKey")).as("records until the call ends").isFalse();
            assertThat(ncco.get(2).get("action").asText()).isEqualTo("connect");
            assertThat(event(Map.of("conversation_uuid", conv, "recording_url", "https://api.nexmo.com/v1/files/rec-7",
                    "recording_uuid", "rec-7")).status()).isEqualTo(204);
            assertThat(kit.call(conv).get("recordingStatus").asText()).isEqualTo("queued");
        } finally {
            kit.patch(Map.of("recordCalls", false));
        }
    }

    /**
     * Found by ProviderWebhookSweepTest: a duration of 2^31 or more was cast into a negative int and
     * the event failed (500), and a conversation_uuid over 100 characters was refused (422): Vonage
     * retries both into the same answer, and the call was lost.
     */
    @Test
    void anOverflowingDurationIsLeftOutAndALongConversationIdIsOneCall() throws Exception {
        String conv = "CON-long-" + "a".repeat(291);
        assertThat(event(Map.of("conversation_uuid", conv, "direction", "inbound", "status", "ringing", "from", "79160001133",
                "to", NUMBER.substring(1))).status()).isEqualTo(204);
        assertThat(event(Map.of("conversation_uuid", conv, "direction", "inbound", "status", "completed", "duration", "2147483648",
                "from", "79160001133", "to", NUMBER.substring(1))).status()).isEqualTo(204);
        JsonNode call = kit.call(io.ringpool.call.CallEvent.storedCallId(conv));
        assertThat(call.get("status").asText()).isEqualTo("missed");
        assertThat(call.get("durationSeconds").asInt()).isBetween(0, 60); // computed from the event times, not 2^31 wrapped
    }
    /** A GET to the answer or event URL, its query signed as Vonage signs it (a compact JSON object of the parameters, in order). */
    static Reply get(String endpoint, Map<String, String> params) throws Exception {
        String query = ProviderTestKit.form(params);
        String queryJson = new String(Json.write(params), StandardCharsets.UTF_8);
        return kit.server.send("GET", "/v1/telephony/vonage/" + kit.siteId + "/" + endpoint + "?" + query, null, null, null,
                Map.of("Authorization", "Bearer " + jwt(SECRET, now(), UUID.randomUUID().toString(), sha256Hex(queryJson))));
    }

    /**
     * Found by ProviderWebhookSweepTest: an application whose event URL is set to GET had every event
     * refused with 405 (only POST was routed), so its calls stayed ringing forever, without duration
     * or recording.
     */
    @Test
    void eventsSentByGetAreRecordedLikeTheirPostTwins() throws Exception {
        String conv = "CON-get-" + UUID.randomUUID();
        Map<String, String> answer = new java.util.LinkedHashMap<>();
        answer.put("to", NUMBER.substring(1));
        answer.put("from", CALLER.substring(1));
        answer.put("uuid", "leg-a");
        answer.put("conversation_uuid", conv);
        assertThat(get("answer", answer).status()).isEqualTo(200);
        Map<String, String> outAnswered = new java.util.LinkedHashMap<>();
        outAnswered.put("conversation_uuid", conv);
        outAnswered.put("uuid", "leg-b");
        outAnswered.put("direction", "outbound");
        outAnswered.put("status", "answered");
        Reply answered = get("event", outAnswered);
        assertThat(answered.status()).as(answered.body()).isEqualTo(204);
        Map<String, String> inCompleted = new java.util.LinkedHashMap<>();
        inCompleted.put("conversation_uuid", conv);
        inCompleted.put("uuid", "leg-a");
        inCompleted.put("direction", "inbound");
        inCompleted.put("status", "completed");
        inCompleted.put("duration", "95");
        inCompleted.put("from", CALLER.substring(1));
        inCompleted.put("to", NUMBER.substring(1));
        assertThat(get("event", inCompleted).status()).isEqualTo(204);
        Map<String, String> recording = new java.util.LinkedHashMap<>();
        recording.put("conversation_uuid", conv);
        recording.put("recording_url", "https://api.nexmo.com/v1/files/rec-get");
        assertThat(get("event", recording).status()).isEqualTo(204);

        JsonNode call = kit.call(conv);
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(95);
        assertThat(call.get("recordingUrl").asText()).isEqualTo("https://api.nexmo.com/v1/files/rec-get");

        // A GET whose query was changed after signing is refused like a changed body.
        String query = ProviderTestKit.form(outAnswered).replace("answered", "completed");
        Reply changed = kit.server.send("GET", "/v1/telephony/vonage/" + kit.siteId + "/event?" + query, null, null, null,
                Map.of("Authorization", "Bearer " + jwt(SECRET, now(), UUID.randomUUID().toString(),
                        sha256Hex(new String(Json.write(outAnswered), StandardCharsets.UTF_8)))));
        assertThat(changed.status()).isEqualTo(403);
    }

    /**
     * Found by ProviderWebhookSweepTest: the GET answer kept its query values as sent while events
     * strip theirs, so a conversation_uuid with surrounding spaces made two calls.
     */
    @Test
    void aGetAnswerAndItsEventsNameOneCallEvenWhenTheIdIsPadded() throws Exception {
        String conv = "CON-pad-" + UUID.randomUUID();
        Map<String, String> answer = new java.util.LinkedHashMap<>();
        answer.put("to", NUMBER.substring(1));
        answer.put("from", CALLER.substring(1));
        answer.put("conversation_uuid", "  " + conv + "  ");
        assertThat(get("answer", answer).status()).isEqualTo(200);
        assertThat(event(Map.of("conversation_uuid", "  " + conv + "  ", "direction", "inbound", "status", "completed", "duration", "40",
                "from", CALLER.substring(1), "to", NUMBER.substring(1))).status()).isEqualTo(204);
        kit.server.awaitCallsStored();
        assertThat(kit.calls().findValuesAsText("providerCallId").stream().filter(id -> id.contains(conv))).containsExactly(conv);
    }
}
