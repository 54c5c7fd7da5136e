package io.ringpool.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AN2 F1: when Google refused a whole request, the delivery's {@code lastError} said only
 * "HTTP 403" or "OAuth token exchange refused: HTTP 400"; Google's reason (a revoked refresh token,
 * a developer token not approved for production accounts) was in the raw upload log only. The
 * reason now follows the status, as Metrica's message does.
 */
class GoogleRefusalReasonTest {
    @TempDir
    Path dir;

    static final Instant T0 = Instant.parse("2027-03-02T07:00:00Z");

    /** What Google's token endpoint answers for a revoked or expired refresh token. */
    static final String INVALID_GRANT = "{\"error\": \"invalid_grant\", \"error_description\": \"Token has been expired or revoked.\"}";

    /** What Google Ads answers a developer token with test access only, used on a production account. */
    static final String NOT_APPROVED = """
            {"error": {"code": 403, "message": "The caller does not have permission", "status": "PERMISSION_DENIED",
              "details": [{"@type": "type.googleapis.com/google.ads.googleads.v21.errors.GoogleAdsFailure",
                "errors": [{"errorCode": {"authorizationError": "DEVELOPER_TOKEN_NOT_APPROVED"},
                            "message": "The developer token is only approved for use with test accounts."}],
                "requestId": "x1"}]}}
            """;

    @Test
    void googlesReasonForRefusingTheTokenOrTheUploadIsInTheDeliverysLastError() throws Exception {
        HttpServer google = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        google.setExecutor(Executors.newFixedThreadPool(2));
        google.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            int status = path.equals("/revoked-token") ? 400 : path.equals("/token") ? 200 : 403;
            String answer = status == 400 ? INVALID_GRANT : status == 200 ? "{\"access_token\":\"ya29.t\",\"expires_in\":3599}" : NOT_APPROVED;
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
            Map<String, String> site = server.siteWithPool(List.of("+74956680001", "+74956680002"));
            String revoked = destination(server, site, base, base + "/revoked-token");
            String notApproved = destination(server, site, base, base + "/token");

            UploadRetriedDuringItsAttemptTest.visitAndCall(server, site, "refused-1");
            server.clock.advance(GoogleTooRecent.HOLD.plus(Duration.ofSeconds(1)));
            server.app.outbox().deliverDueNow();
            EndpointHeldByRetryAfterTest.await(() -> attempted(server, site, revoked) && attempted(server, site, notApproved));

            assertThat(EndpointHeldByRetryAfterTest.deliveries(server, site, revoked).get(0).get("lastError").asText())
                    .isEqualTo("OAuth token exchange refused: HTTP 400: invalid_grant: Token has been expired or revoked.");
            JsonNode refused = EndpointHeldByRetryAfterTest.deliveries(server, site, notApproved).get(0);
            assertThat(refused.get("lastError").asText()).isEqualTo(
                    "HTTP 403: DEVELOPER_TOKEN_NOT_APPROVED: The developer token is only approved for use with test accounts.");
            assertThat(server.get(notApproved, site.get("apiKey")).json().at("/lastDelivery/lastError").asText())
                    .contains("DEVELOPER_TOKEN_NOT_APPROVED");
        } finally {
            google.stop(0);
            ((java.util.concurrent.ExecutorService) google.getExecutor()).shutdownNow();
        }
    }

    @Test
    void aStatusWithoutGoogleAdsDetailsGivesItsStatusAndMessageAndABodyThatIsNotGooglesGivesTheBody() {
        assertThat(GoogleErrorText.of(401, "{\"error\": {\"code\": 401, \"message\": \"Request had invalid authentication credentials.\","
                + " \"status\": \"UNAUTHENTICATED\"}}")).isEqualTo("HTTP 401: UNAUTHENTICATED: Request had invalid authentication credentials.");
        assertThat(GoogleErrorText.of(502, "<html>Bad gateway</html>")).isEqualTo("HTTP 502: <html>Bad gateway</html>");
        assertThat(GoogleErrorText.of(500, "")).isEqualTo("HTTP 500");
        assertThat(GoogleErrorText.of(429, GoogleAdsRetryInfoTest.quotaError("30s", null)))
                .isEqualTo("HTTP 429: RESOURCE_TEMPORARILY_EXHAUSTED: Too many requests in a short amount of time.");
    }

    private static boolean attempted(TestServer server, Map<String, String> site, String destination) {
        List<JsonNode> d = EndpointHeldByRetryAfterTest.deliveries(server, site, destination);
        return !d.isEmpty() && d.get(0).get("attempts").asInt() >= 1;
    }

    private static String destination(TestServer server, Map<String, String> site, String base, String tokenUrl) {
        Map<String, Object> body = new HashMap<>();
        body.put("type", "google-ads-calls");
        body.put("customerId", "123-456-7890");
        body.put("conversionAction", "777");
        body.put("clientId", PlatformDouble.GOOGLE_CLIENT_ID);
        body.put("clientSecret", PlatformDouble.GOOGLE_CLIENT_SECRET);
        body.put("refreshToken", PlatformDouble.GOOGLE_REFRESH);
        body.put("developerToken", PlatformDouble.DEVELOPER_TOKEN);
        body.put("baseUrl", base);
        body.put("tokenUrl", tokenUrl);
        Reply created = server.post("/v1/sites/" + site.get("siteId") + "/destinations", site.get("apiKey"), body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return "/v1/sites/" + site.get("siteId") + "/destinations/" + created.text("destinationId");
    }
}
