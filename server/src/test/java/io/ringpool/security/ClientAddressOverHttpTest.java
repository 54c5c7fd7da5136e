package io.ringpool.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probes of issue 18 against the real server: forged and multi-line {@code X-Forwarded-For}
 * through IPv4 and IPv6 loopback proxies, IPv6 clients rotating inside one /64, and resuming a
 * session by visitor id. The per-address start limit is 3 a minute here.
 */
class ClientAddressOverHttpTest {
    @TempDir
    Path dir;

    static final Clock FROZEN = Clock.fixed(Instant.parse("2026-11-30T09:00:00Z"), ZoneOffset.UTC);

    static List<String> numbers(int n) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(String.format("+7495000%04d", i));
        }
        return out;
    }

    TestServer server(List<String> trustedProxies) {
        Map<String, Object> overrides = new HashMap<>();
        overrides.put("leasing.sessionsPerIpPerMinute", 3);
        // The rate limit alone: the per-address share of a pool (2 of these 20 numbers) is AddressCapTest's.
        overrides.put("leasing.addressCapPercent", 0);
        overrides.put("server.trustedProxies", trustedProxies);
        overrides.put("server.host", "::");
        return new TestServer(dir.resolve("d" + System.nanoTime()), overrides, FROZEN);
    }

    /** One session start over a raw socket to {@code host}, with these X-Forwarded-For lines; answers the body. */
    static String start(TestServer server, String host, String publicKey, String visitorId, List<String> forwardedFor) throws Exception {
        String body = "{\"siteKey\":\"" + publicKey + "\",\"visitorId\":\"" + visitorId + "\"}";
        StringBuilder raw = new StringBuilder("POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n")
                .append("User-Agent: ").append(TestServer.CHROME).append("\r\nConnection: close\r\n");
        for (String line : forwardedFor) {
            raw.append("X-Forwarded-For: ").append(line).append("\r\n");
        }
        raw.append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body);
        try (Socket socket = new Socket(host, server.app.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(raw.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            in.transferTo(got);
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    /** How many of {@code count} new visitors got a number. */
    static int tracked(TestServer server, String host, String publicKey, String prefix, int count,
            java.util.function.IntFunction<List<String>> forwardedFor) throws Exception {
        int tracked = 0;
        for (int i = 0; i < count; i++) {
            String answer = start(server, host, publicKey, prefix + "-" + i, forwardedFor.apply(i));
            tracked += answer.contains("\"tracked\":true") ? 1 : 0;
        }
        return tracked;
    }

    @Test
    void aForgedLineBeforeTheProxysLineDoesNotMakeEachRequestANewClient() throws Exception {
        try (TestServer server = server(List.of("127.0.0.1", "::1"))) {
            String key = server.siteWithPool(numbers(20)).get("publicKey");
            // The client sends its own header line; the proxy (on either loopback) appends the real one.
            assertThat(tracked(server, "127.0.0.1", key, "v4", 7, i -> List.of("203.0.113." + i, "198.51.100.44"))).isEqualTo(3);
            assertThat(tracked(server, "::1", key, "v6", 7, i -> List.of("203.0.113." + i + ", 198.51.100.45"))).isEqualTo(3);
        }
    }

    @Test
    void aProxyConfiguredAsTheLongFormOfIpv6LoopbackIsTrustedAndLoopbackIsNotExempt() throws Exception {
        try (TestServer server = server(List.of("0:0:0:0:0:0:0:1"))) {
            String key = server.siteWithPool(numbers(20)).get("publicKey");
            assertThat(tracked(server, "::1", key, "a", 7, i -> List.of("198.51.100.46"))).isEqualTo(3);
            // Loopback speaking for itself is limited too: behind a proxy, loopback may be everyone.
            assertThat(tracked(server, "::1", key, "b", 7, i -> List.of())).isEqualTo(3);
        }
    }

    @Test
    void withNoProxyConfiguredLoopbackIsExemptAndTheHeaderIgnored() throws Exception {
        try (TestServer server = server(List.of())) {
            String key = server.siteWithPool(numbers(20)).get("publicKey");
            assertThat(tracked(server, "127.0.0.1", key, "local", 7, i -> List.of("198.51.100.47"))).isEqualTo(7);
        }
    }

    @Test
    void ipv6ClientsRotatingThroughOneSlash64ShareOneBudget() throws Exception {
        try (TestServer server = server(List.of("127.0.0.1", "::1"))) {
            String key = server.siteWithPool(numbers(20)).get("publicKey");
            assertThat(tracked(server, "127.0.0.1", key, "rot", 7, i -> List.of("2001:db8:5:5::" + (i + 1)))).isEqualTo(3);
            assertThat(tracked(server, "127.0.0.1", key, "other", 1, i -> List.of("2001:db8:5:6::1"))).isEqualTo(1);
        }
    }

    @Test
    void resumingASessionByVisitorIdPassesTheSameLimiter() throws Exception {
        try (TestServer server = server(List.of("127.0.0.1", "::1"))) {
            String key = server.siteWithPool(numbers(20)).get("publicKey");
            List<String> from = List.of("198.51.100.48");
            assertThat(start(server, "127.0.0.1", key, "returning-1", from)).contains("\"tracked\":true");
            assertThat(start(server, "127.0.0.1", key, "returning-1", from)).as("resume").contains("\"tracked\":true");
            assertThat(start(server, "127.0.0.1", key, "returning-1", from)).as("resume").contains("\"tracked\":true");
            assertThat(start(server, "127.0.0.1", key, "returning-1", from)).as("a fourth number request in the minute")
                    .contains("\"reason\":\"rate_limited\"");
        }
    }
}
