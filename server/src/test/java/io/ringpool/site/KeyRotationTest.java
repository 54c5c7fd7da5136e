package io.ringpool.site;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10, item 8: rotating a key keeps the old one for an overlap window, then it is refused. */
class KeyRotationTest {
    @TempDir
    Path dir;

    static Reply rotate(TestServer server, String siteId, String key, Map<String, Object> body) {
        return server.post("/v1/sites/" + siteId + "/keys/rotate", key, body);
    }

    static int getSite(TestServer server, String siteId, String key) {
        return server.get("/v1/sites/" + siteId, key).status();
    }

    static Reply event(TestServer server, String siteId, String secret, String callId) {
        String body = new String(Json.write(Map.of("callId", callId, "event", "ringing", "to", "+74955000001")), StandardCharsets.UTF_8);
        return server.send("POST", "/v1/telephony/" + siteId + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(secret, server.clock.instant().getEpochSecond(), body)));
    }

    @Test
    void theOldApiKeyWorksThroughTheDefault24HourOverlapThenGets401AndTheNewOneWorks() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74955000001"));
            String siteId = site.get("siteId");
            String old = site.get("apiKey");

            Reply rotated = rotate(server, siteId, old, Map.of("key", "api"));
            assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
            String fresh = rotated.text("apiKey");
            assertThat(fresh).isNotEqualTo(old);
            assertThat(java.time.Instant.parse(rotated.text("previousValidUntil")))
                    .isBetween(server.clock.instant().plus(Duration.ofHours(24)).minusSeconds(5), server.clock.instant().plus(Duration.ofHours(24)));

            assertThat(getSite(server, siteId, fresh)).isEqualTo(200);
            assertThat(getSite(server, siteId, old)).isEqualTo(200);
            server.clock.advance(Duration.ofHours(24).plusSeconds(1));
            assertThat(getSite(server, siteId, old)).isEqualTo(401);
            assertThat(getSite(server, siteId, fresh)).isEqualTo(200);
        }
    }

    /**
     * Audit AM2 F4: the key an owner replaced because it leaked rotated again during its overlap,
     * which revoked the owner's new key at once and left the thief the only key. In its overlap a
     * replaced key reads and sends data, but it cannot rotate keys or change the site, its
     * webhooks, pools or data; the current key can.
     */
    @Test
    void aReplacedKeyReadsDuringItsOverlapButCannotRotateOrChangeTheSite() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74955000001"));
            String siteId = site.get("siteId");
            String leaked = site.get("apiKey");
            String fresh = rotate(server, siteId, leaked, Map.of("key", "api")).text("apiKey");

            assertThat(getSite(server, siteId, leaked)).isEqualTo(200);
            assertThat(server.get("/v1/sites/" + siteId + "/calls", leaked).status()).isEqualTo(200);
            Reply again = rotate(server, siteId, leaked, Map.of("key", "api", "overlapSeconds", 0));
            assertThat(again.status()).as(again.body()).isEqualTo(403);
            assertThat(again.json().at("/error/field").asText()).isEqualTo("Authorization");
            assertThat(again.json().at("/error/message").asText()).contains("replaced", "current key");
            assertThat(rotate(server, siteId, leaked, Map.of("key", "webhook", "overlapSeconds", 0)).status()).isEqualTo(403);
            assertThat(server.send("PATCH", "/v1/sites/" + siteId, leaked, "{\"coolDownSeconds\":30}", "application/json", Map.of())
                    .status()).isEqualTo(403);
            assertThat(server.post("/v1/sites/" + siteId + "/webhooks", leaked, Map.of("url", "https://attacker.example/hook"))
                    .status()).isEqualTo(403);

            assertThat(getSite(server, siteId, fresh)).as("the owner's key still works").isEqualTo(200);
            assertThat(rotate(server, siteId, fresh, Map.of("key", "webhook")).status()).isEqualTo(200);
            assertThat(server.send("PATCH", "/v1/sites/" + siteId, fresh, "{\"coolDownSeconds\":30}", "application/json", Map.of())
                    .status()).isEqualTo(200);
        }
    }

    /** Audit AD2 #2: on H2, any PATCH of the site dropped the rotated keys' overlap until a restart. */
    @Test
    void aSettingsChangeDuringTheOverlapKeepsTheOldApiKeyAndWebhookSecretWorking() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74955000001"));
            String siteId = site.get("siteId");
            String oldKey = site.get("apiKey");
            String oldSecret = site.get("webhookSecret");
            assertThat(rotate(server, siteId, oldKey, Map.of("key", "webhook", "overlapSeconds", 600)).status()).isEqualTo(200);
            Reply api = rotate(server, siteId, oldKey, Map.of("key", "api", "overlapSeconds", 600));
            assertThat(api.status()).as(api.body()).isEqualTo(200);

            Reply patched = server.send("PATCH", "/v1/sites/" + siteId, api.text("apiKey"), "{\"coolDownSeconds\":30}",
                    "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);

            assertThat(getSite(server, siteId, oldKey)).as("the old API key, 0 s after the PATCH").isEqualTo(200);
            Reply signedWithOld = event(server, siteId, oldSecret, "CA-after-patch");
            assertThat(signedWithOld.status()).as(signedWithOld.body()).isEqualTo(200);

            server.clock.advance(Duration.ofSeconds(601));
            assertThat(getSite(server, siteId, oldKey)).isEqualTo(401);
            assertThat(event(server, siteId, oldSecret, "CA-after-window").status()).isEqualTo(403);
        }
    }

    /**
     * ConcurrentRequestsSweepTest: rotations at once could put their keys in the registry in another
     * order than they committed, so the key that worked was not the stored one and a restart (or
     * another node) refused it.
     */
    @Test
    void eightApiKeyRotationsAtOnceLeaveOneWorkingKeyAndItIsTheOneARestartKeeps() {
        Map<String, String> site;
        String working = null;
        // Trying the seven revoked keys is 21 failed authentications: not what the slowdown is for.
        Map<String, Object> settings = Map.of("security.authFailuresBeforeSlowdown", 1_000, "security.authFailuresBeforeBlock", 10_000);
        try (TestServer server = new TestServer(dir, settings)) {
            site = server.siteWithPool(List.of("+74955000001"));
            String siteId = site.get("siteId");
            // The window is narrow (two registry writes landing out of order after their commits): the
            // sweep met it under its load, this quiet test only sometimes does; it keeps the rule written down.
            for (int round = 0; round < 20; round++) {
                List<Reply> rotated = TestServer.atOnce(java.util.Collections.nCopies(8,
                        () -> rotate(server, siteId, TestServer.ADMIN_KEY, Map.of("key", "api", "overlapSeconds", 0))));
                assertThat(rotated).allSatisfy(r -> assertThat(r.status()).as(r.body()).isEqualTo(200));
                List<String> works = rotated.stream().map(r -> r.text("apiKey")).filter(k -> getSite(server, siteId, k) == 200).toList();
                assertThat(works).hasSize(1);
                working = works.get(0);
            }
        }
        try (TestServer again = new TestServer(dir, settings)) {
            assertThat(getSite(again, site.get("siteId"), working)).isEqualTo(200);
        }
    }

    @Test
    void anOverlapOfZeroRevokesAtOnceAndTheRotationSurvivesARestart() {
        Map<String, String> site;
        String fresh;
        String webhookOld;
        String webhookNew;
        Map<String, Object> settings = Map.of("security.secretKey", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        try (TestServer server = new TestServer(dir, settings)) {
            site = server.siteWithPool(List.of("+74955000001"));
            Reply api = rotate(server, site.get("siteId"), site.get("apiKey"), Map.of("key", "api", "overlapSeconds", 0));
            fresh = api.text("apiKey");
            assertThat(getSite(server, site.get("siteId"), site.get("apiKey"))).isEqualTo(401);

            webhookOld = site.get("webhookSecret");
            Reply webhook = rotate(server, site.get("siteId"), fresh, Map.of("key", "webhook", "overlapSeconds", 3600));
            assertThat(webhook.status()).as(webhook.body()).isEqualTo(200);
            webhookNew = webhook.text("webhookSecret");
        }
        try (TestServer server = new TestServer(dir, settings)) {
            String siteId = site.get("siteId");
            assertThat(getSite(server, siteId, site.get("apiKey"))).isEqualTo(401);
            assertThat(getSite(server, siteId, fresh)).isEqualTo(200);
            assertThat(event(server, siteId, webhookOld, "pbx-old-1").status()).as("old secret inside its hour").isEqualTo(200);
            assertThat(event(server, siteId, webhookNew, "pbx-new-1").status()).isEqualTo(200);
            server.clock.advance(Duration.ofSeconds(3601));
            Reply late = event(server, siteId, webhookOld, "pbx-old-2");
            assertThat(late.status()).isEqualTo(403);
            assertThat(late.errorCode()).isEqualTo("invalid_signature");
            assertThat(event(server, siteId, webhookNew, "pbx-new-2").status()).isEqualTo(200);
        }
    }

    @Test
    void aTwilioTokenIsRotatedToTheValueGivenAndBadRequestsAreRefusedNamingTheField() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74955000001"));
            String siteId = site.get("siteId");
            String key = site.get("apiKey");
            assertThat(rotate(server, siteId, key, Map.of("key", "twilio", "value", "new-token")).status()).isEqualTo(409);
            server.send("PATCH", "/v1/sites/" + siteId, key, "{\"twilioAuthToken\":\"old-token\"}", "application/json", Map.of());

            Reply missing = rotate(server, siteId, key, Map.of("key", "twilio"));
            assertThat(missing.status()).isEqualTo(422);
            assertThat(missing.json().path("error").path("field").asText()).isEqualTo("value");
            Reply ok = rotate(server, siteId, key, Map.of("key", "twilio", "value", "new-token"));
            assertThat(ok.status()).as(ok.body()).isEqualTo(200);
            assertThat(ok.body()).doesNotContain("new-token").doesNotContain("old-token");

            Reply unknown = rotate(server, siteId, key, Map.of("key", "admin"));
            assertThat(unknown.status()).isEqualTo(422);
            assertThat(unknown.json().path("error").path("field").asText()).isEqualTo("key");
            assertThat(rotate(server, siteId, key, Map.of("key", "api", "overlapSeconds", 999_999_999)).status()).isEqualTo(422);
            assertThat(rotate(server, siteId, key, Map.of("key", "api", "extra", 1)).status()).isEqualTo(400);
            assertThat(rotate(server, siteId, null, Map.of("key", "api")).status()).isEqualTo(401);
        }
    }

    @Test
    void anotherSitesKeyCannotRotateThisSitesKeys() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> a = server.siteWithPool(List.of("+74955000001"));
            Map<String, String> b = server.siteWithPool(List.of("+74955000002"));
            assertThat(rotate(server, a.get("siteId"), b.get("apiKey"), Map.of("key", "api")).status()).isEqualTo(404);
            assertThat(getSite(server, a.get("siteId"), a.get("apiKey"))).isEqualTo(200);
        }
    }
}
