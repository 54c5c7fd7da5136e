package io.ringpool.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import io.ringpool.telephony.provider.ProviderSigning;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit I #1: with the database hung (every connection attempt waiting), Plivo's, SignalWire's,
 * Telnyx's and Vonage's "what do I do with this call?" webhooks read the site's recording settings
 * from the store and took 3 to 10 s (a 503 for the first), so the caller was not put through.
 * They answer from memory, as Twilio's always did.
 */
class ProviderAnswersWhileStoreHangsTest {
    static final String TOKEN = "plivo-auth-token-hang-0001";
    static final String NUMBER = "+74950008101";

    @TempDir
    Path dir;

    @Test
    void aPlivoAnswerForwardsTheCallerAtOnceWhileEveryConnectionToTheStoreHangs() {
        SwitchableStore store = new SwitchableStore();
        try (TestServer server = new TestServer(dir, Map.of("server.publicUrl", ProviderTestKit.PUBLIC_URL), store)) {
            Map<String, String> site = server.siteWithPool(List.of(NUMBER));
            Reply patched = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), new String(Json.write(Map.of(
                    "forwardTo", "+74951112233", "providers", Map.of("plivo", Map.of("authToken", TOKEN)))), StandardCharsets.UTF_8),
                    "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            assertThat(answer(server, site.get("siteId"), "warm-up-uuid-0001").status()).isEqualTo(200);

            store.slowBy(5_000);
            for (int i = 0; i < 3; i++) {
                long started = System.nanoTime();
                Reply answer = answer(server, site.get("siteId"), "hung-store-uuid-000" + i);
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertThat(answer.status()).as(answer.body()).isEqualTo(200);
                assertThat(answer.body()).contains("<Number>74951112233</Number>");
                assertThat(millis).as("answered without waiting for the store").isLessThan(1_000);
            }
            store.set(SwitchableStore.Mode.UP);
        }
    }

    static Reply answer(TestServer server, String siteId, String uuid) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("CallUUID", uuid);
        params.put("From", "79161234567");
        params.put("To", NUMBER.substring(1));
        params.put("CallStatus", "ringing");
        String path = "/v1/telephony/plivo/" + siteId + "/answer";
        String nonce = uuid.replace("-", "") + "n";
        StringBuilder base = new StringBuilder(ProviderTestKit.PUBLIC_URL + path).append('?');
        new TreeMap<>(params).forEach((k, v) -> base.append(k).append(v));
        String signature = ProviderSigning.base64(ProviderSigning.hmac("HmacSHA256", TOKEN, base + "." + nonce));
        return server.send("POST", path, null, ProviderTestKit.form(params), "application/x-www-form-urlencoded",
                Map.of("X-Plivo-Signature-V3", signature, "X-Plivo-Signature-V3-Nonce", nonce));
    }
}
