package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AB1 (findings 3, 4, 5, 9, 11, 12), over HTTP: text fields that escaped the common text
 * rule, query values whose control characters were trimmed away unseen, a lone surrogate kept as
 * U+FFFD in a script lead, broken or coded bodies read as plain JSON, and {@code null} refused where
 * the OpenAPI document allows it.
 */
class InputHygieneOverHttpTest {
    @TempDir
    static Path dir;
    static TestServer server;
    static Map<String, String> site;
    static String sitePath;
    static String key;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
        site = server.siteWithPool(List.of("+74950000401", "+74950000402"));
        sitePath = "/v1/sites/" + site.get("siteId");
        key = site.get("apiKey");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Reply json(String method, String path, String body) {
        return server.send(method, path, key, body, "application/json", Map.of());
    }

    static void assertRefused(Reply reply, String field) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(422);
        assertThat(reply.json().at("/error/field").asText()).isEqualTo(field);
    }

    /** AB1 #3: read off the raw JSON node, the notice and the keyword phrases skipped the text rule every other field follows. */
    @Test
    void aRecordingNoticeOrAKeywordPhraseWithAControlOrBrokenCharacterIs422NamingIt() {
        for (String bad : List.of("Call \\u0000 recorded", "Call \\u0007 recorded", "Call \\ud800 recorded")) {
            assertRefused(json("PATCH", sitePath, "{\"recordingNotice\":\"" + bad + "\"}"), "recordingNotice");
            assertRefused(server.send("POST", "/v1/sites", TestServer.ADMIN_KEY, "{\"name\":\"N\",\"defaultNumber\":\"+74951230001\","
                    + "\"recordingNotice\":\"" + bad + "\"}", "application/json", Map.of()), "recordingNotice");
        }
        assertRefused(json("PATCH", sitePath, "{\"keywordRules\":[{\"tag\":\"spam\",\"any\":[\"ok\",\"wrong\\u0000number\"]}]}"),
                "keywordRules[0].any[1]");
        Reply fine = json("PATCH", sitePath, "{\"recordingNotice\":\"Calls are\\trecorded \\ud83d\\ude00\"}");
        assertThat(fine.status()).as(fine.body()).isEqualTo(200);
        assertThat(fine.text("recordingNotice")).isEqualTo("Calls are\trecorded \uD83D\uDE00");
        assertThat(server.get(sitePath, key).text("recordingNotice")).isEqualTo("Calls are\trecorded \uD83D\uDE00");
    }

    /** AB1 #4: a credential took any JSON number and any character. */
    @Test
    void aDestinationsCredentialIsAStringOfTextOr422NamingIt() {
        String destinations = sitePath + "/destinations";
        for (String bad : List.of("123", "-1", "9223372036854775808", "\"a\\u0000b\"", "\"a\\u0001b\"", "\"\\ud800\"")) {
            assertRefused(json("POST", destinations, "{\"type\":\"ga4\",\"measurementId\":\"G-ABC123\",\"apiSecret\":" + bad
                    + ",\"dryRun\":true}"), "apiSecret");
        }
        Reply created = json("POST", destinations,
                "{\"type\":\"ga4\",\"measurementId\":\"G-ABC123\",\"apiSecret\":\"s3cr3t\",\"dryRun\":true}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String one = destinations + "/" + created.text("destinationId");
        assertRefused(json("PATCH", one, "{\"apiSecret\":-1}"), "apiSecret");
        assertRefused(json("PATCH", one, "{\"apiSecret\":\"x\\u0000\"}"), "apiSecret");
        assertRefused(json("PATCH", one, "{\"eventName\":\"call\\u0000\"}"), "eventName");
        assertThat(json("PATCH", one, "{\"apiSecret\":\"an0ther\"}").status()).isEqualTo(200);
        // A platform id may still come as a JSON number (a Metrica counter): only credentials must be text.
        Reply metrica = json("POST", destinations, "{\"type\":\"yandex-metrica-calls\",\"counterId\":12345678,\"oauthToken\":\"t\","
                + "\"dryRun\":true}");
        assertThat(metrica.status()).as(metrica.body()).isEqualTo(201);
        assertRefused(json("POST", destinations, "{\"type\":\"yandex-metrica-calls\",\"counterId\":12345678,\"oauthToken\":42,"
                + "\"dryRun\":true}"), "oauthToken");
    }

    /**
     * Audit AN2 F2: CR, LF and TAB inside a credential were taken (201), then every upload failed for a
     * day ("header Authorization is not a valid HTTP header"). Around it (a paste) they are trimmed.
     */
    @Test
    void aLineBreakOrATabInsideACredentialIs422NamingIt() {
        String destinations = sitePath + "/destinations";
        for (String bad : List.of("y0_a\\r\\nX-Injected: 1", "y0_a\\nb", "y0_a\\tb")) {
            assertRefused(json("POST", destinations, "{\"type\":\"yandex-metrica-calls\",\"counterId\":12345678,\"oauthToken\":\""
                    + bad + "\",\"dryRun\":true}"), "oauthToken");
        }
        String google = "{\"type\":\"google-ads-clicks\",\"customerId\":\"123-456-7890\",\"conversionAction\":\"1\",\"clientId\":\"c\","
                + "\"clientSecret\":\"%s\",\"refreshToken\":\"%s\",\"developerToken\":\"%s\",\"dryRun\":true}";
        assertRefused(json("POST", destinations, google.formatted("x\\r\\ny", "r", "d")), "clientSecret");
        assertRefused(json("POST", destinations, google.formatted("s", "x\\r\\ny", "d")), "refreshToken");
        assertRefused(json("POST", destinations, google.formatted("s", "r", "x\\ty")), "developerToken");
        Reply pasted = json("POST", destinations, "{\"type\":\"yandex-metrica-calls\",\"counterId\":12345678,"
                + "\"oauthToken\":\"y0_ab\\r\\n\",\"dryRun\":true}");
        assertThat(pasted.status()).as(pasted.body()).isEqualTo(201);
        assertRefused(json("PATCH", destinations + "/" + pasted.text("destinationId"), "{\"oauthToken\":\"y0\\nb\"}"), "oauthToken");
    }

    /**
     * AB2 #5: trimming took a NUL at the end of a number away unseen (forwardTo "+7…\u0000" was 200);
     * and a telephony provider's credentials took JSON numbers and control characters.
     */
    @Test
    void aNulAtTheEndOfAFieldOrInAProviderCredentialIs422NamingIt() {
        assertRefused(json("PATCH", sitePath, "{\"forwardTo\":\"+74957770001\\u0000\"}"), "forwardTo");
        assertRefused(json("PATCH", sitePath, "{\"name\":\"\\u0001Shop\"}"), "name");
        assertRefused(json("PATCH", sitePath, "{\"providers\":{\"mango\":{\"apiKey\":\"k\\u0000\",\"apiSalt\":\"s\"}}}"),
                "providers.mango.apiKey");
        assertRefused(json("PATCH", sitePath, "{\"providers\":{\"mango\":{\"apiKey\":\"k\",\"apiSalt\":12345}}}"),
                "providers.mango.apiSalt");
        Reply fine = json("PATCH", sitePath, "{\"forwardTo\":\" +74957770001\\t\",\"providers\":{\"mango\":{\"apiKey\":\"k\",\"apiSalt\":\"s\"}}}");
        assertThat(fine.status()).as(fine.body()).isEqualTo(200);
        assertThat(fine.text("forwardTo")).isEqualTo("+74957770001");
    }

    /** AB1 #5: trimming removed %00 and %01, so status=%00 was no filter and limit=1%00 was 1. */
    @Test
    void aQueryValueWithAControlCharacterIs422NamingTheParameterNotTrimmedAway() {
        Map<String, String> refused = Map.of(
                "/calls?status=%00", "status",
                "/calls?status=completed%00", "status",
                "/calls?limit=1%00", "limit",
                "/calls?limit=%01", "limit",
                "/calls?caller=%00", "caller",
                "/leads?method=%01", "method",
                "/reports/sources?from=%01", "from");
        refused.forEach((query, field) -> {
            Reply r = server.get(sitePath + query, key);
            assertThat(r.status()).as(query + " " + r.body()).isEqualTo(422);
            assertThat(r.json().at("/error/field").asText()).as(query).isEqualTo(field);
        });
        assertThat(server.get(sitePath + "/calls?limit=%201%20", key).status()).as("spaces are trimmed").isEqualTo(200);
        assertRefused(server.get(sitePath + "/calls?status=", key), "status");
    }

    /** AB1 #9: a lone surrogate became U+FFFD, so a lead of nothing but one broken character was created. */
    @Test
    void aScriptLeadOfOnlyABrokenCharacterIsAnEmptyLeadAndABrokenCharacterIsDropped() {
        Reply visit = server.startSession(site.get("publicKey"), "hygiene-visitor", "https://example.com/");
        assertThat(visit.status()).isEqualTo(201);
        String leads = "/v1/sessions/" + visit.text("sessionId") + "/leads";
        Reply empty = server.send("POST", leads, null, "{\"fields\":{\"email\":\"\\ud800\"}}", "text/plain", Map.of());
        assertThat(empty.status()).as(empty.body()).isEqualTo(422);
        assertThat(empty.errorCode()).isEqualTo("empty_lead");
        Reply named = server.send("POST", leads, null, "{\"fields\":{\"name\":\"Iv\\ud800an\",\"phone\":\"+79161112233\"}}", "text/plain",
                Map.of());
        assertThat(named.status()).as(named.body()).isEqualTo(201);
        assertThat(server.get(sitePath + "/leads/" + named.text("leadId"), key).text("name")).isEqualTo("Ivan");
    }

    /** AB1 #11: a Content-Type naming no type was read as none, and a compressed body as plain text. */
    @Test
    void aContentTypeWithoutATypeOrACompressedBodyIs415() {
        Reply noType = server.send("PATCH", sitePath, key, "{\"name\":\"X\"}", ";;;==", Map.of());
        assertThat(noType.status()).as(noType.body()).isEqualTo(415);
        assertThat(noType.errorCode()).isEqualTo("unsupported_media_type");
        Reply gzip = server.send("PATCH", sitePath, key, "{\"name\":\"X\"}", "application/json", Map.of("Content-Encoding", "gzip"));
        assertThat(gzip.status()).as(gzip.body()).isEqualTo(415);
        assertThat(gzip.errorCode()).isEqualTo("unsupported_content_encoding");
        Reply identity = server.send("PATCH", sitePath, key, "{\"name\":\"Identity\"}", "application/json",
                Map.of("Content-Encoding", "identity"));
        assertThat(identity.status()).as(identity.body()).isEqualTo(200);
    }

    /** AB1 #11: HEAD works wherever GET does, so a 405 and OPTIONS name it. */
    @Test
    void aMethodNotAllowedNamesHeadWhereGetIsServed() {
        Reply put = server.send("PUT", sitePath + "/calls", key, null, null, Map.of());
        assertThat(put.status()).isEqualTo(405);
        assertThat(put.headers().get("allow")).containsExactly("GET, HEAD");
        Reply head = server.send("HEAD", sitePath + "/calls", key, null, null, Map.of());
        assertThat(head.status()).isEqualTo(200);
        Reply onlyPost = server.send("GET", "/v1/sessions", null, null, null, Map.of());
        assertThat(onlyPost.headers().get("allow")).containsExactly("POST");
    }

    /** AB1 #12: openapi.json has value and note nullable, the server refused null, and a value once set could never go. */
    @Test
    void nullRemovesACallsValueAndNoteAndALeadsValue() {
        String event = "{\"callId\":\"hygiene-1\",\"event\":\"ringing\",\"from\":\"+79161234567\",\"to\":\"+74950000401\"}";
        Reply ringing = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, event, "application/json",
                Map.of("X-Ringpool-Signature", io.ringpool.call.Signing.ringpool(site.get("webhookSecret"),
                        server.clock.instant().getEpochSecond(), event)));
        assertThat(ringing.status()).as(ringing.body()).isEqualTo(200);
        server.awaitCallsStored();
        String call = sitePath + "/calls/" + server.get(sitePath + "/calls?limit=1", key).json().at("/calls/0/callId").asText();
        Reply set = json("PATCH", call, "{\"value\":1.5,\"note\":\"called back\"}");
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().get("value").asDouble()).isEqualTo(1.5);
        Reply cleared = json("PATCH", call, "{\"value\":null,\"note\":null}");
        assertThat(cleared.status()).as(cleared.body()).isEqualTo(200);
        assertThat(cleared.json().get("value").isNull()).isTrue();
        assertThat(cleared.json().get("note").isNull()).isTrue();
        assertThat(server.get(call, key).json().get("value").isNull()).as("stored").isTrue();
        assertRefused(json("PATCH", call, "{\"value\":\"1.5\"}"), "value");
        assertRefused(json("PATCH", call, "{\"note\":5}"), "note");
        assertRefused(json("PATCH", call, "{\"tags\":null}"), "tags");

        Reply lead = server.post(sitePath + "/leads", key, Map.of("phone", "+79161112244", "value", 900));
        assertThat(lead.status()).as(lead.body()).isEqualTo(201);
        String leadPath = sitePath + "/leads/" + lead.text("leadId");
        Reply leadCleared = json("PATCH", leadPath, "{\"value\":null}");
        assertThat(leadCleared.status()).as(leadCleared.body()).isEqualTo(200);
        assertThat(leadCleared.json().get("value").isNull()).isTrue();
        assertThat(server.get(leadPath, key).json().get("value").isNull()).as("stored").isTrue();
        assertRefused(json("PATCH", leadPath, "{\"value\":true}"), "value");
        assertRefused(json("PATCH", leadPath, "{\"status\":null}"), "status");
    }
}
