package io.ringpool.telephony.telnyx;

import static io.ringpool.telephony.provider.ProviderTestKit.CALLER;
import static io.ringpool.telephony.provider.ProviderTestKit.FORWARD_TO;
import static io.ringpool.telephony.provider.ProviderTestKit.NUMBER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.telephony.provider.ProviderSigning;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AI1 #1: a Call Control application that answers the caller's leg itself (a greeting, an
 * IVR) and then transfers or dials the business. Only the business's leg answering is the call
 * answered; the application's answer of the caller's leg is the robot. Events are shaped as Telnyx
 * sends them: {@code direction} in {@code call.initiated} only, each leg with its own
 * {@code call_leg_id}, all of one {@code call_session_id}; signed as Telnyx signs them.
 */
class TelnyxCallControlLegsOverHttpTest {
    @TempDir
    static Path dir;

    static ProviderTestKit kit;
    static PrivateKey telnyx;

    @BeforeAll
    static void start() throws Exception {
        kit = new ProviderTestKit(dir);
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        telnyx = pair.getPrivate();
        byte[] spki = pair.getPublic().getEncoded();
        byte[] raw = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
        kit.configure("telnyx", Map.of("publicKey", ProviderSigning.base64(raw)));
    }

    @AfterAll
    static void stop() {
        kit.close();
    }

    /** One leg of a session: the caller's (to the tracking number) or one to the business. */
    record Leg(String session, String id, String from, String to) {
        String event(String type, Instant at, String extra) {
            return "{\"data\":{\"event_type\":\"" + type + "\",\"id\":\"" + java.util.UUID.randomUUID() + "\",\"occurred_at\":\"" + at
                    + "\",\"payload\":{\"call_control_id\":\"v3:" + id + "\",\"call_leg_id\":\"" + id + "\",\"call_session_id\":\""
                    + session + "\",\"from\":\"" + from + "\",\"to\":\"" + to + "\"" + extra + "},\"record_type\":\"event\"},"
                    + "\"meta\":{\"attempt\":1}}";
        }

        String initiated(Instant at, String direction, String state) {
            return event("call.initiated", at, ",\"direction\":\"" + direction + "\",\"state\":\"" + state + "\"");
        }

        String answered(Instant at) {
            return event("call.answered", at, ",\"state\":\"answered\"");
        }

        String bridged(Instant at) {
            return event("call.bridged", at, "");
        }

        String hangup(Instant at, String cause) {
            return event("call.hangup", at, ",\"hangup_cause\":\"" + cause + "\",\"hangup_source\":\"caller\",\"state\":\"hangup\"");
        }
    }

    static Leg callers(String session) {
        return new Leg(session, session + "-a", CALLER, NUMBER);
    }

    static Leg business(String session, String id) {
        return new Leg(session, session + "-" + id, CALLER, FORWARD_TO);
    }

    /** Telnyx's own retry of a delivery: the same event, signed anew, its attempt counted. */
    static String retry(String body) {
        return body.replace("\"attempt\":1", "\"attempt\":2");
    }

