package io.ringpool.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit I #3: a notification that is the whole record of a call (UIS, Mango, Zadarma, a FreeSWITCH
 * CDR) was answered 503 while the store was down, and kept nowhere; those providers retry a few
 * times at most, so a longer outage lost the call. Such events now go to the call journal and
 * reach the call log when the store is back.
 */
class NotificationsKeptWhileStoreDownTest {
    static final String TOKEN = "uis-token-store-down-000001";
    static final String NUMBER = "+74950008201";

    @TempDir
    Path dir;

    @Test
    void aUisNotificationDuringAnOutageIsAcknowledgedAndLandsWhenTheStoreIsBack() throws Exception {
        SwitchableStore store = new SwitchableStore();
        try (TestServer server = new TestServer(dir, Map.of(), store)) {
            Map<String, String> site = server.siteWithPool(List.of(NUMBER));
            Reply patched = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                    new String(Json.write(Map.of("providers", Map.of("uis", Map.of("token", TOKEN)))), StandardCharsets.UTF_8),
                    "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            String path = "/v1/telephony/uis/" + site.get("siteId") + "/" + TOKEN;

            store.set(SwitchableStore.Mode.DOWN);
            Reply during = server.send("POST", path, null, "{\"event\":\"completed\",\"call_session_id\":\"9990001\","
                    + "\"contact_phone_number\":\"79161234567\",\"virtual_phone_number\":\"" + NUMBER.substring(1)
                    + "\",\"total_time_duration\":95,\"talk_time_duration\":75}", "application/json", Map.of());
            assertThat(during.status()).as(during.body()).isEqualTo(200);

            store.set(SwitchableStore.Mode.UP);
            server.awaitCallsStored();
            long until = System.nanoTime() + 20_000_000_000L;
            JsonNode call = null;
            while (call == null && System.nanoTime() < until) {
                Reply calls = server.get("/v1/sites/" + site.get("siteId") + "/calls", site.get("apiKey"));
                if (calls.status() == 200) {
                    call = calls.json().get("calls").findParents("providerCallId").stream()
                            .filter(c -> c.get("providerCallId").asText().equals("9990001")).findFirst().orElse(null);
                }
                if (call == null) {
                    Thread.sleep(100);
                }
            }
            assertThat(call).as("the call kept in the journal reached the call log").isNotNull();
            assertThat(call.get("status").asText()).isEqualTo("completed");
            assertThat(call.get("talkSeconds").asInt()).isEqualTo(75);
        }
    }
}
