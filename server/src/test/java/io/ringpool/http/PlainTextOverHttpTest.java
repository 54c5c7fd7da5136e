package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit L #8: names, labels and notes kept control characters and lone surrogates ("bad\ud800name"
 * came back as \uD800, and reaches CSV exports and uploads). They are refused naming the field;
 * what the site script sends from a visitor's page is cleaned instead, so no visit or lead is lost.
 */
class PlainTextOverHttpTest {
    @TempDir
    Path dir;

    @Test
    void controlCharactersAndBrokenCharactersAreRefusedFromClientsAndDroppedFromPages() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74957775001"));
            String path = "/v1/sites/" + site.get("siteId");
            for (String name : List.of("a\\u0000b", "be\\u0007ll", "bad\\ud800name", "tail\\udc00")) {
                Reply r = server.send("PATCH", path, site.get("apiKey"), "{\"name\":\"" + name + "\"}", "application/json", Map.of());
                assertThat(r.status()).as(name + " " + r.body()).isEqualTo(422);
                assertThat(r.json().at("/error/field").asText()).isEqualTo("name");
            }
            Reply fine = server.send("PATCH", path, site.get("apiKey"), "{\"name\":\"Shop \\ud83d\\ude00\\tTwo\"}", "application/json",
                    Map.of());
            assertThat(fine.status()).as("a whole emoji and a tab are text").isEqualTo(200);

            Reply visit = server.startSession(site.get("publicKey"), "plain-text-visitor", "https://example.com/");
            assertThat(visit.status()).isEqualTo(201);
            Reply lead = server.send("POST", "/v1/sessions/" + visit.text("sessionId") + "/leads", null,
                    "{\"kind\":\"form\",\"formId\":\"f\",\"url\":\"https://example.com/\",\"fields\":{\"name\":\"An\\u0000na\\ud800\","
                            + "\"email\":\"anna@example.com\"}}", "text/plain;charset=UTF-8", Map.of());
            assertThat(lead.status()).as(lead.body()).isEqualTo(201);
            Reply stored = server.get(path + "/leads/" + lead.text("leadId"), site.get("apiKey"));
            assertThat(stored.json().get("name").asText()).as("dropped, as api.md says: no U+FFFD in its place").isEqualTo("Anna");
        }
    }
}
