package io.ringpool.snippet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The "customer site": serves {@code test/fixtures/} from loopback, cross-origin to Ringpool (pages are
 * opened as {@code http://localhost:PORT/...}, the script comes from {@code http://127.0.0.1:...}).
 * Pages name the script as {@code {{RINGPOOL}}/s.js} and the key as {@code {{SITE_KEY}}}; the query
 * parameter {@code server} picks where the script talks to: {@code direct} (the real server, default),
 * {@code relay} (through the recording {@link Relay}), {@code down} (a port nobody listens on) or
 * {@code none} (an empty script: the page as it is without Ringpool). {@code site=us} picks the US site.
 */
final class FixtureServer implements AutoCloseable {
    static final Path FIXTURES = Path.of("test", "fixtures");

    private final HttpServer server;
    private final Map<String, String> servers = new HashMap<>();
    private final Map<String, String> siteKeys = new HashMap<>();

    FixtureServer(String direct, String relay, Map<String, String> siteKeys) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        servers.put("direct", direct);
        servers.put("relay", relay);
        servers.put("down", "http://127.0.0.1:" + closedPort());
        servers.put("none", baseUrl() + "/none");
        this.siteKeys.putAll(siteKeys);
        server.createContext("/", this::serve);
        server.start();
    }

    String baseUrl() {
        return "http://localhost:" + server.getAddress().getPort();
    }

    String page(String name, String query) {
        return baseUrl() + "/" + name + (query == null || query.isEmpty() ? "" : "?" + query);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getRequestBody().readAllBytes();   // forms post to the fixture pages; the answer is the page
            String path = ex.getRequestURI().getPath();
            Map<String, String> q = new HashMap<>();
            String raw = ex.getRequestURI().getQuery();
            if (raw != null) for (String kv : raw.split("&")) { String[] p = kv.split("=", 2); q.put(p[0], p.length > 1 ? p[1] : ""); }
            if (path.startsWith("/none/")) {
                reply(ex, 200, "application/javascript", "");
                return;
            }
            Path file = FIXTURES.resolve(path.substring(1).isEmpty() ? "index.html" : path.substring(1)).normalize();
            if (!file.startsWith(FIXTURES) || !Files.isRegularFile(file)) {
                reply(ex, 404, "text/plain", "not found");
                return;
            }
            String text = Files.readString(file, StandardCharsets.UTF_8)
                    .replace("{{RINGPOOL}}", servers.getOrDefault(q.getOrDefault("server", "direct"), servers.get("direct")))
                    .replace("{{SITE_KEY}}", siteKeys.getOrDefault(q.getOrDefault("site", "ru"), ""));
            reply(ex, 200, file.toString().endsWith(".html") ? "text/html" : "text/plain", text);
        }
    }

    private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) ex.getResponseBody().write(b);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
