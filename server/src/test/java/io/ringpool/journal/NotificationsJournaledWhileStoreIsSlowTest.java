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
 * Audit AN3 F5: with the store's tables locked, a provider's notification waited for the request
 * timeout, was answered 503 {@code timeout}, and was stored anyway when the lock went (listed
 * {@code accepted}): the provider and the operator were told opposite things. A notification now
 * waits for the store a few seconds at most, then goes to the call journal and gets the provider's
 * usual 2xx; the call is stored once, whichever of the two writes lands first.
 */
class NotificationsJournaledWhileStoreIsSlowTest {
    static final String TOKEN = "uis-token-store-slow-000001";
    static final String NUMBER = "+74950008301";

    @TempDir
    Path dir;

    @Test
    void aUisNotificationWhileTheStoreHangsIsAcknowledgedWithinSecondsAndStoredOnce() throws Exception {
        SwitchableStore store = new SwitchableStore();
        try (TestServer server = new TestServer(dir, Map.of(), store)) {
            Map<String, String> site = server.siteWithPool(List.of(NUMBER));
            Reply patched = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                    new String(Json.write(Map.of("providers", Map.of("uis", Map.of("token", TOKEN)))), StandardCharsets.UTF_8),
                    "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            String path = "/v1/telephony/uis/" + site.get("siteId") + "/" + TOKEN;

            store.slowBy(8_000); // every store access waits 8 s, as behind a table lock
            long started = System.nanoTime();
            Reply during = server.send("POST", path, null, "{\"event\":\"completed\",\"call_session_id\":\"9990301\","
                    + "\"contact_phone_number\":\"79161234567\",\"virtual_phone_number\":\"" + NUMBER.substring(1)
                    + "\",\"total_time_duration\":95,\"talk_time_duration\":75}", "application/json", Map.of());
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertThat(during.status()).as(during.body()).isEqualTo(200);
            assertThat(millis).as("acknowledged without waiting for the store").isLessThan(6_000);

            store.set(SwitchableStore.Mode.UP);
            server.awaitCallsStored();
            long until = System.nanoTime() + 30_000_000_000L;
            List<JsonNode> calls = List.of();
            while (calls.isEmpty() && System.nanoTime() < until) {
                Reply log = server.get("/v1/sites/" + site.get("siteId") + "/calls", site.get("apiKey"));
                if (log.status() == 200) {
                    calls = log.json().get("calls").findParents("providerCallId").stream()
                            .filter(c -> c.get("providerCallId").asText().equals("9990301")).toList();
                }
                if (calls.isEmpty()) {
                    Thread.sleep(100);
                }
            }
            assertThat(calls).as("the notice reached the call log once").hasSize(1);
            assertThat(calls.get(0).get("status").asText()).isEqualTo("completed");
            assertThat(calls.get(0).get("talkSeconds").asInt()).isEqualTo(75);
            // let the write left waiting on the store land too: still one call
            Thread.sleep(9_000);
            Reply after = server.get("/v1/sites/" + site.get("siteId") + "/calls", site.get("apiKey"));
            assertThat(after.json().get("calls").findParents("providerCallId").stream()
                    .filter(c -> c.get("providerCallId").asText().equals("9990301")).count()).isEqualTo(1);

            Reply diagnostics = server.get("/v1/sites/" + site.get("siteId") + "/telephony/events?provider=uis", site.get("apiKey"));
            JsonNode entry = diagnostics.json().get("events").get(0);
            assertThat(entry.get("outcome").asText()).isEqualTo("accepted");
            assertThat(entry.get("message").asText()).contains("the store did not answer within 3 s");
        }
    }
}
