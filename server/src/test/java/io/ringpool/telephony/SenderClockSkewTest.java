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
 * Issue 10, item 3: a PBX whose clock is 90 s off reports a call on a number that changed hands
 * around then; the call goes to the visit that held the number when it really rang.
 */
class SenderClockSkewTest {
    static final String NUMBER = "+74950009001";

    @TempDir
    Path dir;

    TestServer server;
    Map<String, String> site;

    @BeforeEach
    void start() {
        server = new TestServer(dir);
        site = server.siteWithPool(List.of(NUMBER));
        // one number that passes from visitor to visitor a minute after each lease ends
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
        // the sweep queues the lease's end; the number is idle once that commit lands
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.get("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId"), site.get("apiKey")).json().get("leased").asInt() > 0
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    void advance(int seconds) {
        server.clock.advance(Duration.ofSeconds(seconds));
    }

    /** A completed call sent by a PBX whose clock reads ours plus {@code skewSeconds}; {@code startedAt} by that clock. */
    Reply pbx(String callId, Instant pbxStartedAt, long skewSeconds) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("callId", callId);
        event.put("event", "completed");
        event.put("from", "+79161234567");
        event.put("to", NUMBER);
        event.put("at", pbxStartedAt.toString());
        event.put("durationSeconds", 40);
        event.put("talkSeconds", 30);
        String body = new String(Json.write(event), StandardCharsets.UTF_8);
        long t = server.clock.instant().getEpochSecond() + skewSeconds;
        return server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), t, body)));
    }

    double offsetGauge() {
        return server.app.registry().get("ringpool.telephony.sender.clock.offset").tag("site", site.get("siteId")).gauge().value();
    }

    @Test
    void aPbx90SecondsBehindReportsACallOnANumberJustPassedToANewVisitorAndItGoesToTheNewVisitor() {
        String first = visit("first");
        advance(30);
        leave(first);                  // the number cools from first's lease
        advance(100);                  // past the 60 s cool-down
        String second = visit("second");
        advance(10);                   // the call rings now, 10 s into second's lease

        Instant now = server.clock.instant();
        Reply r = pbx("pbx-behind-1", now.minusSeconds(90), -90);

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode attribution = r.json().get("attribution");
        assertThat(attribution.get("method").asText()).isEqualTo("active");
        assertThat(attribution.get("sessionId").asText()).isEqualTo(second);
        assertThat(Instant.parse(r.text("startedAt"))).isBetween(now.minusSeconds(2), now.plusSeconds(2));
        assertThat(offsetGauge()).as("whole seconds: the receipt may fall in the next second on a loaded box").isBetween(90.0, 91.0);
    }

    @Test
    void aPbx90SecondsAheadReportsACallFromBeforeTheNumberChangedHandsAndItGoesToTheEarlierVisitor() {
        String first = visit("first");
        advance(10);
        Instant rang = server.clock.instant();    // the call rings while first holds the number
        advance(20);
        leave(first);
        advance(65);                              // cool-down over: second gets the number
        visit("second");
        advance(25);                              // the PBX sends the finished call now

        Reply r = pbx("pbx-ahead-1", rang.plusSeconds(90), +90);

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode attribution = r.json().get("attribution");
        assertThat(attribution.get("method").asText()).isEqualTo("active");
        assertThat(attribution.get("sessionId").asText()).isEqualTo(first);
        assertThat(Instant.parse(r.text("startedAt"))).isBetween(rang.minusSeconds(2), rang.plusSeconds(2));
        assertThat(offsetGauge()).as("whole seconds: the receipt may fall in the next second on a loaded box").isBetween(-90.0, -89.0);
    }

    @Test
    void aSenderInSyncKeepsItsExactTimesAndAnEventWithoutATimeGetsTheReceiveTime() {
        visit("only");
        advance(5);
        Instant exact = server.clock.instant().minusMillis(1_500);
        Reply timed = pbx("pbx-sync-1", exact, 0);
        assertThat(Instant.parse(timed.text("startedAt"))).isEqualTo(exact);

        String body = new String(Json.write(Map.of("callId", "pbx-sync-2", "event", "ringing", "to", NUMBER)), StandardCharsets.UTF_8);
        Instant before = server.clock.instant();
        Reply untimed = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), before.getEpochSecond() - 60, body)));
        assertThat(untimed.status()).as(untimed.body()).isEqualTo(200);
        // no 'at': our receive time, not shifted by the sender's 60 s offset
        assertThat(Instant.parse(untimed.text("startedAt"))).isBetween(before.minusSeconds(1), server.clock.instant().plusSeconds(1));
    }

    /**
     * Audit AN3 F6: a sender whose clock is right re-sends a signed request 60 s and then 240 s
     * late (curl --retry in calls.md's own script): its {@code t} is as old as its {@code at}. Taken
     * per request, the delay read as a clock 60 s behind, the call was dated at the retry and
     * "set up NTP" logged. The smallest recent offset (the fresh delivery's 0) is the sender's.
     */
    @Test
    void aRequestDeliveredLateByARetryKeepsItsTimeAndIsNotTakenForClockSkew() {
        visit("only");
        advance(5);
        Instant fresh = server.clock.instant();
        assertThat(Instant.parse(pbx("pbx-retry-0", fresh, 0).text("startedAt"))).isEqualTo(fresh);

        advance(60);
        Instant sentOneMinuteAgo = server.clock.instant().minusSeconds(60);
        Reply late = pbx("pbx-retry-1", sentOneMinuteAgo, -60);
        assertThat(late.status()).as(late.body()).isEqualTo(200);
        assertThat(Instant.parse(late.text("startedAt"))).isEqualTo(sentOneMinuteAgo);

        advance(180);
        Instant sentFourMinutesAgo = server.clock.instant().minusSeconds(240);
        assertThat(Instant.parse(pbx("pbx-retry-2", sentFourMinutesAgo, -240).text("startedAt"))).isEqualTo(sentFourMinutesAgo);
        assertThat(offsetGauge()).as("whole seconds: a loaded box may read the fresh delivery 1 s late").isBetween(0.0, 1.0);
    }
}
