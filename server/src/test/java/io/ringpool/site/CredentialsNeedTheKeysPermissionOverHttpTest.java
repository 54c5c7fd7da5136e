package io.ringpool.site;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.account.TestAccounts;
import io.ringpool.account.TestAccounts.Person;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AG2 #2: a manager (no {@code keys} permission) may not take over a credential the owner
 * stored by changing where it is sent (the AMI host and port, an API base URL, an upload
 * destination's {@code baseUrl} or {@code tokenUrl}), by installing what authenticates the provider
 * (Telnyx's public key, with which they could sign calls of their own), or by removing it. Each of
 * those is refused as key rotation is: 403 {@code forbidden} naming {@code keys}; the owner's
 * identical request passes. What sends nothing secret stays the manager's.
 */
class CredentialsNeedTheKeysPermissionOverHttpTest {
    @TempDir
    Path dir;

    TestServer server;
    TestAccounts accounts;
    Person owner;
    Person manager;
    String siteId;
    String path;

    @BeforeEach
    void start() {
        server = new TestServer(dir);
        accounts = new TestAccounts(server);
        Map<String, Object> ws = accounts.ownedWorkspace("Credentials agency", "owner@credentials.test");
        String workspaceId = (String) ws.get("workspaceId");
        owner = (Person) ws.get("owner");
        siteId = accounts.site(workspaceId, owner, "Credentials shop").get("siteId");
        manager = accounts.member(workspaceId, owner, "manager@credentials.test", "manager");
        path = "/v1/sites/" + siteId;
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Reply patch(Person who, String provider, Map<String, Object> fields) {
        Map<String, Object> providers = new HashMap<>();
        providers.put(provider, fields);
        return accounts.as(who, "PATCH", path, Map.of("providers", providers));
    }

    static void refusedForKeys(Reply r, String what) {
        assertThat(r.status()).as(what + ": " + r.body()).isEqualTo(403);
        assertThat(r.errorCode()).as(what).isEqualTo("forbidden");
        assertThat(r.json().path("error").path("message").asText()).as(what).contains("(keys)");
    }

    @Test
    void aManagerCannotMoveChangeOrRemoveAProvidersCredentialsButTheOwnerCan() throws Exception {
        assertThat(patch(owner, "asterisk", Map.of("host", "1.1.1.1", "port", 5038, "username", "ringpool", "secret", "PBX-AMI-SECRET"))
                .status()).isEqualTo(200);
        assertThat(patch(owner, "mango", Map.of("apiKey", "MK", "apiSalt", "MS")).status()).isEqualTo(200);
        assertThat(patch(owner, "zadarma", Map.of("secret", "ZS", "apiKey", "ZK")).status()).isEqualTo(200);
        assertThat(patch(owner, "freeswitch", Map.of("username", "cdr", "password", "FS-PASSWORD")).status()).isEqualTo(200);
        String ownersTelnyxKey = ed25519PublicKey();
        assertThat(patch(owner, "telnyx", Map.of("publicKey", ownersTelnyxKey)).status()).isEqualTo(200);
        String before = accounts.as(owner, "GET", path, null).json().get("providers").toString();

        Map<String, Map<String, Object>> moves = new java.util.LinkedHashMap<>();
        moves.put("asterisk host", Map.of("asterisk", Map.of("host", "8.8.8.8")));
        moves.put("asterisk port", Map.of("asterisk", Map.of("port", 19292)));
        moves.put("asterisk username", Map.of("asterisk", Map.of("username", "managers-login")));
        moves.put("mango apiUrl", Map.of("mango", Map.of("apiUrl", "https://8.8.8.8/mango")));
        moves.put("zadarma apiUrl", Map.of("zadarma", Map.of("apiUrl", "https://8.8.8.8/zadarma")));
        moves.put("freeswitch username", Map.of("freeswitch", Map.of("username", "managers-user")));
        moves.put("telnyx publicKey", Map.of("telnyx", Map.of("publicKey", ed25519PublicKey())));
        Map<String, Object> removeMango = new HashMap<>();
        removeMango.put("mango", null);
        moves.put("removing mango", removeMango);
        Map<String, Object> unsetApiKey = new HashMap<>();
        unsetApiKey.put("apiKey", null);
        moves.put("removing zadarma's API key", Map.of("zadarma", unsetApiKey));
        for (Map.Entry<String, Map<String, Object>> move : moves.entrySet()) {
            refusedForKeys(accounts.as(manager, "PATCH", path, Map.of("providers", move.getValue())), move.getKey());
        }
        assertThat(accounts.as(owner, "GET", path, null).json().get("providers").toString())
                .as("nothing the manager sent was applied").isEqualTo(before);
        assertThat(accounts.as(manager, "PATCH", path, Map.of("name", "Renamed by the manager", "targetCallSeconds", 45)).status())
                .as("the site's other settings stay the manager's").isEqualTo(200);

        for (Map.Entry<String, Map<String, Object>> move : moves.entrySet()) {
            Reply r = accounts.as(owner, "PATCH", path, Map.of("providers", move.getValue()));
            assertThat(r.status()).as("the owner: " + move.getKey() + ": " + r.body()).isEqualTo(200);
        }
        Map<String, Object> providers = new java.util.LinkedHashMap<>();
        accounts.as(owner, "GET", path, null).json().get("providers").fields()
                .forEachRemaining(e -> providers.put(e.getKey(), e.getValue()));
        assertThat(providers).doesNotContainKey("mango");
        assertThat(providers.get("asterisk").toString()).contains("8.8.8.8").contains("19292").contains("managers-login");
        assertThat(providers.get("telnyx").toString()).doesNotContain(ownersTelnyxKey);
    }

    @Test
    void aManagerCannotPointAnOwnersUploadDestinationElsewhereButMayChangeItsOtherSettings() {
        Reply metrica = accounts.as(owner, "POST", path + "/destinations",
                Map.of("type", "yandex-metrica-calls", "counterId", "12345678", "oauthToken", "y0_OWNER-OAUTH-TOKEN", "dryRun", true));
        assertThat(metrica.status()).as(metrica.body()).isEqualTo(201);
        Reply ads = accounts.as(owner, "POST", path + "/destinations", Map.of("type", "google-ads-calls", "customerId", "123-456-7890",
                "conversionAction", "987654321", "clientId", "client.apps.googleusercontent.com", "developerToken", "DEV-TOKEN",
                "clientSecret", "CLIENT-SECRET", "refreshToken", "REFRESH-TOKEN", "dryRun", true));
        assertThat(ads.status()).as(ads.body()).isEqualTo(201);
        String metricaPath = path + "/destinations/" + metrica.text("destinationId");
        String adsPath = path + "/destinations/" + ads.text("destinationId");

        refusedForKeys(accounts.as(manager, "PATCH", metricaPath, Map.of("baseUrl", "https://8.8.8.8/managers-host")), "baseUrl");
        refusedForKeys(accounts.as(manager, "PATCH", adsPath, Map.of("tokenUrl", "https://8.8.8.8/token")), "tokenUrl");
        Map<String, Object> backToDefault = new HashMap<>();
        backToDefault.put("baseUrl", null);
        refusedForKeys(accounts.as(manager, "PATCH", metricaPath, backToDefault), "baseUrl removed");
        assertThat(accounts.as(owner, "GET", metricaPath, null).json().path("settings").has("baseUrl")).isFalse();

        Reply counter = accounts.as(manager, "PATCH", metricaPath, Map.of("counterId", "87654321", "filter", Map.of("target", true)));
        assertThat(counter.status()).as("sends nothing secret elsewhere: " + counter.body()).isEqualTo(200);
        Reply own = accounts.as(manager, "POST", path + "/destinations", Map.of("type", "ga4", "measurementId", "G-MANAGER123",
                "apiSecret", "managers-own-secret", "baseUrl", "https://8.8.8.8/mp", "dryRun", true));
        assertThat(own.status()).as("a destination with the manager's own credentials may go anywhere: " + own.body()).isEqualTo(201);

        Reply moved = accounts.as(owner, "PATCH", metricaPath, Map.of("baseUrl", "https://8.8.8.8/owners-proxy"));
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);
        assertThat(moved.json().path("settings").path("baseUrl").asText()).isEqualTo("https://8.8.8.8/owners-proxy");
        assertThat(accounts.as(owner, "PATCH", adsPath, Map.of("tokenUrl", "https://8.8.8.8/token")).status()).isEqualTo(200);
    }

    /** A fresh Ed25519 public key as Telnyx's portal shows one: the raw 32 bytes, base64. */
    static String ed25519PublicKey() throws Exception {
        byte[] encoded = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
        return Base64.getEncoder().encodeToString(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
    }
}
