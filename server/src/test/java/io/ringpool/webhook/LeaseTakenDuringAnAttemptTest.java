package io.ringpool.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.store.TestPostgres;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit F #1: a delivery whose lease was taken away while its attempt was in flight — a manual
 * retry, or the webhook auto-disabled by another delivery's failure — was logged as attempt
 * {@code attempts + 1} without its count moving; every later recording then collided with that
 * logged number and rolled back, and the receiver got the event every lease (about 30 s) for ever,
 * past the 24-hour deadline, answering 200 each time while the delivery stayed {@code pending}.
 */
class LeaseTakenDuringAnAttemptTest {
    @TempDir
    Path dir;

    static final Map<String, Object> OUTBOUND = Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20);

    @Test
    void aRetryAskedForWhileTheAttemptIsInFlightIsAnsweredByThatAttemptsSuccess() throws Exception {
        retryDuringASucceedingAttempt(OUTBOUND);
    }

    @Test
    void aRetryAskedForWhileTheAttemptIsInFlightIsAnsweredByThatAttemptsSuccessOnPostgres() throws Exception {
        try (TestPostgres pg = TestPostgres.create("rp_lease_taken_")) {
            retryDuringASucceedingAttempt(onPostgres(pg));
        }
    }

    @Test
    void aRetryAskedForWhileAFailingAttemptIsInFlightSendsItAgainAndBothAttemptsAreLogged() throws Exception {
        retryDuringAFailingAttempt(OUTBOUND);
    }

    @Test
    void aRetryAskedForWhileAFailingAttemptIsInFlightSendsItAgainAndBothAttemptsAreLoggedOnPostgres() throws Exception {
        try (TestPostgres pg = TestPostgres.create("rp_lease_taken_")) {
            retryDuringAFailingAttempt(onPostgres(pg));
        }
    }

    static Map<String, Object> onPostgres(TestPostgres pg) {
        Map<String, Object> settings = new HashMap<>(pg.storeSettings());
        settings.putAll(OUTBOUND);
        settings.put("security.secretKey", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        return settings;
    }

    void retryDuringASucceedingAttempt(Map<String, Object> settings) throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (TestServer server = new TestServer(dir, settings);
                Receiver receiver = new Receiver(n -> {
                    if (n == 1) {
                        arrived.countDown();
                        await(release);
                    }
                    return 200;
                })) {
            Hook hook = hook(server, receiver);
            WebhookDisabledWhileItsOtherAttemptRecordsTest.callStarted(server, hook.site(), "inflight-1", "+74957770001");
            assertThat(arrived.await(10, TimeUnit.SECONDS)).as("attempt 1 reached the receiver").isTrue();
            String deliveryId = only(deliveries(server, hook)).get("deliveryId").asText();

            Reply retry = server.post(hook.path() + "/deliveries/" + deliveryId + "/retry", hook.site().get("apiKey"), null);
            assertThat(retry.status()).as(retry.body()).isEqualTo(202);
            release.countDown();

            waitFor(() -> "delivered".equals(only(deliveries(server, hook)).get("state").asText()), Duration.ofSeconds(10));
            JsonNode d = only(deliveries(server, hook));
            assertThat(d.get("state").asText()).isEqualTo("delivered");
            assertThat(d.get("attempts").asInt()).isEqualTo(1);
            assertThat(statuses(d)).containsExactly(200);

            // Neither a lease later nor a day later is it sent again.
            for (Duration step : List.of(Duration.ofMinutes(2), Duration.ofHours(25))) {
                server.clock.advance(step);
                server.app.outbox().deliverDueNow();
            }
            assertThat(receiver.received()).as("sent once").hasSize(1);
            assertThat(only(deliveries(server, hook)).get("state").asText()).isEqualTo("delivered");
        }
    }

    void retryDuringAFailingAttempt(Map<String, Object> settings) throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (TestServer server = new TestServer(dir, settings);
                Receiver receiver = new Receiver(n -> {
                    if (n == 1) {
                        arrived.countDown();
                        await(release);
                        return 503;
                    }
                    return 200;
                })) {
            Hook hook = hook(server, receiver);
            WebhookDisabledWhileItsOtherAttemptRecordsTest.callStarted(server, hook.site(), "inflight-2", "+74957770001");
            assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
            String deliveryId = only(deliveries(server, hook)).get("deliveryId").asText();

            assertThat(server.post(hook.path() + "/deliveries/" + deliveryId + "/retry", hook.site().get("apiKey"), null).status())
                    .isEqualTo(202);
            release.countDown();

            // The retry asked for "now": no backoff after the failed attempt.
            waitFor(() -> "delivered".equals(only(deliveries(server, hook)).get("state").asText()), Duration.ofSeconds(10));
            JsonNode d = only(deliveries(server, hook));
            assertThat(d.get("state").asText()).isEqualTo("delivered");
            assertThat(d.get("attempts").asInt()).isEqualTo(2);
            assertThat(statuses(d)).containsExactly(503, 200);
            server.clock.advance(Duration.ofHours(25));
            server.app.outbox().deliverDueNow();
            assertThat(receiver.received()).hasSize(2);
        }
    }

    /**
     * The audit's second path: two deliveries failing at once (perTargetConcurrency 2); the other's
     * last failure disables the webhook and gives up this one while its own last attempt is in
     * flight; the documented manual retry after the receiver is fixed must then deliver it, once.
     */
    @Test
    void aDeliveryGivenUpByAnAutoDisableDuringItsLastAttemptIsDeliveredOnceByTheManualRetry() throws Exception {
        CountDownLatch slowArrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20,
                "outbound.perTargetConcurrency", 2));
                Receiver receiver = new Receiver(n -> 503)) {
            Hook hook = hook(server, receiver);
            for (int i = 1; i <= 2; i++) {
                WebhookDisabledWhileItsOtherAttemptRecordsTest.callStarted(server, hook.site(), "race-" + i, "+7495777000" + i);
            }
            waitFor(() -> logSizes(server, hook).equals(List.of(1, 1)), Duration.ofSeconds(10));
            assertThat(logSizes(server, hook)).isEqualTo(List.of(1, 1));

            // A day later both are tried for the last time: the first to arrive hangs until the
            // webhook is disabled; the second fails (after the first arrived) and disables it.
            receiver.answer(n -> {
                if (n == 3) {
                    slowArrived.countDown();
                    await(release);
                } else if (n == 4) {
                    await(slowArrived);
                }
                return 503;
            });
            server.clock.advance(Duration.ofHours(25));
            server.app.outbox().wake();
            waitFor(() -> !server.get(hook.path(), hook.site().get("apiKey")).json().get("enabled").asBoolean(), Duration.ofSeconds(10));
            assertThat(server.get(hook.path(), hook.site().get("apiKey")).json().get("enabled").asBoolean()).isFalse();
            release.countDown();
            waitFor(() -> receiver.received().size() == 4, Duration.ofSeconds(10));
            String slowEvent = receiverEventId(receiver, 3);
            waitFor(() -> logSizes(server, hook).equals(List.of(2, 2)), Duration.ofSeconds(10));
            JsonNode slow = byEvent(deliveries(server, hook), slowEvent);
            assertThat(slow.get("state").asText()).isEqualTo("failed");
            assertThat(slow.get("attempts").asInt()).as("the count keeps up with the log").isEqualTo(2);
            assertThat(slow.get("lastError").asText()).startsWith("webhook disabled");

            receiver.answer(n -> 200);
            Reply retry = server.post(hook.path() + "/deliveries/" + slow.get("deliveryId").asText() + "/retry",
                    hook.site().get("apiKey"), null);
            assertThat(retry.status()).as(retry.body()).isEqualTo(202);
            waitFor(() -> "delivered".equals(byEvent(deliveries(server, hook), slowEvent).get("state").asText()), Duration.ofSeconds(10));
            JsonNode after = byEvent(deliveries(server, hook), slowEvent);
            assertThat(after.get("state").asText()).isEqualTo("delivered");
            assertThat(statuses(after)).containsExactly(503, 503, 200);

            int sent = receiver.received().size();
            for (int i = 0; i < 3; i++) {
                server.clock.advance(Duration.ofMinutes(1));
                server.app.outbox().deliverDueNow();
            }
            assertThat(receiver.received()).as("not sent again").hasSize(sent);
        }
    }

    /** Set while the delivery log refuses every write: each attempt is sent and never recorded. */
    static volatile boolean logBroken;

    static DataSource logThatCannotBeWritten(DataSource real) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object out = WebhookDisabledWhileItsOtherAttemptRecordsTest.invoke(real, method, args);
                    return out instanceof Connection c ? logThatCannotBeWritten(c) : out;
                });
    }

    static Connection logThatCannotBeWritten(Connection real) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (logBroken && method.getName().equals("prepareStatement") && args[0] instanceof String sql
                            && sql.startsWith("INSERT INTO outbox_attempts")) {
                        throw new SQLException("delivery log unavailable (test)");
                    }
                    return WebhookDisabledWhileItsOtherAttemptRecordsTest.invoke(real, method, args);
                });
    }

    @Test
    void aDeliveryWhoseAttemptsCannotBeRecordedEndsAtItsDeadlineAllTheSame() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20),
                LeaseTakenDuringAnAttemptTest::logThatCannotBeWritten);
                Receiver receiver = new Receiver(n -> 200)) {
            logBroken = true;
            Hook hook = hook(server, receiver);
            WebhookDisabledWhileItsOtherAttemptRecordsTest.callStarted(server, hook.site(), "unrecorded-1", "+74957770001");
            waitFor(() -> receiver.received().size() == 1, Duration.ofSeconds(10));
            // Unrecorded, it is sent again each time its lease lapses: at least once.
            server.clock.advance(Duration.ofMinutes(2));
            server.app.outbox().deliverDueNow();
            waitFor(() -> receiver.received().size() == 2, Duration.ofSeconds(10));
            assertThat(receiver.received()).hasSize(2);

            // Past the deadline: one last attempt, then given up for good.
            for (int i = 0; i < 6; i++) {
                server.clock.advance(i == 0 ? Duration.ofHours(24) : Duration.ofMinutes(2));
                server.app.outbox().deliverDueNow();
                if (i == 0) {
                    waitFor(() -> receiver.received().size() == 3, Duration.ofSeconds(10));
                }
            }
            assertThat(receiver.received()).hasSize(3);
            JsonNode d = only(deliveries(server, hook));
            assertThat(d.get("state").asText()).isEqualTo("failed");
            assertThat(d.get("lastError").asText()).contains("retry window ended");
        } finally {
            logBroken = false;
        }
    }

    record Hook(Map<String, String> site, String path) {}

    static Hook hook(TestServer server, Receiver receiver) {
        Map<String, String> site = server.siteWithPool(List.of("+74957770001", "+74957770002"));
        Reply created = server.post("/v1/sites/" + site.get("siteId") + "/webhooks", site.get("apiKey"),
                Map.of("url", receiver.url("/hook"), "events", List.of("call.started")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return new Hook(site, "/v1/sites/" + site.get("siteId") + "/webhooks/" + created.text("webhookId"));
    }

    static JsonNode deliveries(TestServer server, Hook hook) {
        return server.get(hook.path() + "/deliveries", hook.site().get("apiKey")).json().get("deliveries");
    }

    static JsonNode only(JsonNode deliveries) {
        assertThat(deliveries).hasSize(1);
        return deliveries.get(0);
    }

    static JsonNode byEvent(JsonNode deliveries, String eventId) {
        for (JsonNode d : deliveries) {
            if (d.get("eventId").asText().equals(eventId)) {
                return d;
            }
        }
        throw new AssertionError("no delivery of " + eventId + " in " + deliveries);
    }

    static List<Integer> statuses(JsonNode delivery) {
        List<Integer> out = new ArrayList<>();
        delivery.get("log").forEach(a -> out.add(a.path("responseCode").asInt()));
        return out;
    }

    static List<Integer> logSizes(TestServer server, Hook hook) {
        List<Integer> out = new ArrayList<>();
        deliveries(server, hook).forEach(d -> out.add(d.get("log").size()));
        return out;
    }

    static String receiverEventId(Receiver receiver, int n) {
        return receiver.received().stream().filter(r -> r.n() == n).findFirst().orElseThrow().header("x-ringpool-event-id");
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await(8, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void waitFor(BooleanSupplier condition, Duration atMost) throws InterruptedException {
        WebhookDisabledWhileItsOtherAttemptRecordsTest.waitFor(condition, atMost);
    }
}
