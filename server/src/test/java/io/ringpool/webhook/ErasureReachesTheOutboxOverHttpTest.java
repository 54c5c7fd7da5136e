package io.ringpool.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Erasing a caller or a contact also erases them from what waits to leave and from what already
 * left: queued events go out without them, delivered events redelivered carry no trace of them,
 * and neither the delivery log nor the upload log shows their phone or e-mail.
 */
class ErasureReachesTheOutboxOverHttpTest {
    static final String CALLER = "+79165550909";
    static final String LEAD_PHONE = "+79165557070";
    static final String EMAIL = "forget.me@example.com";
    static final String NAME = "Maria Forgetme";
    /** The caller's browser, as their visit reported it: erased with them (audit AI2 #3). */
    static final String YM_CLIENT_ID = "1700000000123456789";
    /** The client id GA4 is sent: the visit's _ga cookie without its "GA1.1." prefix. */
    static final String GA_CLIENT_ID = "987654321.1711111111";
    static final String LANDING = "https://example.com/?utm_source=yandex&utm_medium=cpc&yclid=98765432101";

    @TempDir
    static Path dir;

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static void assertNoTrace(String what, String text) {
        assertThat(text).as(what).doesNotContain(CALLER).doesNotContain(CALLER.substring(1)).doesNotContain(LEAD_PHONE)
                .doesNotContain(LEAD_PHONE.substring(1)).doesNotContainIgnoringCase(EMAIL).doesNotContain(NAME)
                .doesNotContain(YM_CLIENT_ID);
    }

    /** An event about the erased caller's call carries neither the landing page nor the referrer nor client ids, as the call does. */
    static void assertNoVisitCopies(String what, String body) {
        JsonNode data = json(body).get("data");
        if (data.has("callId")) {
            JsonNode attribution = data.get("attribution");
            assertThat(attribution.get("landingPage").isNull()).as(what + " landingPage: " + body).isTrue();
            assertThat(attribution.get("referrer").isNull()).as(what + " referrer").isTrue();
            assertThat(attribution.get("clientIds").isEmpty()).as(what + " clientIds").isTrue();
            assertThat(attribution.get("yclid").asText()).as(what + ": click ids stay, as on the call").isEqualTo("98765432101");
        }
    }

