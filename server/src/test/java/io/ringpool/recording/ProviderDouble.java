package io.ringpool.recording;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider's recording endpoint, played by the test on loopback: each path answers as the test
 * scripted it (a status, a redirect, bytes with a type), and every request is remembered with its
 * Authorization header.
 */
public final class ProviderDouble implements AutoCloseable {
    /** One scripted answer; answers of a path are used in turn, the last one repeated. */
    public record Answer(int status, String contentType, byte[] body, String location) {
        public static Answer audio(String type, byte[] body) {
            return new Answer(200, type, body, null);
        }

        static Answer status(int status) {
            return new Answer(status, "text/plain", ("status " + status).getBytes(), null);
        }

        static Answer redirect(String location) {
            return new Answer(302, "text/plain", new byte[0], location);
        }
    }

    /** A request as received. */
    record Seen(String path, String authorization, String method, String query, String body) {}

    private final HttpServer server;
    private final Map<String, List<Answer>> script = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
    final List<Seen> seen = new CopyOnWriteArrayList<>();

    public ProviderDouble(String host) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public String base() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    public void on(String path, Answer... answers) {
        script.put(path, List.of(answers));
    }

    long requestsTo(String path) {
        return seen.stream().filter(s -> s.path().equals(path)).count();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String body;
        try (var in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        seen.add(new Seen(path, exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestMethod(),
                exchange.getRequestURI().getRawQuery(), body));
        List<Answer> answers = script.get(path);
        Answer a;
        if (answers == null) {
            a = Answer.status(404);
        } else {
            int n = served.computeIfAbsent(path, p -> new AtomicInteger()).getAndIncrement();
            a = answers.get(Math.min(n, answers.size() - 1));
        }
        if (a.location() != null) {
            exchange.getResponseHeaders().set("Location", a.location());
        }
        exchange.getResponseHeaders().set("Content-Type", a.contentType());
        exchange.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(a.body());
        }
    }

    /** A mono 16-bit PCM WAV of {@code seconds} of a 440 Hz tone at {@code rate} Hz: small, and every browser decodes it. */
    public static byte[] wav(int seconds, int rate) {
        int samples = seconds * rate;
        ByteBuffer b = ByteBuffer.allocate(44 + samples * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + samples * 2).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2)
                .putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes()).putInt(samples * 2);
        for (int i = 0; i < samples; i++) {
            b.putShort((short) (Math.sin(2 * Math.PI * 440 * i / rate) * 8000));
        }
        return b.array();
    }

    static byte[] bytes(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(n);
        for (int i = 0; i < n; i++) {
            out.write(i);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
