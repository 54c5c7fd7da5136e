package io.ringpool.telephony;

import static io.ringpool.telephony.provider.ProviderTestKit.CALLER;
import static io.ringpool.telephony.provider.ProviderTestKit.NUMBER;
import static io.ringpool.telephony.provider.ProviderTestKit.params;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.telephony.provider.ProviderSigning;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Audit AI1 #6: a {@code completed} that says nobody answered outranked {@code missed}, so a missed
 * Zadarma or Mango call followed by its recording notice, a lost UIS call set up with providers.md's
 * templates and an unanswered call from calls.md's PBX script all ended {@code completed} with talk 0,
 * out of {@code status=missed} and every missed count. Each call here is posted in every order of
 * arrival, signed as its provider signs it, and must end {@code missed}.
 */
class UnansweredCompletedOverHttpTest {
    static final String ZADARMA_SECRET = "zadarma-api-secret-0006";
    static final String MANGO_KEY = "mango-vpbx-api-key-0006";
    static final String MANGO_SALT = "mango-vpbx-api-salt-0006";
    static final String UIS_TOKEN = "uis-token-ai1-six-0123456789";
    static final String CALLER_RAW = CALLER.substring(1);
    static final String DID = NUMBER.substring(1);

    @RegisterExtension
    static final ProviderTestKit kit = ProviderTestKit.serving("zadarma", Map.of("secret", ZADARMA_SECRET));

    @BeforeAll
    static void moreProviders() {
        kit.configure("mango", Map.of("apiKey", MANGO_KEY, "apiSalt", MANGO_SALT));
        kit.configure("uis", Map.of("token", UIS_TOKEN));
    }

    @Test
    void aMissedZadarmaCallWithARecordingStaysMissedInEveryOrder() {
        int n = 0;
        for (List<String> order : permutations(List.of("start", "end", "record"))) {
            String id = "in_ai1_6_" + n++;
            String start = "2026-11-30 12:00:00";
            Map<String, Supplier<Reply>> posts = Map.of(
                    "start", () -> zadarma(params("event", "NOTIFY_START", "call_start", start, "pbx_call_id", id, "caller_id", CALLER_RAW,
                            "called_did", DID), CALLER_RAW + DID + start),
                    "end", () -> zadarma(params("event", "NOTIFY_END", "call_start", start, "pbx_call_id", id, "caller_id", CALLER_RAW,
                            "called_did", DID, "duration", "25", "disposition", "no answer", "status_code", "19", "is_recorded", "1",
                            "call_id_with_rec", id + ".rec"), CALLER_RAW + DID + start),
                    // As Zadarma posts it for a recorded call nobody picked up (a voicemail left by the caller).
                    "record", () -> zadarma(params("event", "NOTIFY_RECORD", "pbx_call_id", id, "call_id_with_rec", id + ".rec"),
                            id + id + ".rec"));
            postAll(order, posts);
            JsonNode call = kit.call(id);
            assertThat(call.get("status").asText()).as(String.join(", ", order)).isEqualTo("missed");
            assertThat(call.get("talkSeconds").asInt()).isZero();
            assertThat(call.get("recordingUrl").asText()).isEqualTo("zadarma-recording:" + id + ".rec");
        }
    }

    @Test
    void aMangoEntryNobodyAnsweredWithARecordingStaysMissedInEveryOrder() {
        int n = 0;
        for (List<String> order : permutations(List.of("appeared", "recording", "summary"))) {
            String entry = "VM-ai1-6-" + n++;
            long now = kit.server.clock.instant().getEpochSecond();
            Map<String, Supplier<Reply>> posts = Map.of(
                    "appeared", () -> mango("call", "{\"entry_id\":\"" + entry + "\",\"call_id\":\"c1\",\"timestamp\":" + (now - 40)
                            + ",\"seq\":1,\"call_state\":\"Appeared\",\"location\":\"ivr\",\"from\":{\"number\":\"" + CALLER_RAW
                            + "\"},\"to\":{\"line_number\":\"" + DID + "\"}}"),
                    "recording", () -> mango("recording", "{\"entry_id\":\"" + entry + "\",\"call_id\":\"c1\",\"recording_id\":\"REC"
                            + entry + "\",\"recording_state\":\"Completed\",\"seq\":4,\"timestamp\":" + (now - 2) + "}"),
                    "summary", () -> mango("summary", "{\"entry_id\":\"" + entry + "\",\"call_direction\":1,\"from\":{\"number\":\""
                            + CALLER_RAW + "\"},\"to\":{\"number\":\"\"},\"line_number\":\"" + DID + "\",\"create_time\":" + (now - 40)
                            + ",\"forward_time\":0,\"talk_time\":0,\"end_time\":" + (now - 3) + ",\"entry_result\":0,\"disconnect_reason\":1100}"));
            postAll(order, posts);
            JsonNode call = kit.call(entry);
            assertThat(call.get("status").asText()).as(String.join(", ", order)).isEqualTo("missed");
            assertThat(call.get("talkSeconds").asInt()).isZero();
            assertThat(call.get("durationSeconds").asInt()).isEqualTo(37);
            assertThat(call.get("recordingUrl").asText()).isEqualTo("mango-recording:REC" + entry);
        }
    }

