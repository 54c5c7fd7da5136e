package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit L #5: an OPTIONS without an Origin (no CORS preflight: curl, a monitoring probe, an API
 * client asking what a path takes) was answered 403 origin_not_allowed on every path, with no
 * Allow. It is now the plain question of RFC 9110: 204 with Allow, or 404 for no such path.
 */
class PlainOptionsOverHttpTest {
    @TempDir
    Path dir;

    @Test
    void anOptionsWithoutOriginIsAnsweredWithTheMethodsThePathTakes() {
        try (TestServer server = new TestServer(dir)) {
            Reply health = server.send("OPTIONS", "/health", null, null, null, Map.of());
            assertThat(health.status()).isEqualTo(204);
            assertThat(health.headers().get("allow").get(0)).contains("GET").contains("OPTIONS").doesNotContain("POST");

            Reply sites = server.send("OPTIONS", "/v1/sites", null, null, null, Map.of());
            assertThat(sites.status()).isEqualTo(204);
            assertThat(sites.headers().get("allow").get(0)).contains("POST").contains("OPTIONS");

            Reply nowhere = server.send("OPTIONS", "/v1/nothing-here", null, null, null, Map.of());
            assertThat(nowhere.status()).isEqualTo(404);
            assertThat(nowhere.errorCode()).isEqualTo("not_found");

            // A real preflight from an origin no site has is still refused.
            Reply foreign = server.send("OPTIONS", "/v1/sessions", null, null, null,
                    Map.of("Origin", "https://stranger.example", "Access-Control-Request-Method", "POST"));
            assertThat(foreign.status()).isEqualTo(403);
            assertThat(foreign.errorCode()).isEqualTo("origin_not_allowed");
        }
    }
}
