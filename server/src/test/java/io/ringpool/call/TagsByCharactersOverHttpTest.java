package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Each tag 1 to 50 characters" counts characters as people do (audit B, F7): 50 emoji were refused,
 * because the length was taken in UTF-16 units, where an emoji outside the BMP is two. Tags of calls,
 * leads and keyword rules, their filters, and the store's columns on both stores
 * ({@code TagsByCharactersOnPostgresTest}).
 */
class TagsByCharactersOverHttpTest {
    static final String NUMBER = "+74950008001";

    @TempDir
    Path dir;

    /** Store settings: none for H2; a PostgreSQL database of its own in the subclass. */
    protected Map<String, Object> store() {
        return Map.of();
    }

    /** 50 characters of one emoji each ({@code U+1F600} + i), 100 UTF-16 units. */
    static String emoji(int i, int count) {
        return new String(Character.toChars(0x1F600 + i)).repeat(count);
    }

    static String aCall(TestServer server, Map<String, String> site, String id, String transcript) {
        Map<String, Object> e = new LinkedHashMap<>(Map.of("callId", id, "event", "completed", "from", "+79161234567", "to", NUMBER,
                "talkSeconds", 40));
        if (transcript != null) {
            e.put("transcript", transcript);
        }
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.text("callId");
    }

    static Reply patch(TestServer server, String path, String key, Map<String, Object> body) {
        return server.send("PATCH", path, key, new String(Json.write(body), StandardCharsets.UTF_8), "application/json", Map.of());
    }

    @Test
    void fiftyEmojiAreAFiftyCharacterTagTwentyOfThemFitAndTheyFilterTheLogAndExports() {
        try (TestServer server = new TestServer(dir, store())) {
            Map<String, String> site = server.siteWithPool(List.of(NUMBER));
            String callPath = "/v1/sites/" + site.get("siteId") + "/calls/" + aCall(server, site, "tagged-1", null);
            List<String> twenty = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                twenty.add(emoji(i, 50));
            }
            Reply patched = patch(server, callPath, site.get("apiKey"), Map.of("tags", twenty));
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            assertThat(patched.json().get("tags")).extracting(JsonNode::asText).containsExactlyElementsOf(twenty);

            String filter = URLEncoder.encode(emoji(7, 50), StandardCharsets.UTF_8);
            Reply log = server.get("/v1/sites/" + site.get("siteId") + "/calls?tag=" + filter, site.get("apiKey"));
            assertThat(log.status()).as(log.body()).isEqualTo(200);
            assertThat(log.json().get("calls")).hasSize(1);
            Reply export = server.get("/v1/sites/" + site.get("siteId") + "/exports/yandex-calls.csv?tag=" + filter, site.get("apiKey"));
            assertThat(export.status()).as(export.body()).isEqualTo(200);

            Reply tooLong = patch(server, callPath, site.get("apiKey"), Map.of("tags", List.of(emoji(0, 51))));
            assertThat(tooLong.status()).isEqualTo(422);
            assertThat(tooLong.json().path("error").path("field").asText()).isEqualTo("tags[0]");
            Reply control = patch(server, callPath, site.get("apiKey"), Map.of("tags", List.of("lead\u0000x")));
            assertThat(control.status()).as(control.body()).isEqualTo(422);
            assertThat(control.json().path("error").path("field").asText()).isEqualTo("tags[0]");
            assertThat(server.get(callPath, site.get("apiKey")).json().get("tags")).hasSize(20);
        }
    }

    /** The tags' JSON on the row: 20 tags of 50 '"' are 2,061 characters written, over the 2,000 the column held. */
    @Test
    void twentyTagsWhoseJsonIsEscapedTwiceOverStillFitTheRow() {
        try (TestServer server = new TestServer(dir, store())) {
            Map<String, String> site = server.siteWithPool(List.of(NUMBER));
            String callPath = "/v1/sites/" + site.get("siteId") + "/calls/" + aCall(server, site, "quoted-1", null);
            List<String> quotes = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                quotes.add((char) ('a' + i) + "\"".repeat(49));
            }
            Reply patched = patch(server, callPath, site.get("apiKey"), Map.of("tags", quotes));
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            assertThat(patched.json().get("tags")).hasSize(20);
        }
    }

    @Test
    void leadTagsAndKeywordRuleTagsCountCharactersTheSameWay() {
        try (TestServer server = new TestServer(dir, store())) {
            Map<String, String> site = server.siteWithPool(List.of(NUMBER));
            List<String> twenty = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                twenty.add(emoji(i, 50));
            }
            Reply lead = server.post("/v1/sites/" + site.get("siteId") + "/leads", site.get("apiKey"),
                    Map.of("externalId", "lead-emoji-1", "kind", "callback", "phone", "+79165553001", "tags", twenty));
            assertThat(lead.status()).as(lead.body()).isEqualTo(201);
            Reply leads = server.get("/v1/sites/" + site.get("siteId") + "/leads?tag=" + URLEncoder.encode(emoji(3, 50),
                    StandardCharsets.UTF_8), site.get("apiKey"));
            assertThat(leads.status()).as(leads.body()).isEqualTo(200);
            assertThat(leads.json().get("leads")).hasSize(1);
            Reply tooLong = server.post("/v1/sites/" + site.get("siteId") + "/leads", site.get("apiKey"),
                    Map.of("externalId", "lead-emoji-2", "kind", "callback", "phone", "+79165553002", "tags", List.of(emoji(0, 51))));
            assertThat(tooLong.status()).isEqualTo(422);

            Reply rules = patch(server, "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                    Map.of("keywordRules", List.of(Map.of("tag", emoji(9, 50), "any", List.of("sofa")))));
            assertThat(rules.status()).as(rules.body()).isEqualTo(200);
            String callId = aCall(server, site, "keyword-1", "I would like a sofa");
            JsonNode call = server.get("/v1/sites/" + site.get("siteId") + "/calls/" + callId, site.get("apiKey")).json();
            assertThat(call.get("tags")).extracting(JsonNode::asText).containsExactly(emoji(9, 50));
        }
    }
}
