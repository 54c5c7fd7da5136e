package io.ringpool.telephony.uis;

import static io.ringpool.telephony.provider.ProviderTestKit.CALLER;
import static io.ringpool.telephony.provider.ProviderTestKit.NUMBER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** UIS / operator PBX notifications: no signature, a secret token in the path. */
class UisOverHttpTest {
    static final String TOKEN = "uis-token-0123456789abcdef";

    @RegisterExtension
    static final ProviderTestKit kit = ProviderTestKit.serving("uis", Map.of("token", TOKEN));

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void notificationsByGetFormAndJsonMakeOneCallWithUisVariableNames() {
        String base = "/v1/telephony/uis/" + kit.siteId + "/" + TOKEN;
        assertThat(kit.server.get(base + "?event=ringing&call_session_id=2841955123&contact_phone_number=" + enc(CALLER.substring(1))
                + "&virtual_phone_number=" + NUMBER.substring(1), null).status()).isEqualTo(200);
        assertThat(kit.postForm(base, ProviderTestKit.params("event", "answered", "call_session_id", "2841955123"), Map.of()).status())
                .isEqualTo(200);
        assertThat(kit.postJson(base, "{\"event\":\"completed\",\"call_session_id\":\"2841955123\",\"total_time_duration\":95,"
                + "\"talk_time_duration\":75,\"file_link\":\"https://app.uiscom.ru/rec/1.mp3\",\"virtual_phone_number\":\""
                + NUMBER.substring(1) + "\"}", Map.of()).status()).isEqualTo(200);
        JsonNode call = kit.call("2841955123");
        assertThat(call.get("caller").asText()).isEqualTo(CALLER);
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(95);
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(75);
        assertThat(call.get("recordingUrl").asText()).isEqualTo("https://app.uiscom.ru/rec/1.mp3");
        assertThat(call.get("attribution").get("method").asText()).isEqualTo("active");
    }

    @Test
    void aWrongTokenIsRefusedAndAnUnknownEventIsInvalid() {
        String wrong = "/v1/telephony/uis/" + kit.siteId + "/uis-token-0123456789abcdeX";
        assertThat(kit.server.get(wrong + "?event=ringing&callId=uis-refused&from=79161234567&to=" + NUMBER.substring(1), null).status())
                .isEqualTo(403);
        String right = "/v1/telephony/uis/" + kit.siteId + "/" + TOKEN;
        assertThat(kit.server.get(right + "?event=hello&callId=uis-refused", null).status()).isEqualTo(422);
        assertThat(kit.calls().findValuesAsText("providerCallId")).doesNotContain("uis-refused");
    }

    @Test
    void aShortTokenIsNotAccepted() {
        assertThat(kit.patch(Map.of("providers", Map.of("uis", Map.of("token", "short")))).status()).isEqualTo(422);
    }

    /**
     * Audit AN3 F1: UIS fills {{notification_time}} with milliseconds ("2019-12-16 14:40:47.234"),
     * which was not read, so the call was dated at receipt. Read in the site's time zone, like the
     * same time without the fraction.
     */
    @Test
    void aNotificationTimeWithMillisecondsInTheSitesZoneDatesTheCall() {
        String base = "/v1/telephony/uis/" + kit.siteId + "/" + TOKEN;
        java.time.ZoneId zone = java.time.ZoneId.of(kit.server.get("/v1/sites/" + kit.siteId, kit.apiKey).text("timeZone"));
        java.time.Instant rang = kit.server.clock.instant().minusSeconds(40).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .plusMillis(852);
        String local = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").format(rang.atZone(zone));
        assertThat(kit.server.get(base + "?event=ringing&call_session_id=uis-ms-1&contact_phone_number=" + enc(CALLER.substring(1))
                + "&virtual_phone_number=" + NUMBER.substring(1) + "&notification_time=" + enc(local), null).status()).isEqualTo(200);
        assertThat(java.time.Instant.parse(kit.call("uis-ms-1").get("startedAt").asText())).isEqualTo(rang);
    }

    /**
     * Found by ProviderWebhookSweepTest: a template that filled in a duration, a time or a link
     * wrongly made the whole notification 422, and a time in year 999999999 a 500: the call was
     * lost. The odd values are left out; the call is kept.
     */
    @Test
    void oddDurationsTimesAndLinksAreLeftOutAndTheCallIsKept() {
        String base = "/v1/telephony/uis/" + kit.siteId + "/" + TOKEN;
        assertThat(kit.server.get(base + "?event=ringing&call_session_id=uis-odd-1&contact_phone_number=" + enc(CALLER.substring(1))
                + "&virtual_phone_number=" + NUMBER.substring(1) + "&notification_time=" + enc("+999999999-12-31T23:59:59Z"), null)
                .status()).isEqualTo(200);
        assertThat(kit.postJson(base, "{\"event\":\"completed\",\"call_session_id\":\"uis-odd-1\",\"total_time_duration\":-5,"
                + "\"talk_time_duration\":\"1,5\",\"file_link\":\"javascript:alert(1)\",\"notification_time\":\"yesterday\"}", Map.of())
                .status()).isEqualTo(200);
        JsonNode call = kit.call("uis-odd-1");
        // The unreadable talk is left out, and nothing else says anybody answered: an unanswered end is missed (audit AI1 #6).
        assertThat(call.get("status").asText()).isEqualTo("missed");
        assertThat(call.get("recordingUrl").isNull()).isTrue();
        assertThat(call.get("startedAt").asText()).doesNotStartWith("+");
    }

