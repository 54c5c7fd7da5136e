package io.ringpool.telephony.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Provider settings through PATCH /v1/sites/{id}: write-only secrets, validation, removal, diagnostics. */
class ProviderSettingsOverHttpTest {
    @TempDir
    static Path dir;

    static ProviderTestKit kit;

    @BeforeAll
    static void start() {
        kit = new ProviderTestKit(dir);
    }

    @AfterAll
    static void stop() {
        kit.close();
    }

    @Test
    void secretsAreWriteOnlyAndPlainFieldsAreShown() {
        kit.configure("mango", Map.of("apiKey", "k-secret-value", "apiSalt", "s-secret-value"));
        kit.configure("freeswitch", Map.of("username", "fs-user", "password", "p-secret-value"));
        Reply site = kit.server.get("/v1/sites/" + kit.siteId, kit.apiKey);
        assertThat(site.body()).doesNotContain("k-secret-value", "s-secret-value", "p-secret-value");
        JsonNode providers = site.json().get("providers");
        assertThat(providers.get("mango").get("secretsSet").toString()).isEqualTo("[\"apiKey\",\"apiSalt\"]");
        assertThat(providers.get("freeswitch").get("username").asText()).isEqualTo("fs-user");
        // Changing one field keeps the other secret.
        kit.configure("mango", Map.of("apiSalt", "s-second"));
        assertThat(kit.server.get("/v1/sites/" + kit.siteId, kit.apiKey).json().get("providers").get("mango").get("secretsSet"))
                .hasSize(2);
    }

    @Test
    void anUnknownProviderOrFieldIsMalformedAndABadValueInvalid() {
        assertThat(kit.patch(Map.of("providers", Map.of("acme", Map.of("x", "y")))).status()).isEqualTo(400);
        Reply unknownField = kit.patch(Map.of("providers", Map.of("zadarma", Map.of("secret", "s", "colour", "red"))));
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.json().get("error").get("field").asText()).isEqualTo("providers.zadarma.colour");
        Reply badKey = kit.patch(Map.of("providers", Map.of("telnyx", Map.of("publicKey", "not-a-key"))));
        assertThat(badKey.status()).isEqualTo(422);
        assertThat(badKey.json().get("error").get("field").asText()).isEqualTo("providers.telnyx.publicKey");
        Reply missing = kit.patch(Map.of("providers", Map.of("mango", Map.of("apiKey", "only-key"), "plivo", Map.of())));
        assertThat(missing.status()).isEqualTo(422);
    }

    @Test
    void aProviderRemovedWithNullRefusesItsWebhooksAsNotConfigured() {
        kit.configure("zadarma", Map.of("secret", "zs"));
        Reply removed = kit.server.send("PATCH", "/v1/sites/" + kit.siteId, kit.apiKey, "{\"providers\":{\"zadarma\":null}}",
                "application/json", Map.of());
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.json().get("providers").has("zadarma")).isFalse();
        Reply r = kit.postForm("/v1/telephony/zadarma/" + kit.siteId, ProviderTestKit.params("event", "NOTIFY_START"), Map.of());
        assertThat(r.status()).isEqualTo(403);
        assertThat(kit.diagnostics("zadarma").get(0).get("reason").asText()).isEqualTo("not_configured");
        assertThat(kit.server.get("/v1/sites/" + kit.siteId + "/telephony/events?provider=zadarma&colour=red", kit.apiKey).errorCode())
                .isEqualTo("unknown_parameter");
        assertThat(kit.server.get("/v1/sites/" + kit.siteId + "/telephony/events", null).status()).isEqualTo(401);
    }

    @Test
    void anUnknownSiteIsNotFound() {
        assertThat(kit.postForm("/v1/telephony/zadarma/st_nosuchsite", ProviderTestKit.params("event", "NOTIFY_START"), Map.of())
                .status()).isEqualTo(404);
    }
}
