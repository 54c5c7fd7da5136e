package io.ringpool.snippet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The customer's own web server doing first-party serving, as the README's nginx and Caddy examples
 * configure it: its pages at {@code /}, and everything under {@link #PREFIX} passed to Ringpool with the
 * prefix stripped and the connection's peer appended to {@code X-Forwarded-For}. Pages are the
 * fixtures with the script at {@code /rp/s.js} (or {@code /none/s.js}, an empty script: the page as it
 * is without Ringpool), and a recorder of the page's uncaught errors put first into {@code <head>}.
 */
final class SiteProxy implements AutoCloseable {
    static final String PREFIX = "/rp";

    record Forwarded(String method, String path, String forwardedFor, int status) {}

    private static final Set<String> HOP_HEADERS = Set.of("connection", "content-length", "expect", "host", "upgrade",
            "transfer-encoding", "keep-alive", "x-forwarded-for");
    /** Runs before anything else on the page: what an uncaught error (the script's or not) leaves behind. */
    private static final String ERROR_RECORDER = "<script>window.pageErrors=[];"
            + "addEventListener('error',function(e){pageErrors.push(String(e.message))});"
            + "addEventListener('unhandledrejection',function(e){pageErrors.push('rejection: '+e.reason)});</script>";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String upstream;
    private final String siteKey;
    private final String host;
    private final List<Forwarded> forwarded = new CopyOnWriteArrayList<>();

    /**
     * @param address where browsers reach the site (its host part becomes the page origin)
     * @param upstream Ringpool's base URL, no trailing slash
     */
    SiteProxy(InetAddress address, String upstream, String siteKey) throws IOException {
        this.upstream = upstream;
        this.siteKey = siteKey;
        this.host = address.getHostAddress();
        server = HttpServer.create(new InetSocketAddress(address, 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::serve);
        server.start();
    }

    String origin() {
        return "http://" + host + ":" + server.getAddress().getPort();
    }

    /** What was passed to Ringpool, in arrival order, with the path as Ringpool saw it. */
    List<Forwarded> forwarded() {
        return List.copyOf(forwarded);
    }

    List<Forwarded> forwarded(String pathSuffix) {
        return forwarded.stream().filter(f -> f.path().endsWith(pathSuffix)).toList();
    }

    void reset() {
        forwarded.clear();
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getRawPath();
            if (path.startsWith(PREFIX + "/")) {
                forward(ex, path.substring(PREFIX.length()), body);
            } else if (path.equals("/none/s.js")) {
                reply(ex, 200, "application/javascript", "");
            } else {
                page(ex, path);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void forward(HttpExchange ex, String path, byte[] body) throws IOException, InterruptedException {
        String query = ex.getRequestURI().getRawQuery();
        // what nginx's $proxy_add_x_forwarded_for does: the incoming header, then the peer
        String incoming = ex.getRequestHeaders().getFirst("X-Forwarded-For");
        String peer = ex.getRemoteAddress().getAddress().getHostAddress();
        String forwardedFor = incoming == null ? peer : incoming + ", " + peer;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream + path + (query == null ? "" : "?" + query)))
                .timeout(Duration.ofSeconds(30))
                .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("X-Forwarded-For", forwardedFor);
        ex.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_HEADERS.contains(name.toLowerCase())) values.forEach(v -> b.header(name, v));
        });
        HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        forwarded.add(new Forwarded(ex.getRequestMethod(), path, forwardedFor, r.statusCode()));
        r.headers().map().forEach((name, values) -> {
            if (!HOP_HEADERS.contains(name.toLowerCase()) && !name.startsWith(":")) ex.getResponseHeaders().put(name, values);
        });
        ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
        if (r.body().length > 0) ex.getResponseBody().write(r.body());
    }

    /** {@code /hide.html?script=none}: a fixture page; the query picks the empty script instead of Ringpool's. */
    private void page(HttpExchange ex, String path) throws IOException {
        if (path.equals("/blank")) {
            reply(ex, 200, "text/html", "<!doctype html><title>blank</title>");
            return;
        }
        Path file = FixtureServer.FIXTURES.resolve(path.substring(1)).normalize();
        if (!file.startsWith(FixtureServer.FIXTURES) || !Files.isRegularFile(file)) {
            reply(ex, 404, "text/plain", "not found");
            return;
        }
        String query = ex.getRequestURI().getQuery();
        String scriptBase = query != null && query.contains("script=none") ? "/none" : PREFIX;
        String text = Files.readString(file, StandardCharsets.UTF_8)
                .replace("{{RINGPOOL}}", scriptBase)
                .replace("{{SITE_KEY}}", siteKey)
                .replace("<head>", "<head>" + ERROR_RECORDER);
        reply(ex, 200, "text/html", text);
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
        executor.shutdownNow();
    }
}
