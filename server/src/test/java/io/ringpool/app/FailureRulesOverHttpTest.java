package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one rule for failures, seen over HTTP: 400 unknown names, 422 bad values, 415 other media types. */
class FailureRulesOverHttpTest {
    @TempDir
    static Path dir;
    static TestServer server;
    static Map<String, String> site;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
        site = server.siteWithPool(List.of("+74950000101"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aBodyFieldTheRouteDoesNotKnowIs400UnknownFieldNamingIt() {
        Reply site = server.post("/v1/sites", TestServer.ADMIN_KEY, Map.of("nmae", "Shop", "defaultNumber", "+74951234567"));
        assertThat(site.status()).isEqualTo(400);
        assertThat(site.errorCode()).isEqualTo("unknown_field");
        assertThat(site.json().path("error").path("field").asText()).isEqualTo("nmae");
        Reply pool = server.post("/v1/sites/" + FailureRulesOverHttpTest.site.get("siteId") + "/pools",
                FailureRulesOverHttpTest.site.get("apiKey"), Map.of("numbrs", List.of("+74950000102")));
        assertThat(pool.status()).isEqualTo(400);
        assertThat(pool.errorCode()).isEqualTo("unknown_field");
    }

    @Test
    void aKnownFieldWithABadValueIs422NamingTheFieldAndAnErrorWithoutOneSaysFieldNull() {
        Reply bad = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                "{\"leaseTtlSeconds\": 5}", "application/json", Map.of());
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.errorCode()).isEqualTo("invalid_value");
        assertThat(bad.json().path("error").path("field").asText()).isEqualTo("leaseTtlSeconds");
        Reply missingKey = server.get("/v1/sites/" + site.get("siteId"), null);
        assertThat(missingKey.status()).isEqualTo(401);
        assertThat(missingKey.json().path("error").has("field")).isTrue();
        assertThat(missingKey.json().path("error").path("field").isNull()).isTrue();
    }

