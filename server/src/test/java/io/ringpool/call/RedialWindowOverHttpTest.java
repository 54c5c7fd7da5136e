package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit G #5: a caller redialling the number an earlier call of theirs was attributed through goes
 * to that earlier visit over the number's current holder (the redial rule), but only within
 * {@link Attribution#REDIAL_WINDOW} of that earlier call and of the visit itself; later, the holder
 * is chosen as for anyone. Audit U #1: measured from the earlier call alone, a caller who kept
 * phoning kept a months-old click chosen (and exported) for ever.
 */
class RedialWindowOverHttpTest {
    @TempDir
    Path dir;

    TestServer server;

    static final String CALLER = "+79161230001";

    @BeforeEach
    void start() {
        server = new TestServer(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aRedialWithinThirtyDaysGoesToTheEarlierVisitAndOneAfterToTheHolder() {
        Map<String, String> site = server.siteWithPool(List.of("+74957776001"));
        String earlier = visit(site, "visitor-redial-a", "https://example.com/?utm_source=google&utm_medium=cpc&gclid=GA1");
        JsonNode first = call(site, "redial-1").json().get("attribution");
        assertThat(first.get("method").asText()).isEqualTo("active");
        assertThat(first.get("sessionId").asText()).isEqualTo(earlier);
        leave(earlier);

        server.clock.advance(Duration.ofDays(29));
        String holder = visit(site, "visitor-redial-b", "https://vk.com/?utm_source=vk&utm_medium=social");
        JsonNode within = call(site, "redial-2").json().get("attribution");
        assertThat(within.get("method").asText()).isEqualTo("ambiguous");
        assertThat(within.get("sessionId").asText()).as("29 days after the earlier call: the redial rule").isEqualTo(earlier);
        assertThat(within.get("candidates").get(1).get("sessionId").asText()).isEqualTo(holder);
        leave(holder);

        // The latest earlier attributed call is now redial-2 (to the earlier visit): 31 days after it.
        server.clock.advance(Duration.ofDays(31));
        String later = visit(site, "visitor-redial-c", "https://example.com/?utm_source=yandex&utm_medium=cpc");
        JsonNode past = call(site, "redial-3").json().get("attribution");
        assertThat(past.get("method").asText()).isEqualTo("active");
        assertThat(past.get("sessionId").asText()).as("31 days after the earlier call: the holder").isEqualTo(later);
        assertThat(past.get("source").asText()).isEqualTo("yandex");
    }

    @Test
    void aCallerWhoKeepsRedialingLetsGoOfAVisitOnceItIsThirtyDaysOld() {
        Map<String, String> site = server.siteWithPool(List.of("+74957776001"));
        String first = visit(site, "visitor-keeps-a", "https://example.com/?utm_source=google&utm_medium=cpc&gclid=GA1");
        assertThat(call(site, "keeps-0").json().get("attribution").get("sessionId").asText()).isEqualTo(first);
        leave(first);

        server.clock.advance(Duration.ofDays(20));
        String second = visit(site, "visitor-keeps-b", "https://vk.com/?utm_source=vk&utm_medium=social");
        JsonNode day20 = call(site, "keeps-1").json().get("attribution");
        assertThat(day20.get("method").asText()).isEqualTo("ambiguous");
        assertThat(day20.get("sessionId").asText()).as("the visit is 20 days old: the redial rule").isEqualTo(first);
        leave(second);

        // The earlier call (keeps-1) is 20 days old, but the visit it went to is 40.
        server.clock.advance(Duration.ofDays(20));
        String third = visit(site, "visitor-keeps-c", "https://example.com/?utm_source=yandex&utm_medium=cpc");
        JsonNode day40 = call(site, "keeps-2").json().get("attribution");
        assertThat(day40.get("method").asText()).isEqualTo("active");
        assertThat(day40.get("sessionId").asText()).as("a 40-day-old visit is let go: the holder").isEqualTo(third);
    }

    @Test
    void aRepeatToAnOldVisitDoesNotMakeTheNextHolderLoseTheCall() {
        Map<String, String> site = server.siteWithPool(List.of("+74957776001"));
        String first = visit(site, "visitor-rep-a", "https://example.com/?utm_source=google&utm_medium=cpc&gclid=GA1");
        assertThat(call(site, "rep-0").json().get("attribution").get("sessionId").asText()).isEqualTo(first);
        leave(first);

        // Nobody holds the number: the caller's history is all there is (repeat, for a visit up to 90 days old).
        server.clock.advance(Duration.ofDays(31));
        JsonNode repeat = call(site, "rep-1").json().get("attribution");
        assertThat(repeat.get("method").asText()).isEqualTo("repeat");
        assertThat(repeat.get("sessionId").asText()).isEqualTo(first);

        String holder = visit(site, "visitor-rep-c", "https://example.com/?utm_source=yandex&utm_medium=cpc");
        JsonNode next = call(site, "rep-2").json().get("attribution");
        assertThat(next.get("method").asText()).isEqualTo("active");
        assertThat(next.get("sessionId").asText()).as("the repeat's visit is 31 days old: the holder").isEqualTo(holder);
    }

    @Test
    void aRepeatGoesToAVisitUpToNinetyDaysOldAndLaterCallsAreNone() {
        // Session 35: a repeat is the next call's earlier call, so a caller who kept phoning kept a
        // click of any age as their source, and exported it past every ad platform's window.
        Map<String, String> site = server.siteWithPool(List.of("+74957776001"));
        String first = visit(site, "visitor-old-a", "https://example.com/?utm_source=google&utm_medium=cpc&gclid=GOLD1");
        assertThat(call(site, "old-0").json().get("attribution").get("sessionId").asText()).isEqualTo(first);
        hangUp(site, "old-0");
        leave(first);

        server.clock.advance(Duration.ofDays(60));
        JsonNode day60 = call(site, "old-1").json().get("attribution");
        hangUp(site, "old-1");
        assertThat(day60.get("method").asText()).isEqualTo("repeat");
        assertThat(day60.get("sessionId").asText()).isEqualTo(first);
        assertThat(day60.get("gclid").asText()).isEqualTo("GOLD1");

        server.clock.advance(Duration.ofDays(31));
        JsonNode day91 = call(site, "old-2").json().get("attribution");
        hangUp(site, "old-2");
        assertThat(day91.get("method").asText()).as("the visit is 91 days old").isEqualTo("none");
        assertThat(day91.get("sessionId").isNull()).isTrue();
        assertThat(day91.get("gclid").isNull()).isTrue();

        LocalDate today = LocalDate.ofInstant(server.clock.instant(), ZoneOffset.UTC);
        Reply export = server.get("/v1/sites/" + site.get("siteId") + "/exports/google-ads-clicks.csv?conversionName=Call&from="
                + today.minusDays(100) + "&to=" + today.plusDays(1), site.get("apiKey"));
        assertThat(export.status()).as(export.body()).isEqualTo(200);
        assertThat(export.body().lines().filter(l -> l.startsWith("GOLD1"))).as("the first two calls only").hasSize(2);
    }

    private String visit(Map<String, String> site, String visitorId, String url) {
        Reply r = server.startSession(site.get("publicKey"), visitorId, url);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("tracked").asBoolean()).as(r.body()).isTrue();
        return r.text("sessionId");
    }

    private void leave(String sessionId) {
        assertThat(server.send("POST", "/v1/sessions/" + sessionId + "/end", null, "", "text/plain", Map.of()).status()).isEqualTo(204);
        // Past the end grace and the cool-down: the number is free for the next visitor.
        server.clock.advance(Duration.ofHours(1));
    }

    private Reply call(Map<String, String> site, String callId) {
        return event(site, callId, "ringing");
    }

    /** Ends the call: the conversion exports hold a call once it is final (audit AG3 #3). */
    private void hangUp(Map<String, String> site, String callId) {
        event(site, callId, "completed");
    }

    private Reply event(Map<String, String> site, String callId, String kind) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", kind);
        e.put("from", CALLER);
        e.put("to", "+74957776001");
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r;
    }
}
