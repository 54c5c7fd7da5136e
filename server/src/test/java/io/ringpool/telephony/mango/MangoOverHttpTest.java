package io.ringpool.telephony.mango;

import static io.ringpool.telephony.provider.ProviderTestKit.CALLER;
import static io.ringpool.telephony.provider.ProviderTestKit.NUMBER;
import static io.ringpool.telephony.provider.ProviderTestKit.params;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Mango Office notices over real HTTP, signed as Mango documents it (sha256 hex of key + json + salt),
 * computed here with the JDK, not with the adapter.
 */
class MangoOverHttpTest {
    static final String KEY = "mango-vpbx-api-key-0001";
    static final String SALT = "mango-vpbx-api-salt-0001";

    @RegisterExtension
    static final ProviderTestKit kit = ProviderTestKit.serving("mango", Map.of("apiKey", KEY, "apiSalt", SALT));

    static String sha256Hex(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    static Reply post(String event, String json, String key, String salt) throws Exception {
        return kit.postForm("/v1/telephony/mango/" + kit.siteId + "/events/" + event,
                params("vpbx_api_key", key, "sign", sha256Hex(key + json + salt), "json", json), Map.of());
    }

    static Reply post(String event, String json) throws Exception {
        return post(event, json, KEY, SALT);
    }

    static long now() {
        return kit.server.clock.instant().getEpochSecond();
    }

    static String callEvent(String entry, String callId, int seq, String state, String location, long ts) {
        return "{\"entry_id\":\"" + entry + "\",\"call_id\":\"" + callId + "\",\"timestamp\":" + ts + ",\"seq\":" + seq
                + ",\"call_state\":\"" + state + "\",\"location\":\"" + location + "\",\"from\":{\"number\":\""
                + CALLER.substring(1) + "\"},\"to\":{\"extension\":\"101\",\"number\":\"sip:101@vpbx\",\"line_number\":\""
                + NUMBER.substring(1) + "\"},\"disconnect_reason\":0}";
    }

    /**
     * Audit AI1 #4: an employee's outgoing call (from extension 101 to a client) and an internal call
     * (101 to 102) name no line of the PBX, so they never reach a tracking number. Their notices were
     * stored to wait for one for ever and listed {@code accepted}; they are answered and listed
     * {@code ignored}, and nothing is stored.
     */
    @Test
    void anEmployeesOutgoingAndInternalCallsAreIgnoredAndNothingWaits() throws Exception {
        long t0 = now();
        String outgoing = "OUT-MTAwNTc1OTM6NTAy";
        String employee = "\"from\":{\"extension\":\"101\",\"number\":\"sip:manager@vpbx400000000.mangosip.ru\"}";
        for (String[] notice : new String[][] {{"1", "Appeared", "" + t0}, {"2", "Connected", "" + (t0 + 5)},
                {"3", "Disconnected", "" + (t0 + 40)}}) {
            Reply r = post("call", "{\"entry_id\":\"" + outgoing + "\",\"call_id\":\"o1\",\"timestamp\":" + notice[2] + ",\"seq\":"
                    + notice[0] + ",\"call_state\":\"" + notice[1] + "\",\"location\":\"abonent\"," + employee
                    + ",\"to\":{\"number\":\"79161230000\"}}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        String internal = "INT-MTAwNTc1OTM6NTAz";
        assertThat(post("call", "{\"entry_id\":\"" + internal + "\",\"call_id\":\"i1\",\"timestamp\":" + t0
                + ",\"seq\":1,\"call_state\":\"Appeared\",\"location\":\"abonent\"," + employee
                + ",\"to\":{\"extension\":\"102\",\"number\":\"sip:colleague@vpbx400000000.mangosip.ru\"}}").status()).isEqualTo(200);

        JsonNode log = kit.diagnostics("mango");
        for (JsonNode e : log) {
            if (e.get("message").asText().contains("from extension 101")) {
                assertThat(e.get("outcome").asText()).as(e.toString()).isEqualTo("ignored");
                assertThat(e.get("events")).as(e.toString()).isEmpty();
            }
        }
        assertThat(log.findValuesAsText("outcome").stream().filter("ignored"::equals).count()).isGreaterThanOrEqualTo(4);
        assertThat(kit.calls().findValuesAsText("providerCallId")).doesNotContain(outgoing, internal);
        assertThat(waitingRows(outgoing) + waitingRows(internal)).isZero();
    }

    /** Rows of one Mango entry waiting for their call, read from the server's own store. */
    static long waitingRows(String entry) {
        return kit.server.count("SELECT COUNT(*) FROM call_events_waiting WHERE provider = 'mango' AND provider_call_id = ?", entry);
    }

    @Test
    void aFullCallInAnyOrderIsOneAttributedCallWithTheSummarysDurationsAndTheRecording() throws Exception {
        long t0 = now();
        String entry = "MTAwNTc1OTM6NTAyOjYyNTgzODM0";
        // Out of order: the summary and the employee's answer arrive before the call appeared.
        String summary = "{\"entry_id\":\"" + entry + "\",\"call_direction\":1,\"from\":{\"number\":\"" + CALLER.substring(1)
                + "\"},\"to\":{\"extension\":\"101\"},\"line_number\":\"" + NUMBER.substring(1) + "\",\"create_time\":" + t0
                + ",\"forward_time\":" + (t0 + 5) + ",\"talk_time\":" + (t0 + 20) + ",\"end_time\":" + (t0 + 95)
                + ",\"entry_result\":1,\"disconnect_reason\":1110}";
        assertThat(post("summary", summary).status()).isEqualTo(200);
        assertThat(post("call", callEvent(entry, "leg-2", 4, "Connected", "abonent", t0 + 20)).status()).isEqualTo(200);
        assertThat(post("call", callEvent(entry, "leg-1", 1, "Appeared", "ivr", t0)).status()).isEqualTo(200);
        assertThat(post("call", callEvent(entry, "leg-1", 2, "Connected", "ivr", t0 + 1)).status()).isEqualTo(200);
        assertThat(post("call", callEvent(entry, "leg-2", 5, "Disconnected", "abonent", t0 + 95)).status()).isEqualTo(200);
        String recording = "{\"recording_id\":\"MToxMDA1NzU5MzoxNjk\",\"recording_state\":\"Completed\",\"seq\":6,\"entry_id\":\""
                + entry + "\",\"call_id\":\"leg-2\",\"extension\":\"101\",\"timestamp\":" + (t0 + 96) + "}";
        assertThat(post("recording", recording).status()).isEqualTo(200);

        JsonNode call = kit.call(entry);
        assertThat(call.get("provider").asText()).isEqualTo("mango");
        assertThat(call.get("providerCallId").asText()).isEqualTo(entry);
        assertThat(call.get("caller").asText()).isEqualTo(CALLER);
        assertThat(call.get("number").asText()).isEqualTo(NUMBER);
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(95);
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(75);
        assertThat(call.get("recordingUrl").asText()).isEqualTo("mango-recording:MToxMDA1NzU5MzoxNjk");
        assertThat(call.get("attribution").get("method").asText()).isEqualTo("active");
        assertThat(call.get("attribution").get("sessionId").asText()).isEqualTo(kit.sessionId);

        // Mango's own retry of a notice already accepted is the same request, sign included: answered as the first time.
        Reply again = post("summary", summary);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(kit.call(entry).get("durationSeconds").asInt()).isEqualTo(95);
    }

    /**
     * Audit B, F8: Mango signs key + json + salt and nothing else, so its retry of an accepted notice (its
     * answer was lost, it timed out) is byte for byte the first request. It was refused 403 replayed_signature,
     * against at-least-once delivery; it is answered as the first time was, and nothing is stored again.
     */
    @Test
    void mangosRetryOfAnAcceptedNoticeIsAnsweredAsTheFirstTimeAndStoresNothingAgain() throws Exception {
        long t0 = now() - 60;
        String summary = "{\"entry_id\":\"entry-retried\",\"call_direction\":1,\"from\":{\"number\":\"79169998866\"},"
                + "\"line_number\":\"" + NUMBER.substring(1) + "\",\"create_time\":" + t0 + ",\"forward_time\":0,\"talk_time\":0,"
                + "\"end_time\":" + (t0 + 30) + ",\"entry_result\":0,\"disconnect_reason\":1120}";
        Reply first = post("summary", summary);
        assertThat(first.status()).isEqualTo(200);
        JsonNode stored = kit.call("entry-retried");

        for (int retry = 0; retry < 3; retry++) {
            Reply again = post("summary", summary);
            assertThat(again.status()).as(again.body()).isEqualTo(first.status());
            assertThat(again.body()).isEqualTo(first.body());
        }
        assertThat(kit.call("entry-retried")).isEqualTo(stored);
        JsonNode log = kit.diagnostics("mango");
        assertThat(log.findValuesAsText("message")).contains("a repeat of a request already accepted: answered again, nothing stored again");
        assertThat(log.findValuesAsText("reason")).doesNotContain("replayed");
    }

    @Test
    void aWrongSaltAWrongKeyAStaleNoticeAndAMissingSignAreRefusedAndLogged() throws Exception {
        String json = callEvent("entry-refused", "c1", 1, "Appeared", "ivr", now());
        assertThat(post("call", json, KEY, "other-salt").status()).isEqualTo(403);
        assertThat(post("call", json, "other-key", SALT).status()).isEqualTo(403);
        Reply stale = post("call", callEvent("entry-refused", "c1", 1, "Appeared", "ivr", now() - 2 * 3600));
        assertThat(stale.status()).isEqualTo(403);
        assertThat(stale.errorCode()).isEqualTo("stale_signature");
        Reply tampered = kit.postForm("/v1/telephony/mango/" + kit.siteId + "/events/call",
                params("vpbx_api_key", KEY, "sign", sha256Hex(KEY + json + SALT), "json", json.replace("Appeared", "Connected")), Map.of());
        assertThat(tampered.status()).isEqualTo(403);
        Reply missing = kit.postForm("/v1/telephony/mango/" + kit.siteId + "/events/call", params("vpbx_api_key", KEY, "json", json), Map.of());
        assertThat(missing.status()).isEqualTo(403);

        JsonNode log = kit.diagnostics("mango");
        assertThat(log.findValuesAsText("reason")).contains("mismatch", "stale", "missing");
        assertThat(kit.calls().findValuesAsText("providerCallId")).doesNotContain("entry-refused");
    }

    @Test
    void anUnansweredEntryIsMissedWithZeroTalk() throws Exception {
        long t0 = now() - 60;
        String summary = "{\"entry_id\":\"entry-missed\",\"call_direction\":1,\"from\":{\"number\":\"79169998877\"},"
                + "\"line_number\":\"" + NUMBER.substring(1) + "\",\"create_time\":" + t0 + ",\"forward_time\":0,\"talk_time\":0,"
                + "\"end_time\":" + (t0 + 30) + ",\"entry_result\":0,\"disconnect_reason\":1120}";
        assertThat(post("summary", summary).status()).isEqualTo(200);
        JsonNode call = kit.call("entry-missed");
        assertThat(call.get("status").asText()).isEqualTo("missed");
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(30);
        assertThat(call.get("talkSeconds").asInt()).isZero();
    }

    /**
     * Found by ProviderWebhookSweepTest: a timestamp beyond Instant's range threw (500), and a summary
     * whose create_time or end_time was missing or unreadable was refused (422); Mango resends both.
     * A far time that is an instant is still judged by the window (403 stale, as documented).
     */
    @Test
    void aNoticeWithAnUnreadableOrOverflowingTimeIsKeptAndAFarOneIsStale() throws Exception {
        long t0 = now();
        String appeared = callEvent("entry-odd-time", "leg-1", 1, "Appeared", "ivr", t0).replace("\"timestamp\":" + t0,
                "\"timestamp\":1e400");
        assertThat(post("call", appeared).status()).isEqualTo(200);
        String summary = "{\"entry_id\":\"entry-odd-summary\",\"call_direction\":1,\"from\":{\"number\":\"79169998800\"},"
                + "\"line_number\":\"" + NUMBER.substring(1) + "\",\"create_time\":\"soon\",\"talk_time\":9223372036854775807,"
                + "\"end_time\":" + t0 + ",\"entry_result\":1,\"disconnect_reason\":1110}";
        assertThat(post("summary", summary).status()).isEqualTo(200);
        Reply far = post("call", callEvent("entry-far", "leg-1", 1, "Appeared", "ivr", 253402300799L));
        assertThat(far.status()).isEqualTo(403);
        assertThat(far.errorCode()).isEqualTo("stale_signature");

        assertThat(kit.call("entry-odd-time").get("status").asText()).isEqualTo("ringing");
        JsonNode odd = kit.call("entry-odd-summary");
        assertThat(odd.get("status").asText()).isEqualTo("missed"); // no usable talk_time: not known to be answered
        assertThat(odd.get("durationSeconds").asInt()).isZero();
    }

    /**
     * Audit AB1 #1: a create_time the call model replaces (123: 1970) or cannot read ("abc") left the
     * duration computed from it: 1.8e9 s, or 0 with 50 s of talk. The duration comes from times the
     * call keeps: here the talk and the end, so at least the 50 s of talk and never over the cap.
     */
    @Test
    void aSummaryWhoseCreateTimeIsNoTimeGetsItsDurationFromTimesTheCallKeeps() throws Exception {
        long t0 = now();
        for (String createTime : new String[] {"123", "\"abc\""}) {
            String entry = "entry-bad-create-" + createTime.replace("\"", "");
            String summary = "{\"entry_id\":\"" + entry + "\",\"call_direction\":1,\"from\":{\"number\":\"" + CALLER.substring(1)
                    + "\"},\"to\":{\"line_number\":\"" + NUMBER.substring(1) + "\"},\"create_time\":" + createTime
                    + ",\"forward_time\":" + (t0 - 55) + ",\"talk_time\":" + (t0 - 50) + ",\"end_time\":" + t0
                    + ",\"entry_result\":1,\"disconnect_reason\":1110}";
            Reply r = post("summary", summary);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode call = kit.call(entry);
            assertThat(call.get("status").asText()).as(createTime).isEqualTo("completed");
            assertThat(call.get("talkSeconds").asInt()).as(createTime).isEqualTo(50);
            assertThat(call.get("durationSeconds").asInt()).as(createTime).isEqualTo(50);
        }
    }
}
