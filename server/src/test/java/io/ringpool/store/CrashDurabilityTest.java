package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.http.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "A 2xx means committed": a server process killed with SIGKILL right after acknowledging writes
 * still has every one of them when started again on the same H2 file.
 */
class CrashDurabilityTest {
    static final String ADMIN = "admin-key-for-crash-test";
    static final String CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";

    @TempDir
    Path dataDir;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Child(Process process, int port) {}

    Child startChild() throws Exception {
        return startChild(Map.of());
    }

    Child startChild(Map<String, String> env) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.ringpool.Main");
        pb.environment().put("RINGPOOL_PORT", "0");
        pb.environment().put("RINGPOOL_DATA_DIR", dataDir.toString());
        pb.environment().put("RINGPOOL_ADMIN_KEY", ADMIN);
        pb.environment().put("RINGPOOL_DEMO", "false");
        // The default heap follows the machine (4g here, touched at start); these servers need little.
        pb.environment().put("RINGPOOL_HEAP", "512m");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
            int at = line.indexOf("listening port=");
            if (at >= 0) {
                int port = Integer.parseInt(line.substring(at + 15).split("\\s")[0]);
                Thread.ofVirtual().start(() -> out.lines().forEach(l -> { }));
                return new Child(p, port);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("child server did not start");
    }

    HttpResponse<String> send(int port, String method, String path, String key, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20))
                .header("User-Agent", CHROME).header("Content-Type", "application/json");
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(Json.write(body)));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void everythingAcknowledgedSurvivesKillMinus9AndRestart() throws Exception {
        Child first = startChild();
        Map<String, String> sessionNumbers = new HashMap<>();
        String siteId;
        String apiKey;
        String poolId;
        String staticNumber = "+74950009999";
        try {
            var site = json(send(first.port(), "POST", "/v1/sites", ADMIN, Map.of("name", "Crash shop", "domains", List.of("example.com"),
                    "defaultNumber", "+74951234567")));
            siteId = site.get("siteId").asText();
            apiKey = site.get("apiKey").asText();
            List<String> numbers = new ArrayList<>();
            for (int i = 1; i <= 60; i++) {
                numbers.add(String.format("+7495100%04d", i));
            }
            poolId = json(send(first.port(), "POST", "/v1/sites/" + siteId + "/pools", apiKey, Map.of("name", "all", "numbers", numbers)))
                    .get("poolId").asText();
            assertThat(send(first.port(), "POST", "/v1/sites/" + siteId + "/static-numbers", apiKey,
                    Map.of("number", staticNumber, "source", "billboard")).statusCode()).isEqualTo(201);
            assertThat(send(first.port(), "PATCH", "/v1/sites/" + siteId, apiKey, Map.of("coolDownSeconds", 1234)).statusCode()).isEqualTo(200);

            // Concurrent session starts: the last acknowledgements arrive just before the kill.
            List<CompletableFuture<HttpResponse<String>>> starts = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String publicKey = site.get("publicKey").asText();
                String visitor = "crash-visitor-" + String.format("%03d", i);
                starts.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return send(first.port(), "POST", "/v1/sessions", null,
                                Map.of("siteKey", publicKey, "visitorId", visitor, "url", "https://example.com/?utm_source=crash"));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (var f : starts) {
                HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(201);
                JsonNode j = json(r);
                sessionNumbers.put(j.get("sessionId").asText(), j.get("number").asText());
            }
        } finally {
            first.process().destroyForcibly();   // SIGKILL: no shutdown hook, no H2 close
            first.process().waitFor(20, TimeUnit.SECONDS);
        }

        Child second = startChild();
        try {
            var site = json(send(second.port(), "GET", "/v1/sites/" + siteId, apiKey, null));
            assertThat(site.get("coolDownSeconds").asInt()).isEqualTo(1234);
            var pool = json(send(second.port(), "GET", "/v1/sites/" + siteId + "/pools/" + poolId, apiKey, null));
            assertThat(pool.get("leased").asInt()).isEqualTo(40);
            assertThat(pool.get("size").asInt()).isEqualTo(60);
            for (var e : sessionNumbers.entrySet()) {
                var beat = send(second.port(), "POST", "/v1/sessions/" + e.getKey() + "/heartbeat", null, null);
                assertThat(beat.statusCode()).isEqualTo(200);
                assertThat(json(beat).get("number").asText()).isEqualTo(e.getValue());
            }
            var statics = json(send(second.port(), "GET", "/v1/sites/" + siteId + "/static-numbers", apiKey, null));
            assertThat(statics.get("staticNumbers").get(0).get("number").asText()).isEqualTo(staticNumber);
            var newcomer = json(send(second.port(), "POST", "/v1/sessions", null,
                    Map.of("siteKey", site.get("publicKey").asText(), "visitorId", "after-crash-01", "url", "https://example.com/")));
            assertThat(sessionNumbers.values()).doesNotContain(newcomer.get("number").asText());
        } finally {
            second.process().destroyForcibly();
            second.process().waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void anOperatorsOwnH2FileUrlKeepsEverySiteAcknowledgedJustBeforeKillMinus9() throws Exception {
        // The acceptance audit lost all five sites created here: the URL lacked WRITE_DELAY=0.
        Map<String, String> own = Map.of("RINGPOOL_DB_URL", "jdbc:h2:file:" + dataDir.resolve("elsewhere").resolve("calls"));
        Child first = startChild(own);
        List<String> siteIds = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                var created = send(first.port(), "POST", "/v1/sites", ADMIN,
                        Map.of("name", "Own URL " + i, "defaultNumber", String.format("+7495200%04d", i)));
                assertThat(created.statusCode()).isEqualTo(201);
                siteIds.add(json(created).get("siteId").asText());
            }
        } finally {
            first.process().destroyForcibly();
            first.process().waitFor(20, TimeUnit.SECONDS);
        }
        assertThat(dataDir.resolve("elsewhere").resolve("calls.mv.db")).exists();

        Child second = startChild(own);
        try {
            for (String siteId : siteIds) {
                assertThat(send(second.port(), "GET", "/v1/sites/" + siteId, ADMIN, null).statusCode()).as(siteId).isEqualTo(200);
            }
        } finally {
            second.process().destroyForcibly();
            second.process().waitFor(20, TimeUnit.SECONDS);
        }
    }
}
