package io.ringpool.telephony.asterisk;

import static io.ringpool.telephony.asterisk.ScriptedAmiServer.packet;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import io.ringpool.journal.SwitchableStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AMI events that arrive while the store is down are kept (journaled) and land when it is back. */
class AsteriskStoreOutageTest {
    static final String NUMBER = "+74950008201";

    @TempDir
    Path dir;

    /**
     * Found by the AMI sweep: the AMI client handed each event straight to the store and only logged
     * a failure, so a call that rang and ended while the store was down was lost (the PBX never sends
     * an event twice), where the same call by webhook is journaled and lands later.
     */
    @Test
    void aCallSeenWhileTheStoreIsDownIsStoredOnceWhenItIsBack() throws Exception {
        SwitchableStore store = new SwitchableStore();
        try (TestServer server = new TestServer(dir, Map.of("outbound.allow", java.util.List.of("127.0.0.1")), store); ScriptedAmiServer pbx = new ScriptedAmiServer()) {
            Map<String, String> site = server.siteWithPool(List.of(NUMBER));
            String settings = new String(Json.write(Map.of("providers", Map.of("asterisk", Map.of("host", "127.0.0.1", "port",
                    Integer.toString(pbx.port()), "username", "ringpool", "secret", "ami-secret-0001")))), StandardCharsets.UTF_8);
            Reply patched = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), settings, "application/json",
                    Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            ScriptedAmiServer.Session s = pbx.nextHeld();

            store.set(SwitchableStore.Mode.DOWN);
            String id = "1764599000.1";
            s.raw(packet("Event: Newchannel", "Channel: PJSIP/trunk-1", "ChannelState: 4", "CallerIDNum: 79161234567",
                    "Exten: " + NUMBER.substring(1), "Uniqueid: " + id, "Linkedid: " + id));
            s.raw(packet("Event: Hangup", "Channel: PJSIP/trunk-1", "Uniqueid: " + id, "Linkedid: " + id, "Cause: 16"));
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (server.app.journal().depth() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(server.app.journal().depth()).as("both events kept while the store is down").isEqualTo(2);

            store.set(SwitchableStore.Mode.UP);
            server.awaitCallsStored();
            Reply log = server.get("/v1/sites/" + site.get("siteId") + "/calls", site.get("apiKey"));
            List<JsonNode> calls = new java.util.ArrayList<>();
            log.json().path("calls").forEach(calls::add);
            assertThat(calls).hasSize(1);
            assertThat(calls.get(0).path("providerCallId").asText()).isEqualTo(id);
            assertThat(calls.get(0).path("status").asText()).isEqualTo("missed");
        }
    }
}
