package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Escapes whose bytes are not UTF-8 are a malformed request, as a broken escape is: they were
 * decoded to U+FFFD, so {@code ?source=%ff%fe} filtered on two replacement characters and a
 * conversion name of them went into the CSV (audit AK2 F2).
 */
class EscapesThatAreNotUtf8OverHttpTest {
    @TempDir
    Path dir;

    TestServer server;
    Map<String, String> site;

    @BeforeEach
    void start() {
        server = new TestServer(dir);
        site = server.siteWithPool(List.of("+74951110001"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Reply calls(String query) {
        return server.get("/v1/sites/" + site.get("siteId") + "/calls?" + query, site.get("apiKey"));
    }

    @Test
    void aValueWhoseEscapesAreNotUtf8Is400NamingTheParameter() {
        // Invalid bytes, a Windows-1251 word, an overlong '/', a lone surrogate, a character cut by a plain letter, a cut end.
        for (String value : List.of("%ff%fe", "%EF%F0%E8%E2%E5%F2", "%C0%AF", "%ED%A0%80", "%C3a%A9", "ok%E2%82")) {
            Reply r = calls("source=" + value);
            assertThat(r.status()).as(value + ": " + r.body()).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("malformed_query");
            assertThat(r.json().path("error").path("field").asText()).isEqualTo("source");
            assertThat(r.json().path("error").path("message").asText()).contains("'source'").contains("not UTF-8");
        }
    }

    @Test
    void utf8EscapesAndPlainTextStillRead() {
        for (String value : List.of("%C3%A9", "%D0%AF%D0%BD%D0%B4%D0%B5%D0%BA%D1%81", "%F0%9F%93%9E", "google", "a%20b", "100%25")) {
            Reply r = calls("source=" + value);
            assertThat(r.status()).as(value + ": " + r.body()).isEqualTo(200);
        }
    }

    @Test
    void aNameWhoseEscapesAreNotUtf8Is400() {
        Reply r = calls("%ff=1");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("malformed_query");
    }

    @Test
    void aPathWhoseEscapesAreNotUtf8Is400() {
        Reply r = server.get("/v1/sites/%FF%FE/calls", site.get("apiKey"));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("malformed_path");
    }
}
