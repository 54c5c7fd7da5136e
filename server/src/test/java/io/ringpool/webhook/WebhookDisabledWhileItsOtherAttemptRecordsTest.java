package io.ringpool.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit C, "seen once": two webhooks auto-disabled in one clock jump each logged
 * {@code outbox_record_failed ... StoreException: database operation failed}. Each had two
 * deliveries failing at once (perTargetConcurrency 2), and the transactions recording them took the
 * same two rows in opposite orders: one updated its delivery, then the webhook; the other, having
 * updated the webhook and disabled it, gave up the webhook's pending deliveries, the first's among
 * them. The store rolled one back as a deadlock, and that attempt was never logged.
 *
 * <p>Here the first recording to reach the webhook's row is held there until the second has taken
 * its first lock (or gone as far as giving up the deliveries), which is exactly the interleaving;
 * both attempts must then be in the delivery log.
 */
class WebhookDisabledWhileItsOtherAttemptRecordsTest {
    @TempDir
    Path dir;

    /** Set once the clock has jumped: only the recordings of the last attempts are interleaved. */
    static volatile boolean armed;
    static final AtomicReference<Thread> first = new AtomicReference<>();
    static final CountDownLatch otherArrived = new CountDownLatch(1);

    /** Connections that interleave the two recordings, as described above; everything else goes through unchanged. */
    static DataSource interleaving(DataSource real) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object out = invoke(real, method, args);
                    return out instanceof Connection c ? interleaving(c) : out;
                });
    }

    static Connection interleaving(Connection real) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (armed && method.getName().equals("prepareStatement") && args[0] instanceof String sql) {
                        pace(sql);
                    }
                    return invoke(real, method, args);
                });
    }

    /** Threads that have asked for the webhook's row (its lock, or giving up its deliveries). */
    static final java.util.Set<Thread> atTheWebhooksLock = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static void pace(String sql) throws InterruptedException {
        if (sql.startsWith("UPDATE webhooks SET failing_since")) {
            if (first.compareAndSet(null, Thread.currentThread())) {
                // The other may have reached its lock already, before this one became the first.
                if (atTheWebhooksLock.stream().anyMatch(t -> t != Thread.currentThread())) {
                    otherArrived.countDown();
                }
                // Safety net only: with the lock order right, the other arrives at its lock and is let wait there.
                otherArrived.await(10, TimeUnit.SECONDS);
            }
        } else if (sql.startsWith("SELECT webhook_id FROM webhooks WHERE webhook_id = ? FOR UPDATE")
                || isGivingUpTheWebhooksDeliveries(sql)) {
            atTheWebhooksLock.add(Thread.currentThread());
            if (first.get() != null && first.get() != Thread.currentThread()) {
                otherArrived.countDown();
            }
        }
    }

    /**
     * The statement that gives up a disabled webhook's deliveries. The poller's expiry sweep begins
     * with the same words but is not a recording: counting it let the first recording go on before
     * the second had even been sent (CI, stop 43).
     */
    static boolean isGivingUpTheWebhooksDeliveries(String sql) {
        return sql.startsWith("UPDATE outbox_deliveries SET state = 'failed'") && sql.contains("WHERE target_id = ?");
    }

    static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void twoFailedAttemptsOfOneWebhookRecordedAtOnceAreBothLoggedWhenOneDisablesIt() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20,
                "outbound.perTargetConcurrency", 2), WebhookDisabledWhileItsOtherAttemptRecordsTest::interleaving);
                Receiver receiver = new Receiver(n -> 503)) {
            Map<String, String> site = server.siteWithPool(List.of("+74957770001", "+74957770002"));
            Reply created = server.post("/v1/sites/" + site.get("siteId") + "/webhooks", site.get("apiKey"),
                    Map.of("url", receiver.url("/down"), "events", List.of("call.started")));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String deliveries = "/v1/sites/" + site.get("siteId") + "/webhooks/" + created.text("webhookId") + "/deliveries";
            for (int i = 1; i <= 2; i++) {
                callStarted(server, site, "race-" + i, "+7495777000" + i);
            }
            waitFor(() -> attempts(server, deliveries, site).equals(List.of(1, 1)), Duration.ofSeconds(10));
            assertThat(attempts(server, deliveries, site)).as("each tried once").isEqualTo(List.of(1, 1));

            // A day later both are retried at once, both fail at their deadline, and each recording disables the webhook.
            armed = true;
            server.clock.advance(Duration.ofHours(25));
            server.app.outbox().wake();
            waitFor(() -> server.get(deliveries, site.get("apiKey")).json().get("deliveries").findValuesAsText("state")
                    .equals(List.of("failed", "failed")), Duration.ofSeconds(30));

            JsonNode hook = server.get("/v1/sites/" + site.get("siteId") + "/webhooks/" + created.text("webhookId"), site.get("apiKey"))
                    .json();
            assertThat(hook.get("enabled").asBoolean()).isFalse();
            assertThat(receiver.received()).as("both sent again").hasSize(4);
            assertThat(attempts(server, deliveries, site)).as("both second attempts are in the log").isEqualTo(List.of(2, 2));
        } finally {
            armed = false;
        }
    }

    static void callStarted(TestServer server, Map<String, String> site, String callId, String from) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", "ringing");
        e.put("from", from);
        e.put("to", callId.endsWith("1") ? "+74957770001" : "+74957770002");
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static List<Integer> attempts(TestServer server, String deliveries, Map<String, String> site) {
        List<Integer> out = new java.util.ArrayList<>();
        server.get(deliveries, site.get("apiKey")).json().get("deliveries").forEach(d -> out.add(d.get("log").size()));
        return out;
    }

    /** Waits (real time) for the worker's threads; returns as soon as the condition holds. */
    static void waitFor(BooleanSupplier condition, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}
