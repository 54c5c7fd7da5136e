package io.ringpool.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import io.ringpool.webhook.Receiver;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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
 * Session 37, audit findings 2 and 3 for upload destinations: the failed uploads of an outage are
 * queued again in one request (all, or those since a time), the delivery log pages with a cursor,
 * and an upload that met a network failure keeps the rows it carried in the upload log.
 */
class DestinationRecoveryOverHttpTest {
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

    record Site(String id, String apiKey, String secret, String publicKey) {}

    static Site site() {
        sites++;
        List<String> numbers = List.of(String.format("+7495%03d0001", 400 + sites), String.format("+7495%03d0002", 400 + sites),
                String.format("+7495%03d0003", 400 + sites));
        Map<String, String> s = server.siteWithPool(numbers);
        return new Site(s.get("siteId"), s.get("apiKey"), s.get("webhookSecret"), s.get("publicKey"));
    }

    /** A visit from a Google ad (click id, Metrica and GA client ids), then an answered call to the number it was shown. */
    static void visitAndCall(Site site, String callId) {
        Map<String, Object> session = new LinkedHashMap<>();
        session.put("siteKey", site.publicKey());
        session.put("visitorId", "recovery-visitor-" + callId);
        session.put("url", "https://example.com/?utm_source=google&utm_medium=cpc&gclid=Cj0KCQ-recovery-" + callId);
        session.put("clientIds", Map.of("ym", "1700000000123456789", "ga", "GA1.1.123456789.1700000000"));
        Reply s = server.send("POST", "/v1/sessions", null, new String(Json.write(session), StandardCharsets.UTF_8), "application/json",
                Map.of("User-Agent", TestServer.CHROME));
        assertThat(s.status()).as(s.body()).isEqualTo(201);
        String body = new String(Json.write(Map.of("callId", callId, "event", "completed", "from", "+79161110001", "to", s.text("number"),
                "talkSeconds", 75, "durationSeconds", 90)), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.id() + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.secret(), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static String destination(Site site, Map<String, Object> body) {
        Reply r = server.post("/v1/sites/" + site.id() + "/destinations", site.apiKey(), body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return "/v1/sites/" + site.id() + "/destinations/" + r.text("destinationId");
    }

    static List<JsonNode> list(Site site, String path, String field) {
        Reply r = server.get(path, site.apiKey());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return StreamSupport.stream(r.json().get(field).spliterator(), false).toList();
    }

    static void advanceUntil(BooleanSupplier condition, Duration step, int maxSteps) {
        for (int i = 0; i < maxSteps && !condition.getAsBoolean(); i++) {
            server.clock.advance(step);
            server.app.outbox().wake();
            waitFor(condition, Duration.ofMillis(300));
        }
        assertThat(condition.getAsBoolean()).as("condition reached within %d steps of %s", maxSteps, step).isTrue();
    }

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

    @Test
    void anUploadThatMetANetworkFailureKeepsTheRowsItCarried() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String refused = "http://127.0.0.1:" + closedPort;
        Site site = site();
        Map<String, String> paths = new LinkedHashMap<>();
        paths.put("ga4", destination(site, Map.of("type", "ga4", "measurementId", "G-TEST12345", "apiSecret", PlatformDouble.GA4_SECRET,
                "baseUrl", refused)));
        paths.put("yandex-metrica-calls", destination(site, Map.of("type", "yandex-metrica-calls", "counterId", "11111111",
                "oauthToken", PlatformDouble.YANDEX_TOKEN, "baseUrl", refused)));
        Map<String, Object> ads = new HashMap<>();
        ads.put("type", "google-ads-clicks");
        ads.put("customerId", "123-456-7890");
        ads.put("conversionAction", "555");
        ads.put("clientId", PlatformDouble.GOOGLE_CLIENT_ID);
        ads.put("clientSecret", PlatformDouble.GOOGLE_CLIENT_SECRET);
        ads.put("refreshToken", PlatformDouble.GOOGLE_REFRESH);
        ads.put("developerToken", PlatformDouble.DEVELOPER_TOKEN);
        ads.put("baseUrl", refused);
        ads.put("tokenUrl", refused + "/token");
        paths.put("google-ads-clicks", destination(site, ads));

        visitAndCall(site, "refused-1");
        server.clock.advance(GoogleTooRecent.HOLD); // Google Ads takes the call only then (GoogleAdsSixHourRuleTest)
        server.app.outbox().wake();
        for (Map.Entry<String, String> p : paths.entrySet()) {
            waitFor(() -> !list(site, p.getValue() + "/uploads", "uploads").isEmpty(), Duration.ofSeconds(20));
            JsonNode upload = list(site, p.getValue() + "/uploads", "uploads").get(0);
            assertThat(upload.get("status").asText()).as(p.getKey()).isEqualTo("failed");
            assertThat(upload.get("error").asText()).as(p.getKey()).isEqualTo("connection refused");
            assertThat(upload.get("responseCode").isNull()).as(p.getKey()).isTrue();
            assertThat(upload.get("rowCount").asInt()).as("%s: the row the request carried", p.getKey()).isEqualTo(1);
            assertThat(upload.get("rows")).as(p.getKey()).hasSize(1);
            assertThat(upload.get("requests")).as(p.getKey()).isNotEmpty();
        }
    }

    @Test
    void afterAnOutageTheFailedUploadsAreQueuedAgainInOneRequestAllOrThoseSinceATime() throws Exception {
        Site site = site();
        try (Receiver ga4 = new Receiver(n -> 500)) {
            String destination = destination(site, Map.of("type", "ga4", "measurementId", "G-TEST12345", "apiSecret",
                    PlatformDouble.GA4_SECRET, "baseUrl", ga4.url("")));
            visitAndCall(site, "outage-1");
            server.clock.advance(Duration.ofMinutes(10));
            Instant cut = server.clock.instant();
            visitAndCall(site, "outage-2");
            visitAndCall(site, "outage-3");
            advanceUntil(() -> list(site, destination + "/deliveries?state=failed", "deliveries").size() == 3, Duration.ofHours(1), 40);

            Reply first = server.get(destination + "/deliveries?limit=2", site.apiKey());
            assertThat(first.json().get("deliveries")).hasSize(2);
            Reply second = server.get(destination + "/deliveries?limit=2&cursor="
                    + URLEncoder.encode(first.text("nextCursor"), StandardCharsets.UTF_8), site.apiKey());
            assertThat(second.status()).as(second.body()).isEqualTo(200);
            assertThat(second.json().get("deliveries")).hasSize(1);
            assertThat(second.json().get("nextCursor").isNull()).isTrue();

            ga4.answer(n -> 204);
            Reply since = server.post(destination + "/deliveries/retry", site.apiKey(), Map.of("since", cut.toString()));
            assertThat(since.status()).as(since.body()).isEqualTo(202);
            assertThat(since.json().get("queued").asInt()).as("the two calls after the cut").isEqualTo(2);
            assertThat(since.json().get("paused").asBoolean()).isFalse();
            waitFor(() -> list(site, destination + "/deliveries?state=delivered", "deliveries").size() == 2, Duration.ofSeconds(20));
            assertThat(list(site, destination + "/deliveries?state=failed", "deliveries")).hasSize(1);

            Reply rest = server.post(destination + "/deliveries/retry", site.apiKey(), null);
            assertThat(rest.status()).as(rest.body()).isEqualTo(202);
            assertThat(rest.json().get("queued").asInt()).isEqualTo(1);
            waitFor(() -> list(site, destination + "/deliveries?state=delivered", "deliveries").size() == 3, Duration.ofSeconds(20));
            assertThat(list(site, destination + "/deliveries?state=delivered", "deliveries")).hasSize(3);
            assertThat(ga4.received().stream().filter(r -> r.answered() == 204)).hasSize(3);
        }
    }

    /**
     * Session 38: the upload log took only {@code limit}, so uploads past the newest 500 could not
     * be read. It pages as the delivery log does (uploads of one millisecond: UploadLogPlanTest).
     */
    @Test
    void theUploadLogPagesWithACursor() throws Exception {
        Site site = site();
        try (Receiver ga4 = new Receiver(n -> 204)) {
            String destination = destination(site, Map.of("type", "ga4", "measurementId", "G-TEST12345", "apiSecret",
                    PlatformDouble.GA4_SECRET, "baseUrl", ga4.url("")));
            for (int i = 1; i <= 3; i++) {
                visitAndCall(site, "paged-" + i);
                int sent = i;
                waitFor(() -> list(site, destination + "/uploads", "uploads").size() >= sent, Duration.ofSeconds(20));
            }
            Reply whole = server.get(destination + "/uploads?limit=500", site.apiKey());
            assertThat(whole.status()).as(whole.body()).isEqualTo(200);
            assertThat(whole.json().get("uploads")).hasSize(3);
            assertThat(whole.json().has("nextCursor")).isTrue();
            assertThat(whole.json().get("nextCursor").isNull()).as("one page holds them all").isTrue();
            List<String> all = StreamSupport.stream(whole.json().get("uploads").spliterator(), false)
                    .map(u -> u.get("uploadId").asText()).toList();

            for (int limit : new int[] {1, 2}) {
                List<String> paged = new java.util.ArrayList<>();
                List<Integer> sizes = new java.util.ArrayList<>();
                String cursor = null;
                do {
                    Reply page = server.get(destination + "/uploads?limit=" + limit + (cursor == null ? ""
                            : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), site.apiKey());
                    assertThat(page.status()).as(page.body()).isEqualTo(200);
                    page.json().get("uploads").forEach(u -> paged.add(u.get("uploadId").asText()));
                    sizes.add(page.json().get("uploads").size());
                    cursor = page.json().get("nextCursor").isNull() ? null : page.json().get("nextCursor").asText();
                } while (cursor != null && sizes.size() < 10);
                assertThat(sizes).as("pages of %d", limit).isEqualTo(limit == 1 ? List.of(1, 1, 1) : List.of(2, 1));
                assertThat(paged).as("pages of %d: every upload once, newest first, as one page shows them", limit).isEqualTo(all);
            }

            for (String bad : List.of("not-a-cursor", java.util.Base64.getUrlEncoder().encodeToString("17".getBytes(StandardCharsets.UTF_8)),
                    java.util.Base64.getUrlEncoder().encodeToString("soon:upl_x".getBytes(StandardCharsets.UTF_8)))) {
                Reply refused = server.get(destination + "/uploads?cursor=" + URLEncoder.encode(bad, StandardCharsets.UTF_8), site.apiKey());
                assertThat(refused.status()).as("cursor %s: %s", bad, refused.body()).isEqualTo(422);
                assertThat(refused.json().get("error").get("field").asText()).isEqualTo("cursor");
            }
            Reply unknown = server.get(destination + "/uploads?after=x", site.apiKey());
            assertThat(unknown.status()).as(unknown.body()).isEqualTo(400);
        }
    }
}
