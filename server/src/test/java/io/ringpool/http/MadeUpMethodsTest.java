package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.ringpool.app.TestServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit 28 H, F1: every made-up method name became a new request timer with the method as its
 * label, never removed, so one anonymous connection could fill the heap (and the next /metrics
 * scrape killed the server).
 */
class MadeUpMethodsTest {
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

    @Test
    void thousandsOfMadeUpMethodsLeaveABoundedNumberOfRequestTimers() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.app.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 3_000; i++) {
                String method = "M" + Integer.toString(i, 36).toUpperCase(java.util.Locale.ROOT);
                out.write((method + " /health HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                RawResponse reply = RawResponse.read(in);
                assertThat(reply.status).as(method).isEqualTo(405);
            }
        }

        Set<String> methods = new TreeSet<>();
        for (Timer t : server.app.registry().find("http.server.requests").timers()) {
            methods.add(t.getId().getTag("method"));
        }
        assertThat(methods).containsExactly("other");
        assertThat(server.app.registry().find("http.server.requests").timers()).hasSizeLessThan(5);
        assertThat(server.get("/metrics", null).body()).doesNotContain("M2S").contains("method=\"other\"");
    }

    @Test
    void aMethodThatIsNoPlausibleTokenIsA400BeforeRoutingAndClosesTheConnection() throws Exception {
        for (String method : new String[] {"X".repeat(3_000), "GE\u0001T", "X".repeat(21)}) {
            try (Socket socket = new Socket("127.0.0.1", server.app.port())) {
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write((method + " /health HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1); // the server closes
                assertThat(reply).as("%.30s", method).startsWith("HTTP/1.1 400 ").containsIgnoringCase("connection: close")
                        .contains("\"code\":\"bad_request\"").doesNotContain("XXXXXXXXXXXXXXXXXXXXX");
            }
        }
    }

    @Test
    void aRegisteredMethodWeDoNotServeIsStillA405NamingWhatThePathTakes() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.app.port())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("BASELINE-CONTROL /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            RawResponse reply = RawResponse.read(socket.getInputStream());
            assertThat(reply.status).isEqualTo(405);
            assertThat(reply.headers.get("allow")).isEqualTo("GET, HEAD");
        }
    }
}
