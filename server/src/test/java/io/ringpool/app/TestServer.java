package io.ringpool.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.config.ConfigLoader;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The real server, in process, on port 0 with an H2 file store in a temporary directory. */
public final class TestServer implements AutoCloseable {
    public static final String ADMIN_KEY = "admin-key-for-tests-0001";
    public static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";

    public final Ringpool app;
    public final AdjustableClock clock;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A reply: status and parsed JSON body (null when empty). */
    public record Reply(int status, JsonNode json, Map<String, List<String>> headers, String body) {
        public String text(String field) {
            JsonNode n = json == null ? null : json.get(field);
            return n == null || n.isNull() ? null : n.asText();
        }

        public String errorCode() {
            return json == null ? null : json.path("error").path("code").asText(null);
        }
    }

    public TestServer(Path dataDir) {
        this(dataDir, Map.of());
    }

    public TestServer(Path dataDir, Map<String, Object> overrides) {
        this(dataDir, overrides, Clock.systemUTC());
    }

    /**
     * With {@code baseClock} under the server's adjustable clock: a fixed clock makes time move only
     * when the test advances it, for tests whose outcome depends on how much time passed.
     */
    public TestServer(Path dataDir, Map<String, Object> overrides, Clock baseClock) {
        this(dataDir, overrides, baseClock, java.util.function.UnaryOperator.identity());
    }

    /** @param storeBoundary wraps the store's DataSource, e.g. a {@code SwitchableStore} a test turns off */
    public TestServer(Path dataDir, Map<String, Object> overrides, java.util.function.UnaryOperator<javax.sql.DataSource> storeBoundary) {
        this(dataDir, overrides, Clock.systemUTC(), storeBoundary);
    }

    public TestServer(Path dataDir, Map<String, Object> overrides, Clock baseClock,
            java.util.function.UnaryOperator<javax.sql.DataSource> storeBoundary) {
        Map<String, Object> settings = new HashMap<>(Map.of(
                "server.port", 0,
                "store.dataDir", dataDir.toString(),
                "security.adminKey", ADMIN_KEY,
                "demo.enabled", false,
                "leasing.sweepIntervalMillis", 60_000));
        settings.putAll(overrides);
        RingpoolConfig config = ConfigLoader.defaultsWith(settings);
        this.clock = new AdjustableClock(baseClock);
        this.app = new Ringpool(config, clock, storeBoundary);
        try {
            app.start();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    public String base() {
        return "http://127.0.0.1:" + app.port();
    }

    public Reply post(String path, String key, Object body) {
        return send("POST", path, key, body == null ? null : new String(Json.write(body)), "application/json", Map.of());
    }

    public Reply get(String path, String key) {
        return send("GET", path, key, null, null, Map.of());
    }

    /**
     * A Twilio webhook as Twilio sends it: the form-encoded {@code params} posted to
     * {@code /v1/telephony/twilio/{siteId}/{endpoint}}, signed with {@code authToken} over the URL
     * Twilio was given ({@code publicUrl} + the path).
     */
    public Reply twilioForm(String publicUrl, String authToken, String siteId, String endpoint, Map<String, String> params) {
        String body = params.entrySet().stream()
                .map(e -> java.net.URLEncoder.encode(e.getKey(), java.nio.charset.StandardCharsets.UTF_8) + "="
                        + java.net.URLEncoder.encode(e.getValue(), java.nio.charset.StandardCharsets.UTF_8))
                .collect(java.util.stream.Collectors.joining("&"));
        String path = "/v1/telephony/twilio/" + siteId + "/" + endpoint;
        return send("POST", path, null, body, "application/x-www-form-urlencoded",
                Map.of("X-Twilio-Signature", io.ringpool.call.Signing.twilio(authToken, publicUrl + path, params)));
    }

    public Reply send(String method, String path, String key, String body, String contentType, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            boolean isJson = r.headers().firstValue("content-type").orElse("").startsWith("application/json");
            JsonNode json = r.body().isEmpty() || !isJson ? null : Json.MAPPER.readTree(r.body());
            return new Reply(r.statusCode(), json, r.headers().map(), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Creates a site with the given pool numbers; returns {siteId, apiKey, publicKey, poolId}. */
    public Map<String, String> siteWithPool(List<String> numbers) {
        Reply site = post("/v1/sites", ADMIN_KEY, Map.of("name", "Shop", "domains", List.of("example.com", "localhost"),
                "defaultNumber", "+74951234567", "timeZone", "Europe/Moscow", "currency", "RUB"));
        if (site.status() != 201) {
            throw new IllegalStateException("site creation failed: " + site);
        }
        Map<String, String> out = new HashMap<>();
        out.put("siteId", site.text("siteId"));
        out.put("apiKey", site.text("apiKey"));
        out.put("publicKey", site.text("publicKey"));
        out.put("webhookSecret", site.text("webhookSecret"));
        if (!numbers.isEmpty()) {
            Reply pool = post("/v1/sites/" + site.text("siteId") + "/pools", site.text("apiKey"),
                    Map.of("name", "main", "numbers", numbers));
            if (pool.status() != 201) {
                throw new IllegalStateException("pool creation failed: " + pool);
            }
            out.put("poolId", pool.text("poolId"));
        }
        return out;
    }

    /** Waits until every journaled call event (Twilio webhooks) reached the store. */
    public void awaitCallsStored() {
        try {
            if (!app.journal().awaitDrained(Duration.ofSeconds(30))) {
                throw new IllegalStateException("journal not drained: depth " + app.journal().depth());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The first column of the first row of {@code sql} (a count), read from the server's store. */
    public long count(String sql, String... parameters) {
        return app.database().read(c -> {
            try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < parameters.length; i++) {
                    ps.setString(i + 1, parameters[i]);
                }
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Starts a session as a desktop Chrome visitor. */
    public Reply startSession(String publicKey, String visitorId, String url) {
        Map<String, Object> body = new HashMap<>();
        body.put("siteKey", publicKey);
        if (visitorId != null) {
            body.put("visitorId", visitorId);
        }
        body.put("url", url);
        return send("POST", "/v1/sessions", null, new String(Json.write(body)), "application/json", Map.of("User-Agent", CHROME));
    }

    /**
     * Sends the requests at once, each on its own thread, held by a latch until all are ready (so
     * they really overlap); the replies in the same order.
     */
    public static List<Reply> atOnce(List<java.util.function.Supplier<Reply>> requests) {
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(requests.size());
        try {
            java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(requests.size());
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Reply>> running = new java.util.ArrayList<>();
            for (java.util.function.Supplier<Reply> r : requests) {
                running.add(threads.submit(() -> {
                    ready.countDown();
                    go.await();
                    return r.get();
                }));
            }
            ready.await();
            go.countDown();
            List<Reply> out = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<Reply> f : running) {
                out.add(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            threads.shutdownNow();
        }
    }

    @Override
    public void close() {
        app.close();
    }
}