    @Test
    void aCallIdLongerThanTheStoresColumnIsOneCall() {
        String base = "/v1/telephony/uis/" + kit.siteId + "/" + TOKEN;
        String id = "uis-long-" + "7".repeat(291);
        assertThat(kit.postJson(base, "{\"event\":\"ringing\",\"callId\":\"" + id + "\",\"from\":\"" + CALLER + "\",\"to\":\"" + NUMBER
                + "\"}", Map.of()).status()).isEqualTo(200);
        assertThat(kit.postJson(base, "{\"event\":\"completed\",\"callId\":\"" + id + "\",\"talkSeconds\":40}", Map.of()).status())
                .isEqualTo(200);
        assertThat(kit.call(io.ringpool.call.CallEvent.storedCallId(id)).get("status").asText()).isEqualTo("completed");
    }

    /**
     * Audit AB1 #6: {@code durationSeconds 95, talkSeconds 200} was stored as it came, a call whose
     * talk outlasts it. The talk is part of the call, so the duration is raised to the talk, on one
     * event and across a call's events; a length over the generic route's cap is left out.
     */
    @Test
    void theStoredDurationIsNeverShorterThanTheTalkNorOverTheCap() {
        String base = "/v1/telephony/uis/" + kit.siteId + "/" + TOKEN;
        assertThat(kit.postJson(base, "{\"callId\":\"uis-talk-1\",\"event\":\"completed\",\"from\":\"" + CALLER + "\",\"to\":\""
                + NUMBER + "\",\"durationSeconds\":95,\"talkSeconds\":200}", Map.of()).status()).isEqualTo(200);
        assertThat(kit.postJson(base, "{\"callId\":\"uis-talk-2\",\"event\":\"answered\",\"from\":\"" + CALLER + "\",\"to\":\""
                + NUMBER + "\",\"talkSeconds\":200}", Map.of()).status()).isEqualTo(200);
        assertThat(kit.postJson(base, "{\"callId\":\"uis-talk-2\",\"event\":\"completed\",\"durationSeconds\":95}", Map.of())
                .status()).isEqualTo(200);
        assertThat(kit.postJson(base, "{\"callId\":\"uis-talk-3\",\"event\":\"completed\",\"from\":\"" + CALLER + "\",\"to\":\""
                + NUMBER + "\",\"durationSeconds\":10000001,\"talkSeconds\":30}", Map.of()).status()).isEqualTo(200);

        for (String id : new String[] {"uis-talk-1", "uis-talk-2"}) {
            JsonNode call = kit.call(id);
            assertThat(call.get("talkSeconds").asInt()).as(id).isEqualTo(200);
            assertThat(call.get("durationSeconds").asInt()).as(id).isEqualTo(200);
        }
        JsonNode overCap = kit.call("uis-talk-3");
        assertThat(overCap.get("talkSeconds").asInt()).isEqualTo(30);
        assertThat(overCap.get("durationSeconds").asInt()).isEqualTo(30);
    }

    /**
     * Audit AB1 #7: provider JSON was read by another reader than the API's: a UTF-8 byte-order mark
     * was 400 (a PBX whose client writes one lost every call), trailing garbage, two documents and
     * a key given twice with different values were taken, and broken JSON was {@code malformed_body}.
     */
    @Test
    void aBomIsReadPastAndWhatIsNoOneJsonObjectIs400MalformedJson() {
        String base = "/v1/telephony/uis/" + kit.siteId + "/" + TOKEN;
        String ringing = "{\"callId\":\"uis-bom\",\"event\":\"ringing\",\"from\":\"" + CALLER + "\",\"to\":\"" + NUMBER + "\"}";
        Reply bom = kit.server.send("POST", base, null, "\uFEFF" + ringing, "application/json", Map.of());
        assertThat(bom.status()).as(bom.body()).isEqualTo(200);
        Reply untyped = kit.server.send("POST", base, null, "\uFEFF" + ringing.replace("uis-bom", "uis-bom-untyped"), null, Map.of());
        assertThat(untyped.status()).as(untyped.body()).isEqualTo(200);
        Reply sameTwice = kit.postJson(base, ringing.replace("uis-bom", "uis-dup-same").replace("\"event\":\"ringing\"",
                "\"event\":\"ringing\",\"event\":\"ringing\""), Map.of());
        assertThat(sameTwice.status()).as(sameTwice.body()).isEqualTo(200);

        String refused = ringing.replace("uis-bom", "uis-refused-json");
        for (String body : new String[] {refused + " xyz", refused + refused, refused.substring(0, 20)}) {
            Reply r = kit.postJson(base, body, Map.of());
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.errorCode()).as(body).isEqualTo("malformed_json");
        }
        Reply conflicting = kit.postJson(base, refused.replace("\"event\":\"ringing\"", "\"event\":\"ringing\",\"event\":\"completed\""),
                Map.of());
        assertThat(conflicting.status()).as(conflicting.body()).isEqualTo(400);
        assertThat(conflicting.errorCode()).isEqualTo("malformed_json");
        assertThat(conflicting.json().path("error").path("field").asText()).isEqualTo("event");

        assertThat(kit.call("uis-bom").get("status").asText()).isEqualTo("ringing");
        assertThat(kit.call("uis-bom-untyped").get("status").asText()).isEqualTo("ringing");
        assertThat(kit.call("uis-dup-same").get("status").asText()).isEqualTo("ringing");
        assertThat(kit.calls().findValuesAsText("providerCallId")).doesNotContain("uis-refused-json");
    }
}
