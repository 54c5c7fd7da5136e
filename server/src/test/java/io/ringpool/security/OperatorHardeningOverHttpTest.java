package io.ringpool.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The smaller items of issue 18, against the real server. */
class OperatorHardeningOverHttpTest {
    @TempDir
    Path dir;

    @Test
    void aFreshDataDirectoryIsOwnerOnlyAndSoIsEveryFileRingpoolCreatesInIt() throws Exception {
        Path data = dir.resolve("fresh");
        try (TestServer server = new TestServer(data, Map.of("security.adminKey", ""))) {
            assertThat(mode(data)).isEqualTo("rwx------");
            assertThat(mode(data.resolve("admin.key"))).isEqualTo("rw-------");
            assertThat(mode(data.resolve("secret.key"))).isEqualTo("rw-------");
            assertThat(mode(data.resolve("ringpool.mv.db"))).isEqualTo("rw-------");
            assertThat(server.app.adminKeyGenerated()).isTrue();
        }
        Path loose = dir.resolve("loose");
        Files.createDirectories(loose);
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (TestServer server = new TestServer(loose)) {
            assertThat(mode(loose)).as("an existing directory others could read is tightened").isEqualTo("rwx------");
        }
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void metricsNeedTheTokenWhenOneIsSetAndNameNoSite() {
        String token = "metrics-token-for-tests-01";
        try (TestServer server = new TestServer(dir, Map.of("security.metricsToken", token))) {
            var site = server.siteWithPool(List.of("+74950000001"));
            server.startSession(site.get("publicKey"), "visitor-metrics-01", "https://example.com/");
            Reply anonymous = server.send("GET", "/metrics", null, null, null, Map.of());
            assertThat(anonymous.status()).isEqualTo(401);
            assertThat(server.send("GET", "/metrics", "not-the-token-at-all", null, null, Map.of()).status()).isEqualTo(401);
            Reply scrape = server.send("GET", "/metrics", token, null, null, Map.of());
            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.body()).contains("ringpool_pool_size").contains(site.get("siteId")).doesNotContain("Shop");
        }
    }

    @Test
    void wrongCredentialsFromOneAddressAreSlowedThenRefusedWhileTheSiteScriptStillWorks() {
        Map<String, Object> overrides = Map.of("security.authFailuresBeforeSlowdown", 2, "security.authFailuresBeforeBlock", 4);
        try (TestServer server = new TestServer(dir, overrides)) {
            var site = server.siteWithPool(List.of("+74950000001"));
            Map<String, String> attacker = Map.of("X-Forwarded-For", "198.51.100.99");
            long[] millis = new long[4];
            for (int i = 0; i < 4; i++) {
                long start = System.nanoTime();
                Reply r = server.send("GET", "/v1/sites/" + site.get("siteId"), "sk_guess_" + i, null, null, attacker);
                millis[i] = (System.nanoTime() - start) / 1_000_000;
                assertThat(r.status()).isEqualTo(401);
            }
            assertThat(millis[2]).as("the third failure is answered late").isGreaterThanOrEqualTo(240);
            assertThat(millis[3]).as("the fourth later still").isGreaterThanOrEqualTo(490);
            Reply refused = server.send("GET", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), null, null, attacker);
            assertThat(refused.status()).as("even the right key, until the count drains").isEqualTo(429);
            assertThat(refused.errorCode()).isEqualTo("too_many_failures");
            assertThat(Integer.parseInt(refused.headers().get("retry-after").get(0))).isPositive();
            assertThat(server.send("GET", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), null, null,
                    Map.of("X-Forwarded-For", "198.51.100.100")).status()).as("another address").isEqualTo(200);
            Reply script = server.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + site.get("publicKey") + "\"}", "application/json",
                    Map.of("X-Forwarded-For", "198.51.100.99", "User-Agent", TestServer.CHROME));
            assertThat(script.status()).as("the public script routes are not credentials").isEqualTo(201);
            server.clock.advance(java.time.Duration.ofMinutes(10));
            assertThat(server.send("GET", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), null, null, attacker).status())
                    .as("drained").isEqualTo(200);
        }
    }

    @Test
    void noKeyIsWrittenToTheLog() throws Exception {
        // slf4j-simple writes to whatever System.out or System.err is at the time of each line.
        java.io.PrintStream originalErr = System.err;
        java.io.PrintStream originalOut = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(new Tee(originalErr, captured), true));
        System.setOut(new java.io.PrintStream(new Tee(originalOut, captured), true));
        try (TestServer server = new TestServer(dir, Map.of("security.adminKey", "", "demo.enabled", true,
                "demo.file", Path.of("..", "config", "demo-site.yaml").toAbsolutePath().toString()))) {
            String keys = Files.readString(server.app.demoKeysFile());
            List<String> secrets = Stream.concat(Stream.of(server.app.adminKey()),
                    keys.lines().filter(l -> l.startsWith("DEMO_") && !l.startsWith("DEMO_SITE_ID")).map(l -> l.substring(l.indexOf('=') + 1)))
                    .toList();
            assertThat(secrets).hasSize(4);
            String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertThat(log).contains("demo_site_seeded");
            for (String secret : secrets) {
                assertThat(log).doesNotContain(secret);
            }
        } finally {
            System.setErr(originalErr);
            System.setOut(originalOut);
        }
    }

    /** Writes to both streams. */
    private static final class Tee extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        Tee(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public synchronized void write(byte[] bytes, int off, int len) throws java.io.IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }
    }
}