    @Test
    void erasingACallerAndAContactScrubsQueuedAndDeliveredEventsAndTheLogs() throws Exception {
        Map<String, String> s = server.siteWithPool(List.of("+74956660001"));
        String siteId = s.get("siteId");
        String apiKey = s.get("apiKey");
        String sitePath = "/v1/sites/" + siteId;
        try (Receiver ok = new Receiver(n -> 200); Receiver down = new Receiver(n -> 503)) {
            // A receiver that echoes the caller back puts the number into the delivery log.
            ok.answerWith(("{\"received\":\"" + CALLER + "\"}").getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "application/json"));
            Reply okHook = server.post(sitePath + "/webhooks", apiKey, Map.of("url", ok.url("/ok")));
            Reply downHook = server.post(sitePath + "/webhooks", apiKey, Map.of("url", down.url("/down")));
            assertThat(okHook.status()).as(okHook.body()).isEqualTo(201);
            assertThat(downHook.status()).as(downHook.body()).isEqualTo(201);
            Reply dest = server.post(sitePath + "/destinations", apiKey, Map.of("type", "yandex-metrica-calls", "counterId", "44444444",
                    "oauthToken", "y0_erasure-token", "baseUrl", ok.url(""), "dryRun", true));
            assertThat(dest.status()).as(dest.body()).isEqualTo(201);
            Reply ga4 = server.post(sitePath + "/destinations", apiKey, Map.of("type", "ga4", "measurementId", "G-ERASE1234",
                    "apiSecret", "erase-secret-0123456789", "baseUrl", ok.url(""), "dryRun", true));
            assertThat(ga4.status()).as(ga4.body()).isEqualTo(201);
            String ga4Uploads = sitePath + "/destinations/" + ga4.text("destinationId") + "/uploads";

            visitAndCall(server, s, "erase-call-1", CALLER);
            Reply lead = server.post(sitePath + "/leads", apiKey, Map.of("externalId", "crm-erase-1", "kind", "form",
                    "phone", LEAD_PHONE, "email", EMAIL, "name", NAME));
            assertThat(lead.status()).as(lead.body()).isEqualTo(201);

            waitUntil(server, () -> ok.received().size() >= 3);
            waitUntil(server, () -> server.get(sitePath + "/destinations/" + dest.text("destinationId") + "/uploads", apiKey).body()
                    .contains(CALLER));
            server.app.outbox().deliverDueNow();
            String okDeliveries = server.get(sitePath + "/webhooks/" + okHook.text("webhookId") + "/deliveries", apiKey).body();
            String uploads = server.get(sitePath + "/destinations/" + dest.text("destinationId") + "/uploads", apiKey).body();
            assertThat(okDeliveries).as("the echo is logged before erasure").contains(CALLER);
            assertThat(uploads).as("the dry-run upload names the caller before erasure").contains(CALLER);
            assertThat(uploads).as("and their Metrica client id").contains(YM_CLIENT_ID);
            waitUntil(server, () -> server.get(ga4Uploads, apiKey).body().contains(GA_CLIENT_ID));
            assertThat(down.received()).anySatisfy(r -> assertThat(r.body()).contains(YM_CLIENT_ID).contains("yclid=98765432101"));
            assertThat(ok.received()).anySatisfy(r -> assertThat(r.body()).contains(EMAIL));
            assertThat(down.received()).isNotEmpty();

            assertThat(server.send("DELETE", sitePath + "/callers/%2B" + CALLER.substring(1), apiKey, null, null, Map.of()).status())
                    .isIn(200, 204);
            assertThat(server.send("DELETE", sitePath + "/contacts/" + EMAIL, apiKey, null, null, Map.of()).status()).isEqualTo(200);

            assertNoTrace("delivery log", server.get(sitePath + "/webhooks/" + okHook.text("webhookId") + "/deliveries", apiKey).body());
            assertNoTrace("upload log", server.get(sitePath + "/destinations/" + dest.text("destinationId") + "/uploads", apiKey).body());
            assertThat(server.get(ga4Uploads, apiKey).body()).as("GA4's upload log, which holds the _ga cookie without its GA1.1. "
                    + "prefix (audit AJ2 #1)").doesNotContain(GA_CLIENT_ID);

            // Delivered events, sent again, carry no trace of the person.
            int before = ok.received().size();
            JsonNode delivered = server.get(sitePath + "/webhooks/" + okHook.text("webhookId") + "/deliveries", apiKey).json()
                    .get("deliveries");
            for (JsonNode d : delivered) {
                assertThat(server.post(sitePath + "/webhooks/" + okHook.text("webhookId") + "/deliveries/" + d.get("deliveryId").asText()
                        + "/retry", apiKey, Map.of()).status()).isEqualTo(202);
            }
            waitUntil(server, () -> ok.received().size() >= before + delivered.size());
            List<Receiver.Received> resent = ok.received().subList(before, ok.received().size());
            assertThat(resent).isNotEmpty().allSatisfy(r -> assertNoTrace("redelivered " + r.path(), r.body()));
            assertThat(resent).allSatisfy(r -> assertNoVisitCopies("redelivered " + r.path(), r.body()));
            assertThat(resent).anySatisfy(r -> assertThat(json(r.body()).at("/data/caller").asText()).isEqualTo("erased"));

            // Queued events go out scrubbed once the receiver is back.
            down.answer(n -> 200);
            int downBefore = down.received().size();
            // Each round moves the test clock past any backoff and lease, then gives the worker real time to send.
            for (int i = 0; i < 30 && down.received().size() - downBefore < 3; i++) {
                server.clock.advance(Duration.ofMinutes(10));
                server.app.outbox().deliverDueNow();
                long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                while (down.received().size() - downBefore < 3 && System.nanoTime() < until) {
                    server.app.outbox().wake();
                    Thread.sleep(20);
                }
            }
            List<Receiver.Received> late = down.received().subList(downBefore, down.received().size());
            assertThat(late).hasSizeGreaterThanOrEqualTo(3).allSatisfy(r -> assertNoTrace("queued " + r.path(), r.body()));
            assertThat(late).allSatisfy(r -> assertNoVisitCopies("queued " + r.path(), r.body()));
            assertThat(late).anySatisfy(r -> {
                JsonNode data = json(r.body()).get("data");
                if (data.has("leadId")) {
                    assertThat(data.get("phone").asText()).isEqualTo("erased");
                    assertThat(data.get("email").isNull()).isTrue();
                    assertThat(data.get("name").isNull()).isTrue();
                } else {
                    throw new AssertionError("not a lead event");
                }
            });
        }
    }

    static void visitAndCall(TestServer server, Map<String, String> site, String callId, String caller) {
        Map<String, Object> session = new LinkedHashMap<>();
        session.put("siteKey", site.get("publicKey"));
        session.put("visitorId", "erase-visitor-" + callId);
        session.put("url", LANDING);
        session.put("clientIds", Map.of("ym", YM_CLIENT_ID, "ga", "GA1.1." + GA_CLIENT_ID));
        Reply started = server.send("POST", "/v1/sessions", null, new String(Json.write(session), StandardCharsets.UTF_8),
                "application/json", Map.of("User-Agent", TestServer.CHROME));
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        for (String kind : List.of("ringing", "completed")) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("callId", callId);
            e.put("event", kind);
            e.put("from", caller);
            e.put("to", started.text("number"));
            if (kind.equals("completed")) {
                e.put("talkSeconds", 75);
                e.put("durationSeconds", 90);
            }
            String body = new String(Json.write(e), StandardCharsets.UTF_8);
            Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                    Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
    }

    static void waitUntil(TestServer server, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 20 s").isLessThan(deadline);
            server.app.outbox().wake();
            Thread.sleep(20);
        }
    }

    static JsonNode json(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
