package io.ringpool.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit (session 37, Medium): five webhooks of one site whose receivers accept the request and never
 * answer took every sender thread (5 endpoints × 2 at once > 8 threads), and a healthy endpoint — of
 * another site, or of the same site — got its events minutes later, each sender waiting out the
 * request timeout. Real receivers on loopback, the default limits, a 4 s request timeout: the healthy
 * endpoint gets every event before the first hanging attempt has even timed out.
 */
class HangingEndpointsDoNotHoldBackOthersOverHttpTest {
    @TempDir
    Path dir;

    static final int TIMEOUT_SECONDS = 4;
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    static final Map<String, Object> SETTINGS = Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20,
            "outbound.timeoutSeconds", TIMEOUT_SECONDS, "outbound.leaseSeconds", TIMEOUT_SECONDS * 3);

    @Test
    void aHealthyEndpointOfAnotherSiteIsNotHeldBackByFiveHangingOnes() throws Exception {
        // the receivers close first: the hanging requests end, and so do the attempts the server waits for
        try (TestServer server = new TestServer(dir, SETTINGS); Receivers receivers = new Receivers()) {
            Map<String, String> hanging = server.siteWithPool(List.of("+74956670101"));
            for (int i = 1; i <= 5; i++) {
                webhook(server, hanging, receivers.hangingUrl(i));
            }
            Map<String, String> healthy = server.siteWithPool(List.of("+74956670201"));
            webhook(server, healthy, receivers.healthyUrl());

            for (int i = 1; i <= 6; i++) {
                call(server, hanging, "+74956670101", "hang-" + i);
            }
            receivers.awaitHanging(4);
            long firstHang = receivers.firstHangingAt();
            List<Long> acknowledged = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                call(server, healthy, "+74956670201", "ok-" + i);
                acknowledged.add(System.nanoTime());
            }

            receivers.awaitHealthy(8, firstHang + TIMEOUT_NANOS * 3);
            for (int i = 1; i <= 4; i++) {
                long arrived = receivers.healthyAt("ok-" + i, "call.completed");
                assertThat(arrived).as("call ok-%d's events reach the healthy site before the first hanging attempt times out", i)
                        .isLessThan(firstHang + TIMEOUT_NANOS);
                assertThat(TimeUnit.NANOSECONDS.toMillis(arrived - acknowledged.get(i - 1)))
                        .as("call ok-%d: ms from the acknowledgement to the healthy endpoint", i).isLessThan(TIMEOUT_SECONDS * 1000 / 4);
            }
            assertThat(receivers.hangingNow()).as("the hanging endpoints were being tried all along").isGreaterThanOrEqualTo(4);
        }
    }

    /**
     * The worker reads 200 due deliveries at a time, oldest first: a site's backlog for its hanging
     * endpoints (20 webhooks × 11 calls) is older than anything of another site and used to be all
     * it read. What cannot start now is left out of the read.
     */
    @Test
    void aBacklogForHangingEndpointsDoesNotHideAnotherSitesDeliveries() throws Exception {
        try (TestServer server = new TestServer(dir, SETTINGS); Receivers receivers = new Receivers()) {
            Map<String, String> hanging = server.siteWithPool(List.of("+74956670101"));
            for (int i = 1; i <= 20; i++) {
                webhook(server, hanging, receivers.hangingUrl(i));
            }
            Map<String, String> healthy = server.siteWithPool(List.of("+74956670201"));
            webhook(server, healthy, receivers.healthyUrl());
            for (int i = 1; i <= 11; i++) {
                call(server, hanging, "+74956670101", "backlog-" + i);
            }
            receivers.awaitHanging(4);
            long acknowledged = 0;
            for (int i = 1; i <= 2; i++) {
                call(server, healthy, "+74956670201", "ok-" + i);
                acknowledged = System.nanoTime();
            }
            receivers.awaitHealthy(4, acknowledged + TIMEOUT_NANOS * 3);
            assertThat(TimeUnit.NANOSECONDS.toMillis(receivers.healthyAt("ok-2", "call.completed") - acknowledged))
                    .as("ms from the acknowledgement to the healthy endpoint").isLessThan(TIMEOUT_SECONDS * 1000 / 4);
        }
    }

    @Test
    void aHealthyEndpointBesideFiveHangingOnesOfTheSameSiteGetsItsEventsBeforeTheFirstHangTimesOut() throws Exception {
        // the receivers close first: the hanging requests end, and so do the attempts the server waits for
        try (TestServer server = new TestServer(dir, SETTINGS); Receivers receivers = new Receivers()) {
            Map<String, String> site = server.siteWithPool(List.of("+74956670101"));
            for (int i = 1; i <= 5; i++) {
                webhook(server, site, receivers.hangingUrl(i));
            }
            webhook(server, site, receivers.healthyUrl()); // created last: its deliveries are the youngest of each call

            long start = System.nanoTime();
            for (int i = 1; i <= 6; i++) {
                call(server, site, "+74956670101", "mixed-" + i);
            }
            receivers.awaitHealthy(12, start + TIMEOUT_NANOS * 3);
            long firstHang = receivers.firstHangingAt();
            for (int i = 1; i <= 6; i++) {
                assertThat(receivers.healthyAt("mixed-" + i, "call.completed"))
                        .as("call mixed-%d's events reach the healthy endpoint before the first hanging attempt times out", i)
                        .isLessThan(firstHang + TIMEOUT_NANOS);
            }
            assertThat(receivers.hangingNow()).as("the hanging endpoints were being tried all along").isGreaterThanOrEqualTo(4);

            // What an operator sees meanwhile: the endpoints found slow, and the slow lane busy with them
            String metrics = server.get("/metrics", null).body();
            assertThat(metric(metrics, "ringpool_outbox_slow_endpoints")).isGreaterThanOrEqualTo(4);
            assertThat(metric(metrics, "ringpool_outbox_in_flight{lane=\"slow\"}")).as("outbound.slowThreads").isBetween(1.0, 2.0);
            assertThat(metrics).contains("ringpool_outbox_wait_seconds_count{lane=\"normal\"}");
        }
    }

    static double metric(String exposition, String series) {
        return exposition.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError(series + " is not exposed"));
    }

    static void webhook(TestServer server, Map<String, String> site, String url) {
        Reply created = server.post("/v1/sites/" + site.get("siteId") + "/webhooks", site.get("apiKey"),
                Map.of("url", url, "events", List.of("call.started", "call.completed")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
    }

    static void call(TestServer server, Map<String, String> site, String to, String callId) {
        for (String event : List.of("ringing", "answered", "completed")) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("callId", callId);
            e.put("event", event);
            e.put("from", "+79161234567");
            e.put("to", to);
            if (event.equals("completed")) {
                e.put("durationSeconds", 65);
                e.put("talkSeconds", 60);
            }
            String body = new String(Json.write(e), StandardCharsets.UTF_8);
            Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                    Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
    }

    /**
     * Receivers on loopback: {@code /hang/N} accepts the request and never answers (until the test
     * ends); {@code /ok} answers 200 at once and notes when each event arrived.
     */
    static final class Receivers implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService handlers = Executors.newCachedThreadPool();
        private final CountDownLatch released = new CountDownLatch(1);
        private final AtomicInteger hangingNow = new AtomicInteger();
        private final List<Long> hangingStarts = new ArrayList<>();
        /** "callId type" → when it reached /ok (nanoTime). */
        private final Map<String, Long> healthy = new ConcurrentHashMap<>();

        Receivers() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(handlers);
            server.createContext("/hang", exchange -> {
                try (InputStream in = exchange.getRequestBody()) {
                    in.readAllBytes();
                }
                synchronized (hangingStarts) {
                    hangingStarts.add(System.nanoTime());
                }
                hangingNow.incrementAndGet();
                try {
                    released.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    hangingNow.decrementAndGet();
                    exchange.close();
                }
            });
            server.createContext("/ok", exchange -> {
                long at = System.nanoTime();
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                var event = Json.MAPPER.readTree(body);
                healthy.putIfAbsent(event.at("/data/providerCallId").asText() + " " + event.get("type").asText(), at);
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
        }

        String hangingUrl(int n) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hang/" + n;
        }

        String healthyUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/ok";
        }

        int hangingNow() {
            return hangingNow.get();
        }

        long firstHangingAt() {
            synchronized (hangingStarts) {
                assertThat(hangingStarts).as("a hanging endpoint was tried").isNotEmpty();
                return hangingStarts.get(0);
            }
        }

        void awaitHanging(int atLeast) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (hangingNow.get() < atLeast && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertThat(hangingNow.get()).as("requests hanging at once").isGreaterThanOrEqualTo(atLeast);
        }

        void awaitHealthy(int events, long untilNanos) throws InterruptedException {
            while (healthy.size() < events && System.nanoTime() < untilNanos) {
                Thread.sleep(5);
            }
            assertThat(healthy.keySet()).as("events that reached the healthy endpoint").hasSize(events);
        }

        long healthyAt(String callId, String type) {
            Long at = healthy.get(callId + " " + type);
            assertThat(at).as("%s %s reached the healthy endpoint", callId, type).isNotNull();
            return at;
        }

        @Override
        public void close() {
            released.countDown();
            server.stop(0);
            handlers.shutdownNow();
        }
    }
}
