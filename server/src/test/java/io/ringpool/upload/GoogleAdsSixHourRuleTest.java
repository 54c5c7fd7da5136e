package io.ringpool.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import io.ringpool.call.Signing;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AI2 #1: Google Ads refuses a call conversion whose call is under six hours old
 * ({@code TOO_RECENT_CALL}) and a click conversion whose click is ({@code TOO_RECENT_EVENT}), "retry
 * after 6 hours", as a row of {@code partialFailureError} in a 200. Ringpool uploaded seconds after
 * the call, logged the refusal as delivered and never sent the call again: the conversion was lost.
 * A Google Ads destination now holds a call 6 h 10 min after its end, visibly (pending, with
 * {@code nextAttemptAt}), and a too-recent refusal is retried, not delivered.
 */
class GoogleAdsSixHourRuleTest {
    @TempDir
    Path dir;

    static final Instant T0 = Instant.parse("2027-03-02T07:00:00Z");
    static final Duration HOLD = Duration.ofHours(6).plusMinutes(10);

    /** Google's answer to an upload whose only row is too recent (the shape of its partial failure). */
    static String tooRecent(String code, String field) {
        return """
                {"partialFailureError": {"code": 3, "message": "Too recent at conversions[0].%s",
                  "details": [{"@type": "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure",
                    "errors": [{"errorCode": {"conversionUploadError": "%s"}, "message": "less than 6 hours ago, retry after 6 hours",
                      "location": {"fieldPathElements": [{"fieldName": "conversions", "index": 0}, {"fieldName": "%s"}]}}]}]},
                 "results": [{}]}
                """.formatted(field, code, field);
    }

    private final List<String> uploads = new ArrayList<>();
    /** What Google answers the uploads, in turn; {@code {"results": [{}]}} once they run out. */
    private final List<String> answers = new ArrayList<>();
    private HttpServer google;
    private String base;

    @BeforeEach
    void fakeGoogle() throws Exception {
        google = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        google.setExecutor(Executors.newFixedThreadPool(2));
        google.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            String answer;
            if (ex.getRequestURI().getPath().equals("/token")) {
                answer = "{\"access_token\":\"ya29.t\",\"expires_in\":3599,\"token_type\":\"Bearer\"}";
            } else {
                synchronized (uploads) {
                    uploads.add(ex.getRequestURI().getPath());
                    answer = answers.isEmpty() ? "{\"results\":[{}]}" : answers.remove(0);
                }
            }
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        google.start();
        base = "http://127.0.0.1:" + google.getAddress().getPort();
    }

    @AfterEach
    void stopGoogle() {
        google.stop(0);
        ((ExecutorService) google.getExecutor()).shutdownNow();
    }

    @Test
    void aCallGoesToGoogleAdsOnlyOnceItAndItsClickAreSixHoursOld() throws Exception {
        try (TestServer server = server()) {
            Map<String, String> site = server.siteWithPool(List.of("+74956670001", "+74956670002"));
            String calls = destination(server, site, "google-ads-calls");
            String clicks = destination(server, site, "google-ads-clicks");

            visitAndCall(server, site, "held-1");
            for (String d : List.of(calls, clicks)) {
                EndpointHeldByRetryAfterTest.await(() -> EndpointHeldByRetryAfterTest.deliveries(server, site, d).size() == 1);
                JsonNode held = EndpointHeldByRetryAfterTest.deliveries(server, site, d).get(0);
                assertThat(held.get("state").asText()).isEqualTo("pending");
                assertThat(held.get("nextAttemptAt").asText()).as("shown held until the call is 6 h 10 min old")
                        .isEqualTo(T0.plus(HOLD).toString());
                assertThat(held.get("attempts").asInt()).isZero();
            }
            // Audit AJ2 #2: the hold is no backlog, and the gauge an operator alerts on says so.
            server.app.outbox().pendingNow();
            assertThat(server.app.registry().scrape())
                    .contains("ringpool_outbox_pending{kind=\"destination\",state=\"held\"} 2.0")
                    .contains("ringpool_outbox_pending{kind=\"destination\",state=\"waiting\"} 0.0");
            server.app.outbox().deliverDueNow();
            server.clock.advance(HOLD.minusSeconds(1));
            server.app.outbox().deliverDueNow();
            synchronized (uploads) {
                assertThat(uploads).as("nothing goes to Google while it would refuse it").isEmpty();
            }

            server.clock.advance(Duration.ofSeconds(1));
            server.app.outbox().deliverDueNow();
            for (String d : List.of(calls, clicks)) {
                EndpointHeldByRetryAfterTest.await(() -> EndpointHeldByRetryAfterTest.deliveries(server, site, d).get(0)
                        .get("state").asText().equals("delivered"));
            }
            synchronized (uploads) {
                assertThat(uploads).containsExactlyInAnyOrder("/v26/customers/1234567890:uploadCallConversions",
                        "/v26/customers/1234567890:uploadClickConversions");
            }
        }
    }

