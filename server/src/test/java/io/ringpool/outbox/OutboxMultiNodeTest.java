package io.ringpool.outbox;

import io.ringpool.store.TestPostgres;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import io.ringpool.webhook.Receiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One delivery per event however many claimers look at the outbox: pollers racing on one H2
 * store, and two nodes on one PostgreSQL database (when {@code RINGPOOL_TEST_PG_URL} is set).
 */
class OutboxMultiNodeTest {
    @TempDir
    Path dir;

    static final String SECRET_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    static Map<String, String> site(TestServer server, List<String> numbers) {
        return server.siteWithPool(numbers);
    }

    static void callEvent(TestServer server, Map<String, String> site, String callId, String kind, String to) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", kind);
        e.put("from", "+79160001122");
        e.put("to", to);
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static Map<String, Integer> acceptedPerEventId(Receiver receiver) throws Exception {
        Map<String, Integer> out = new HashMap<>();
        for (Receiver.Received r : receiver.received()) {
            if (r.answered() / 100 == 2) {
                JsonNode body = Json.MAPPER.readTree(r.body());
                out.merge(body.get("id").asText(), 1, Integer::sum);
            }
        }
        return out;
    }

    static void waitUntil(java.util.function.BooleanSupplier condition, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void pollersRacingOnOneH2StoreAttemptEachDeliveryOnce() throws Exception {
        try (Receiver receiver = new Receiver(n -> 200);
                TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 10,
                        "outbound.threads", 16, "outbound.perTargetConcurrency", 8))) {
            Map<String, String> site = site(server, List.of("+74953330001"));
            Reply hook = server.post("/v1/sites/" + site.get("siteId") + "/webhooks", site.get("apiKey"),
                    Map.of("url", receiver.url("/race"), "events", List.of("call.started")));
            assertThat(hook.status()).isEqualTo(201);
            ExecutorService racers = Executors.newFixedThreadPool(4);
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                running.add(racers.submit(() -> {
                    for (int k = 0; k < 200; k++) {
                        server.app.outbox().deliverDueNow();
                    }
                    return null;
                }));
            }
            for (int i = 0; i < 60; i++) {
                callEvent(server, site, "race-" + i, "ringing", "+74953330001");
            }
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
            racers.shutdown();
            waitUntil(() -> receiver.received().size() >= 60, Duration.ofSeconds(20));
            Map<String, Integer> accepted = acceptedPerEventId(receiver);
            assertThat(accepted).hasSize(60);
            assertThat(accepted.values()).containsOnly(1);
            assertThat(receiver.received()).hasSize(60);
        }
    }

    @Test
    void twoNodesOnOnePostgresDatabaseDeliverEachEventOnce() throws Exception {
        try (TestPostgres pg = TestPostgres.create("rp_outbox_")) {
            Map<String, Object> settings = new java.util.HashMap<>(pg.storeSettings());
            settings.putAll(Map.of("security.secretKey", SECRET_KEY, "outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 10));
            twoNodesDeliverOnce(settings);
        }
    }

    /**
     * Session 32, conversions out #1: a receiver's Retry-After, answered to one node, holds the
     * receiver for the other node too (the hold is in the store), and the held delivery spends no attempt.
     */
    @Test
    void aRetryAfterAnsweredToOneNodeHoldsTheEndpointForTheOther() throws Exception {
        try (TestPostgres pg = TestPostgres.create("rp_outbox_hold_")) {
            Map<String, Object> settings = new java.util.HashMap<>(pg.storeSettings());
            settings.putAll(Map.of("security.secretKey", SECRET_KEY, "outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 10));
            List<String> numbers = List.of("+74953550001", "+74953550002");
            try (Receiver receiver = new Receiver(n -> n == 1 ? 503 : 200)) {
                receiver.answerWith("{}".getBytes(StandardCharsets.UTF_8), Map.of("Retry-After", "300"));
                Map<String, String> site;
                String hook;
                try (TestServer a = new TestServer(dir.resolve("a"), settings)) {
                    site = site(a, numbers);
                    Reply created = a.post("/v1/sites/" + site.get("siteId") + "/webhooks", site.get("apiKey"),
                            Map.of("url", receiver.url("/held"), "events", List.of("call.started")));
                    assertThat(created.status()).isEqualTo(201);
                    hook = "/v1/sites/" + site.get("siteId") + "/webhooks/" + created.text("webhookId");
                }
                try (TestServer a = new TestServer(dir.resolve("a"), settings); TestServer b = new TestServer(dir.resolve("b"), settings)) {
                    callEvent(a, site, "held-1", "ringing", numbers.get(0));
                    waitUntil(() -> !b.get(hook, site.get("apiKey")).json().get("heldUntil").isNull(), Duration.ofSeconds(20));
                    assertThat(b.get(hook, site.get("apiKey")).json().get("heldUntil").isNull()).as("node b sees the hold").isFalse();

                    callEvent(b, site, "held-2", "ringing", numbers.get(1));
                    a.app.outbox().deliverDueNow();
                    b.app.outbox().deliverDueNow();
                    assertThat(receiver.received()).as("neither node sends to the held receiver").hasSize(1);
                    JsonNode second = b.get(hook + "/deliveries", site.get("apiKey")).json().get("deliveries").get(0);
                    assertThat(second.get("state").asText()).isEqualTo("pending");
                    assertThat(second.get("attempts").asInt()).isZero();

                    a.clock.advance(Duration.ofSeconds(301));
                    b.clock.advance(Duration.ofSeconds(301));
                    a.app.outbox().wake();
                    b.app.outbox().wake();
                    waitUntil(() -> receiver.received().size() >= 3, Duration.ofSeconds(20));
                    assertThat(acceptedPerEventId(receiver)).hasSize(2).containsValues(1, 1);
                }
            }
        }
    }

    private void twoNodesDeliverOnce(Map<String, Object> settings) throws Exception {
        Map<String, String> site;
        List<String> numbers = List.of("+74953440001", "+74953440002");
        try (Receiver receiver = new Receiver(n -> n <= 2 ? 500 : 200)) {
            try (TestServer a = new TestServer(dir.resolve("a"), settings)) {
                site = site(a, numbers);
                Reply hook = a.post("/v1/sites/" + site.get("siteId") + "/webhooks", site.get("apiKey"),
                        Map.of("url", receiver.url("/pg"), "events", List.of("call.started", "call.completed")));
                assertThat(hook.status()).isEqualTo(201);
            }
            try (TestServer a = new TestServer(dir.resolve("a"), settings); TestServer b = new TestServer(dir.resolve("b"), settings)) {
                for (int i = 0; i < 40; i++) {
                    TestServer node = i % 2 == 0 ? a : b;
                    callEvent(node, site, "pg-" + i, "ringing", numbers.get(i % 2));
                    callEvent(node, site, "pg-" + i, "completed", numbers.get(i % 2));
                }
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (acceptedPerEventId(receiver).size() < 80 && System.nanoTime() < until) {
                    a.clock.advance(Duration.ofSeconds(20)); // less than the lease: a clock that jumps past a live lease would hand it to the other node
                    b.clock.advance(Duration.ofSeconds(20));
                    a.app.outbox().wake();
                    b.app.outbox().wake();
                    Thread.sleep(50);
                }
                Map<String, Integer> accepted = acceptedPerEventId(receiver);
                assertThat(accepted).hasSize(80);
                assertThat(accepted.values()).containsOnly(1);
                assertThat(receiver.received()).hasSize(82); // 80 events, two refused attempts sent again
            }
        }
    }
}
