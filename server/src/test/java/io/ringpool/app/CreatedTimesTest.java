package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.config.ConfigLoader;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.http.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance audit found a site's {@code createdAt} answered with nanoseconds at creation and
 * with milliseconds by every later read and after a restart: the same resource changed a field.
 */
class CreatedTimesTest {
    @TempDir
    Path dir;

    /** The operating system's clock as Java reads it: finer than a millisecond, never on one. */
    static final class SubMillisecondClock extends Clock {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(System.currentTimeMillis()).plusNanos(123_456);
        }
    }

    @Test
    void theTimesAResourceIsAnsweredWithAtCreationAreTheOnesLaterReadsAndARestartGive() throws Exception {
        RingpoolConfig config = ConfigLoader.defaultsWith(Map.of("server.port", 0, "store.dataDir", dir.toString(),
                "security.adminKey", TestServer.ADMIN_KEY, "demo.enabled", false));
        Ringpool app = new Ringpool(config, new SubMillisecondClock());
        JsonNode site;
        JsonNode pool;
        JsonNode statics;
        try {
            app.start();
            site = send(app, "POST", "/v1/sites", TestServer.ADMIN_KEY, "{\"name\":\"Shop\",\"defaultNumber\":\"+74951234567\"}");
            String siteId = site.get("siteId").asText();
            String key = site.get("apiKey").asText();
            pool = send(app, "POST", "/v1/sites/" + siteId + "/pools", key, "{\"numbers\":[\"+74950000001\"]}");
            statics = send(app, "POST", "/v1/sites/" + siteId + "/static-numbers", key,
                    "{\"number\":\"+74950000099\",\"source\":\"billboard\"}");
            assertThat(send(app, "GET", "/v1/sites/" + siteId, key, null).get("createdAt")).isEqualTo(site.get("createdAt"));
        } finally {
            app.close();
        }
        assertThat(Instant.parse(site.get("createdAt").asText()).getNano() % 1_000_000).isZero();

        try (TestServer again = new TestServer(dir)) {
            String siteId = site.get("siteId").asText();
            String key = site.get("apiKey").asText();
            assertThat(again.get("/v1/sites/" + siteId, key).json().get("createdAt")).isEqualTo(site.get("createdAt"));
            assertThat(again.get("/v1/sites/" + siteId + "/pools/" + pool.get("poolId").asText(), key).json().get("createdAt"))
                    .isEqualTo(pool.get("createdAt"));
            assertThat(again.get("/v1/sites/" + siteId + "/static-numbers", key).json().get("staticNumbers").get(0).get("createdAt"))
                    .isEqualTo(statics.get("createdAt"));
        }
    }

    private static JsonNode send(Ringpool app, String method, String path, String key, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 201);
        return Json.MAPPER.readTree(response.body());
    }
}
