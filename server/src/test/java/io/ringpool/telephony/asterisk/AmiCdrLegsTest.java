package io.ringpool.telephony.asterisk;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.call.CallEvent;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Audit AI1 #3 (Asterisk): an IVR greets the caller (their channel goes Up), they reach extension 101
 * at +40 s, 101 answers at +45 s, both hang up at +55 s. Asterisk 12+ writes a CDR per leg: the IVR
 * leg (ANSWERED, 40 billable seconds, empty DestinationChannel) and the bridged leg (10 billable
 * seconds). The IVR's 40 s were taken as talk; only the bridged leg's are.
 */
class AmiCdrLegsTest {
    static final String CALL = "1732951200.101";
    static final long T0 = 1_732_951_200L;

    static AmiMessage event(String... lines) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
        }
        return AmiMessage.of(fields);
    }

    /** As Asterisk's cdr_manager writes it: every field, the IVR leg's DestinationChannel with no value (audit AJ1 #1). */
    @Test
    void theReaderKeepsThatAnEmptyDestinationChannelWasSent() throws Exception {
        String packet = "Event: Cdr\r\nSource: 79161234567\r\nDestinationChannel: \r\nBillableSeconds: 40\r\nUniqueID: " + CALL
                + "\r\n\r\nEvent: Cdr\r\nDestinationChannel: PJSIP/101-00000002\r\nBillableSeconds: 10\r\n\r\n";
        AmiLines lines = new AmiLines(new java.io.ByteArrayInputStream(packet.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        AmiMessage ivr = AmiConnection.read(lines);
        AmiMessage bridged = AmiConnection.read(lines);
        assertThat(ivr.sentEmpty("DestinationChannel")).isTrue();
        assertThat(ivr.get("DestinationChannel")).as("still absent to every other reader").isNull();
        assertThat(bridged.sentEmpty("DestinationChannel")).isFalse();
        assertThat(ivr.get("BillableSeconds")).isEqualTo("40");
    }

    @Test
    void theIvrLegsBillableSecondsAreNoTalkAndTheBridgedLegsAre() {
        AmiCallTracker tracker = new AmiCallTracker(n -> n.endsWith("4956660001"), Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
        List<CallEvent> out = new ArrayList<>();
        out.addAll(tracker.on(event("Event: Newchannel", "Timestamp: " + T0 + ".0", "Channel: PJSIP/trunk-00000001",
                "CallerIDNum: 79161234567", "Exten: 74956660001", "Uniqueid: " + CALL, "Linkedid: " + CALL)));
        out.addAll(tracker.on(event("Event: Newstate", "Timestamp: " + T0 + ".5", "Channel: PJSIP/trunk-00000001",
                "ChannelState: 6", "Uniqueid: " + CALL, "Linkedid: " + CALL))); // the IVR answers: the PBX, not a person
        out.addAll(tracker.on(event("Event: Newchannel", "Timestamp: " + (T0 + 40) + ".0", "Channel: PJSIP/101-00000002",
                "CallerIDNum: 101", "Exten: s", "Uniqueid: 1732951200.102", "Linkedid: " + CALL)));
        out.addAll(tracker.on(event("Event: Newstate", "Timestamp: " + (T0 + 45) + ".0", "Channel: PJSIP/101-00000002",
                "ChannelState: 6", "Uniqueid: 1732951200.102", "Linkedid: " + CALL)));
        out.addAll(tracker.on(event("Event: Hangup", "Timestamp: " + (T0 + 55) + ".0", "Channel: PJSIP/trunk-00000001",
                "Uniqueid: " + CALL, "Linkedid: " + CALL, "Cause: 16")));
        List<CallEvent> cdrs = new ArrayList<>();
        cdrs.addAll(tracker.on(event("Event: Cdr", "Timestamp: " + (T0 + 55) + ".1", "Source: 79161234567",
                "Destination: 74956660001", "Channel: PJSIP/trunk-00000001", "DestinationChannel: ", "LastApplication: BackGround",
                "Duration: 40", "BillableSeconds: 40", "Disposition: ANSWERED", "UniqueID: " + CALL)));
        cdrs.addAll(tracker.on(event("Event: Cdr", "Timestamp: " + (T0 + 55) + ".2", "Source: 79161234567",
                "Destination: 101", "Channel: PJSIP/trunk-00000001", "DestinationChannel: PJSIP/101-00000002", "LastApplication: Dial",
                "Duration: 15", "BillableSeconds: 10", "Disposition: ANSWERED", "UniqueID: " + CALL)));

        assertThat(out).extracting(CallEvent::kind).containsExactly(CallEvent.Kind.RINGING, CallEvent.Kind.ANSWERED,
                CallEvent.Kind.COMPLETED);
        assertThat(cdrs).extracting(CallEvent::talkSeconds).as("the IVR leg's 40 s are no talk; the bridged leg's 10 s are")
                .containsExactly(0, 10);
    }
}
