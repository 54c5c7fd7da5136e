package io.ringpool.telephony.megapbx;

import static io.ringpool.telephony.provider.ProviderTestKit.CALLER;
import static io.ringpool.telephony.provider.ProviderTestKit.NUMBER;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.telephony.provider.ProviderTestKit;
import io.ringpool.telephony.provider.ProvidersApi;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Audit AI1 #7: MegaFon's and MTS's cloud PBX (ITooLabs' «API для CRM») post a fixed form
 * ({@code cmd}, {@code type}, {@code phone}, {@code diversion}, {@code callid}, {@code crm_token}, ...)
 * to the CRM URL; the UIS route, where the docs sent them, refused every one with 422. These are the
 * requests as the PBX sends them, to its own route.
 */
class MegapbxOverHttpTest {
    static final String CRM_TOKEN = "5b1f0c7e-2d4a-4c1e-9a8f-3e6d2b7c9f01";
    static final DateTimeFormatter PBX_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @RegisterExtension
    static final ProviderTestKit kit = ProviderTestKit.serving("megapbx", Map.of("crmToken", CRM_TOKEN));

    String url() {
        return "/v1/telephony/megapbx/" + kit.siteId;
    }

    /** One request of the PBX: its form, with the site's crm_token. */
    Reply pbx(String... kv) {
        Map<String, String> form = new LinkedHashMap<>(ProviderTestKit.params(kv));
        form.putIfAbsent("crm_token", CRM_TOKEN);
        return kit.postForm(url(), form, Map.of());
    }

    Reply event(String type, String callId, String user) {
        return pbx("cmd", "event", "type", type, "phone", CALLER.substring(1), "diversion", NUMBER.substring(1), "user", user,
                "ext", "101", "direction", "in", "callid", callId);
    }

    void advance(int seconds) {
        kit.server.clock.advance(Duration.ofSeconds(seconds));
    }

    @Test
    void aWholeIncomingCallIsOneCompletedCallWithTheHistorysTalkAndRecording() {
        Instant start = kit.server.clock.instant();
        Reply contact = pbx("cmd", "contact", "phone", CALLER.substring(1), "callid", "mpx-whole");
        assertThat(contact.status()).as(contact.body()).isEqualTo(200);
        assertThat(contact.json().size()).as("an empty object: no name or responsible employee known").isZero();
        assertThat(event("INCOMING", "mpx-whole", "ivanov").status()).isEqualTo(200);
        advance(5);
        assertThat(event("ACCEPTED", "mpx-whole", "ivanov").status()).isEqualTo(200);
        assertThat(kit.call("mpx-whole").get("status").asText()).isEqualTo("answered");
        advance(30);
        assertThat(event("COMPLETED", "mpx-whole", "ivanov").status()).isEqualTo(200);
        advance(2);
        Reply history = pbx("cmd", "history", "type", "in", "status", "Success", "phone", CALLER.substring(1), "diversion",
                NUMBER.substring(1), "user", "ivanov", "start", PBX_TIME.format(start), "wait", "5", "duration", "30",
                "link", "https://vpbx000000.megapbx.ru/api/v2/records/mpx-whole.mp3", "callid", "mpx-whole");
        assertThat(history.status()).as(history.body()).isEqualTo(200);

        JsonNode call = kit.call("mpx-whole");
        assertThat(call.get("caller").asText()).isEqualTo(CALLER);
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(30);
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(35);
        assertThat(Instant.parse(call.get("startedAt").asText())).isEqualTo(start.truncatedTo(ChronoUnit.SECONDS)); // the PBX writes whole seconds
        assertThat(call.get("recordingUrl").asText()).isEqualTo("https://vpbx000000.megapbx.ru/api/v2/records/mpx-whole.mp3");
        assertThat(call.get("attribution").get("method").asText()).isEqualTo("active");
    }

