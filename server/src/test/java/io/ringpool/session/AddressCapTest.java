package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import io.ringpool.pool.AddressKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10, item 2: no address can drain a pool. */
class AddressCapTest {
    @TempDir
    Path dir;

    static Reply start(TestServer server, String publicKey, String visitorId, String clientAddress) {
        String body = new String(Json.write(Map.of("siteKey", publicKey, "visitorId", visitorId, "url", "https://example.com/")),
                StandardCharsets.UTF_8);
        // The test talks over loopback, a trusted proxy: X-Forwarded-For names the client.
        return server.send("POST", "/v1/sessions", null, body, "application/json",
                Map.of("User-Agent", TestServer.CHROME, "X-Forwarded-For", clientAddress));
    }

    @Test
    void aFloodOf2000StartsFromOneAddressLeavesAtLeast45Of50NumbersAndVisitorsFromElsewhereAreTracked() throws Exception {
        List<String> numbers = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            numbers.add(String.format("+7495300%04d", i));
        }
        // default configuration: the per-IP rate limit is on too, as an operator runs it
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(numbers);
            Set<String> heldByFlood = ConcurrentHashMap.newKeySet();
            AtomicInteger capped = new AtomicInteger();
            AtomicInteger errors = new AtomicInteger();
            ExecutorService flood = Executors.newFixedThreadPool(8);
            AtomicInteger seq = new AtomicInteger();
            for (int i = 0; i < 2_000; i++) {
                flood.submit(() -> {
                    Reply r = start(server, site.get("publicKey"), "flood-" + seq.incrementAndGet(), "198.51.100.23");
                    if (r.status() >= 400) {
                        errors.incrementAndGet();
                    } else if (r.json().path("tracked").asBoolean()) {
                        heldByFlood.add(r.text("number"));
                    } else if ("address_cap".equals(r.text("reason"))) {
                        capped.incrementAndGet();
                    }
                });
            }
            flood.shutdown();
            assertThat(flood.awaitTermination(5, TimeUnit.MINUTES)).isTrue();

