package io.ringpool.testing.browser;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * A customer's web site on another origin than the server's (its own loopback port), serving the
 * HTML a function makes of each path, for tests of the site script as a real page loads it.
 * Request bodies are read and dropped, so a form may post to it.
 */
public final class CustomerSite implements AutoCloseable {
    private final HttpServer http;

    private CustomerSite(HttpServer http) {
        this.http = http;
    }

    public static CustomerSite serving(Function<String, String> htmlForPath) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                byte[] bytes = htmlForPath.apply(ex.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
                ex.sendResponseHeaders(200, bytes.length);
                ex.getResponseBody().write(bytes);
            }
        });
        http.start();
        return new CustomerSite(http);
    }

    /** The page at this path and query, under "localhost" (another site than the server's 127.0.0.1). */
    public String url(String pathAndQuery) {
        return "http://localhost:" + http.getAddress().getPort() + pathAndQuery;
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
