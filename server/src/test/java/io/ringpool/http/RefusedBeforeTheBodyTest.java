package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AB1 #10 and #11, on raw sockets: a request refused from its headers says
 * {@code Connection: close}, and the connection then ends (the client reads end-of-stream at once,
 * not after the 60 s idle timeout); a transfer coding we do not decode is refused as such, not read
 * as an empty body.
 */
class RefusedBeforeTheBodyTest {
    @TempDir
    Path dir;

    TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Sends {@code head} (no body), reads one response, then expects end-of-stream within a few seconds. */
    RawResponse refusedThenClosed(String head) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.app.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            RawResponse reply = RawResponse.read(in);
            assertThat(reply.headers.get("connection")).isEqualTo("close");
            long before = System.nanoTime();
            // A SocketTimeoutException here is the bug: the server kept the connection open.
            assertThat(in.read()).as("end-of-stream after the refusal").isEqualTo(-1);
            assertThat((System.nanoTime() - before) / 1_000_000).as("ms until end-of-stream").isLessThan(4_000);
            return reply;
        }
    }

    @Test
    void a413SentBeforeTheBodyIsFollowedByEndOfStream() throws Exception {
        RawResponse script = refusedThenClosed("POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 17000\r\n\r\n");
        assertThat(script.status).isEqualTo(413);
        RawResponse admin = refusedThenClosed("POST /v1/sites HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n");
        assertThat(admin.status).isEqualTo(413);
    }

    @Test
    void a401SentBeforeTheBodyIsFollowedByEndOfStream() throws Exception {
        RawResponse reply = refusedThenClosed("POST /v1/sites HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000\r\n\r\n");
        assertThat(reply.status).isEqualTo(401);
    }

    @Test
    void aTransferCodingOtherThanChunkedIs400UnsupportedNotAnEmptyBody() throws Exception {
        RawResponse reply = refusedThenClosed("POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                + "Transfer-Encoding: gzip, chunked\r\n\r\n");
        assertThat(reply.status).isEqualTo(400);
        assertThat(new String(reply.body, StandardCharsets.UTF_8)).contains("\"code\":\"unsupported_transfer_encoding\"");
    }
}