    @Test
    void aCallNobodyAnsweredIsMissed() {
        Instant start = kit.server.clock.instant();
        assertThat(event("INCOMING", "mpx-missed", "ivanov").status()).isEqualTo(200);
        advance(20);
        assertThat(event("CANCELLED", "mpx-missed", "ivanov").status()).isEqualTo(200);
        assertThat(pbx("cmd", "history", "type", "in", "status", "missed", "phone", CALLER.substring(1), "diversion",
                NUMBER.substring(1), "start", PBX_TIME.format(start), "wait", "20", "duration", "0", "callid", "mpx-missed").status())
                .isEqualTo(200);

        JsonNode call = kit.call("mpx-missed");
        assertThat(call.get("status").asText()).isEqualTo("missed");
        assertThat(call.get("talkSeconds").asInt()).isZero();
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(20);
    }

    /**
     * The PBX sends events per employee: in a hunt group the first phone's CANCELLED comes before the
     * second one's ACCEPTED. Read as the call's end, it would make the answer after it no answer.
     */
    @Test
    void oneEmployeesCancelledInAGroupDoesNotEndTheCallAnotherAnswers() {
        assertThat(event("INCOMING", "mpx-group", "ivanov").status()).isEqualTo(200);
        advance(15);
        assertThat(event("CANCELLED", "mpx-group", "ivanov").status()).isEqualTo(200);
        assertThat(event("INCOMING", "mpx-group", "petrov").status()).isEqualTo(200);
        advance(3);
        assertThat(event("ACCEPTED", "mpx-group", "petrov").status()).isEqualTo(200);
        advance(40);
        assertThat(event("COMPLETED", "mpx-group", "petrov").status()).isEqualTo(200);

        JsonNode call = kit.call("mpx-group");
        assertThat(call.get("status").asText()).isEqualTo("completed");
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(40);
    }

    @Test
    void aRetriedHistoryChangesNothing() {
        Instant start = kit.server.clock.instant().minusSeconds(60);
        String[] history = {"cmd", "history", "type", "in", "status", "Success", "phone", CALLER.substring(1), "diversion",
                NUMBER.substring(1), "start", PBX_TIME.format(start), "wait", "4", "duration", "50", "callid", "mpx-retried",
                "link", "https://vpbx000000.megapbx.ru/api/v2/records/mpx-retried.mp3"};
        assertThat(pbx(history).status()).isEqualTo(200);
        JsonNode first = kit.call("mpx-retried");
        advance(30);
        assertThat(pbx(history).status()).isEqualTo(200);
        advance(300);
        assertThat(pbx(history).status()).isEqualTo(200);

        JsonNode again = kit.call("mpx-retried");
        assertThat(again).isEqualTo(first);
        assertThat(again.get("status").asText()).isEqualTo("completed");
        assertThat(again.get("talkSeconds").asInt()).isEqualTo(50);
        assertThat(again.get("durationSeconds").asInt()).isEqualTo(54);
        assertThat(Instant.parse(again.get("startedAt").asText())).isEqualTo(start.truncatedTo(ChronoUnit.SECONDS)); // the PBX writes whole seconds
    }

