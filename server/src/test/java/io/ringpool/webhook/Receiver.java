package io.ringpool.webhook;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * A real HTTP receiver on loopback, as a customer's endpoint would be: it records every request
 * (headers, raw body) and answers with the status its policy picks for the n-th request (1-based).
 */
public final class Receiver implements AutoCloseable {

    /** One request as received; header names lower case. */
    public record Received(int n, String method, String path, Map<String, String> headers, String body, int answered) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile IntUnaryOperator statusForRequest;
    private volatile byte[] answerBody = "ok".getBytes(StandardCharsets.UTF_8);
    private volatile Map<String, String> answerHeaders = Map.of();

    public Receiver(IntUnaryOperator statusForRequest) throws IOException {
        this.statusForRequest = statusForRequest;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            int n = count.incrementAndGet();
            int status = this.statusForRequest.applyAsInt(n);
            Map<String, String> headers = new java.util.HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
            synchronized (received) {
                received.add(new Received(n, exchange.getRequestMethod(), exchange.getRequestURI().toString(), Map.copyOf(headers),
                        new String(body, StandardCharsets.UTF_8), status));
            }
            answerHeaders.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] answer = answerBody;
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                exchange.getResponseBody().write(answer);
            }
            exchange.close();
        });
        server.start();
    }

    public void answer(IntUnaryOperator policy) {
        this.statusForRequest = policy;
    }

    public void answerWith(byte[] body, Map<String, String> headers) {
        this.answerBody = body;
        this.answerHeaders = Map.copyOf(headers);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
