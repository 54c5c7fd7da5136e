package io.ringpool.telephony.asterisk;

import static io.ringpool.telephony.provider.ProviderTestKit.CALLER;
import static io.ringpool.telephony.provider.ProviderTestKit.NUMBER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AMI client against a small AMI server speaking the real protocol, including a dropped connection. */
class AsteriskAmiTest {
    @TempDir
    static Path dir;

    static ProviderTestKit kit;
    static FakeAmiServer pbx;

    @BeforeAll
    static void start() throws Exception {
        kit = new ProviderTestKit(dir, ProviderTestKit.LOOPBACK_PBX);
        pbx = new FakeAmiServer("ringpool", "ami-secret-0001");
    }

    @AfterAll
    static void stop() throws Exception {
        kit.close();
        pbx.close();
    }

    /** Waits for a condition (the connector runs on its own thread), failing after 15 s. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(15);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** The one site's connection state, as the public /health counts it (by state, naming no site). */
    static String healthState() {
        JsonNode a = kit.server.get("/health", null).json().path("asterisk");
        java.util.Iterator<String> states = a.fieldNames();
        return states.hasNext() ? states.next() : null;
    }

    @Test
    void aCallFollowedAcrossADroppedConnectionIsOneCompletedCallAndABadSecretShowsInHealth() throws Exception {
        kit.configure("asterisk", Map.of("host", "127.0.0.1", "port", Integer.toString(pbx.port()), "username", "ringpool",
                "secret", "ami-secret-0001"));
        Socket first = pbx.nextSession();
        await("connected in /health", () -> "connected".equals(healthState()));
        assertThat(kit.server.get("/metrics", null).body()).contains("ringpool_asterisk_connected{site=\"" + kit.siteId + "\"} 1.0");

        long t0 = kit.server.clock.instant().getEpochSecond();
        String a = "1732951200.101";
        FakeAmiServer.write(first, "Event: Newchannel", "Privilege: call,all", "Timestamp: " + t0 + ".000000",
                "Channel: PJSIP/trunk-00000001", "ChannelState: 4", "ChannelStateDesc: Ring", "CallerIDNum: " + CALLER.substring(1),
                "CallerIDName: <unknown>", "Context: from-pstn", "Exten: " + NUMBER.substring(1), "Priority: 1", "Uniqueid: " + a,
                "Linkedid: " + a);
        // An internal call on the same PBX is not followed.
        FakeAmiServer.write(first, "Event: Newchannel", "Timestamp: " + t0 + ".5", "Channel: PJSIP/101-00000002", "ChannelState: 4",
                "CallerIDNum: 101", "Context: from-internal", "Exten: 102", "Uniqueid: 1732951200.200", "Linkedid: 1732951200.200");
        FakeAmiServer.write(first, "Event: Newchannel", "Timestamp: " + (t0 + 1) + ".0", "Channel: PJSIP/101-00000003",
                "ChannelState: 5", "CallerIDNum: 101", "Context: from-internal", "Exten: s", "Uniqueid: 1732951200.102", "Linkedid: " + a);
        FakeAmiServer.write(first, "Event: Newstate", "Timestamp: " + (t0 + 20) + ".0", "Channel: PJSIP/101-00000003",
                "ChannelState: 6", "ChannelStateDesc: Up", "Uniqueid: 1732951200.102", "Linkedid: " + a);
        await("the call answered", () -> {
            JsonNode calls = kit.calls();
            return calls.size() == 1 && "answered".equals(calls.get(0).get("status").asText());
        });

        first.close(); // the PBX drops the connection mid-call
        await("not connected after the drop", () -> !"connected".equals(healthState()));
        Socket second = pbx.nextSession();
        await("reconnected", () -> "connected".equals(healthState()));
        FakeAmiServer.write(second, "Event: Hangup", "Timestamp: " + (t0 + 95) + ".0", "Channel: PJSIP/trunk-00000001",
                "Uniqueid: " + a, "Linkedid: " + a, "Cause: 16", "Cause-txt: Normal Clearing");
        FakeAmiServer.write(second, "Event: Cdr", "Timestamp: " + (t0 + 95) + ".2", "Source: " + CALLER.substring(1),
                "Destination: " + NUMBER.substring(1), "Duration: 95", "BillableSeconds: 75", "Disposition: ANSWERED",
                "UniqueID: " + a);
        await("the call completed with the CDR's talk time", () -> {
            JsonNode c = kit.calls().get(0);
            return "completed".equals(c.get("status").asText()) && c.get("talkSeconds").asInt() == 75;
        });
        JsonNode call = kit.call(a);
        assertThat(call.get("provider").asText()).isEqualTo("asterisk");
        assertThat(call.get("caller").asText()).isEqualTo(CALLER);
        assertThat(call.get("durationSeconds").asInt()).isEqualTo(95);
        assertThat(call.get("attribution").get("method").asText()).isEqualTo("active");
        assertThat(kit.calls()).hasSize(1);
        assertThat(pbx.logins).isEqualTo(2);

        kit.configure("asterisk", Map.of("secret", "wrong-secret"));
        await("auth_failed in /health", () -> "auth_failed".equals(healthState()));
        assertThat(pbx.refusedLogins).isPositive();
    }
}