    /**
     * A history without a start is dated on receipt, its hang-up: the length it states dates the
     * call's start, so the call is attributed when it began (docs/calls.md). JSON and GET are read
     * as the form is.
     */
    @Test
    void aHistoryWithoutAStartIsDatedByItsLengthAndMayComeAsJsonOrByGet() {
        advance(100);
        Instant receipt = kit.server.clock.instant();
        Reply json = kit.postJson(url(), "{\"crm_token\":\"" + CRM_TOKEN + "\",\"cmd\":\"history\",\"type\":\"in\",\"status\":\"Success\","
                + "\"phone\":\"" + CALLER.substring(1) + "\",\"diversion\":\"" + NUMBER.substring(1) + "\",\"wait\":\"10\","
                + "\"duration\":\"60\",\"callid\":\"mpx-json\"}", Map.of());
        assertThat(json.status()).as(json.body()).isEqualTo(200);
        Instant received = kit.server.clock.instant(); // the test clock ticks: the receipt lies between the two readings
        Reply get = kit.server.get(url() + "?" + ProviderTestKit.form(ProviderTestKit.params("crm_token", CRM_TOKEN, "cmd", "history",
                "type", "in", "status", "missed", "phone", CALLER.substring(1), "diversion", NUMBER.substring(1), "wait", "15",
                "callid", "mpx-get")), null);
        assertThat(get.status()).as(get.body()).isEqualTo(200);

        JsonNode answered = kit.call("mpx-json");
        assertThat(answered.get("status").asText()).isEqualTo("completed");
        assertThat(answered.get("talkSeconds").asInt()).isEqualTo(60);
        assertThat(answered.get("durationSeconds").asInt()).isEqualTo(70);
        assertThat(Instant.parse(answered.get("startedAt").asText())).isBetween(receipt.minusSeconds(70), received.minusSeconds(70));
        JsonNode missed = kit.call("mpx-get");
        assertThat(missed.get("status").asText()).isEqualTo("missed");
        assertThat(missed.get("durationSeconds").asInt()).isEqualTo(15);
    }

    @Test
    void outgoingCallsAreNotRecorded() {
        assertThat(pbx("cmd", "event", "type", "OUTGOING", "phone", CALLER.substring(1), "diversion", NUMBER.substring(1), "user",
                "ivanov", "direction", "out", "callid", "mpx-out").status()).isEqualTo(200);
        assertThat(pbx("cmd", "event", "type", "ACCEPTED", "phone", CALLER.substring(1), "diversion", NUMBER.substring(1), "user",
                "ivanov", "direction", "out", "callid", "mpx-out").status()).isEqualTo(200);
        assertThat(pbx("cmd", "history", "type", "out", "status", "Success", "phone", CALLER.substring(1), "diversion",
                NUMBER.substring(1), "start", PBX_TIME.format(kit.server.clock.instant()), "duration", "12", "callid", "mpx-out")
                .status()).isEqualTo(200);
        assertThat(kit.calls().findValuesAsText("providerCallId")).doesNotContain("mpx-out");
    }

    @Test
    void aForgedOrAbsentTokenIsRefusedAndLoggedOnceAMinute() {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger api = (Logger) LoggerFactory.getLogger(ProvidersApi.class);
        api.addAppender(log);
        try {
            for (int i = 0; i < 5; i++) {
                Reply forged = pbx("crm_token", CRM_TOKEN.replace('5', '6'), "cmd", "event", "type", "INCOMING", "phone",
                        CALLER.substring(1), "diversion", NUMBER.substring(1), "callid", "mpx-forged");
                assertThat(forged.status()).as(forged.body()).isEqualTo(403);
                Reply absent = kit.postForm(url(), ProviderTestKit.params("cmd", "history", "type", "in", "status", "Success", "phone",
                        CALLER.substring(1), "diversion", NUMBER.substring(1), "duration", "30", "callid", "mpx-forged"), Map.of());
                assertThat(absent.status()).as(absent.body()).isEqualTo(403);
            }
        } finally {
            api.detachAppender(log);
        }
        assertThat(kit.calls().findValuesAsText("providerCallId")).doesNotContain("mpx-forged");
        assertThat(log.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.startsWith("webhook_rejected provider=megapbx")))
                .containsExactlyInAnyOrder(
                        "webhook_rejected provider=megapbx site=" + kit.siteId + " reason=mismatch suppressed=0",
                        "webhook_rejected provider=megapbx site=" + kit.siteId + " reason=missing suppressed=0");
        JsonNode refused = kit.diagnostics("megapbx");
        assertThat(refused.findValuesAsText("reason")).contains("mismatch", "missing");
    }

    @Test
    void aShortCrmTokenIsNotAccepted() {
        assertThat(kit.patch(Map.of("providers", Map.of("megapbx", Map.of("crmToken", "short")))).status()).isEqualTo(422);
    }
}
