package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit 28 H, F3: a body for an admin route was read into memory before the missing key was
 * noticed, so a few hundred anonymous connections pinned hundreds of megabytes.
 */
class BodiesBeforeCredentialsTest {
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
    void aBodyForAnAdminRouteWithoutCredentialsIsRefused401FromTheHeadersWithoutWaitingForIt() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.app.port())) {
            socket.setSoTimeout(1_500);
            OutputStream out = socket.getOutputStream();
            // Announces 1,000,000 bytes and sends none: the answer must not wait for them.
            out.write(("POST /v1/sites HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            RawResponse reply = RawResponse.read(socket.getInputStream());
            assertThat(reply.status).isEqualTo(401);
            assertThat(reply.headers.get("connection")).isEqualTo("close");
            assertThat(new String(reply.body, StandardCharsets.UTF_8)).contains("\"code\":\"unauthorized\"");
        }
    }

    @Test
    void publicRoutesScriptRoutesWebhooksAndCredentialedRequestsStillGetTheirBodiesRead() throws Exception {
        // Sign-in takes a body from someone without credentials: its own 401, after reading it.
        TestServer.Reply login = server.post("/v1/auth/login", null, Map.of("email", "nobody@x.test", "password", "wrong password"));
        assertThat(login.status()).isEqualTo(401);
        assertThat(login.errorCode()).isNotEqualTo("unauthorized");
        // A signed webhook of an unknown site is read and refused by the endpoint, not the gate.
        TestServer.Reply webhook = server.send("POST", "/v1/telephony/st_none/events", null, "{}", "application/json", Map.of());
        assertThat(webhook.status()).isEqualTo(404);
        // With the admin key the body is read and the site created.
        TestServer.Reply created = server.post("/v1/sites", TestServer.ADMIN_KEY, Map.of("name", "s", "defaultNumber", "+74951234567"));
        assertThat(created.status()).isEqualTo(201);
        // A path nobody serves keeps its 404 whatever the credentials.
        assertThat(server.send("POST", "/v1/nothing-here", null, "{}", "application/json", Map.of()).status()).isEqualTo(404);
    }
}
