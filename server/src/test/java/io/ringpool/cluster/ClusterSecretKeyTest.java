package io.ringpool.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.app.Ringpool;
import io.ringpool.app.StartupFailure;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.store.PostgresNodes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Nodes of one PostgreSQL store agree on the key site secrets are encrypted with, whether or not
 * the operator gave them one (real PostgreSQL; skipped without {@code RINGPOOL_TEST_PG_URL}). Before,
 * two nodes started without {@code RINGPOOL_SECRET_KEY} each generated their own, and a site created
 * through one was never usable through the other ("cannot decrypt a stored secret").
 */
class ClusterSecretKeyTest {
    static final String KEY_1 = "1111111111111111111111111111111111111111111111111111111111111111";
    static final String KEY_2 = "2222222222222222222222222222222222222222222222222222222222222222";

    @RegisterExtension
    final PostgresNodes nodes = new PostgresNodes("rp_secret_", Map.of("leasing.sessionsPerIpPerMinute", 0)).namedInCluster();

    /** Node {@code name}'s settings with {@code secretKey} in place of the shared key, or with no key where null. */
    Map<String, Object> settings(String name, String secretKey) {
        Map<String, Object> s = nodes.settings(name);
        s.remove("security.secretKey");
        if (secretKey != null) {
            s.put("security.secretKey", secretKey);
        }
        return s;
    }

    TestServer node(String name, String secretKey) {
        return new TestServer(nodes.path(name), settings(name, secretKey));
    }

    /** A node that is expected not to start: started as Main starts it, so a refused start closes what it opened. */
    void startRefused(String name, String secretKey, String because) {
        Ringpool app = nodes.unstarted(name, settings(name, secretKey));
        assertThatThrownBy(app::startOrClose).isInstanceOf(StartupFailure.class).hasMessageContaining(because)
                .hasMessageContaining("RINGPOOL_SECRET_KEY");
    }

    String stored(String column) throws Exception {
        try (Connection c = nodes.pg().connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT " + column + " FROM cluster_secret WHERE id = 1")) {
            assertThat(rs.next()).as("cluster_secret has its row").isTrue();
            return rs.getString(1);
        }
    }

    static String hmac(String secret, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** A generic call event to {@code node}, signed with the site's webhook secret as the provider signs it. */
    static Reply signedEvent(TestServer node, Map<String, String> site, String number) throws Exception {
        long t = Instant.now().getEpochSecond();
        String body = "{\"callId\":\"secret-test-1\",\"event\":\"ringing\",\"from\":\"+79161234567\",\"to\":\"" + number
                + "\",\"at\":\"" + Instant.ofEpochSecond(t) + "\"}";
        return node.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", "t=" + t + ",v1=" + hmac(site.get("webhookSecret"), t + "." + body)));
    }

    @Test
    void twoNodesStartedAtOnceWithoutAKeyShareOneAndEachReadsTheOthersSites() throws Exception {
        // At once on an empty database: the schema's migration and the key's row are both raced.
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<TestServer> startA = CompletableFuture.supplyAsync(() -> {
            await(go);
            return node("node-a", null);
        });
        CompletableFuture<TestServer> startB = CompletableFuture.supplyAsync(() -> {
            await(go);
            return node("node-b", null);
        });
        go.countDown();
        try (TestServer a = startA.join(); TestServer b = startB.join()) {
            assertThat(stored("key_hex")).as("generated, so kept for the nodes to come").hasSize(64);

            Map<String, String> site = a.siteWithPool(List.of("+74954100001"));
            waitFor("site seen by node b", 5_000,
                    () -> b.get("/v1/sites/" + site.get("siteId"), site.get("apiKey")).status() == 200);
            // The site can be read through before the pool's change reaches b: until then the number is unknown there (422).
            Reply[] seen = new Reply[1];
            waitFor("pool seen by node b", 5_000, () -> {
                try {
                    seen[0] = signedEvent(b, site, "+74954100001");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return seen[0].status() != 422;
            });
            Reply viaB = seen[0];
            assertThat(viaB.status()).as("node b verifies the webhook secret node a made: " + viaB.body()).isEqualTo(200);
            assertThat(viaB.text("callId")).isNotBlank();

            Map<String, String> other = b.siteWithPool(List.of("+74954100002"));
            waitFor("site seen by node a", 5_000,
                    () -> a.get("/v1/sites/" + other.get("siteId"), other.get("apiKey")).status() == 200);
            // The same race the other way round (CI once saw the 422 here): wait for the pool too.
            waitFor("pool seen by node a", 5_000, () -> {
                try {
                    seen[0] = signedEvent(a, other, "+74954100002");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return seen[0].status() != 422;
            });
            assertThat(seen[0].status()).as("node a verifies the webhook secret node b made: " + seen[0].body()).isEqualTo(200);
        }
        assertThat(Files.exists(nodes.path("node-a").resolve("secret.key"))).as("no key file of its own on a shared store").isFalse();
    }

    @Test
    void aGivenKeyStaysOutOfTheDatabaseAndEveryNodeMustBeGivenIt() throws Exception {
        try (TestServer a = node("node-a", KEY_1)) {
            assertThat(stored("key_hex")).as("a key the operator gave is not written to the database").isNull();
            assertThat(stored("check_hmac")).isEqualTo(ClusterSecretKey.check(KEY_1));

            startRefused("node-b", KEY_2, "is not the key the other nodes");
            startRefused("node-c", null, "must be given");

            Map<String, String> site = a.siteWithPool(List.of("+74954100011"));
            try (TestServer d = node("node-d", KEY_1)) {
                waitFor("site seen by node d", 5_000,
                        () -> d.get("/v1/sites/" + site.get("siteId"), site.get("apiKey")).status() == 200);
                assertThat(signedEvent(d, site, "+74954100011").status()).isEqualTo(200);
            }
        }
    }

    @Test
    void theKeyFileOfANodeThatRanBeforeIsKeptAndShared() throws Exception {
        // A node of an earlier version generated data/secret.key and encrypted with it.
        Files.createDirectories(nodes.path("node-a"));
        Files.writeString(nodes.path("node-a").resolve("secret.key"), KEY_1 + "\n");
        try (TestServer a = node("node-a", null)) {
            assertThat(stored("key_hex")).isEqualTo(KEY_1);
            Map<String, String> site = a.siteWithPool(List.of("+74954100021"));
            try (TestServer b = node("node-b", null)) {
                waitFor("site seen by node b", 5_000,
                        () -> b.get("/v1/sites/" + site.get("siteId"), site.get("apiKey")).status() == 200);
                assertThat(signedEvent(b, site, "+74954100021").status()).isEqualTo(200);
            }
            startRefused("node-c", KEY_2, "leave the setting out to use it");
        }
    }

    static void waitFor(String what, long limitMillis, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + limitMillis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + limitMillis + " ms: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