    @Test
    void everyMethodNotAllowedNamesTheMethodsThePathTakesAlsoForAMethodTheServerDoesNotKnow() {
        Reply known = server.send("PUT", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), null, null, Map.of());
        Reply unknown = server.send("PROPFIND", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), null, null, Map.of());
        assertThat(known.status()).isEqualTo(405);
        assertThat(unknown.status()).isEqualTo(405);
        assertThat(unknown.errorCode()).isEqualTo("method_not_allowed");
        assertThat(unknown.headers().get("allow")).isEqualTo(known.headers().get("allow")).containsExactly("GET, HEAD, PATCH");
    }

    @Test
    void brokenJsonIs400AndAnotherMediaTypeIs415OnAdminAndScriptRoutesAlike() {
        Reply broken = server.send("POST", "/v1/sites", TestServer.ADMIN_KEY, "{\"name\":", "application/json", Map.of());
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.errorCode()).isEqualTo("malformed_json");
        String body = "{\"siteKey\":\"" + site.get("publicKey") + "\"}";
        assertThat(server.send("POST", "/v1/sites", TestServer.ADMIN_KEY, "{}", "application/xml", Map.of()).status()).isEqualTo(415);
        assertThat(server.send("POST", "/v1/sessions", null, body, "application/xml", Map.of()).status()).isEqualTo(415);
        assertThat(server.send("POST", "/v1/sessions/s_neverExisted0000000000/end", null, "", "image/png", Map.of()).status())
                .isEqualTo(415);
    }

    /** Audit 27 A, item 13: the message of an unclosed object quoted the parser's source description and a feature name. */
    @Test
    void brokenJsonIsDescribedInWordsAndWhereWithoutTheParsersInternals() {
        Reply unclosed = server.send("POST", "/v1/sessions", null, "{", "application/json", Map.of());
        assertThat(unclosed.status()).isEqualTo(400);
        assertThat(unclosed.errorCode()).isEqualTo("malformed_json");
        assertThat(unclosed.json().path("error").path("message").asText())
                .isEqualTo("the body is not valid JSON: it ends before the object opened at line 1, column 1 is closed (line 1, column 2)");
        Reply nan = server.send("POST", "/v1/sites", TestServer.ADMIN_KEY, "{\"name\":NaN}", "application/json", Map.of());
        assertThat(nan.status()).isEqualTo(400);
        assertThat(nan.json().path("error").path("message").asText())
                .isEqualTo("the body is not valid JSON: 'NaN' is not a JSON value (line 1, column 12)");
    }

    @Test
    void jsonSentAsTextPlainOrAsCurlsDefaultFormTypeIsReadAsJson() {
        String body = "{\"siteKey\":\"" + site.get("publicKey") + "\",\"visitorId\":\"v_plain\"}";
        Reply plain = server.send("POST", "/v1/sessions", null, body, "text/plain;charset=UTF-8",
                Map.of("User-Agent", TestServer.CHROME));
        assertThat(plain.status()).isIn(200, 201);
        assertThat(plain.text("visitorId")).isEqualTo("v_plain");
        Reply form = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), "{\"name\":\"Curl shop\"}",
                "application/x-www-form-urlencoded", Map.of());
        assertThat(form.status()).isEqualTo(200);
        assertThat(form.text("name")).isEqualTo("Curl shop");
    }

    @Test
    void theMediaTypeRuleHoldsOnWebhooksFeedsDestinationsCallChangesAndSignedEvents() {
        // Found by BadInputSweepTest: these five read the body without the rule, so an XML-declared body was taken as JSON.
        String s = "/v1/sites/" + site.get("siteId");
        String key = site.get("apiKey");
        Map<String, String> jsonBodies = Map.of(
                s + "/webhooks", "{\"url\":\"http://127.0.0.1:9/hook\"}",
                s + "/feeds", "{\"format\":\"google-ads-calls\"}",
                s + "/destinations", "{\"type\":\"ga4\",\"measurementId\":\"G-RULES1234\",\"apiSecret\":\"s\",\"dryRun\":true}");
        jsonBodies.forEach((path, body) -> {
            assertThat(server.send("POST", path, key, body, "application/xml", Map.of()).status()).as(path).isEqualTo(415);
            assertThat(server.send("POST", path, key, body, "multipart/form-data; boundary=x", Map.of()).status()).as(path).isEqualTo(415);
        });
        assertThat(server.send("PATCH", s + "/calls/call_neverExisted", key, "{\"tags\":[]}", "application/xml", Map.of()).status())
                .isEqualTo(415);

        String event = "{\"callId\":\"rules-1\",\"event\":\"ringing\",\"from\":\"+79161234567\",\"to\":\"+74950000101\"}";
        Map<String, String> signed = Map.of("X-Ringpool-Signature",
                io.ringpool.call.Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), event));
        Reply xml = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, event, "application/xml", signed);
        assertThat(xml.status()).isEqualTo(415);
        assertThat(xml.errorCode()).isEqualTo("unsupported_media_type");
        assertThat(server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, event, "text/plain", signed).status())
                .as("text/plain is read as JSON, as everywhere").isEqualTo(200);
    }

    @Test
    void aBodyInAnotherEncodingThanUtf8IsRefusedNotGuessed() throws Exception {
        String s = "/v1/sites/" + site.get("siteId");
        String body = "{\"name\":\"Encoded shop\"}";
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        for (java.nio.charset.Charset charset : List.of(StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16,
                java.nio.charset.Charset.forName("UTF-32BE"), java.nio.charset.Charset.forName("UTF-32LE"))) {
            java.net.http.HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base() + s))
                    .header("Authorization", "Bearer " + site.get("apiKey")).header("Content-Type", "application/json")
                    .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofByteArray(body.getBytes(charset))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(charset.name()).isEqualTo(400);
            assertThat(r.body()).as(charset.name()).contains("\"malformed_json\"").contains("UTF-8");
        }
        Reply declared = server.send("PATCH", s, site.get("apiKey"), body, "application/json; charset=ISO-8859-1", Map.of());
        assertThat(declared.status()).isEqualTo(415);
        assertThat(declared.errorCode()).isEqualTo("unsupported_media_type");
        assertThat(server.send("PATCH", s, site.get("apiKey"), body, "application/json; charset=\"utf-8\"", Map.of()).status()).isEqualTo(200);
        assertThat(server.get(s, site.get("apiKey")).text("name")).isEqualTo("Encoded shop");
    }
}
