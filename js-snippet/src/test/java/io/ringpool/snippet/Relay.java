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
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A transparent HTTP relay in front of the Ringpool server, so a test can see what the script sent
 * (heartbeats, page views, intents, leads, the beacons and their content type) and can make the
 * server slow or down. Everything else is passed through byte for byte, CORS headers included.
 */
final class Relay implements AutoCloseable {
    /**
     * A request as it arrived. {@code fetchMode} is its {@code Sec-Fetch-Mode}: {@code cors} for a
     * {@code fetch}, {@code no-cors} for {@code navigator.sendBeacon} with a text body (browsers send
     * it to loopback and https origins only).
     */
    record Request(String method, String path, String contentType, String fetchMode, String body) {}

    private static final Set<String> HOP_HEADERS = Set.of("connection", "content-length", "expect", "host", "upgrade",
            "transfer-encoding", "keep-alive", "accept-encoding");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String target;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    /** Extra latency, in milliseconds, before an API call ({@code /v1/…}) is forwarded. */
    volatile long apiDelayMillis;
    /** When set, API calls ({@code /v1/…}) are recorded and answered 502, as a proxy answers for a server that is down; /s.js still loads. */
    volatile boolean apiDown;

    Relay(String target) throws IOException {
        this.target = target;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::forward);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Requests seen so far, preflights excluded. */
    List<Request> requests() {
        return requests.stream().filter(r -> !r.method().equals("OPTIONS")).toList();
    }

    List<Request> requests(String pathSuffix) {
        return requests().stream().filter(r -> r.path().endsWith(pathSuffix)).toList();
    }

    void reset() {
        requests.clear();
        apiDelayMillis = 0;
        apiDown = false;
    }

    private void forward(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getRawPath();
            requests.add(new Request(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Content-Type"),
                    ex.getRequestHeaders().getFirst("Sec-Fetch-Mode"), new String(body, StandardCharsets.UTF_8)));
            if (path.startsWith("/v1/") && apiDown) {
                ex.sendResponseHeaders(502, -1);
                return;
            }
            if (path.startsWith("/v1/") && apiDelayMillis > 0) Thread.sleep(apiDelayMillis);
            String query = ex.getRequestURI().getRawQuery();
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target + path + (query == null ? "" : "?" + query)))
                    .timeout(Duration.ofSeconds(30))
                    .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            ex.getRequestHeaders().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase())) values.forEach(v -> b.header(name, v));
            });
            HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            r.headers().map().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase()) && !name.startsWith(":")) ex.getResponseHeaders().put(name, values);
            });
            ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
            if (r.body().length > 0) ex.getResponseBody().write(r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            ex.sendResponseHeaders(502, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
