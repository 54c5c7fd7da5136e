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
 * Audit L #3: the routes that take no query parameter answered 200 to {@code ?limt=5}, while the
 * routes that take some refuse a typo with 400 unknown_parameter (api.md: never silently ignored).
 */
class UnknownParametersOverHttpTest {
    @TempDir
    Path dir;

    @Test
    void aParameterOnARouteThatTakesNoneIs400NamingIt() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74957773001"));
            String base = "/v1/sites/" + site.get("siteId");
            for (String path : List.of(base, base + "/pools", base + "/static-numbers", base + "/destinations", base + "/feeds")) {
                Reply typo = server.get(path + "?limt=5", site.get("apiKey"));
                assertThat(typo.status()).as(path + " " + typo.body()).isEqualTo(400);
                assertThat(typo.errorCode()).isEqualTo("unknown_parameter");
                assertThat(typo.json().at("/error/field").asText()).isEqualTo("limt");
                assertThat(server.get(path, site.get("apiKey")).status()).as(path).isEqualTo(200);
            }
            Reply dashboard = server.get("/v1/dashboard/site?x=1", site.get("apiKey"));
            assertThat(dashboard.status()).isEqualTo(400);
            assertThat(server.get("/v1/workspaces?limt=5", TestServer.ADMIN_KEY).status()).isEqualTo(400);
            assertThat(server.get("/v1/workspaces", TestServer.ADMIN_KEY).status()).isEqualTo(200);
            assertThat(server.get("/v1/me?x=1", null).status()).isEqualTo(400);
        }
    }
}
