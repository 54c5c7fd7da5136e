package io.ringpool.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit U #6: a PBX's {@code completed} arrives alone (its {@code ringing} post was lost) without
 * {@code at}. Dated on receipt, the call was attributed at its hangup, as a sure {@code active},
 * to a visitor who got the number minutes after the caller dialled it. The duration it states
 * dates the call's start instead.
 */
class FinalEventWithoutTimeTest {
    static final String NUMBER = "+74950009101";
    static final String CALLER = "+79160024001";

    @TempDir
    Path dir;

    TestServer server;
    Map<String, String> site;

    @BeforeEach
    void start() {
        server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20));
        site = server.siteWithPool(List.of(NUMBER));
        Reply r = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                new String(Json.write(Map.of("coolDownSeconds", 60, "endGraceSeconds", 0)), StandardCharsets.UTF_8),
                "application/json", Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    String visit(String visitorId) {
        Reply r = server.startSession(site.get("publicKey"), visitorId, "https://example.com/?utm_source=" + visitorId);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.text("number")).isEqualTo(NUMBER);
        return r.text("sessionId");
    }

    void leave(String sessionId) {
        assertThat(server.send("POST", "/v1/sessions/" + sessionId + "/end", null, null, null, Map.of()).status()).isEqualTo(204);
        server.app.sessions().sweep();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.get("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId"), site.get("apiKey")).json().get("leased").asInt() > 0
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    void heartbeat(String sessionId) {
        Reply r = server.send("POST", "/v1/sessions/" + sessionId + "/heartbeat", null, "", "text/plain", Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    void advance(int seconds) {
        server.clock.advance(Duration.ofSeconds(seconds));
    }

    Reply completedWithoutTime(String callId, int durationSeconds) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("callId", callId);
        event.put("event", "completed");
        event.put("from", CALLER);
        event.put("to", NUMBER);
        event.put("durationSeconds", durationSeconds);
        event.put("talkSeconds", durationSeconds - 20);
        String body = new String(Json.write(event), StandardCharsets.UTF_8);
        return server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
    }

    @Test
    void aLoneFinalEventWithoutATimeIsAttributedWhenTheCallBeganNotAtItsHangup() {
        String first = visit("first");
        Instant dialled = server.clock.instant();  // the call begins while first holds the number
        advance(30);
        leave(first);
        advance(120);                               // past the 60 s cool-down: second gets the number
        String second = visit("second");
        for (int i = 0; i < 5; i++) {
            advance(50);
            heartbeat(second);
        }
        Instant hangup = server.clock.instant();   // 400 s after the call began

        Reply r = completedWithoutTime("lone-final-1", 400);

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode attribution = r.json().get("attribution");
        assertThat(attribution.get("sessionId").asText()).as(r.body()).isEqualTo(first);
        assertThat(attribution.get("method").asText()).isEqualTo("active");
        // the test clock runs on between reading it and the server's receipt: seconds, not minutes
        assertThat(Instant.parse(r.text("startedAt"))).isBetween(dialled.minusSeconds(2), dialled.plusSeconds(2));
        assertThat(Instant.parse(r.text("endedAt"))).isBetween(hangup, hangup.plusSeconds(2));
        assertThat(r.json().get("durationSeconds").asInt()).isEqualTo(400);
        assertThat(r.json().get("status").asText()).isEqualTo("completed");

        // The same event retried later is a duplicate and moves nothing.
        advance(30);
        Reply retry = completedWithoutTime("lone-final-1", 400);
        assertThat(retry.status()).as(retry.body()).isEqualTo(200);
        assertThat(retry.json().get("duplicate").asBoolean()).isTrue();
        assertThat(Instant.parse(retry.text("startedAt"))).isEqualTo(Instant.parse(r.text("startedAt")));
        assertThat(retry.json().get("attribution").get("sessionId").asText()).isEqualTo(first);
    }

    /**
     * Audit AG3 #1: the answer and the call log said the visit that held the number when the call
     * began, while the webhooks sent for the same request (call.started, call.completed) carried the
     * call as first stored at the hang-up: the later visitor, a later start. A receiver of
     * call.completed alone, and every upload destination, credited the wrong visit.
     */
    @Test
    void theDeliveriesOfALoneFinalEventCarryTheCallAsItsAnswerDoes() throws Exception {
        try (io.ringpool.webhook.Receiver receiver = new io.ringpool.webhook.Receiver(n -> 200)) {
            Reply hook = server.post("/v1/sites/" + site.get("siteId") + "/webhooks", site.get("apiKey"),
                    Map.of("url", receiver.url("/hooks")));
            assertThat(hook.status()).as(hook.body()).isEqualTo(201);
            String first = visit("first");
            advance(40);                             // the call begins 14 s into this visit
            leave(first);
            advance(3);                              // within the 60 s cool-down: second gets the cooling number
            String second = visit("second");
            advance(1);

            Reply r = completedWithoutTime("lone-final-hooks", 30);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().get("attribution").get("sessionId").asText()).as(r.body()).isEqualTo(first);

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (receiver.received().size() < 2 && System.nanoTime() < deadline) {
                server.app.outbox().deliverDueNow();
                Thread.sleep(20);
            }
            Thread.sleep(300); // anything else due arrives meanwhile
            server.app.outbox().deliverDueNow();
            List<JsonNode> bodies = new java.util.ArrayList<>();
            for (io.ringpool.webhook.Receiver.Received x : receiver.received()) {
                bodies.add(Json.MAPPER.readTree(x.body()));
            }
            assertThat(bodies).extracting(b -> b.get("type").asText()).as("as a provider that sent both events")
                    .containsExactly("call.started", "call.completed");
            for (JsonNode b : bodies) {
                JsonNode data = b.get("data");
                assertThat(data.get("attribution").get("sessionId").asText()).as(b.toString()).isEqualTo(first).isNotEqualTo(second);
                assertThat(data.get("startedAt").asText()).isEqualTo(r.text("startedAt"));
            }
            assertThat(bodies.get(1).get("data").get("status").asText()).isEqualTo("completed");
        }
    }

    @Test
    void aCallThatAlreadyRangKeepsItsOwnStartAndAnAbsurdLengthDatesNothing() {
        String holder = visit("holder");
        String ringing = new String(Json.write(Map.of("callId", "rang-1", "event", "ringing", "from", CALLER, "to", NUMBER)),
                StandardCharsets.UTF_8);
        Instant rang = server.clock.instant();
        assertThat(server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, ringing, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), rang.getEpochSecond(), ringing))).status())
                .isEqualTo(200);
        advance(60);
        heartbeat(holder);
        Reply done = completedWithoutTime("rang-1", 90);   // a longer stated length than the events' span: the ringing stands
        assertThat(Instant.parse(done.text("startedAt"))).isBetween(rang, rang.plusSeconds(2));
        assertThat(done.json().get("attribution").get("sessionId").asText()).isEqualTo(holder);

        Instant now = server.clock.instant();
        Reply absurd = completedWithoutTime("absurd-1", 3 * 24 * 3600);
        assertThat(absurd.status()).as(absurd.body()).isEqualTo(200);
        assertThat(Instant.parse(absurd.text("startedAt"))).as("three days is a mix-up, not a start")
                .isBetween(now, now.plusSeconds(2));
    }

    @Test
    void aFinalEventPostedRightAfterAVisitOnAFreeNumberStaysWithThatVisit() {
        // README's walk-through: a visit, then at once a completed call of 95 s. Nobody held the
        // number 95 s earlier, so that start would leave the call to nobody; the receipt stands.
        String visitor = visit("walk-through");
        Instant now = server.clock.instant();
        Reply r = completedWithoutTime("walk-1", 95);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("attribution").get("method").asText()).isEqualTo("active");
        assertThat(r.json().get("attribution").get("sessionId").asText()).isEqualTo(visitor);
        assertThat(Instant.parse(r.text("startedAt"))).isBetween(now, now.plusSeconds(2));
    }
}
