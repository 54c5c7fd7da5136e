package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.failure.DomainFailure;
import io.ringpool.security.TrustedProxies;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Streamed bodies over a real socket: small ones whole with their late headers, big ones chunked
 * with trailers, a writer held back by a client that does not read, and a failure after the first
 * byte visible to the client as a cut transfer.
 */
class StreamedResponseTest {
    private static final RingpoolConfig.Server CONFIG = ConfigLoader.defaultsWith(Map.of()).server();
    private static final int MIB = 1024 * 1024;

    private final ExecutorService workers = Executors.newFixedThreadPool(2);
    private final AtomicLong written = new AtomicLong();
    private HttpServer server;
    private int port;

    @BeforeEach
    void start() throws InterruptedException {
        Router router = new Router()
                .get("/bytes/{n}", request -> pattern(Long.parseLong(request.pathParam("n")), false))
                .get("/fails-after/{n}", request -> pattern(Long.parseLong(request.pathParam("n")), true))
                .get("/fails-at-once", request -> Response.streamed(200, "text/plain", Map.of(), List.of(), out -> {
                    throw new DomainFailure(DomainFailure.Kind.INVALID, "bad_range", "no such range", "from");
                }));
        server = new HttpServer(CONFIG, router, origin -> false, failure -> null, workers, new SimpleMeterRegistry(),
                Protections.proxiesOnly(TrustedProxies.parse(CONFIG.trustedProxies())));
        port = server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        workers.shutdownNow();
    }

    /** {@code n} bytes of a repeating pattern, 8 KiB a write; then a count as the late header, or a failure. */
    private Response pattern(long n, boolean failAtEnd) {
        return Response.streamed(200, "text/plain", Map.of("X-Early", "yes"), List.of("X-Count"), out -> {
            byte[] block = new byte[8192];
            for (long sent = 0; sent < n; sent += block.length) {
                int len = (int) Math.min(block.length, n - sent);
                for (int i = 0; i < len; i++) {
                    block[i] = (byte) ('a' + (sent + i) % 26);
                }
                out.write(block, 0, len);
                written.addAndGet(len);
            }
            if (failAtEnd) {
                throw new IllegalStateException("the store went away");
            }
            return Map.of("X-Count", Long.toString(n));
        });
    }

    @Test
    void aSmallBodyIsSentWholeWithItsLateHeadersAsHeaders() throws IOException {
        try (Socket socket = connect()) {
            RawResponse r = RawResponse.read(request(socket, "/bytes/1000"));
            assertThat(r.status).isEqualTo(200);
            assertThat(r.headers).containsEntry("content-length", "1000").containsEntry("x-count", "1000").containsEntry("x-early", "yes")
                    .doesNotContainKey("transfer-encoding").doesNotContainKey("trailer");
            assertPattern(r.body, 1000);
        }
    }

    @Test
    void aBigBodyIsSentChunkedWithItsLateHeadersAsTrailers() throws IOException {
        long n = 5L * MIB + 123;
        try (Socket socket = connect()) {
            RawResponse r = RawResponse.read(request(socket, "/bytes/" + n));
            assertThat(r.status).isEqualTo(200);
            assertThat(r.headers).containsEntry("transfer-encoding", "chunked").containsEntry("trailer", "X-Count")
                    .containsEntry("x-early", "yes").doesNotContainKey("content-length");
            assertThat(r.complete).isTrue();
            assertThat(r.trailers).containsEntry("x-count", Long.toString(n));
            assertPattern(r.body, n);
            // keep-alive: the connection answers the next request
            RawResponse next = RawResponse.read(request(socket, "/bytes/10"));
            assertThat(next.status).isEqualTo(200);
            assertPattern(next.body, 10);
        }
    }

    @Test
    void aHeadOfABigBodyGetsItsHeadersAndTheConnectionServesTheNextRequest() throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write("HEAD /bytes/3000000 HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.read());
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 200").containsIgnoringCase("x-early: yes");
            RawResponse next = RawResponse.read(request(socket, "/bytes/10"));
            assertThat(next.status).isEqualTo(200);
            assertPattern(next.body, 10);
        }
    }

    @Test
    void aClientThatDoesNotReadHoldsTheWriterBackInsteadOfFillingTheHeap() throws Exception {
        long n = 200L * MIB;
        try (Socket socket = connect()) {
            socket.setReceiveBufferSize(64 * 1024);
            InputStream in = request(socket, "/bytes/" + n);
            // Nothing is read: the writer must stop once the socket's buffers and the bounded in-flight bytes are full.
            long before;
            long now = written.get();
            do {
                before = now;
                Thread.sleep(300);
                now = written.get();
            } while (now != before || now == 0);
            assertThat(now).as("bytes written while the client read nothing").isLessThan(32L * MIB);
            RawResponse r = RawResponse.read(in);
            assertThat(r.complete).isTrue();
            assertThat(r.trailers).containsEntry("x-count", Long.toString(n));
            assertThat(r.bodyLength).isEqualTo(n);
        }
    }

    @Test
    void aFailureAfterTheFirstByteCutsTheTransferShort() throws IOException {
        long n = 3L * MIB;
        try (Socket socket = connect()) {
            RawResponse r = RawResponse.read(request(socket, "/fails-after/" + n));
            assertThat(r.status).isEqualTo(200);
            assertThat(r.complete).as("the chunked body must not end as if complete").isFalse();
            assertThat(r.trailers).isEmpty();
        }
    }

    @Test
    void aFailureBeforeTheFirstByteIsAnsweredAsAnError() throws IOException {
        try (Socket socket = connect()) {
            RawResponse r = RawResponse.read(request(socket, "/fails-at-once"));
            assertThat(r.status).isEqualTo(422);
            assertThat(new String(r.body, StandardCharsets.UTF_8)).contains("bad_range");
        }
    }

    @Test
    void aFailureAfterASmallBodyIsStillAnError() throws IOException {
        try (Socket socket = connect()) {
            RawResponse r = RawResponse.read(request(socket, "/fails-after/1000"));
            assertThat(r.status).isEqualTo(500);
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(60_000);
        return socket;
    }

    private static InputStream request(Socket socket, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket.getInputStream();
    }

    private static void assertPattern(byte[] body, long n) {
        assertThat(body.length).isEqualTo(n);
        for (int i = 0; i < body.length; i++) {
            if (body[i] != (byte) ('a' + i % 26)) {
                throw new AssertionError("byte " + i + " differs");
            }
        }
    }

}