    static void post(String body) throws Exception {
        long t = kit.server.clock.instant().getEpochSecond();
        Reply r = kit.postJson("/v1/telephony/telnyx/" + kit.siteId, body,
                Map.of("telnyx-signature-ed25519", TelnyxOverHttpTest.sign(telnyx, t, body), "telnyx-timestamp", Long.toString(t)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    /** Times in the past, as delivered events are. */
    static Instant t0() {
        return kit.server.clock.instant().minusSeconds(200).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    @Test
    void aGreetingThenATransferTheBusinessNeverAnswersIsAMissedCallNotATargetOne() throws Exception {
        Instant t0 = t0();
        String session = "ivr-unanswered";
        Leg a = callers(session);
        Leg b = business(session, "b");
        List<String> events = List.of(
                a.initiated(t0, "incoming", "parked"),
                a.answered(t0.plusSeconds(1)),
                b.initiated(t0.plusSeconds(10), "outgoing", "bridging"),
                a.bridged(t0.plusSeconds(11)),
                b.hangup(t0.plusSeconds(40), "timeout"),
                a.hangup(t0.plusSeconds(41), "normal_clearing"),
                a.event("call.recording.saved", t0.plusSeconds(42), ",\"recording_urls\":{\"mp3\":\"https://s3.telnyx.example/greeting.mp3\"}"));
        for (String e : events) {
            post(e);
        }

        JsonNode call = kit.call(session);
        assertThat(call.get("status").asText()).as(call.toString()).isEqualTo("missed");
        assertThat(call.get("talkSeconds").asInt()).isZero();
        assertThat(call.get("target").asBoolean()).isFalse();
        assertThat(call.path("answeredAt").isNull() || call.path("answeredAt").isMissingNode()).as(call.toString()).isTrue();
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(41);
        assertThat(call.get("number").asText()).isEqualTo(NUMBER);
        assertThat(call.get("recordingUrl").asText()).isEqualTo("https://s3.telnyx.example/greeting.mp3");
    }

    /**
     * Any order in which the business's leg is heard of before the caller's leg's end: Telnyx sends
     * leg B's {@code call.initiated} when the application transfers, long before the caller hangs
     * up, so only a delivery retried past the end of the call could come later (docs/providers.md).
     */
    @Test
    void theSameUnansweredTransferIsMissedInEveryOrderThatHearsOfTheBusinessesLegBeforeTheCallersEnd() throws Exception {
        Instant t0 = t0();
        for (int seed = 1; seed <= 6; seed++) {
            String session = "ivr-unanswered-shuffled-" + seed;
            Leg a = callers(session);
            Leg b = business(session, "b");
            String answer = a.answered(t0.plusSeconds(1));
            List<String> events = new ArrayList<>(List.of(
                    a.initiated(t0, "incoming", "parked"),
                    answer,
                    retry(answer), // Telnyx's retry of the application's answer
                    b.initiated(t0.plusSeconds(10), "outgoing", "bridging"),
                    b.hangup(t0.plusSeconds(40), "timeout")));
            Random random = new Random(seed);
            Collections.shuffle(events, random);
            int firstOfB = events.indexOf(events.stream().filter(e -> e.contains(b.id())).findFirst().orElseThrow());
            events.add(firstOfB + 1 + random.nextInt(events.size() - firstOfB), a.hangup(t0.plusSeconds(41), "normal_clearing"));
            for (String e : events) {
                post(e);
            }
            JsonNode call = kit.call(session);
            assertThat(call.get("status").asText()).as(session + " " + call).isEqualTo("missed");
            assertThat(call.get("talkSeconds").asInt()).as(session).isZero();
            assertThat(call.get("target").asBoolean()).as(session).isFalse();
        }
    }

    @Test
    void theTalkCountsFromTheBusinessesAnswerNotTheGreetingsInEveryOrder() throws Exception {
        Instant t0 = t0();
        for (int seed = 0; seed <= 4; seed++) {
            String session = "ivr-answered-" + seed;
            Leg a = callers(session);
            Leg b = business(session, "b");
            List<String> events = new ArrayList<>(List.of(
                    a.initiated(t0, "incoming", "parked"),
                    a.answered(t0.plusSeconds(1)),
                    b.initiated(t0.plusSeconds(10), "outgoing", "bridging"),
                    b.answered(t0.plusSeconds(15)),
                    a.bridged(t0.plusSeconds(15)),
                    b.bridged(t0.plusSeconds(15)),
                    b.hangup(t0.plusSeconds(75), "normal_clearing"),
                    a.hangup(t0.plusSeconds(76), "normal_clearing")));
            if (seed > 0) { // seed 0: as sent
                events.add(retry(events.get(3)));
                Collections.shuffle(events, new Random(seed));
            }
            for (String e : events) {
                post(e);
            }
            JsonNode call = kit.call(session);
            assertThat(call.get("status").asText()).as(session + " " + call).isEqualTo("completed");
            assertThat(call.get("talkSeconds").asInt()).as(session + " " + call).isEqualTo(60);
            assertThat(call.get("durationSeconds").asInt()).as(session).isEqualTo(75);
            assertThat(Instant.parse(call.get("answeredAt").asText())).as(session).isEqualTo(t0.plusSeconds(15));
            assertThat(call.get("target").asBoolean()).as(session).isTrue();
        }
    }

    @Test
    void aTransferThatTimesOutThenOneThatConnectsCountsTheSecondAnswer() throws Exception {
        Instant t0 = t0();
        String session = "ivr-second-transfer";
        Leg a = callers(session);
        Leg b = business(session, "b");
        Leg c = new Leg(session, session + "-c", CALLER, "+74957770000");
        for (String e : List.of(
                a.initiated(t0, "incoming", "parked"),
                a.answered(t0.plusSeconds(1)),
                b.initiated(t0.plusSeconds(5), "outgoing", "bridging"),
                b.hangup(t0.plusSeconds(35), "timeout"),
                c.initiated(t0.plusSeconds(36), "outgoing", "bridging"),
                c.answered(t0.plusSeconds(40)),
                c.hangup(t0.plusSeconds(100), "normal_clearing"),
                a.hangup(t0.plusSeconds(100), "normal_clearing"))) {
            post(e);
        }
        JsonNode call = kit.call(session);
        assertThat(call.get("status").asText()).as(call.toString()).isEqualTo("completed");
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(60);
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(100);
    }

    @Test
    void aNumberRoutedStraightToTheBusinessesEquipmentIsAnsweredByItsOneLeg() throws Exception {
        Instant t0 = t0();
        String session = "straight-to-sip";
        Leg a = callers(session);
        for (String e : List.of(
                a.answered(t0.plusSeconds(8)),
                a.initiated(t0, "incoming", "bridging"),
                a.bridged(t0.plusSeconds(1)),
                a.hangup(t0.plusSeconds(58), "normal_clearing"))) {
            post(e);
        }
        JsonNode call = kit.call(session);
        assertThat(call.get("status").asText()).as(call.toString()).isEqualTo("completed");
        assertThat(call.get("talkSeconds").asInt()).isEqualTo(50);
        assertThat(Instant.parse(call.get("answeredAt").asText())).isEqualTo(t0.plusSeconds(8));

        String busy = "straight-to-sip-busy";
        Leg d = callers(busy);
        post(d.initiated(t0, "incoming", "bridging"));
        post(d.hangup(t0.plusSeconds(3), "user_busy"));
        assertThat(kit.call(busy).get("status").asText()).isEqualTo("busy");
    }
}