    @Test
    void aTooRecentRefusalIsRetriedAfterTheHoldNotCountedDelivered() throws Exception {
        synchronized (uploads) {
            answers.add(tooRecent("TOO_RECENT_CALL", "caller_id")); // a retry by hand an hour after the call
            answers.add(tooRecent("TOO_RECENT_CONVERSION_ACTION", "conversion_action")); // past the hold: an action under 6 h old
        }
        try (TestServer server = server()) {
            Map<String, String> site = server.siteWithPool(List.of("+74956670001", "+74956670002"));
            String calls = destination(server, site, "google-ads-calls");
            visitAndCall(server, site, "recent-1");
            EndpointHeldByRetryAfterTest.await(() -> EndpointHeldByRetryAfterTest.deliveries(server, site, calls).size() == 1);
            String deliveryId = EndpointHeldByRetryAfterTest.deliveries(server, site, calls).get(0).get("deliveryId").asText();

            server.clock.advance(Duration.ofHours(1));
            Reply retried = server.post(calls + "/deliveries/" + deliveryId + "/retry", site.get("apiKey"), Map.of());
            assertThat(retried.status()).as(retried.body()).isEqualTo(202);
            server.app.outbox().deliverDueNow();
            EndpointHeldByRetryAfterTest.await(() -> EndpointHeldByRetryAfterTest.deliveries(server, site, calls).get(0)
                    .get("attempts").asInt() == 1);
            JsonNode refused = EndpointHeldByRetryAfterTest.deliveries(server, site, calls).get(0);
            assertThat(refused.get("state").asText()).as("Google's 'retry after 6 hours' is no delivery").isEqualTo("pending");
            assertThat(refused.get("lastError").asText()).contains("TOO_RECENT_CALL");
            assertThat(refused.get("nextAttemptAt").asText()).as("tried again once the call is old enough")
                    .isEqualTo(T0.plus(HOLD).toString());
            assertThat(server.get(calls + "/uploads", site.get("apiKey")).json().get("uploads").get(0).get("status").asText())
                    .isEqualTo("failed");

            server.clock.advance(HOLD.minusHours(1));
            server.app.outbox().deliverDueNow();
            EndpointHeldByRetryAfterTest.await(() -> EndpointHeldByRetryAfterTest.deliveries(server, site, calls).get(0)
                    .get("attempts").asInt() == 2);
            JsonNode again = EndpointHeldByRetryAfterTest.deliveries(server, site, calls).get(0);
            assertThat(again.get("state").asText()).as("refused as too recent past the hold: still pending").isEqualTo("pending");
            assertThat(Duration.between(server.clock.instant(), Instant.parse(again.get("nextAttemptAt").asText())))
                    .as("Google's six hours, as far as a platform's wait is taken (an hour)")
                    .isBetween(Duration.ofMinutes(59), Duration.ofHours(1));

            server.clock.advance(Duration.ofHours(1));
            server.app.outbox().deliverDueNow();
            EndpointHeldByRetryAfterTest.await(() -> EndpointHeldByRetryAfterTest.deliveries(server, site, calls).get(0)
                    .get("state").asText().equals("delivered"));
            synchronized (uploads) {
                assertThat(uploads).hasSize(3);
            }
        }
    }

    @Test
    void theTooRecentCodesAreTheOnesGoogleAsksToRetry() {
        for (String code : List.of("TOO_RECENT_EVENT", "TOO_RECENT_CALL", "TOO_RECENT_CONVERSION_ACTION", "TOO_RECENT_GCLID")) {
            assertThat(GoogleTooRecent.retryable(code)).as(code).isTrue();
        }
        for (String code : List.of("CLICK_NOT_FOUND", "EXPIRED_EVENT", "EXPIRED_CALL", "CLICK_CONVERSION_ALREADY_EXISTS", "")) {
            assertThat(GoogleTooRecent.retryable(code)).as(code).isFalse();
        }
        assertThat(GoogleTooRecent.retryable(null)).isFalse();
    }

    private TestServer server() throws Exception {
        return new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20), Clock.fixed(T0, ZoneOffset.UTC));
    }

    private String destination(TestServer server, Map<String, String> site, String type) {
        Map<String, Object> body = new HashMap<>();
        body.put("type", type);
        body.put("customerId", "123-456-7890");
        body.put("conversionAction", "777");
        body.put("clientId", PlatformDouble.GOOGLE_CLIENT_ID);
        body.put("clientSecret", PlatformDouble.GOOGLE_CLIENT_SECRET);
        body.put("refreshToken", PlatformDouble.GOOGLE_REFRESH);
        body.put("developerToken", PlatformDouble.DEVELOPER_TOKEN);
        body.put("baseUrl", base);
        body.put("tokenUrl", base + "/token");
        Reply created = server.post("/v1/sites/" + site.get("siteId") + "/destinations", site.get("apiKey"), body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return "/v1/sites/" + site.get("siteId") + "/destinations/" + created.text("destinationId");
    }

    /** A visit from a Google ad (a gclid) and its answered call, ended now. */
    private static void visitAndCall(TestServer server, Map<String, String> site, String callId) {
        Map<String, Object> session = Map.of("siteKey", site.get("publicKey"), "visitorId", "visitor-" + callId, "url",
                "https://example.com/?utm_source=google&utm_medium=cpc&gclid=Cj0KCQiA-" + callId);
        Reply s = server.send("POST", "/v1/sessions", null, new String(Json.write(session), StandardCharsets.UTF_8), "application/json",
                Map.of("User-Agent", TestServer.CHROME));
        assertThat(s.status()).as(s.body()).isEqualTo(201);
        String body = new String(Json.write(Map.of("callId", callId, "event", "completed", "from", "+79161110001", "to", s.text("number"),
                "talkSeconds", 75, "durationSeconds", 90)), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }
}
