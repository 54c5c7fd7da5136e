package io.ringpool.telephony.asterisk;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit 28 H, F4: a site key could point the AMI connector at loopback, the cloud metadata address
 * or the LAN (the server then logged in there with the site's secret, every few seconds), and the
 * public /health listed every site id with its connection state, a port-scan oracle.
 */
class AmiHostPolicyTest {
    @TempDir
    Path dir;

    private static TestServer.Reply configure(TestServer server, String siteId, String apiKey, String host, int port) {
        return server.send("PATCH", "/v1/sites/" + siteId, apiKey, new String(io.ringpool.http.Json.write(Map.of("providers",
                Map.of("asterisk", Map.of("host", host, "port", Integer.toString(port), "username", "u", "secret", "AMISECRET-xyz-123"))))),
                "application/json", Map.of());
    }

    @Test
    void anInternalAmiHostIsRefusedNamingTheFieldUnlessTheOperatorAllowsIt() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74950001111"));
            for (String host : List.of("127.0.0.1", "localhost", "169.254.169.254", "::1", "[::1]", "2130706433", "0.0.0.0", "10.0.0.1",
                    "192.168.1.10", "::ffff:127.0.0.1")) {
                TestServer.Reply r = configure(server, site.get("siteId"), site.get("apiKey"), host, 5038);
                assertThat(r.status()).as(host).isEqualTo(422);
                assertThat(r.json().at("/error/field").asText()).as(host).isEqualTo("providers.asterisk.host");
                assertThat(r.body()).as(host).contains("outbound.allow");
            }
        }
        try (TestServer server = new TestServer(dir.resolve("allowed"), Map.of("outbound.allow", List.of("10.0.0.0/8")))) {
            Map<String, String> site = server.siteWithPool(List.of("+74950001111"));
            assertThat(configure(server, site.get("siteId"), site.get("apiKey"), "10.0.0.1", 5038).status()).isEqualTo(200);
            assertThat(configure(server, site.get("siteId"), site.get("apiKey"), "127.0.0.1", 5038).status()).isEqualTo(422);
        }
    }

    @Test
    void aStoredHostNoLongerAllowedIsNeverConnectedTo() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocket pbx = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!pbx.isClosed()) {
                    try (Socket s = pbx.accept()) {
                        accepted.incrementAndGet();
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            });
            String siteId;
            try (TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1")))) {
                Map<String, String> site = server.siteWithPool(List.of("+74950001111"));
                siteId = site.get("siteId");
                assertThat(configure(server, siteId, site.get("apiKey"), "127.0.0.1", pbx.getLocalPort()).status()).isEqualTo(200);
                await(() -> accepted.get() > 0);
            }
            int before = accepted.get();
            // The operator takes loopback off the allow list: the stored settings stay, the connector must not connect.
            try (TestServer server = new TestServer(dir)) {
                // Public /health counts the site's connection by state and names no site.
                await(() -> server.get("/health", null).json().path("asterisk").path("disconnected").asInt() == 1);
                Thread.sleep(1_500); // a first retry would have come by now (backoff starts at 1 s)
                assertThat(accepted.get()).isEqualTo(before);
                TestServer.Reply open = server.get("/health", null);
                assertThat(open.status()).isEqualTo(200);
                assertThat(open.body()).doesNotContain(siteId);
                assertThat(open.json().path("asterisk").size()).isEqualTo(1);
            }
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(15);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(20);
        }
    }
}
