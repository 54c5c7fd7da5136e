package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.ringpool.app.TestServer;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AB1 #11's remainder: RFC 9112 §3.2.2 says a server must accept a request-target in
 * absolute form ({@code GET http://host/health}); it was 404 because the router read "http:" as
 * the first segment of the path.
 */
class AbsoluteFormTargetTest {
    @TempDir
    Path dir;

    @Test
    void theTargetBecomesItsPathAndTheAuthorityTheHost() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "HTTPS://user@calls.example.com:8443/v1/sites/s_1/calls?from=2026-11-01&source=google");
        request.headers().set("Host", "other.example");
        AbsoluteFormTarget.rewrite(request);
        assertThat(request.uri()).isEqualTo("/v1/sites/s_1/calls?from=2026-11-01&source=google");
        assertThat(request.headers().get("Host")).isEqualTo("calls.example.com:8443");

        HttpRequest bare = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "http://calls.example.com?x=1");
        AbsoluteFormTarget.rewrite(bare);
        assertThat(bare.uri()).isEqualTo("/?x=1");

        HttpRequest origin = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/http://not-a-scheme");
        AbsoluteFormTarget.rewrite(origin);
        assertThat(origin.uri()).isEqualTo("/http://not-a-scheme");
    }

    @Test
    void absoluteFormRequestsReachTheirRoutesOverASocket() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74950000001"));
            RawResponse health = exchange(server, "GET http://calls.example.com/health HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(health.status).isEqualTo(200);
            assertThat(new String(health.body, StandardCharsets.UTF_8)).contains("\"status\"");

            RawResponse calls = exchange(server, "GET http://calls.example.com/v1/sites/" + site.get("siteId")
                    + "/calls?limit=5 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + site.get("apiKey") + "\r\n\r\n");
            assertThat(calls.status).isEqualTo(200);
            assertThat(new String(calls.body, StandardCharsets.UTF_8)).contains("\"calls\"");

            // The credentials gate reads the same path: no key on an admin route is still 401, not 404.
            RawResponse refused = exchange(server, "POST http://calls.example.com/v1/sites HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
            assertThat(refused.status).isEqualTo(401);
        }
    }

    private static RawResponse exchange(TestServer server, String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.app.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return RawResponse.read(socket.getInputStream());
        }
    }
}