            Reply pool = server.get("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId"), site.get("apiKey"));
            int tracked = 0;
            for (int i = 0; i < 20; i++) {
                Reply other = start(server, site.get("publicKey"), "other-" + i, "203.0.113." + (10 + i));
                if (other.json().path("tracked").asBoolean()) {
                    tracked++;
                }
            }

            assertThat(errors.get()).isZero();
            assertThat(heldByFlood).hasSizeLessThanOrEqualTo(5);
            assertThat(capped.get()).isPositive();
            assertThat(pool.json().get("free").asInt() + pool.json().get("coolingDown").asInt()).isGreaterThanOrEqualTo(45);
            assertThat(tracked).isEqualTo(20);
        }
    }

    @Test
    void addressesOfOneIpv6Slash64ShareTheCapAndAnotherSlash64HasItsOwn() {
        try (TestServer server = new TestServer(dir, Map.of("leasing.sessionsPerIpPerMinute", 0))) {
            List<String> numbers = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                numbers.add(String.format("+7495301%04d", i));
            }
            Map<String, String> site = server.siteWithPool(numbers); // 10% of 20: two numbers per address
            int trackedSame = 0;
            for (int i = 0; i < 6; i++) {
                Reply r = start(server, site.get("publicKey"), "v6-" + i, "2001:db8:aa:bb::" + Integer.toHexString(i + 1));
                trackedSame += r.json().path("tracked").asBoolean() ? 1 : 0;
            }
            Reply elsewhere = start(server, site.get("publicKey"), "v6-other", "2001:db8:aa:cc::1");

            assertThat(trackedSame).isEqualTo(2);
            assertThat(elsewhere.json().path("tracked").asBoolean()).isTrue();
        }
    }

    /**
     * Audit AM2 F1: a home handed a /48 (or a /56) presents thousands of /64s, each under the
     * per-address cap; eleven of them took a whole ten-number pool. The /48 together holds at
     * most leasing.networkCapPercent (30%), and other networks and IPv4 addresses are untouched.
     */
    @Test
    void theSlash64sOfOneIpv6Slash48TogetherHoldAtMostThirtyPercent() {
        try (TestServer server = new TestServer(dir, Map.of("leasing.sessionsPerIpPerMinute", 0))) {
            List<String> numbers = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                numbers.add(String.format("+7495304%04d", i));
            }
            Map<String, String> site = server.siteWithPool(numbers);
            int held = 0;
            int capped = 0;
            for (int i = 1; i <= 11; i++) {
                Reply r = start(server, site.get("publicKey"), "slash48-" + i, "2001:db8:abcd:" + Integer.toHexString(i) + "::1");
                held += r.json().path("tracked").asBoolean() ? 1 : 0;
                capped += "address_cap".equals(r.text("reason")) ? 1 : 0;
            }
            int others = 0;
            for (int i = 1; i <= 4; i++) {
                others += start(server, site.get("publicKey"), "other48-" + i, "2001:db8:" + Integer.toHexString(0xac00 + i) + ":1::1")
                        .json().path("tracked").asBoolean() ? 1 : 0;
                others += start(server, site.get("publicKey"), "other4-" + i, "203.0.113." + i).json().path("tracked").asBoolean() ? 1 : 0;
            }

            assertThat(held).isEqualTo(3);
            assertThat(capped).isEqualTo(8);
            assertThat(others).as("four other /48s and four IPv4 addresses").isEqualTo(7); // 3 + 7 = the ten numbers
        }
    }

    @Test
    void aNumberCountsAgainstItsAddressWhileItsLeaseLivesAndUntilItsCoolDownEnds() {
        try (TestServer server = new TestServer(dir, Map.of("leasing.sessionsPerIpPerMinute", 0))) {
            Map<String, String> site = server.siteWithPool(List.of("+74953020001", "+74953020002", "+74953020003"));
            Reply first = start(server, site.get("publicKey"), "a", "192.0.2.1");
            Reply second = start(server, site.get("publicKey"), "b", "192.0.2.1");
            assertThat(first.json().path("tracked").asBoolean()).isTrue();
            assertThat(second.text("reason")).isEqualTo("address_cap");

            server.send("POST", "/v1/sessions/" + first.text("sessionId") + "/end", null, null, null, Map.of());
            server.clock.advance(java.time.Duration.ofSeconds(120)); // past the end grace: the number cools for 900 s
            server.app.sessions().sweep();
            Reply whileItCools = start(server, site.get("publicKey"), "c", "192.0.2.1");

            server.clock.advance(java.time.Duration.ofSeconds(900)); // past the cool-down
            server.app.sessions().sweep();
            Reply afterItCooled = start(server, site.get("publicKey"), "d", "192.0.2.1");

            assertThat(whileItCools.text("reason")).isEqualTo("address_cap");
            assertThat(afterItCooled.json().path("tracked").asBoolean()).isTrue();
        }
    }

    /**
     * Audit AM2 F6: one IPv4 address took all ten numbers of a pool in ten minutes by start, end,
     * start with a new visitor id, since an ended lease stopped counting while its number cooled
     * for 15 minutes, unusable by anyone. A number cooling from the address's lease now counts
     * against it until its cool-down ends; its own visitor still gets it back.
     */
    @Test
    void startEndChurnFromOneAddressHoldsItsShareLiveOrCoolingAndItsReturningVisitorGetsItsNumberBack() {
        try (TestServer server = new TestServer(dir, Map.of("leasing.sessionsPerIpPerMinute", 0))) {
            List<String> numbers = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                numbers.add(String.format("+7495305%04d", i));
            }
            Map<String, String> site = server.siteWithPool(numbers); // reuse_cooling, the default; 10%: one number
            Set<String> churned = new java.util.HashSet<>();
            int capped = 0;
            for (int i = 0; i < 12; i++) {
                Reply r = start(server, site.get("publicKey"), "churn-" + i, "198.51.100.50");
                if (r.json().path("tracked").asBoolean()) {
                    churned.add(r.text("number"));
                }
                capped += "address_cap".equals(r.text("reason")) ? 1 : 0;
                server.send("POST", "/v1/sessions/" + r.text("sessionId") + "/end", null, null, null, Map.of());
                server.clock.advance(java.time.Duration.ofSeconds(50)); // past the end grace (45 s)
                server.app.sessions().sweep();
            }
            Reply pool = server.get("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId"), site.get("apiKey"));
            Reply real = start(server, site.get("publicKey"), "real", "203.0.113.200");
            Reply back = start(server, site.get("publicKey"), "churn-0", "198.51.100.50");
            Reply next = start(server, site.get("publicKey"), "churn-12", "198.51.100.50");

            assertThat(churned).hasSize(1);
            assertThat(capped).isEqualTo(11);
            assertThat(pool.json().get("coolingDown").asInt()).isEqualTo(1);
            assertThat(pool.json().get("free").asInt()).isEqualTo(9);
            assertThat(real.json().path("tracked").asBoolean()).isTrue();
            assertThat(real.text("number")).isNotIn(churned);
            assertThat(back.json().path("tracked").asBoolean()).as("the returning visitor's own cooling number").isTrue();
            assertThat(back.text("number")).isIn(churned);
            assertThat(next.text("reason")).isEqualTo("address_cap");
        }
    }

    /** A cooling number another visitor is given (reuse_cooling) is no longer the address's: it may take a number again. */
    @Test
    void aCoolingNumberLeasedAgainStopsCountingAgainstTheAddressThatCooledIt() {
        try (TestServer server = new TestServer(dir, Map.of("leasing.sessionsPerIpPerMinute", 0))) {
            Map<String, String> site = server.siteWithPool(List.of("+74953060001", "+74953060002"));
            Reply first = start(server, site.get("publicKey"), "a1", "192.0.2.7");
            server.send("POST", "/v1/sessions/" + first.text("sessionId") + "/end", null, null, null, Map.of());
            server.clock.advance(java.time.Duration.ofSeconds(120));
            server.app.sessions().sweep();
            Reply whileItCools = start(server, site.get("publicKey"), "a2", "192.0.2.7");
            Reply free = start(server, site.get("publicKey"), "b", "203.0.113.1");
            Reply reused = start(server, site.get("publicKey"), "c", "203.0.113.2"); // no number free: the cooling one
            Reply again = start(server, site.get("publicKey"), "a3", "192.0.2.7");

            assertThat(whileItCools.text("reason")).isEqualTo("address_cap");
            assertThat(free.json().path("tracked").asBoolean()).isTrue();
            assertThat(reused.text("number")).isEqualTo(first.text("number"));
            assertThat(again.text("reason")).as("the pool is full, not this address's share").isEqualTo("pool_exhausted");
        }
    }

    @Test
    void theKeyIsTheIpv4AddressOrTheIpv6Slash64AndLoopbackOrJunkIsNotCounted() {
        assertThat(AddressKey.of("198.51.100.7")).isEqualTo("198.51.100.7");
        assertThat(AddressKey.of("2001:db8:1:2:3:4:5:6")).isEqualTo(AddressKey.of("2001:0db8:0001:0002:ffff::1"));
        assertThat(AddressKey.of("2001:db8:1:2::1")).isNotEqualTo(AddressKey.of("2001:db8:1:3::1"));
        assertThat(AddressKey.of("127.0.0.1")).isNull();
        assertThat(AddressKey.of("::1")).isNull();
        assertThat(AddressKey.of("unknown")).isNull();
        assertThat(AddressKey.of("example.com")).isNull();
        assertThat(AddressKey.of(null)).isNull();
        assertThat(AddressKey.network(AddressKey.of("2001:db8:abcd:12::1"))).isEqualTo("2001:db8:abcd::/48")
                .isEqualTo(AddressKey.network(AddressKey.of("2001:0db8:abcd:ff00:1::9")));
        assertThat(AddressKey.network(AddressKey.of("198.51.100.7"))).isNull();
        assertThat(AddressKey.network(null)).isNull();
    }
}
