package io.ringpool.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import io.ringpool.store.TestPostgres;
import io.ringpool.webhook.Receiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AI2 #6: a call whose final event never arrives (a hang-up callback lost while Ringpool
 * restarted; Twilio does not retry status callbacks) stayed {@code answered} for ever: no
 * {@code call.completed}, no upload. Ringpool now closes it six hours after the last event it
 * received, with an honest end ({@code endUnknown: true}, talk and duration unknown), and sends it
 * the normal way; the provider's end, if it comes after all, corrects it as {@code call.updated}.
 */
class CallWhoseEndNeverCameOverHttpTest {
    @TempDir
    Path dir;

    static final Instant T0 = Instant.parse("2027-03-02T07:00:00Z");
    static final String SECRET_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    PlatformDouble platform;
    Receiver receiver;

    @BeforeEach
    void platforms() throws Exception {
        platform = new PlatformDouble();
        receiver = new Receiver(n -> 200);
    }

    @AfterEach
    void stopPlatforms() {
        platform.close();
        receiver.close();
    }

    @Test
    void anAnsweredCallWhoseEndNeverCameIsClosedAfterSixHoursOfSilenceAndSentOnce() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20),
                Clock.fixed(T0, ZoneOffset.UTC))) {
            Map<String, String> site = server.siteWithPool(List.of("+74956680001"));
            String metrica = endpoints(server, site);
            String number = visit(server, site, "noend");
            event(server, site, "noend-1", "ringing", number, null);
            event(server, site, "noend-1", "answered", number, null);
            String callId = callId(server, site);
            Instant answeredAt = server.clock.instant();

            server.clock.advance(Duration.ofHours(6).minusMinutes(1));
            server.app.applyRetention();
            assertThat(call(server, site, callId).get("status").asText()).as("six hours have not passed").isEqualTo("answered");

            server.clock.advance(Duration.ofMinutes(2));
            server.app.applyRetention();
            JsonNode closed = call(server, site, callId);
            assertThat(closed.get("status").asText()).as("answered, then over: completed").isEqualTo("completed");
            assertThat(closed.get("endUnknown").asBoolean()).isTrue();
            assertThat(closed.get("talkSeconds").isNull()).as("not made up").isTrue();
            assertThat(closed.get("durationSeconds").isNull()).isTrue();
            assertThat(closed.get("endedAt").asText()).as("the last time heard of").isEqualTo(answeredAt.toString());

            server.app.outbox().wake();
            await(() -> types(receiver).contains("call.completed"));
            await(() -> metrica(server, site, metrica).size() == 1
                    && metrica(server, site, metrica).get(0).get("status").asText().equals("sent"));
            JsonNode completed = body(receiver, "call.completed");
            assertThat(completed.get("data").get("endUnknown").asBoolean()).isTrue();

            // The next rounds find nothing to close; the provider's end, late, corrects the call once.
            server.clock.advance(Duration.ofHours(2));
            server.app.applyRetention();
            event(server, site, "noend-1", "completed", number, 75);
            server.app.outbox().wake();
            await(() -> types(receiver).contains("call.updated"));
            JsonNode corrected = call(server, site, callId);
            assertThat(corrected.get("status").asText()).isEqualTo("completed");
            assertThat(corrected.get("endUnknown").asBoolean()).isFalse();
            assertThat(corrected.get("talkSeconds").asInt()).isEqualTo(75);
            JsonNode updated = body(receiver, "call.updated");
            List<String> changes = new ArrayList<>();
            updated.get("changes").forEach(c -> changes.add(c.asText()));
            assertThat(changes).contains("endedAt", "talkSeconds", "endUnknown");
            server.clock.advance(Duration.ofHours(7));
            server.app.applyRetention();
            server.app.outbox().deliverDueNow();
            assertThat(types(receiver)).as("one call.completed, whatever came after")
                    .containsExactly("call.started", "call.completed", "call.updated");
            assertThat(platform.seen().stream().filter(s -> s.path().contains("upload_calls")).count())
                    .as("Metrica's calls upload took the call once").isEqualTo(1);
        }
    }

    @Test
    void aCallOnlyEverRingingIsClosedMissedAndALateAnswerStillCounts() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20),
                Clock.fixed(T0, ZoneOffset.UTC))) {
            Map<String, String> site = server.siteWithPool(List.of("+74956680002"));
            String number = visit(server, site, "ringonly");
            // Only Ringpool files an unknown end: a provider cannot send one.
            String forged = new String(Json.write(generic("ring-1", "end_unknown", number, null)), StandardCharsets.UTF_8);
            Reply refused = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, forged, "application/json",
                    Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), forged)));
            assertThat(refused.status()).as(refused.body()).isEqualTo(422);
            event(server, site, "ring-1", "ringing", number, null);
            String callId = callId(server, site);

            server.clock.advance(Duration.ofHours(6).plusMinutes(1));
            server.app.applyRetention();
            JsonNode closed = call(server, site, callId);
            assertThat(closed.get("status").asText()).isEqualTo("missed");
            assertThat(closed.get("endUnknown").asBoolean()).isTrue();
            assertThat(closed.get("talkSeconds").isNull()).isTrue();
            Reply missed = server.get("/v1/sites/" + site.get("siteId") + "/calls?status=missed", site.get("apiKey"));
            assertThat(missed.json().get("calls")).hasSize(1);

            // The answer comes after all (a provider's retry): timed after the last event, it still counts.
            Map<String, Object> answered = generic("ring-1", "answered", number, null);
            answered.put("at", T0.plusSeconds(20).toString());
            post(server, site, answered);
            JsonNode after = call(server, site, callId);
            assertThat(after.get("status").asText()).isEqualTo("completed");
            assertThat(after.get("endUnknown").asBoolean()).as("still no end reported").isTrue();
            assertThat(after.get("endedAt").asText()).isEqualTo(T0.plusSeconds(20).toString());
        }
    }

    /** Two nodes run the hourly round at once on one PostgreSQL database: each call is closed, and announced, once. */
    @Test
    void twoNodesClosingAtOnceOnPostgresCloseEachCallOnce() throws Exception {
        try (TestPostgres pg = TestPostgres.create("rp_unended_")) {
            Map<String, Object> settings = new HashMap<>(pg.storeSettings());
            settings.putAll(Map.of("security.secretKey", SECRET_KEY, "outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 10));
            List<String> numbers = List.of("+74956690001", "+74956690002", "+74956690003", "+74956690004");
            Map<String, String> site;
            try (TestServer a = new TestServer(dir.resolve("a"), settings, Clock.fixed(T0, ZoneOffset.UTC))) {
                site = a.siteWithPool(numbers);
                Reply hook = a.post("/v1/sites/" + site.get("siteId") + "/webhooks", site.get("apiKey"),
                        Map.of("url", receiver.url("/pg"), "events", List.of("call.completed")));
                assertThat(hook.status()).as(hook.body()).isEqualTo(201);
                for (int i = 0; i < 12; i++) {
                    event(a, site, "pg-open-" + i, "answered", numbers.get(i % numbers.size()), null);
                }
            }
            try (TestServer a = new TestServer(dir.resolve("a"), settings, Clock.fixed(T0, ZoneOffset.UTC));
                    TestServer b = new TestServer(dir.resolve("b"), settings, Clock.fixed(T0, ZoneOffset.UTC))) {
                a.clock.advance(Duration.ofHours(7));
                b.clock.advance(Duration.ofHours(7));
                ExecutorService both = Executors.newFixedThreadPool(2);
                List<Future<?>> rounds = List.of(both.submit(a.app::applyRetention), both.submit(b.app::applyRetention));
                for (Future<?> f : rounds) {
                    f.get(60, TimeUnit.SECONDS);
                }
                both.shutdown();
                assertThat(a.count("SELECT COUNT(*) FROM calls WHERE site_id = ? AND status = 'completed' AND end_unknown",
                        site.get("siteId"))).isEqualTo(12);
                a.app.outbox().wake();
                b.app.outbox().wake();
                await(() -> receiver.received().size() >= 12);
                Thread.sleep(300); // a second copy, were one queued, would be due as soon as the first
                a.app.outbox().deliverDueNow();
                b.app.outbox().deliverDueNow();
                assertThat(receiver.received()).as("one call.completed per call").hasSize(12);
                assertThat(a.count("SELECT COUNT(*) FROM outbox_events WHERE site_id = ? AND type = 'call.completed'",
                        site.get("siteId"))).isEqualTo(12);
            }
        }
    }

    /** A webhook for every event and a Metrica calls destination (it takes a call at once); returns the destination's path. */
    private String endpoints(TestServer server, Map<String, String> site) {
        Reply hook = server.post("/v1/sites/" + site.get("siteId") + "/webhooks", site.get("apiKey"),
                Map.of("url", receiver.url("/noend")));
        assertThat(hook.status()).as(hook.body()).isEqualTo(201);
        Reply d = server.post("/v1/sites/" + site.get("siteId") + "/destinations", site.get("apiKey"),
                Map.of("type", "yandex-metrica-calls", "counterId", "11111111", "oauthToken", PlatformDouble.YANDEX_TOKEN,
                        "baseUrl", platform.base()));
        assertThat(d.status()).as(d.body()).isEqualTo(201);
        return "/v1/sites/" + site.get("siteId") + "/destinations/" + d.text("destinationId");
    }

    private static String visit(TestServer server, Map<String, String> site, String visitor) {
        Map<String, Object> session = new LinkedHashMap<>();
        session.put("siteKey", site.get("publicKey"));
        session.put("visitorId", "visitor-" + visitor);
        session.put("url", "https://example.com/?utm_source=google&utm_medium=cpc&gclid=Cj0KCQ-noend-gclid");
        session.put("clientIds", Map.of("ym", "1700000000123456789"));
        Reply s = server.send("POST", "/v1/sessions", null, new String(Json.write(session), StandardCharsets.UTF_8), "application/json",
                Map.of("User-Agent", TestServer.CHROME));
        assertThat(s.status()).as(s.body()).isEqualTo(201);
        return s.text("number");
    }

    private static Map<String, Object> generic(String callId, String kind, String to, Integer talk) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", kind);
        e.put("from", "+79165550099");
        e.put("to", to);
        if (talk != null) {
            e.put("talkSeconds", talk);
            e.put("durationSeconds", talk + 10);
        }
        return e;
    }

    private static void event(TestServer server, Map<String, String> site, String callId, String kind, String to, Integer talk) {
        post(server, site, generic(callId, kind, to, talk));
    }

    private static void post(TestServer server, Map<String, String> site, Map<String, Object> event) {
        String body = new String(Json.write(event), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    private static String callId(TestServer server, Map<String, String> site) {
        JsonNode calls = server.get("/v1/sites/" + site.get("siteId") + "/calls", site.get("apiKey")).json().get("calls");
        assertThat(calls).hasSize(1);
        return calls.get(0).get("callId").asText();
    }

    private static JsonNode call(TestServer server, Map<String, String> site, String callId) {
        Reply r = server.get("/v1/sites/" + site.get("siteId") + "/calls/" + callId, site.get("apiKey"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode metrica(TestServer server, Map<String, String> site, String destination) {
        return server.get(destination + "/uploads", site.get("apiKey")).json().get("uploads");
    }

    private static List<String> types(Receiver receiver) {
        List<String> out = new ArrayList<>();
        for (Receiver.Received r : receiver.received()) {
            out.add(r.header("x-ringpool-event-type"));
        }
        return out;
    }

    private static JsonNode body(Receiver receiver, String type) throws Exception {
        for (Receiver.Received r : receiver.received()) {
            if (type.equals(r.header("x-ringpool-event-type"))) {
                return Json.MAPPER.readTree(r.body());
            }
        }
        throw new AssertionError("no " + type + " in " + types(receiver));
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).as("condition reached").isTrue();
    }
}
