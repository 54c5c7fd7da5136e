package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Raw bytes on a socket: limits, pipelining and byte-at-a-time delivery. */
class RawHttpTest {
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

    String exchange(String raw, boolean oneByteAtATime) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.app.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
            if (oneByteAtATime) {
                for (byte b : bytes) {
                    out.write(b);
                    out.flush();
                }
            } else {
                out.write(bytes);
                out.flush();
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    got.write(buf, 0, n);
                    if (got.toString(StandardCharsets.ISO_8859_1).contains("\"status\":\"up\"") && raw.contains("Connection: close") == false
                            && countOf(got.toString(StandardCharsets.ISO_8859_1), "HTTP/1.1") >= countOf(raw, "HTTP/1.1")) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                // read what came
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    static int countOf(String text, String part) {
        int count = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            count++;
        }
        return count;
    }

    @Test
    void madeUpMethodsShareOneTimerSoTheyCannotGrowTheMetrics() throws Exception {
        StringBuilder pipelined = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            pipelined.append("MADEUP").append(i).append(" /health HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        pipelined.append("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        String answers = exchange(pipelined.toString(), false);
        assertThat(countOf(answers, "HTTP/1.1 405")).isEqualTo(200);

        String metrics = server.get("/metrics", null).body();
        assertThat(metrics).doesNotContain("MADEUP");
        assertThat(metrics).contains("http_server_requests_seconds_count{method=\"other\",route=\"unmatched\",status=\"405\"} 200");
    }

    @Test
    void anHttp11RequestWithoutExactlyOneHostIsA400() throws Exception {
        String none = exchange("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n", false);
        assertThat(none).startsWith("HTTP/1.1 400 ").contains("Host header");
        String two = exchange("GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n", false);
        assertThat(two).startsWith("HTTP/1.1 400 ").contains("more than one Host");
        String http10 = exchange("GET /health HTTP/1.0\r\n\r\n", false);
        assertThat(http10).startsWith("HTTP/1.1 200 ");
    }

    @Test
    void aSemicolonIsPartOfAQueryValueAsBrowsersHaveIt() {
        java.util.Map<String, String> site = server.siteWithPool(java.util.List.of("+74950000901"));
        TestServer.Reply r = server.get("/v1/sites/" + site.get("siteId") + "/calls?source=a;b&campaign=x;y=z", site.get("apiKey"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    @Test
    void aRequestDeliveredOneByteAtATimeIsAnswered() throws Exception {
        String reply = exchange("GET /health HTTP/1.1\r\nHost: x\r\n\r\n", true);
        assertThat(reply).startsWith("HTTP/1.1 200").contains("\"status\":\"up\"");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        String reply = exchange("GET /nope HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n", false);
        assertThat(reply.indexOf("HTTP/1.1 404")).isGreaterThanOrEqualTo(0).isLessThan(reply.indexOf("HTTP/1.1 200"));
    }

    @Test
    void anOverlongRequestLineGets414AndOversizedHeaders431() throws Exception {
        assertThat(exchange("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false))
                .startsWith("HTTP/1.1 414").contains("\"code\":\"uri_too_long\"");
        assertThat(exchange("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\nConnection: close\r\n\r\n", false))
                .startsWith("HTTP/1.1 431");
    }

    /**
     * A client that sends its body at once behind a request line we refuse must still read the
     * 414: the server reads and drops the rest instead of closing on unread bytes, which makes the
     * kernel reset the connection and can destroy the answer in flight. Then the server closes.
     */
    @Test
    void aRefusedRequestLineWithABodyStillInFlightGetsIts414AndThenTheConnectionCloses() throws Exception {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (Socket socket = new Socket("127.0.0.1", server.app.port())) {
                socket.setSoTimeout(5_000);
                byte[] body = new byte[256 * 1024];
                java.util.Arrays.fill(body, (byte) 'x');
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/telephony/twilio/" + "s".repeat(5_000) + "/recording HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                try {
                    out.write(body);
                    out.flush();
                } catch (java.io.IOException closedWhileSending) {
                    // the server may have shut its side by now; what matters is the answer below
                }
                InputStream in = socket.getInputStream();
                String reply = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1); // to end-of-stream: the server closes
                assertThat(reply).as("attempt %d", attempt).startsWith("HTTP/1.1 414").contains("\"code\":\"uri_too_long\"");
            }
        }
    }

    @Test
    void garbageIsA400WithTheJsonErrorShape() throws Exception {
        String reply = exchange("HELLO\r\n\r\n", false);

        assertThat(reply).startsWith("HTTP/1.1 400 ");
        assertThat(reply.substring(reply.indexOf("\r\n\r\n") + 4))
                .isEqualTo("{\"error\":{\"code\":\"bad_request\",\"message\":\"the request is not valid HTTP\",\"field\":null}}");
    }

    /** Audit 27 A, item 12: a Content-Length that is not a number closed the connection without a byte. */
    @Test
    void aContentLengthThatIsNotANumberIsA400WithTheJsonErrorShapeAndThenTheConnectionCloses() throws Exception {
        String reply = exchange("POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}",
                false);

        assertThat(reply).startsWith("HTTP/1.1 400 ").containsIgnoringCase("connection: close");
        assertThat(reply.substring(reply.indexOf("\r\n\r\n") + 4))
                .isEqualTo("{\"error\":{\"code\":\"bad_request\",\"message\":\"the request is not valid HTTP\",\"field\":null}}");
    }

    /**
     * Audit 27 A, item 6: a broken percent-escape in the path or the query was answered 404 "no such
     * endpoint: " (the path decoded to nothing). It is a malformed request, and the connection,
     * whose framing is intact, keeps serving.
     */
    @Test
    void brokenPercentEncodingIsA400NamingTheQueryParameterAndTheConnectionGoesOn() throws Exception {
        String path = exchange("GET /v1/sites/%ZZ/pools HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false);
        assertThat(path).startsWith("HTTP/1.1 400 ");
        assertThat(path).contains("\"code\":\"malformed_path\"").contains("\"field\":null").doesNotContain("not_found");

        String query = exchange("GET /v1/sites/s_any/calls?from=2026-11-01&source=%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                false);
        assertThat(query).startsWith("HTTP/1.1 400 ");
        assertThat(query).contains("\"code\":\"malformed_query\"").contains("'source'").contains("\"field\":\"source\"");
        assertThat(exchange("GET /health?x=%4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false))
                .as("an escape cut short").startsWith("HTTP/1.1 400 ").contains("\"field\":\"x\"");

        String pipelined = exchange("GET /v1/sites/%ZZ/pools HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n", false);
        assertThat(pipelined.indexOf("HTTP/1.1 400")).isGreaterThanOrEqualTo(0).isLessThan(pipelined.indexOf("HTTP/1.1 200"));
    }

    /**
     * Audit AK2 F3: an expectation other than 100-continue was a 417 with no body and no content
     * type, the one error outside API.md's shape. The connection then closes: the body the client
     * sends anyway was read as the next request (a 400 for "{}"; a body that is a request was served).
     */
    @Test
    void anExpectationOtherThan100ContinueIsA417WithTheJsonErrorShapeAndTheConnectionCloses() throws Exception {
        String reply = exchange("POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Expect: 200-ok\r\nContent-Length: 33\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n", false);

        assertThat(reply).startsWith("HTTP/1.1 417 ").containsIgnoringCase("content-type: application/json")
                .containsIgnoringCase("connection: close");
        assertThat(countOf(reply, "HTTP/1.1 ")).as("the body is not a request: " + reply).isEqualTo(1);
        assertThat(reply.substring(reply.indexOf("\r\n\r\n") + 4))
                .startsWith("{\"error\":{\"code\":\"expectation_failed\",\"message\":\"the only expectation")
                .endsWith("\"field\":null}}");
    }

    /**
     * Audit AK2 F4: any version was served as HTTP/1.1. A major version other than 1 is 505 with the
     * JSON error (RFC 9110 §15.6.6) and the connection closes; a later 1.x minor is served as 1.1, as
     * RFC 9110 §2.5 says a recipient should.
     */
    @Test
    void aMajorVersionOtherThanOneIs505AndALaterMinorIsServedAs11() throws Exception {
        for (String version : List.of("HTTP/2.0", "HTTP/3.0", "HTTP/0.9", "HTTP/9.1")) {
            String reply = exchange("GET /health " + version + "\r\nHost: x\r\n\r\n", false);
            assertThat(reply).as(version).startsWith("HTTP/1.1 505 ").containsIgnoringCase("connection: close")
                    .containsIgnoringCase("content-type: application/json");
            assertThat(reply.substring(reply.indexOf("\r\n\r\n") + 4)).as(version)
                    .isEqualTo("{\"error\":{\"code\":\"http_version_not_supported\",\"message\":\"this server speaks HTTP/1.1 and"
                            + " HTTP/1.0 only\",\"field\":null}}");
        }
        for (String version : List.of("HTTP/1.7", "HTTP/1.1", "HTTP/1.0")) {
            assertThat(exchange("GET /health " + version + "\r\nHost: x\r\nConnection: close\r\n\r\n", false)).as(version)
                    .startsWith("HTTP/1.1 200 ").contains("\"status\":\"up\"");
        }
    }
}
