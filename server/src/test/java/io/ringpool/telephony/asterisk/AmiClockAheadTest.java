package io.ringpool.telephony.asterisk;

import static io.ringpool.telephony.provider.ProviderTestKit.CALLER;
import static io.ringpool.telephony.provider.ProviderTestKit.NUMBER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AMI events carry the PBX's own clock ({@code Timestamp}, with {@code timestampevents=yes}); a PBX
 * whose clock runs years ahead must not date its calls in the future. The event is live (AMI sends
 * it as it happens), so the time of receipt is the call's (session 11, CallEventTimes).
 */
class AmiClockAheadTest {
    @TempDir
    Path dir;

    @Test
    void aCallFromAPbxWhoseClockIsYearsAheadIsDatedWhenItWasReceived() throws Exception {
        try (ProviderTestKit kit = new ProviderTestKit(dir, ProviderTestKit.LOOPBACK_PBX); FakeAmiServer pbx = new FakeAmiServer("ringpool", "ami-secret-0001")) {
            kit.configure("asterisk", Map.of("host", "127.0.0.1", "port", Integer.toString(pbx.port()), "username", "ringpool",
                    "secret", "ami-secret-0001"));
            Socket session = pbx.nextSession();
            long pbxClock = kit.server.clock.instant().plus(Duration.ofDays(4 * 365)).getEpochSecond();
            String id = "1890000000.7";

            Instant before = kit.server.clock.instant();
            FakeAmiServer.write(session, "Event: Newchannel", "Privilege: call,all", "Timestamp: " + pbxClock + ".000000",
                    "Channel: PJSIP/trunk-00000007", "ChannelState: 4", "ChannelStateDesc: Ring", "CallerIDNum: " + CALLER.substring(1),
                    "Context: from-pstn", "Exten: " + NUMBER.substring(1), "Uniqueid: " + id, "Linkedid: " + id);
            AsteriskAmiTest.await("the call stored", () -> kit.calls().size() == 1);
            Instant after = kit.server.clock.instant();

            JsonNode call = kit.call(id);
            assertThat(Instant.parse(call.path("startedAt").asText())).isBetween(before.minusSeconds(1), after);
            assertThat(call.path("attribution").path("method").asText()).isEqualTo("active");
            assertThat(kit.server.get("/metrics", null).body())
                    .contains("ringpool_call_event_times_corrected_total{provider=\"asterisk\",reason=\"future\"} 1.0");
        }
    }
}
