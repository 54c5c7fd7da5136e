package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session 28's and 29's notes: a stop (SIGTERM) closed every connection at once, so a request whose
 * body was still arriving had its connection cut. Now a stop closes the listener and idle
 * connections, and lets a request under way arrive, commit and be answered (with
 * {@code Connection: close}) before its connection closes.
 */
class StopDrainsRequestsTest {
    @TempDir
    Path dir;

    @Test
    void aRequestWhoseBodyIsStillArrivingWhenTheServerStopsIsAnsweredAndKept() throws Exception {
        Map<String, String> site;
        String answer;
        TestServer server = new TestServer(dir);
        try {
            site = server.siteWithPool(List.of());
            URI base = URI.create(server.base());
            String body = "{\"externalId\":\"drain-1\",\"kind\":\"callback\",\"phone\":\"+79161234567\",\"name\":\"Drained\"}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            try (Socket arriving = new Socket(base.getHost(), base.getPort()); Socket idle = new Socket(base.getHost(), base.getPort())) {
                OutputStream out = arriving.getOutputStream();
                out.write(("POST /v1/sites/" + site.get("siteId") + "/leads HTTP/1.1\r\nHost: " + base.getAuthority() + "\r\n"
                        + "Authorization: Bearer " + site.get("apiKey") + "\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes, 0, 20);
                out.flush();
                Thread.sleep(200); // the headers and the first bytes are read

                TestServer stopping = server;
                CompletableFuture<Void> stopped = CompletableFuture.runAsync(stopping::close);
                Thread.sleep(300);
                assertThat(stopped).as("the stop waits for the request under way").isNotDone();
                assertThat(idle.getInputStream().read()).as("an idle connection is closed at once").isEqualTo(-1);

                out.write(bytes, 20, bytes.length - 20);
                out.flush();
                answer = readAll(arriving.getInputStream());
                stopped.get(15, TimeUnit.SECONDS);
            }
        } finally {
            server.close();
        }
        assertThat(answer).startsWith("HTTP/1.1 201").containsIgnoringCase("connection: close").contains("leadId");

        try (TestServer again = new TestServer(dir)) {
            String leads = again.get("/v1/sites/" + site.get("siteId") + "/leads", site.get("apiKey")).body();
            assertThat(leads).as("the answered lead was committed").contains("Drained");
        }
    }

    static String readAll(InputStream in) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        for (int n; (n = in.read(buf)) >= 0; ) {
            got.write(buf, 0, n);
        }
        return got.toString(StandardCharsets.UTF_8);
    }
}