    /** providers.md's UIS templates: «Завершение звонка» comes after every call, lost ones too, with talk 0. */
    @Test
    void aLostUisCallFromTheDocumentedTemplatesIsMissedInEveryOrder() {
        int n = 0;
        for (List<String> order : permutations(List.of("ringing", "missed", "completed"))) {
            String id = "uis-ai1-6-" + n++;
            Map<String, Supplier<Reply>> posts = Map.of(
                    "ringing", () -> uis("{\"event\":\"ringing\",\"call_session_id\":\"" + id + "\",\"contact_phone_number\":\"" + CALLER_RAW
                            + "\",\"virtual_phone_number\":\"" + DID + "\",\"notification_time\":\"{{notification_time}}\"}"),
                    "missed", () -> uis("{\"event\":\"missed\",\"call_session_id\":\"" + id + "\",\"contact_phone_number\":\"" + CALLER_RAW
                            + "\",\"virtual_phone_number\":\"" + DID + "\"}"),
                    "completed", () -> uis("{\"event\":\"completed\",\"call_session_id\":\"" + id + "\",\"contact_phone_number\":\""
                            + CALLER_RAW + "\",\"virtual_phone_number\":\"" + DID + "\",\"total_time_duration\":\"25\","
                            + "\"talk_time_duration\":\"0\",\"file_link\":\"{{file_link}}\"}"));
            postAll(order, posts);
            JsonNode call = kit.call(id);
            assertThat(call.get("status").asText()).as(String.join(", ", order)).isEqualTo("missed");
            assertThat(call.get("talkSeconds").asInt()).isZero();
            assertThat(call.get("durationSeconds").asInt()).isEqualTo(25);
            assertThat(call.get("target").asBoolean()).isFalse();
        }
    }

    /** calls.md's 10-line script posts {@code completed} with ${CDR(billsec)}: 0 when nobody answered. */
    @Test
    void theDocumentedPbxScriptsUnansweredCallIsMissedAndItsAnsweredCallCompleted() {
        String ringing = "{\"callId\":\"pbx-ai1-6.1\",\"event\":\"ringing\",\"from\":\"" + CALLER_RAW + "\",\"to\":\"" + DID + "\"}";
        assertThat(generic(ringing).status()).isEqualTo(200);
        kit.server.clock.advance(java.time.Duration.ofSeconds(20));
        Reply end = generic("{\"callId\":\"pbx-ai1-6.1\",\"event\":\"completed\",\"from\":\"" + CALLER_RAW + "\",\"to\":\"" + DID
                + "\",\"durationSeconds\":20,\"talkSeconds\":0}");
        assertThat(end.status()).as(end.body()).isEqualTo(200);
        assertThat(end.text("status")).isEqualTo("missed");
        assertThat(end.json().get("talkSeconds").asInt()).isZero();
        assertThat(end.json().get("target").asBoolean()).isFalse();
        assertThat(kit.call("pbx-ai1-6.1").get("status").asText()).isEqualTo("missed");

        // The same script's answered call (billsec 80) is still completed.
        assertThat(generic(ringing.replace("6.1", "6.2")).status()).isEqualTo(200);
        kit.server.clock.advance(java.time.Duration.ofSeconds(95));
        Reply answered = generic("{\"callId\":\"pbx-ai1-6.2\",\"event\":\"completed\",\"from\":\"" + CALLER_RAW + "\",\"to\":\"" + DID
                + "\",\"durationSeconds\":95,\"talkSeconds\":80}");
        assertThat(answered.text("status")).isEqualTo("completed");
        assertThat(answered.json().get("talkSeconds").asInt()).isEqualTo(80);
    }

    // ---- posting as each provider does ----

    static Reply zadarma(Map<String, String> form, String signedData) {
        String hex = ProviderSigning.hex(ProviderSigning.hmac("HmacSHA1", ZADARMA_SECRET, signedData));
        return kit.postForm("/v1/telephony/zadarma/" + kit.siteId, form,
                Map.of("Signature", ProviderSigning.base64(hex.getBytes(StandardCharsets.US_ASCII))));
    }

    static Reply mango(String event, String json) {
        try {
            String sign = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest((MANGO_KEY + json + MANGO_SALT).getBytes(StandardCharsets.UTF_8)));
            return kit.postForm("/v1/telephony/mango/" + kit.siteId + "/events/" + event,
                    params("vpbx_api_key", MANGO_KEY, "sign", sign, "json", json), Map.of());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Reply uis(String json) {
        return kit.postJson("/v1/telephony/uis/" + kit.siteId + "/" + UIS_TOKEN, json, Map.of());
    }

    static Reply generic(String body) {
        return kit.postJson("/v1/telephony/" + kit.siteId + "/events", body,
                Map.of("X-Ringpool-Signature", Signing.ringpool(kit.webhookSecret, kit.server.clock.instant().getEpochSecond(), body)));
    }

    /** Posts in this order, each accepted (200; 202 for a notice that comes before the call's first). */
    static void postAll(List<String> order, Map<String, Supplier<Reply>> posts) {
        for (String name : order) {
            Reply r = posts.get(name).get();
            assertThat(r.status()).as(name + ": " + r.body()).isIn(200, 202);
        }
    }

    /** Every order of the names. */
    static List<List<String>> permutations(List<String> names) {
        if (names.isEmpty()) {
            return List.of(List.of());
        }
        List<List<String>> all = new ArrayList<>();
        for (String first : names) {
            List<String> rest = new ArrayList<>(names);
            rest.remove(first);
            for (List<String> tail : permutations(rest)) {
                List<String> order = new ArrayList<>(List.of(first));
                order.addAll(tail);
                all.add(order);
            }
        }
        return all;
    }
}
