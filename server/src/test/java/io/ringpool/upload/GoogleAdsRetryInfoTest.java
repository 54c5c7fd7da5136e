package io.ringpool.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.outbound.OutboundHttp;
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
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session 32, conversions out #2: Google Ads answers a quota error with HTTP 429 and the wait in
 * the body (a {@code google.rpc.RetryInfo} detail, or {@code quotaErrorDetails.retryDelay} inside
 * its {@code GoogleAdsFailure}), not in {@code Retry-After}; it was not read, so the upload came
 * back after the backoff's 5 to 10 s. It now holds the destination like a Retry-After.
 */
class GoogleAdsRetryInfoTest {
    @TempDir
    Path dir;

    static final Instant T0 = Instant.parse("2027-03-02T07:00:00Z");

    /** Google Ads REST's quota refusal, as its error model writes it (both places that carry the wait). */
    static String quotaError(String retryInfoDelay, String quotaDetailsDelay) {
        return """
                {"error": {"code": 429, "message": "Resource has been exhausted (e.g. check quota).", "status": "RESOURCE_EXHAUSTED",
                  "details": [
                    {"@type": "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure",
                     "errors": [{"errorCode": {"quotaError": "RESOURCE_TEMPORARILY_EXHAUSTED"},
                                 "message": "Too many requests in a short amount of time.",
                                 "details": {"quotaErrorDetails": {"rateScope": "DEVELOPER",
                                   "rateName": "Requests per developer per minute"%s}}}],
                     "requestId": "aBcD1234"}%s
                  ]}}
                """.formatted(quotaDetailsDelay == null ? "" : ", \"retryDelay\": \"" + quotaDetailsDelay + "\"",
                retryInfoDelay == null ? "" : ", {\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\", \"retryDelay\": \""
                        + retryInfoDelay + "\"}");
    }

    @Test
    void aQuotaErrorsRetryInfoHoldsTheDestinationThatLong() throws Exception {
        List<String> uploads = new ArrayList<>();
        HttpServer google = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        google.setExecutor(Executors.newFixedThreadPool(2));
        google.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            String answer;
            int status = 200;
            if (ex.getRequestURI().getPath().equals("/token")) {
                answer = "{\"access_token\":\"ya29.t\",\"expires_in\":3599,\"token_type\":\"Bearer\"}";
            } else {
                synchronized (uploads) {
                    uploads.add(ex.getRequestURI().getPath());
                    status = uploads.size() == 1 ? 429 : 200;
                }
                answer = status == 429 ? quotaError("30s", null) : "{\"results\":[{},{}]}";
            }
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        google.start();
        String base = "http://127.0.0.1:" + google.getAddress().getPort();
        try (TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20),
                Clock.fixed(T0, ZoneOffset.UTC))) {
            Map<String, String> site = server.siteWithPool(List.of("+74956670001", "+74956670002"));
            Map<String, Object> body = new HashMap<>();
            body.put("type", "google-ads-calls");
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
            String one = "/v1/sites/" + site.get("siteId") + "/destinations/" + created.text("destinationId");

            // Google Ads takes a call 6 h 10 min after it (GoogleAdsSixHourRuleTest): the second call comes 10 s after the
            // first, so it is due while Google's wait for the first holds the destination.
            UploadRetriedDuringItsAttemptTest.visitAndCall(server, site, "quota-1");
            server.clock.advance(Duration.ofSeconds(10));
            UploadRetriedDuringItsAttemptTest.visitAndCall(server, site, "quota-2");
            Instant firstDue = T0.plus(GoogleTooRecent.HOLD);
            server.clock.advance(Duration.between(server.clock.instant(), firstDue));
            server.app.outbox().deliverDueNow();
            EndpointHeldByRetryAfterTest.await(() -> EndpointHeldByRetryAfterTest.deliveries(server, site, one).size() == 2
                    && EndpointHeldByRetryAfterTest.deliveries(server, site, one).get(1).get("attempts").asInt() == 1);
            JsonNode first = EndpointHeldByRetryAfterTest.deliveries(server, site, one).get(1); // newest first
            assertThat(first.get("responseCode").asInt()).isEqualTo(429);
            assertThat(Duration.between(Instant.parse(first.get("lastAttemptAt").asText()),
                    Instant.parse(first.get("nextAttemptAt").asText()))).as("Google's 30 s, not the backoff's 5 to 10 s")
                    .isEqualTo(Duration.ofSeconds(30));
            assertThat(server.get(one, site.get("apiKey")).json().get("heldUntil").asText()).isEqualTo(firstDue.plusSeconds(30).toString());

            server.clock.advance(Duration.ofSeconds(10));
            server.app.outbox().deliverDueNow();
            server.clock.advance(Duration.ofSeconds(19));
            server.app.outbox().deliverDueNow();
            synchronized (uploads) {
                assertThat(uploads).as("the next call waits for Google's 30 s too").hasSize(1);
            }
            server.clock.advance(Duration.ofSeconds(1));
            server.app.outbox().deliverDueNow();
            EndpointHeldByRetryAfterTest.await(() -> EndpointHeldByRetryAfterTest.deliveries(server, site, one).stream()
                    .allMatch(d -> d.get("state").asText().equals("delivered")));
        } finally {
            google.stop(0);
            ((java.util.concurrent.ExecutorService) google.getExecutor()).shutdownNow();
        }
    }

    @Test
    void theWaitIsReadFromRetryInfoOrQuotaErrorDetailsAndTheLongerCounts() {
        assertThat(GoogleRetryDelay.of(answer(429, quotaError("30s", null)))).contains(Duration.ofSeconds(30));
        assertThat(GoogleRetryDelay.of(answer(429, quotaError(null, "45s")))).contains(Duration.ofSeconds(45));
        assertThat(GoogleRetryDelay.of(answer(429, quotaError("20s", "1.5s")))).contains(Duration.ofSeconds(20));
        assertThat(GoogleRetryDelay.of(answer(429, quotaError("0.250s", null)))).contains(Duration.ofMillis(250));
        assertThat(GoogleRetryDelay.of(answer(429, quotaError(null, null)))).as("no wait given").isEmpty();
        assertThat(GoogleRetryDelay.of(answer(429, quotaError("soon", null)))).as("not a Duration").isEmpty();
        assertThat(GoogleRetryDelay.of(answer(429, "quota exceeded"))).as("not JSON").isEmpty();
        assertThat(GoogleRetryDelay.of(answer(200, quotaError("30s", null)))).as("a success asks for no wait").isEmpty();
    }

    private static OutboundHttp.Response answer(int status, String body) {
        return new OutboundHttp.Response(status, Map.of(), body.getBytes(StandardCharsets.UTF_8), false);
    }
}
