package io.ringpool.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session 37, audit findings 2 and 6: after an outage a webhook's failed deliveries could only be
 * retried one by one and only among the newest 500; a retried {@code call.started} left its
 * {@code call.completed}, given up while it waited behind it, failed (a call that never ends at the
 * receiver); a delivery waiting behind its call's earlier event showed a next attempt long past;
 * and an error read from a garbage answer kept its raw control bytes. Real receivers on loopback,
 * the day of failures passed on the test clock.
 */
class WebhookRecoveryOverHttpTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static int sites;

    @BeforeAll
    static void start() {
        server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Site(String id, String apiKey, String secret, List<String> numbers) {}

    static Site site() {
        sites++;
        List<String> numbers = List.of(String.format("+7495%03d0001", 300 + sites), String.format("+7495%03d0002", 300 + sites));
        Map<String, String> s = server.siteWithPool(numbers);
        return new Site(s.get("siteId"), s.get("apiKey"), s.get("webhookSecret"), numbers);
    }

    /** Moves the test clock in steps (so every retry comes due) until the condition holds. */
    static void advanceUntil(BooleanSupplier condition, Duration step, int maxSteps) {
        for (int i = 0; i < maxSteps && !condition.getAsBoolean(); i++) {
            server.clock.advance(step);
            server.app.outbox().wake();
            waitFor(condition, Duration.ofMillis(300));
        }
        assertThat(condition.getAsBoolean()).as("condition reached within %d steps of %s", maxSteps, step).isTrue();
    }

    /** Waits (real time) for work the worker is doing now; returns early when the condition holds. */
    static void waitFor(BooleanSupplier condition, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static JsonNode json(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void callEvent(Site site, String callId, String kind, String to) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", kind);
        e.put("from", "+79161234567");
        e.put("to", to);
        if (kind.equals("completed")) {
            e.put("talkSeconds", 40);
            e.put("durationSeconds", 45);
        }
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.id() + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.secret(), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    /** Creates a webhook; returns its path, {@code /v1/sites/{siteId}/webhooks/{webhookId}}. */
    static String webhook(Site site, String url, List<String> events) {
        Reply created = server.post("/v1/sites/" + site.id() + "/webhooks", site.apiKey(), Map.of("url", url, "events", events));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return "/v1/sites/" + site.id() + "/webhooks/" + created.text("webhookId");
    }

    static List<JsonNode> deliveries(Site site, String webhook, String query) {
        Reply r = server.get(webhook + "/deliveries" + query, site.apiKey());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return StreamSupport.stream(r.json().get("deliveries").spliterator(), false).toList();
    }

    static boolean enabled(Site site, String webhook) {
        return server.get(webhook, site.apiKey()).json().get("enabled").asBoolean();
    }

    /** The event types the receiver accepted (answered 2xx) for {@code callId}, in the order they came. */
    static List<String> acceptedTypes(Receiver receiver, String callId) {
        return receiver.received().stream().filter(r -> r.answered() / 100 == 2).map(r -> json(r.body()))
                .filter(j -> j.get("data").get("callId").asText().equals(callId)).map(j -> j.get("type").asText()).toList();
    }

    @Test
    void afterAnOutageOneBulkRetrySendsEveryFailedDeliveryAgainEachCallInOrderAndEnablesTheWebhook() throws Exception {
        Site site = site();
        try (Receiver receiver = new Receiver(n -> 503)) {
            String webhook = webhook(site, receiver.url("/outage"), List.of("call.started", "call.completed"));
            List<String> callIds = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                String to = site.numbers().get(i % 2);
                callEvent(site, "outage-" + i, "ringing", to);
                callEvent(site, "outage-" + i, "completed", to);
                callIds.add(deliveries(site, webhook, "?limit=1").get(0).get("subjectId").asText());
            }
            advanceUntil(() -> !enabled(site, webhook), Duration.ofHours(1), 40);
            List<JsonNode> failed = deliveries(site, webhook, "");
            assertThat(failed).hasSize(6).allSatisfy(d -> assertThat(d.get("state").asText()).isEqualTo("failed"));
            assertThat(failed).filteredOn(d -> d.get("type").asText().equals("call.completed"))
                    .as("given up while they waited behind their call's start").hasSize(3)
                    .allSatisfy(d -> assertThat(d.get("attempts").asInt()).isZero());
            // Audit AN2 F6: a call while the webhook is disabled was never queued, so the retry below
            // could not send it: the receiver's CRM lost every call of its outage's last days.
            int before = receiver.received().size();
            callEvent(site, "outage-4", "ringing", site.numbers().get(0));
            callEvent(site, "outage-4", "completed", site.numbers().get(0));
            List<JsonNode> whileDisabled = deliveries(site, webhook, "?limit=2");
            callIds.add(whileDisabled.get(0).get("subjectId").asText());
            assertThat(whileDisabled).as("kept, not sent").allSatisfy(d -> {
                assertThat(d.get("state").asText()).isEqualTo("failed");
                assertThat(d.get("attempts").asInt()).isZero();
                assertThat(d.get("lastError").asText()).startsWith("webhook disabled: every delivery failed for 24 h");
            });
            waitFor(() -> false, Duration.ofMillis(300));
            assertThat(receiver.received()).as("nothing is sent to a disabled webhook").hasSize(before);

            receiver.answer(n -> 200);
            Reply retried = server.post(webhook + "/deliveries/retry", site.apiKey(), null);
            assertThat(retried.status()).as(retried.body()).isEqualTo(202);
            assertThat(retried.json().get("queued").asInt()).isEqualTo(8);
            assertThat(retried.json().get("paused").asBoolean()).isFalse();
            assertThat(retried.text("webhookId")).isEqualTo(webhook.substring(webhook.lastIndexOf('/') + 1));
            assertThat(enabled(site, webhook)).as("a bulk retry says the receiver is fixed, as a single one does").isTrue();
            assertThat(server.get(webhook, site.apiKey()).json().get("paused").asBoolean()).as("outbound is not paused here").isFalse();

            waitFor(() -> receiver.received().stream().filter(r -> r.answered() == 200).count() >= 8, Duration.ofSeconds(20));
            for (String callId : callIds) {
                assertThat(acceptedTypes(receiver, callId)).as("events of %s, once each, in order", callId)
                        .containsExactly("call.started", "call.completed");
            }
            waitFor(() -> deliveries(site, webhook, "?state=delivered").size() == 8, Duration.ofSeconds(10));
            assertThat(deliveries(site, webhook, "?state=delivered")).hasSize(8);

            Reply nothingLeft = server.post(webhook + "/deliveries/retry", site.apiKey(), Map.of("state", "failed"));
            assertThat(nothingLeft.status()).as(nothingLeft.body()).isEqualTo(202);
            assertThat(nothingLeft.json().get("queued").asInt()).isZero();
        }
    }

    @Test
    void aBulkRetryRefusesWhatItCannotQueueNamingTheField() {
        Site site = site();
        String webhook = webhook(site, "http://127.0.0.1:9/never", List.of("call.started"));
        Reply delivered = server.post(webhook + "/deliveries/retry", site.apiKey(), Map.of("state", "delivered"));
        assertThat(delivered.status()).as(delivered.body()).isEqualTo(422);
        assertThat(delivered.json().get("error").get("field").asText()).isEqualTo("state");
        Reply since = server.post(webhook + "/deliveries/retry", site.apiKey(), Map.of("since", "yesterday"));
        assertThat(since.status()).as(since.body()).isEqualTo(422);
        assertThat(since.json().get("error").get("field").asText()).isEqualTo("since");
        Reply unknown = server.post(webhook + "/deliveries/retry", site.apiKey(), Map.of("status", "failed"));
        assertThat(unknown.status()).as(unknown.body()).isEqualTo(400);
        assertThat(unknown.json().get("error").get("field").asText()).isEqualTo("status");
        Reply otherSite = server.post(webhook + "/deliveries/retry", site().apiKey(), null);
        assertThat(otherSite.status()).as("another site's key: 404, as for any of this webhook's routes").isEqualTo(404);
    }

    @Test
    void retryingACallsStartAlsoSendsItsEndThatWasGivenUpWaitingBehindIt() throws Exception {
        Site site = site();
        try (Receiver receiver = new Receiver(n -> 503)) {
            String webhook = webhook(site, receiver.url("/down"), List.of("call.started", "call.completed"));
            callEvent(site, "stranded-1", "ringing", site.numbers().get(0));
            callEvent(site, "stranded-1", "completed", site.numbers().get(0));
            advanceUntil(() -> !enabled(site, webhook), Duration.ofHours(1), 40);
            List<JsonNode> log = deliveries(site, webhook, "");
            JsonNode completed = log.get(0);
            JsonNode started = log.get(1);
            assertThat(started.get("type").asText()).isEqualTo("call.started");
            assertThat(completed.get("type").asText()).isEqualTo("call.completed");
            assertThat(completed.get("state").asText()).isEqualTo("failed");
            assertThat(completed.get("attempts").asInt()).isZero();

            receiver.answer(n -> 200);
            Reply retried = server.post(webhook + "/deliveries/" + started.get("deliveryId").asText() + "/retry", site.apiKey(), null);
            assertThat(retried.status()).as(retried.body()).isEqualTo(202);
            assertThat(retried.text("state")).isEqualTo("pending");
            assertThat(retried.json().get("alsoQueued")).as("the call's end, queued with its start")
                    .containsExactly(completed.get("deliveryId"));
            assertThat(retried.json().get("paused").asBoolean()).isFalse();

            String callId = started.get("subjectId").asText();
            waitFor(() -> acceptedTypes(receiver, callId).size() >= 2, Duration.ofSeconds(20));
            assertThat(acceptedTypes(receiver, callId)).as("the receiver sees the call end").containsExactly("call.started",
                    "call.completed");
        }
    }

    /**
     * Session 38: retrying a failed {@code call.completed} queued only the call's later failed
     * events, so a receiver whose {@code call.started} had failed too got a call that ended
     * without ever starting. The retry now queues the earlier ones as well, and the receiver gets
     * the call's three events in the order they happened.
     */
    @Test
    void retryingACallsEndAlsoSendsItsFailedStartBeforeItAndItsFailedUpdateAfter() throws Exception {
        Site site = site();
        try (Receiver receiver = new Receiver(n -> 503)) {
            String webhook = webhook(site, receiver.url("/ends"), List.of("call.started", "call.completed", "call.updated"));
            callEvent(site, "unstarted-1", "ringing", site.numbers().get(0));
            callEvent(site, "unstarted-1", "completed", site.numbers().get(0));
            String callId = deliveries(site, webhook, "?limit=1").get(0).get("subjectId").asText();
            Reply patched = server.send("PATCH", "/v1/sites/" + site.id() + "/calls/" + callId, site.apiKey(), "{\"tags\":[\"sale\"]}",
                    "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            advanceUntil(() -> !enabled(site, webhook), Duration.ofHours(1), 40);

            List<JsonNode> log = deliveries(site, webhook, "");
            assertThat(log).extracting(d -> d.get("type").asText()).containsExactly("call.updated", "call.completed", "call.started");
            assertThat(log).allSatisfy(d -> assertThat(d.get("state").asText()).isEqualTo("failed"));
            JsonNode updated = log.get(0);
            JsonNode completed = log.get(1);
            JsonNode started = log.get(2);
            assertThat(started.get("attempts").asInt()).as("the start was tried and failed").isPositive();

            receiver.answer(n -> 200);
            Reply retried = server.post(webhook + "/deliveries/" + completed.get("deliveryId").asText() + "/retry", site.apiKey(), null);
            assertThat(retried.status()).as(retried.body()).isEqualTo(202);
            assertThat(retried.json().get("alsoQueued")).as("the call's failed start and update, oldest first")
                    .containsExactly(started.get("deliveryId"), updated.get("deliveryId"));

            waitFor(() -> acceptedTypes(receiver, callId).size() >= 3, Duration.ofSeconds(20));
            assertThat(acceptedTypes(receiver, callId)).as("the receiver gets the call in the order it happened")
                    .containsExactly("call.started", "call.completed", "call.updated");
            waitFor(() -> deliveries(site, webhook, "?state=delivered").size() == 3, Duration.ofSeconds(10));
            assertThat(deliveries(site, webhook, "?state=delivered")).hasSize(3);
        }
    }

    @Test
    void theDeliveryLogPagesWithACursorAndFiltersByState() throws Exception {
        Site site = site();
        try (Receiver receiver = new Receiver(n -> n <= 4 ? 200 : 503)) {
            String webhook = webhook(site, receiver.url("/pages"), List.of("call.started"));
            for (int i = 1; i <= 7; i++) {
                callEvent(site, "page-" + i, "ringing", site.numbers().get(i % 2));
                int sent = i;
                waitFor(() -> receiver.received().size() >= sent, Duration.ofSeconds(10)); // one at a time: a known order
            }
            List<JsonNode> all = deliveries(site, webhook, "");
            assertThat(all).hasSize(7);
            Reply whole = server.get(webhook + "/deliveries", site.apiKey());
            assertThat(whole.json().has("nextCursor")).isTrue();
            assertThat(whole.json().get("nextCursor").isNull()).as("one page holds them all").isTrue();

            List<String> paged = new ArrayList<>();
            List<Integer> sizes = new ArrayList<>();
            String cursor = null;
            do {
                Reply page = server.get(webhook + "/deliveries?limit=3" + (cursor == null ? "" : "&cursor="
                        + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), site.apiKey());
                assertThat(page.status()).as(page.body()).isEqualTo(200);
                page.json().get("deliveries").forEach(d -> paged.add(d.get("deliveryId").asText()));
                sizes.add(page.json().get("deliveries").size());
                cursor = page.json().get("nextCursor").isNull() ? null : page.json().get("nextCursor").asText();
            } while (cursor != null && sizes.size() < 10);
            assertThat(sizes).containsExactly(3, 3, 1);
            assertThat(paged).as("every delivery once, newest first, as one page shows them")
                    .isEqualTo(all.stream().map(d -> d.get("deliveryId").asText()).toList());

            List<JsonNode> delivered = deliveries(site, webhook, "?state=delivered");
            assertThat(delivered).hasSize(4).allSatisfy(d -> assertThat(d.get("state").asText()).isEqualTo("delivered"));
            assertThat(deliveries(site, webhook, "?state=pending")).hasSize(3)
                    .allSatisfy(d -> assertThat(d.get("state").asText()).isEqualTo("pending"));
            assertThat(deliveries(site, webhook, "?state=failed")).isEmpty();
            Reply firstDelivered = server.get(webhook + "/deliveries?state=delivered&limit=3", site.apiKey());
            Reply restDelivered = server.get(webhook + "/deliveries?state=delivered&limit=3&cursor="
                    + URLEncoder.encode(firstDelivered.text("nextCursor"), StandardCharsets.UTF_8), site.apiKey());
            assertThat(restDelivered.json().get("deliveries")).hasSize(1);
            assertThat(restDelivered.json().get("deliveries").get(0).get("deliveryId").asText())
                    .isEqualTo(delivered.get(3).get("deliveryId").asText());
            assertThat(restDelivered.json().get("nextCursor").isNull()).isTrue();

            Reply badState = server.get(webhook + "/deliveries?state=sent", site.apiKey());
            assertThat(badState.status()).as(badState.body()).isEqualTo(422);
            assertThat(badState.json().get("error").get("field").asText()).isEqualTo("state");
            Reply badCursor = server.get(webhook + "/deliveries?cursor=not-a-cursor", site.apiKey());
            assertThat(badCursor.status()).as(badCursor.body()).isEqualTo(422);
            assertThat(badCursor.json().get("error").get("field").asText()).isEqualTo("cursor");
        }
    }

    @Test
    void aDeliveryWaitingBehindItsCallsEarlierEventSaysWhatItWaitsForAndWhenItCanGo() throws Exception {
        Site site = site();
        try (Receiver receiver = new Receiver(n -> 503)) {
            String webhook = webhook(site, receiver.url("/slow"), List.of("call.started", "call.completed"));
            callEvent(site, "waiting-1", "ringing", site.numbers().get(0));
            waitFor(() -> !receiver.received().isEmpty(), Duration.ofSeconds(10));
            callEvent(site, "waiting-1", "completed", site.numbers().get(0));
            Instant completedAt = server.clock.instant();
            // The start fails again after the end was queued: its next attempt is now later than the end's own time.
            advanceUntil(() -> {
                JsonNode started = deliveries(site, webhook, "").get(1);
                return started.get("attempts").asInt() >= 2 && started.path("lastAttemptAt").isTextual()
                        && Instant.parse(started.get("lastAttemptAt").asText()).isAfter(completedAt);
            }, Duration.ofMinutes(5), 20);

            List<JsonNode> log = deliveries(site, webhook, "");
            JsonNode completed = log.get(0);
            JsonNode started = log.get(1);
            assertThat(completed.get("type").asText()).isEqualTo("call.completed");
            assertThat(completed.get("state").asText()).isEqualTo("pending");
            assertThat(completed.get("attempts").asInt()).isZero();
            assertThat(completed.get("waitingFor").asText()).isEqualTo(started.get("deliveryId").asText());
            assertThat(started.get("waitingFor").isNull()).isTrue();
            Instant startedNext = Instant.parse(started.get("nextAttemptAt").asText());
            assertThat(startedNext).isAfter(completedAt);
            assertThat(Instant.parse(completed.get("nextAttemptAt").asText())).as("not before the start it waits behind")
                    .isAfterOrEqualTo(startedNext);
        }
    }

    @Test
    void anErrorReadFromAGarbageAnswerIsRecordedWithoutItsControlCharacters() throws Exception {
        Site site = site();
        try (GarbageServer garbage = new GarbageServer()) {
            String webhook = webhook(site, "http://127.0.0.1:" + garbage.port() + "/hook", List.of("call.started"));
            callEvent(site, "garbage-1", "ringing", site.numbers().get(0));
            advanceUntil(() -> !enabled(site, webhook), Duration.ofHours(1), 40);

            String reason = server.get(webhook, site.apiKey()).json().get("disabledReason").asText();
            assertThat(reason).contains("not an HTTP/1.x response").contains("GARBAGE");
            assertThat(controlCharacters(reason)).as("disabledReason %s", reason).isZero();
            JsonNode delivery = deliveries(site, webhook, "").get(0);
            assertThat(controlCharacters(delivery.get("lastError").asText())).isZero();
            assertThat(delivery.get("log")).isNotEmpty().allSatisfy(a -> {
                assertThat(a.get("error").asText()).contains("GARBAGE");
                assertThat(controlCharacters(a.get("error").asText())).as("error %s", a.get("error")).isZero();
            });
        }
    }

    static long controlCharacters(String text) {
        return text.chars().filter(c -> c < 0x20 || c == 0x7F).count();
    }

    /** Answers every connection with bytes that are no HTTP response, then closes it. */
    static final class GarbageServer implements AutoCloseable {
        private final ServerSocket socket;
        private final Thread acceptor;

        GarbageServer() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = Thread.ofPlatform().daemon(true).start(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        drain(s);
                        OutputStream out = s.getOutputStream();
                        out.write(new byte[] {0, 1, 'G', 'A', 'R', 'B', 'A', 'G', 'E', '\r', '\n', '\r', '\n'});
                        out.flush();
                        s.shutdownOutput();
                        drain(s);
                    } catch (IOException e) {
                        // closed, or the client went away: the next connection is answered the same
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        /** Reads the request until the client pauses, so closing does not reset a connection with unread bytes. */
        private static void drain(Socket s) throws IOException {
            s.setSoTimeout(200);
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                while (in.read(buffer) >= 0) {
                    // the request is not looked at
                }
            } catch (java.net.SocketTimeoutException paused) {
                // all of it read
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            try {
                acceptor.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
